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


if __name__ == "__main__":
    unittest.main()
