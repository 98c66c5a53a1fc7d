"""mailctl against a real Redis: each sub-command's output and exit code, and
a dead letter retried by mailctl then delivered by a running mailer."""
import json
import os
import subprocess
import tempfile
import time
import unittest

from harness import PROTO_DIR, RedisServer, Service, binary, wait_for
from mailer_fixture import mailer_env


class MailctlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = RedisServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.redis.cleanup()

    def setUp(self):
        self.redis.client().flushdb()

    def ctl(self, *args, stdin=None, env=None):
        full = dict(os.environ, REDIS_URL=self.redis.url)
        full.update(env or {})
        return subprocess.run([binary("mailctl"), *args], env=full, input=stdin,
                              capture_output=True, text=True, timeout=30)

    def dead_entry(self, job_id, error="smtp 550: user unknown", failed_at=None, attempts=1):
        job = {"v": 1, "id": job_id, "to": ["a@example.com"], "subject": "s", "text": "x",
               "attempts": attempts, "last_error": error}
        return json.dumps({"job": job, "error": error, "attempts": attempts,
                           "failed_at": failed_at or int(time.time())})

    def test_stats(self):
        r = self.redis.client()
        r.lpush("mail:queue", "a", "b")
        r.zadd("mail:retry", {"c": 1})
        r.hset("mail:stats", mapping={"sent": 7, "dead": 2})
        r.sadd("mail:workers", "w1", "w2")
        r.set("mail:worker:w1", 1)
        r.lpush("mail:processing:w1", "j")
        p = self.ctl("stats")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = dict(l.split(None, 1) if not l.startswith(("worker", "live")) else (l, "")
                     for l in p.stdout.splitlines())
        self.assertEqual(lines["queue"].strip(), "2")
        self.assertEqual(lines["retry"].strip(), "1")
        self.assertEqual(lines["sent"].strip(), "7")
        self.assertIn("worker w1", p.stdout)
        self.assertRegex(p.stdout, r"worker w1\s+live processing=1")
        self.assertRegex(p.stdout, r"worker w2\s+dead processing=0")
        self.assertRegex(p.stdout, r"live workers 1")

    def test_stats_counts_mailers_not_threads(self):
        mailers = [Service("mailer", mailer_env(self.redis.url, 9, MAILER_WORKER_ID=f"m{i}",
                                                MAILER_CONCURRENCY="3")).start()
                   for i in range(2)]
        for m in mailers:
            self.addCleanup(m.stop)
        wait_for(lambda: len(self.redis.client().keys("mail:worker:*")) == 6,
                 what="six live delivery threads")
        p = self.ctl("stats")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"live workers\s+2\n")
        self.assertRegex(p.stdout, r"threads\s+6\n")

    def test_enqueue_from_flags_file_and_stdin(self):
        p = self.ctl("enqueue", "--to", "a@example.com", "--to", "b@example.com",
                     "--subject", "Hello", "--template", "reset_password",
                     "--data", '{"username": "s", "reset_url": "http://x/y"}', "--id", "cli-1")
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "cli-1"), p.stderr)
        job = json.loads(self.redis.client().lindex("mail:queue", 0))
        self.assertEqual(job["to"], ["a@example.com", "b@example.com"])
        self.assertEqual(job["data"]["username"], "s")
        spec = os.path.join(PROTO_DIR, "examples", "valid", "spec_example.json")
        self.assertEqual(self.ctl("enqueue", spec).returncode, 0)
        with open(spec) as f:
            self.assertEqual(self.ctl("enqueue", "-", stdin=f.read()).returncode, 0)
        self.assertEqual(self.redis.client().llen("mail:queue"), 3)
        p = self.ctl("enqueue", "--to", "not-an-address", "--subject", "x", "--text", "y")
        self.assertEqual(p.returncode, 1)
        self.assertIn("to[0]", p.stderr)
        self.assertEqual(self.ctl("enqueue", "--bogus").returncode, 2)

    def test_validate_every_broken_job(self):
        folder = os.path.join(PROTO_DIR, "examples", "invalid")
        with open(os.path.join(folder, "EXPECTED.tsv")) as f:
            rows = [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]
        for name, field, _ in rows:
            with self.subTest(name):
                p = self.ctl("validate", os.path.join(folder, name),
                             env={"REDIS_URL": "redis://127.0.0.1:1"})  # no Redis needed
                self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
                self.assertTrue(p.stdout.startswith(f"invalid: {field}: " if field else "invalid: "),
                                p.stdout)
        p = self.ctl("validate", os.path.join(PROTO_DIR, "examples", "valid", "spec_example.json"))
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "valid: reset-42-1732400000-9f2c"))
        self.assertEqual(self.ctl("validate").returncode, 2)

    def test_dead_list_show_purge(self):
        r = self.redis.client()
        self.assertEqual(self.ctl("dead", "list").returncode, 1, "nothing to list")
        r.lpush("mail:dead", self.dead_entry("old", failed_at=int(time.time()) - 10 * 86400))
        r.lpush("mail:dead", self.dead_entry("new", "expired"))
        p = self.ctl("dead", "list")
        self.assertEqual(p.returncode, 0)
        lines = p.stdout.strip().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[0].startswith("new\t"))
        self.assertIn("expired", lines[0])
        p = self.ctl("dead", "list", "--limit", "1", "--json")
        self.assertEqual(json.loads(p.stdout)["job"]["id"], "new")
        p = self.ctl("dead", "show", "old")
        self.assertEqual(json.loads(p.stdout)["job"]["id"], "old")
        self.assertEqual(self.ctl("dead", "show", "nope").returncode, 1)
        p = self.ctl("dead", "purge", "--older-than", "7d")
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "purged 1"))
        self.assertEqual(self.ctl("dead", "purge", "--older-than", "soon").returncode, 2)
        self.assertEqual(self.ctl("dead", "purge").stdout.strip(), "purged 1")
        self.assertEqual(r.llen("mail:dead"), 0)

    def test_dead_retry_then_a_running_mailer_delivers(self):
        r = self.redis.client()
        outbox = tempfile.mkdtemp(prefix="test-outbox-")
        r.lpush("mail:dead", self.dead_entry("again-1", attempts=10))
        r.lpush("mail:dead", self.dead_entry("again-2"))
        self.assertEqual(self.ctl("dead", "retry", "nope").returncode, 1)
        p = self.ctl("dead", "retry", "again-1")
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "requeued 1"))
        job = json.loads(r.lindex("mail:queue", -1))
        self.assertNotIn("attempts", job)
        self.assertNotIn("last_error", job)
        self.assertEqual(self.ctl("dead", "retry", "--all").stdout.strip(), "requeued 1")
        mailer = Service("mailer", mailer_env(self.redis.url, 1, MAIL_OUTBOX_DIR=outbox)).start()
        try:
            wait_for(lambda: sorted(n for n in os.listdir(outbox) if n.endswith(".eml")) ==
                     ["again-1.eml", "again-2.eml"],
                     what="both jobs in the outbox")
        finally:
            self.assertEqual(mailer.stop(), 0)

    def test_usage_and_connection_errors(self):
        self.assertEqual(self.ctl().returncode, 2)
        self.assertEqual(self.ctl("frobnicate").returncode, 2)
        for cmd in (["stats"], ["enqueue"], ["validate"], ["dead"], ["outbox"]):
            p = self.ctl(*cmd, "--help")
            self.assertEqual(p.returncode, 0)
            self.assertIn("Usage: mailctl", p.stdout)
        p = self.ctl("stats", env={"REDIS_URL": "redis://127.0.0.1:1"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("connect failed", p.stderr)
