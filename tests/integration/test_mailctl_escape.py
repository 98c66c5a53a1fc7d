"""mailctl prints no control character raw (issue 10): a job id or an error
holding ESC, CR, LF or a C1 control cannot paint the terminal or forge lines."""
import json
import os
import subprocess
import time
import unittest

from harness import RedisServer, binary

HOSTILE_ID = "evil\x1b[2J\x1b]0;pwned\x07\nfake-id\t2026-01-01T00:00:00Z\tattempts=0\tok\r\x9b31m"
HOSTILE_ERROR = "smtp 550\x1b[31m red\nsecond line\x7f"


def raw_controls(text, allowed="\n"):
    return [c for c in text if (ord(c) < 0x20 and c not in allowed) or 0x7f <= ord(c) <= 0x9f]


class MailctlEscapeTest(unittest.TestCase):
    def ctl(self, *args):
        env = dict(os.environ, REDIS_URL=self.redis.url)
        p = subprocess.run([binary("mailctl"), *args], env=env, capture_output=True,
                           timeout=30)
        return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")

    def setUp(self):
        self.redis = RedisServer().start()
        self.addCleanup(self.redis.cleanup)
        r = self.redis.client()
        job = {"v": 1, "id": HOSTILE_ID, "to": ["a@example.com"], "subject": "s", "text": "x"}
        r.lpush("mail:dead", json.dumps({"job": job, "error": HOSTILE_ERROR, "attempts": 3,
                                         "failed_at": int(time.time())}))
        r.sadd("mail:workers", "worker\x1b[1m\nfake")
        r.hset("mail:stats", "sent", "7\x1b[5m")

    def test_dead_list_prints_one_line_and_no_controls(self):
        code, out, _ = self.ctl("dead", "list")
        self.assertEqual(code, 0)
        self.assertEqual(raw_controls(out, "\n\t"), [], "tabs separate the columns")
        lines = out.splitlines()
        self.assertEqual(len(lines), 1, out)
        self.assertIn("evil\\x1b[2J\\x1b]0;pwned\\x07\\nfake-id\\t", lines[0])
        self.assertIn("\\xc2\\x9b31m", lines[0])
        self.assertIn("smtp 550\\x1b[31m red\\nsecond line\\x7f", lines[0])
        self.assertEqual(lines[0].count("\t"), 3, "only the column separators")

    def test_json_outputs_escape_too(self):
        for args in (("dead", "list", "--json"), ("dead", "show", HOSTILE_ID)):
            with self.subTest(args[1]):
                code, out, _ = self.ctl(*args)
                self.assertEqual(code, 0, out)
                self.assertEqual(raw_controls(out), [])
                if args[1] == "list":
                    self.assertEqual(len(out.splitlines()), 1)
                entry = json.loads(out)
                self.assertEqual(entry["job"]["id"], HOSTILE_ID, "escaped, not altered")
                self.assertEqual(entry["error"], HOSTILE_ERROR)

    def test_stats_and_errors(self):
        code, out, _ = self.ctl("stats")
        self.assertEqual(code, 0)
        self.assertEqual(raw_controls(out), [])
        self.assertIn("worker\\x1b[1m\\nfake", out)
        self.assertIn("7\\x1b[5m", out)
        code, _, err = self.ctl("dead", "show", "no\x1bsuch")
        self.assertEqual(code, 1)
        self.assertEqual(raw_controls(err), [])
        self.assertIn("no\\x1bsuch", err)


if __name__ == "__main__":
    unittest.main()
