"""The relay is not the job's fault: relay outages (connections refused, 421 at
the greeting, logins refused with 535) and a relay that flaps, with
MAIL_MAX_ATTEMPTS=3. Counted: dead letters, attempts charged, copies
delivered, connections the relay saw during the outage, time to recover.
The figures are printed for docs/testing.md."""
import json
import time
import unittest

from harness import RedisServer, Service, wait_for
from mailer_fixture import delivered_ids, healthz, job, mailer_env, metric
from smtp_server import SmtpServer

OUTAGE_S = 15
JOBS = 30


class RelayOutageTest(unittest.TestCase):
    def run_outage(self, mode):
        redis = RedisServer().start()
        self.addCleanup(redis.cleanup)
        auth = ("mailer", "right") if mode == "535" else None
        smtp = SmtpServer(auth=auth).start()
        self.addCleanup(smtp.stop)
        extra = {"MAIL_USERNAME": "mailer", "MAIL_PASSWORD": "right"} if auth else {}
        mailer = Service("mailer", mailer_env(redis.url, smtp.port, MAIL_MAX_ATTEMPTS="3",
                                              MAIL_RELAY_PROBE_MAX_MS="4000", **extra)).start()
        self.addCleanup(mailer.stop)
        r = redis.client()

        if mode == "refused":
            smtp.stop()
        elif mode == "421":
            smtp.handler.greeting_reply = "421 4.3.2 service shutting down"
        else:
            smtp.handler.refuse_auth = True
        greetings_before = smtp.handler.greetings
        down_at = time.monotonic()
        ids = [f"{mode}-{i:02d}" for i in range(JOBS)]
        for i in ids:
            r.lpush("mail:queue", json.dumps(job(i)))
        wait_for(lambda: healthz(mailer)["relay"] == "down", what="the relay reported down")
        self.assertEqual(metric(mailer, "mail_relay_up"), 0)
        wait_for(lambda: time.monotonic() - down_at >= OUTAGE_S, timeout=OUTAGE_S + 5,
                 interval=0.5, what="the outage to last its time")
        seen_during = smtp.handler.greetings - greetings_before
        dead_during = r.llen("mail:dead")

        if mode == "refused":
            smtp.start()
        elif mode == "421":
            smtp.handler.greeting_reply = None
        else:
            smtp.handler.refuse_auth = False
        up_at = time.monotonic()
        wait_for(lambda: set(delivered_ids(smtp)) >= set(ids), timeout=60,
                 what=f"all {JOBS} delivered after the outage")
        recovered_s = time.monotonic() - up_at
        delivered = delivered_ids(smtp)
        charged = int(r.hget("mail:stats", "retried") or 0)
        print(f"outage {mode}: {OUTAGE_S} s, {JOBS} jobs, MAIL_MAX_ATTEMPTS=3: dead {dead_during}, "
              f"attempts charged {charged}, connections seen by the relay during the outage "
              f"{seen_during if mode != 'refused' else 'n/a (refused)'}, duplicates "
              f"{len(delivered) - len(set(delivered))}, all delivered {recovered_s:.1f} s after "
              f"the relay came back", flush=True)
        self.assertEqual(dead_during, 0)
        self.assertEqual(r.llen("mail:dead"), 0)
        self.assertEqual(charged, 0, "attempts were charged for the relay's outage")
        self.assertEqual(sorted(delivered), sorted(ids), "each job exactly once")
        if mode != "refused":
            # probes at growing pauses (1, 2, 4, 4 … s) plus the first failures
            self.assertLessEqual(seen_during, 12, "the relay was hammered during its outage")
        wait_for(lambda: healthz(mailer)["relay"] == "up", what="the relay reported up")
        self.assertEqual(mailer.stop(), 0)

    def test_connections_refused(self):
        self.run_outage("refused")

    def test_421_at_the_greeting(self):
        self.run_outage("421")

    def test_535_login_refused(self):
        self.run_outage("535")


class FlappingRelayTest(unittest.TestCase):
    def test_down_5_s_up_5_s_for_a_minute(self):
        redis = RedisServer().start()
        self.addCleanup(redis.cleanup)
        smtp = SmtpServer().start()
        self.addCleanup(smtp.stop)
        smtp.handler.delay = 0.02  # messages are in flight when the relay goes
        mailer = Service("mailer", mailer_env(redis.url, smtp.port, MAIL_MAX_ATTEMPTS="3",
                                              MAIL_RELAY_PROBE_MAX_MS="2000",
                                              MAILER_CONCURRENCY="4")).start()
        self.addCleanup(mailer.stop)
        r = redis.client()
        ids, started, pushed, up = [], time.monotonic(), 0, True
        while time.monotonic() - started < 60:  # a job every 0.1 s, the relay flapping
            elapsed = time.monotonic() - started
            if up != (int(elapsed // 5) % 2 == 0):
                up = not up
                smtp.start() if up else smtp.stop()
            ids.append(f"flap-{pushed:04d}")
            r.lpush("mail:queue", json.dumps(job(ids[-1])))
            pushed += 1
            time.sleep(0.1)  # the rate of the stream, not a wait for anything
        if not up:
            smtp.start()
        wait_for(lambda: set(delivered_ids(smtp)) >= set(ids), timeout=90,
                 what=f"all {len(ids)} delivered")
        delivered = delivered_ids(smtp)
        charged = int(r.hget("mail:stats", "retried") or 0)
        print(f"flapping relay (down 5 s, up 5 s, 60 s, {len(ids)} jobs): lost "
              f"{len(set(ids) - set(delivered))}, dead {r.llen('mail:dead')}, attempts charged "
              f"{charged}, duplicates {len(delivered) - len(set(delivered))}", flush=True)
        self.assertEqual(r.llen("mail:dead"), 0)
        self.assertEqual(charged, 0, "attempts were charged for the relay's downs")
        self.assertEqual(mailer.stop(), 0)


if __name__ == "__main__":
    unittest.main()
