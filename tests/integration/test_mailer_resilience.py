"""mailer under failure: the SMTP server down for a while, a mailer killed
with SIGKILL in the middle of a batch, configuration errors, signals."""
import json
import os
import signal
import subprocess
import unittest

from harness import RedisServer, Service, binary, wait_for
from mailer_fixture import delivered_ids, healthz, job, mailer_env
from smtp_server import SmtpServer


class ResilienceTest(unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer().start()
        self.smtp = SmtpServer().start()
        self.addCleanup(self.redis.cleanup)
        self.addCleanup(self.smtp.stop)

    def push_many(self, ids):
        r = self.redis.client()
        pipe = r.pipeline()
        for i in ids:
            pipe.lpush("mail:queue", json.dumps(job(i)))
        pipe.execute()

    def delivered_ids(self):
        return delivered_ids(self.smtp)

    def test_server_down_for_a_while_then_delivered(self):
        """Refused connections are the relay's fault: no attempt is charged."""
        self.smtp.stop()
        mailer = Service("mailer", mailer_env(self.redis.url, self.smtp.port,
                                              MAIL_MAX_ATTEMPTS="2")).start()
        self.addCleanup(mailer.stop)
        self.push_many([f"outage-{i}" for i in range(5)])
        r = self.redis.client()
        wait_for(lambda: healthz(mailer)["relay"] == "down", what="the relay reported down")
        wait_for(lambda: r.llen("mail:queue") == 5, what="the jobs waiting in the queue")
        self.assertEqual(r.llen("mail:dead"), 0)
        self.assertEqual(int(r.hget("mail:stats", "retried") or 0), 0)
        self.smtp.start()
        self.smtp.wait_for_messages(5)
        self.assertEqual(sorted(self.delivered_ids()), [f"outage-{i}" for i in range(5)])
        self.assertEqual(r.llen("mail:dead"), 0)
        self.assertEqual(mailer.stop(), 0)

    def test_sigkill_mid_batch_loses_nothing(self):
        ids = [f"batch-{i:03d}" for i in range(200)]
        self.smtp.handler.delay = 0.01  # slow SMTP: jobs are in flight when the kill lands
        env = mailer_env(self.redis.url, self.smtp.port, MAILER_CONCURRENCY="4",
                         MAILER_HEARTBEAT_TTL="2", MAILER_WORKER_ID="first")
        first = Service("mailer", env).start()
        self.push_many(ids)
        wait_for(lambda: len(self.smtp.messages) >= 40, what="some deliveries before the kill")
        first.kill()
        self.assertLess(len(self.smtp.messages), 200, "the kill came mid-batch")
        second = Service("mailer", dict(env, MAILER_WORKER_ID="second")).start()
        self.addCleanup(second.stop)
        wait_for(lambda: set(self.delivered_ids()) >= set(ids), timeout=60,
                 what="all 200 delivered after the restart")
        duplicates = len(self.delivered_ids()) - len(set(self.delivered_ids()))
        self.assertLessEqual(duplicates, 4, "no more duplicates than jobs in flight")
        r = self.redis.client()
        wait_for(lambda: sum(r.llen(k) for k in r.keys("mail:processing:first-*")) == 0,
                 timeout=30, what="the killed worker's jobs recovered from processing")
        self.assertEqual(second.stop(), 0)

    def test_sigterm_finishes_and_exits_0(self):
        mailer = Service("mailer", mailer_env(self.redis.url, self.smtp.port)).start()
        self.push_many(["term-1"])
        self.smtp.wait_for_messages(1)
        self.assertEqual(mailer.stop(signal.SIGTERM), 0)
        r = self.redis.client()
        self.assertEqual(sum(r.llen(k) for k in r.keys("mail:processing:*")), 0)
        self.assertEqual(r.keys("mail:worker:*"), [], "heartbeats removed at a clean exit")

    def test_bad_configuration_exits_2(self):
        base = mailer_env(self.redis.url, self.smtp.port)
        cases = {
            "MAIL_PORT": dict(base, MAIL_PORT="smtp"),
            "MAIL_USE_TLS": dict(base, MAIL_USE_TLS="maybe"),
            "MAIL_DEFAULT_SENDER": {k: v for k, v in base.items() if k != "MAIL_DEFAULT_SENDER"},
            "MAILER_CONCURRENCY": dict(base, MAILER_CONCURRENCY="0"),
        }
        for var, env in cases.items():
            with self.subTest(var):
                full = {k: v for k, v in os.environ.items() if not k.startswith("MAIL")}
                full.update(env)
                p = subprocess.run([binary("mailer")], env=full, capture_output=True, text=True,
                                   timeout=20)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
                self.assertIn(var, p.stderr)
        p = subprocess.run([binary("mailer"), "--version"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("mailer "))

    def test_health_and_metrics(self):
        mailer = Service("mailer", mailer_env(self.redis.url, self.smtp.port)).start()
        self.addCleanup(mailer.stop)
        import http.client
        def get(path):
            c = http.client.HTTPConnection("127.0.0.1", mailer.port, timeout=10)
            c.request("GET", path)
            r = c.getresponse()
            return r.status, r.read().decode()
        self.assertEqual(get("/healthz"), (200, '{"status":"ok","relay":"up"}'))
        self.push_many(["metrics-1"])
        self.smtp.wait_for_messages(1)
        wait_for(lambda: 'mailer_jobs_total{outcome="sent"} 1' in get("/metrics")[1],
                 what="the sent counter")
        status, text = get("/metrics")
        self.assertIn("\nmail_relay_up 1\n", text)
        for name in ("mailer_queue_depth", "mailer_retry_depth", "mailer_dead_depth",
                     "mailer_processing_depth", "mailer_smtp_duration_seconds"):
            self.assertIn(name, text)
        self.redis.stop()
        status, body = get("/healthz")
        self.assertEqual(status, 503)
        self.assertEqual(body, '{"status":"unavailable","redis":"failed"}')  # no NUL after it
        self.redis.start()

    def test_outbox_directory_is_created(self):
        import tempfile
        outbox = os.path.join(tempfile.mkdtemp(prefix="test-outbox-new-"), "var", "outbox")
        mailer = Service("mailer", mailer_env(self.redis.url, self.smtp.port,
                                              MAIL_OUTBOX_DIR=outbox)).start()
        self.push_many(["outbox-1"])
        wait_for(lambda: os.path.exists(os.path.join(outbox, "outbox-1.eml")),
                 what="the message in a directory that did not exist")
        self.assertEqual(mailer.stop(), 0)
