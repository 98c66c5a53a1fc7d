"""auth refuses to start with .env.example's SECRET_KEY (or any key holding
"change-me"): one line on stderr naming SECRET_KEY, exit status 2, the key
itself never printed. Configuration is read before anything is opened, so no
Redis or database is needed."""
import os
import re
import subprocess
import tempfile
import unittest

from harness import SOURCE_DIR, TEMPLATES_DIR, binary


def example_key():
    with open(os.path.join(SOURCE_DIR, ".env.example")) as f:
        return re.search(r"^SECRET_KEY=(.*)$", f.read(), re.M).group(1)


class PlaceholderSecretKeyTest(unittest.TestCase):
    def run_auth(self, key):
        with tempfile.TemporaryDirectory(prefix="test-secret-") as d:
            env = dict(os.environ, SECRET_KEY=key, AUTH_LISTEN="127.0.0.1:0",
                       DATABASE_PATH=os.path.join(d, "app.db"), TEMPLATES_DIR=TEMPLATES_DIR,
                       REDIS_URL="redis://127.0.0.1:1/0")
            return subprocess.run([binary("auth")], env=env, capture_output=True, text=True,
                                  timeout=20)

    def test_example_and_change_me_keys_are_refused(self):
        for key in (example_key(), "x" * 40 + "change-me", "Change-Me" + "y" * 40):
            with self.subTest(key=key):
                p = self.run_auth(key)
                self.assertEqual(p.returncode, 2, p.stderr)
                lines = p.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, p.stderr)
                self.assertIn("SECRET_KEY", lines[0])
                self.assertIn("change-me", lines[0])
                self.assertNotIn(key, p.stderr + p.stdout)


if __name__ == "__main__":
    unittest.main()
