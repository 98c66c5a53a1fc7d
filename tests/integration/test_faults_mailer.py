"""Faults around the mailer: the SMTP server stopped under a stream of jobs,
and two mailers, one of them killed with SIGKILL every few seconds, over
2,000 jobs. Everything is delivered; duplicates stay within what was in flight.
FAULT_SMTP_DOWN_SECONDS and FAULT_JOBS make the soak version longer."""
import json
import os
import threading
import time
import unittest

from harness import RedisServer, Service, wait_for
from mailer_fixture import delivered_ids, job, mailer_env
from smtp_server import SmtpServer

SMTP_DOWN_SECONDS = float(os.environ.get("FAULT_SMTP_DOWN_SECONDS", "3"))
JOBS = int(os.environ.get("FAULT_JOBS", "2000"))


class MailerFaultsTest(unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer().start()
        self.smtp = SmtpServer().start()
        self.addCleanup(self.redis.cleanup)
        self.addCleanup(self.smtp.stop)

    def push(self, ids):
        pipe = self.redis.client().pipeline()
        for i in ids:
            pipe.lpush("mail:queue", json.dumps(job(i)))
        pipe.execute()

    def test_smtp_stopped_under_a_stream(self):
        mailer = Service("mailer", mailer_env(self.redis.url, self.smtp.port,
                                              MAIL_MAX_ATTEMPTS="1000",
                                              MAIL_RETRY_MAX_MS="500")).start()
        self.addCleanup(mailer.stop)
        pushed = []
        stop = threading.Event()

        def stream():
            n = 0
            while not stop.is_set():
                pushed.append(f"stream-{n}")
                self.push([pushed[-1]])
                n += 1
                stop.wait(0.02)  # the stream's pace: one job every 20 ms

        t = threading.Thread(target=stream)
        t.start()
        try:
            wait_for(lambda: len(self.smtp.messages) >= 20, what="deliveries before the outage")
            self.smtp.stop()
            down_until = time.monotonic() + SMTP_DOWN_SECONDS
            wait_for(lambda: time.monotonic() >= down_until, timeout=SMTP_DOWN_SECONDS + 5,
                     what="the outage to last")
            self.smtp.start()
            stop.set()
        finally:
            stop.set()
            t.join()
        wait_for(lambda: set(delivered_ids(self.smtp)) >= set(pushed), timeout=60,
                 what="every streamed job delivered after the outage")
        ids = delivered_ids(self.smtp)
        self.assertLessEqual(len(ids) - len(set(ids)), 2, "duplicates beyond the jobs in flight")
        self.assertEqual(self.redis.client().llen("mail:dead"), 0)
        self.assertEqual(mailer.stop(), 0)

    def test_two_mailers_one_killed_repeatedly(self):
        ids = [f"bulk-{i:05d}" for i in range(JOBS)]
        env = mailer_env(self.redis.url, self.smtp.port, MAILER_CONCURRENCY="4",
                         MAILER_HEARTBEAT_TTL="2")
        steady = Service("mailer", dict(env, MAILER_WORKER_ID="steady")).start()
        self.addCleanup(steady.stop)
        self.push(ids)
        kills = 0
        victim = None
        while set(delivered_ids(self.smtp)) < set(ids) and kills < 50:
            victim = Service("mailer", dict(env, MAILER_WORKER_ID=f"victim-{kills}")).start()
            seen = len(self.smtp.messages)
            wait_for(lambda: len(self.smtp.messages) >= min(seen + 150, JOBS) or
                     set(delivered_ids(self.smtp)) >= set(ids), timeout=30,
                     what="some progress before the next kill")
            victim.kill()
            kills += 1
        wait_for(lambda: set(delivered_ids(self.smtp)) >= set(ids), timeout=120,
                 what=f"all {JOBS} jobs delivered")
        delivered = delivered_ids(self.smtp)
        duplicates = len(delivered) - len(set(delivered))
        self.assertGreater(kills, 0)
        self.assertLessEqual(duplicates, 4 * kills, "more duplicates than jobs in flight at kills")
        self.assertEqual(self.redis.client().llen("mail:dead"), 0)
        self.assertEqual(steady.stop(), 0)
