"""proto/mail_job.schema.json accepts every valid example and rejects every
invalid one that a schema can express (EXPECTED.tsv marks the rest c-only;
the C validator's own test covers those)."""
import json
import os
import unittest

import jsonschema

from harness import PROTO_DIR


def load_schema():
    with open(os.path.join(PROTO_DIR, "mail_job.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def expected_invalid():
    rows = []
    with open(os.path.join(PROTO_DIR, "examples", "invalid", "EXPECTED.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, field, checked = line.rstrip("\n").split("\t")
            rows.append((name, field, checked))
    return rows


class SchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.validator = load_schema()

    def test_valid_examples_pass(self):
        folder = os.path.join(PROTO_DIR, "examples", "valid")
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
        self.assertGreaterEqual(len(names), 6)
        for name in names:
            with self.subTest(example=name), open(os.path.join(folder, name)) as f:
                errors = list(self.validator.iter_errors(json.load(f)))
                self.assertEqual(errors, [], f"{name}: {[e.message for e in errors]}")

    def test_invalid_examples_fail(self):
        folder = os.path.join(PROTO_DIR, "examples", "invalid")
        rows = expected_invalid()
        listed = {name for name, _, _ in rows}
        on_disk = {n for n in os.listdir(folder) if n.endswith(".json")}
        self.assertEqual(listed, on_disk, "EXPECTED.tsv and the files disagree")
        checked = 0
        for name, field, kind in rows:
            if kind != "yes":
                continue
            with self.subTest(example=name), open(os.path.join(folder, name)) as f:
                self.assertFalse(self.validator.is_valid(json.load(f)), f"{name} passed the schema")
                checked += 1
        self.assertGreaterEqual(checked, 30)


class ReadmeExamplesTest(unittest.TestCase):
    """The examples in proto/README.md work as printed."""

    def test_python_and_redis_cli_examples(self):
        import re
        import subprocess
        from harness import RedisServer
        with open(os.path.join(PROTO_DIR, "README.md")) as f:
            readme = f.read()
        program = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
        cli = re.search(r"redis-cli LPUSH mail:queue '(.*?)'", readme).group(1)
        validator = load_schema()
        self.assertTrue(validator.is_valid(json.loads(cli)))
        redis = RedisServer().start()
        try:
            env = dict(os.environ, REDIS_URL=redis.url)
            p = subprocess.run(["/usr/bin/python3", "-c", program], env=env,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            job = json.loads(redis.client().lindex("mail:queue", 0))
            self.assertEqual(list(validator.iter_errors(job)), [])
        finally:
            redis.cleanup()


if __name__ == "__main__":
    unittest.main()
