"""Guards for the mailer's reliability and security properties, each written to
fail when the property is broken (checked by hand against the bug it names;
see docs/testing.md). What is asserted is what another service or an operator
sees: the Redis keys of the contract (mail:queue, mail:retry, mail:dead,
mail:processing:<worker>, mail:worker:<w>, mail:workers) and the messages and
commands a real SMTP server receives."""
import asyncio
import json
import threading
import time
import unittest

from harness import RedisServer, Service, wait_for
from mailer_fixture import MailerTestCase, job, mailer_env
from smtp_server import FaultHandler, SmtpServer


def job_id_of(content):
    """The job id in a message's Message-ID (<id>.<random>@<host>), or None."""
    for line in content.split(b"\r\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b"<", 1)[1].split(b"@", 1)[0].rsplit(b".", 1)[0].decode()
        if not line:
            return None
    return None


class CountingHandler(FaultHandler):
    """Counts MAIL commands and DATA transactions per job id; refuses every DATA
    with `refuse` (e.g. "451 ...") when it is set."""

    def __init__(self):
        super().__init__()
        self.mail_commands = 0
        self.data_by_job = {}
        self.refuse = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            self.mail_commands += 1
        return await super().handle_MAIL(server, session, envelope, address, mail_options)

    async def handle_DATA(self, server, session, envelope):
        job_id = job_id_of(envelope.original_content)
        with self.lock:
            self.data_by_job[job_id] = self.data_by_job.get(job_id, 0) + 1
        if self.refuse:
            return self.refuse
        return await super().handle_DATA(server, session, envelope)


def start_smtp(handler):
    smtp = SmtpServer()
    smtp.handler = handler
    return smtp.start()


class CountingMailerTestCase(MailerTestCase):
    """A mailer against an SMTP server with a CountingHandler answering every
    DATA with `refuse` (None: accept)."""
    refuse = None

    @classmethod
    def setUpClass(cls):
        cls.redis = RedisServer().start()
        cls.smtp = start_smtp(CountingHandler())
        cls.smtp.handler.refuse = cls.refuse
        cls.mailer = Service("mailer", mailer_env(cls.redis.url, cls.smtp.port,
                                                  **cls.extra_env)).start()


class AttemptsGuardTest(CountingMailerTestCase):
    """MAIL_MAX_ATTEMPTS=3 means three SMTP attempts, not two nor four."""
    refuse = "451 4.3.0 try again later"
    extra_env = {"MAIL_MAX_ATTEMPTS": 3, "MAIL_RETRY_BASE_MS": 20, "MAIL_RETRY_MAX_MS": 40}

    def test_max_attempts_is_exact(self):
        self.push(job("three-tries"))
        entry = self.dead_for("three-tries")
        self.assertEqual(entry["attempts"], 3)
        self.assertEqual(self.smtp.handler.data_by_job.get("three-tries"), 3,
                         "the SMTP server saw exactly MAIL_MAX_ATTEMPTS transactions")
        self.assertEqual(self.messages_for("three-tries"), [])


class DeadlineRetryGuardTest(CountingMailerTestCase):
    """A job that fails before its deadline is never scheduled past it: with
    retry delays of up to 60 s and a deadline 3 s away, every retry the mailer
    schedules must fall before the deadline, and the job ends as `expired`."""
    refuse = "451 4.3.0 try again later"
    extra_env = {"MAIL_MAX_ATTEMPTS": 100, "MAIL_RETRY_BASE_MS": 60000,
                 "MAIL_RETRY_MAX_MS": 60000}

    def test_retries_never_scheduled_past_the_deadline(self):
        deadline = int(time.time()) + 3
        ids = [f"deadline-{i}" for i in range(8)]
        for i in ids:
            self.push(job(i, deadline=deadline))
        r = self.redis.client()
        late = []

        def all_dead():
            """Polled: notes every retry scheduled at or past the deadline on the way."""
            for m, score in r.zrange("mail:retry", 0, -1, withscores=True):
                if score >= deadline * 1000:
                    late.append((json.loads(m)["id"], score - deadline * 1000))
            dead = {e["job"]["id"]: e for e in self.dead() if isinstance(e["job"], dict)}
            return set(ids) <= set(dead) and dead

        dead = wait_for(lambda: all_dead() or late, timeout=20, what="every job dead-lettered")
        self.assertEqual(late, [], "(job, ms past the deadline) of retries scheduled too late")
        for i in ids:
            self.assertTrue(dead[i]["error"].startswith("expired"), dead[i]["error"])
            self.assertEqual(self.messages_for(i), [])


class StartTlsRequiredGuardTest(CountingMailerTestCase):
    """MAIL_USE_TLS=true against a server that offers no STARTTLS: nothing is
    sent in plain text, not even the envelope."""
    extra_env = {"MAIL_USE_TLS": "true", "MAIL_MAX_ATTEMPTS": 100}

    def test_no_plain_text_when_starttls_is_required(self):
        self.push(job("tls-only"))
        h = self.smtp.handler
        # two sessions: the first attempt is over, and the mailer came back
        wait_for(lambda: h.connections >= 2 or self.smtp.messages, timeout=20,
                 what="the mailer to try twice")
        self.assertEqual(self.smtp.messages, [], "nothing delivered without TLS")
        self.assertEqual(h.mail_commands, 0, "not even MAIL FROM in plain text")
        self.assertNotIn("tls-only", h.data_by_job)


class MessageGuardTest(MailerTestCase):
    def test_lines_starting_with_a_dot_arrive_intact(self):
        text = ".\n.hidden\n..two dots\nmiddle\n. \nend."
        html = "<p>x</p>\n.<b>dot</b>\n."
        self.push(job("dots", text=text, html=html))
        m = self.wait_delivered("dots")[0]
        self.assertEqual(m.body("plain").replace("\r\n", "\n").rstrip("\n"), text)
        self.assertEqual(m.body("html").replace("\r\n", "\n").rstrip("\n"), html)
        # and the message itself has no line a relay could take for the end of DATA
        starts = [line for line in m.content.split(b"\r\n") if line.startswith(b".")]
        self.assertEqual(starts, [], "a body line starting with '.' is encoded (=2E)")

    def test_a_quote_in_data_cannot_leave_its_attribute(self):
        url = 'https://microblog.example/r/x" onmouseover="alert(1)'
        self.push(job("quotes", text=None, template="reset_password",
                      data={"username": "o'brien <b>", "reset_url": url}))
        html = self.wait_delivered("quotes")[0].body("html")
        self.assertIn('href="https://microblog.example/r/x&quot; onmouseover=&quot;alert(1)"',
                      html)
        self.assertNotIn('" onmouseover="', html)
        self.assertIn("Dear o&#39;brien &lt;b&gt;,", html)

    def test_logs_carry_no_reset_link(self):
        url = "https://microblog.example/reset_password/eyJhbGciOiJIUzI1NiJ9.eyJzZWNyZXQiOjF9.c2VjcmV0LXNpZw"
        self.push(job("reset-9-1732400000-abcd", text=None, template="reset_password",
                      data={"username": "susan", "reset_url": url}))
        self.wait_delivered("reset-9-1732400000-abcd")
        # the outcome is logged after the message is handed over: wait for that line
        log = wait_for(lambda: "reset-9-1732400000-abcd" in self.mailer.log() and self.mailer.log(),
                       what="the job id logged")
        self.assertNotIn("eyJzZWNyZXQiOjF9", log, "the link's token is not")


class HoldingHandler(FaultHandler):
    """Holds DATA of messages containing b"hold-me" until `release` is set."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()
        self.holding = 0

    async def handle_DATA(self, server, session, envelope):
        if b"hold-me" in envelope.original_content:
            with self.lock:
                self.holding += 1
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


class HeartbeatGuardTest(unittest.TestCase):
    """A live mailer that is slow keeps its job: its heartbeat is refreshed, so
    another mailer does not move the job back to the queue after
    MAILER_HEARTBEAT_TTL. To know that the other mailer did look (and not merely
    that nothing happened yet), a job is planted in the processing list of a
    registered worker with no heartbeat; its delivery proves that a recovery
    pass ran after the TTL had passed."""
    TTL = 5  # refreshed every TTL/3: a stall of over 3 s on a loaded machine is still no expiry

    def setUp(self):
        self.redis = RedisServer().start()
        self.addCleanup(self.redis.cleanup)
        self.smtp = start_smtp(HoldingHandler())
        self.addCleanup(self.smtp.stop)

    def mailer(self, worker_id, concurrency):
        m = Service("mailer", mailer_env(self.redis.url, self.smtp.port,
                                         MAILER_WORKER_ID=worker_id,
                                         MAILER_CONCURRENCY=concurrency,
                                         MAILER_HEARTBEAT_TTL=self.TTL,
                                         MAIL_TIMEOUT_MS=60000)).start()

        def stop():
            self.smtp.handler.release.set()  # a held delivery would delay the stop
            self.assertEqual(m.stop(), 0)
        self.addCleanup(stop)
        return m

    def redis_now(self):
        sec, usec = self.redis.client().time()
        return sec + usec / 1e6

    def delivered(self, job_id):
        return [m for m in self.smtp.messages if job_id_of(m.content) == job_id]

    def test_a_slow_live_worker_keeps_its_job(self):
        r = self.redis.client()
        self.mailer("alpha", 1)
        held = json.dumps(job("held-job", text="hold-me: a slow relay"))
        r.lpush("mail:queue", held)
        wait_for(lambda: r.lrange("mail:processing:alpha-0", 0, -1) == [held]
                 and self.smtp.handler.holding == 1, what="alpha to hold the job at DATA")
        since = self.redis_now()
        self.mailer("beta", 2)
        # the TTL is the property's own time frame: wait it out on Redis's clock
        wait_for(lambda: self.redis_now() > since + self.TTL + 1, timeout=self.TTL + 10,
                 what="the heartbeat TTL to pass")
        r.sadd("mail:workers", "ghost-0")
        r.lpush("mail:processing:ghost-0", json.dumps(job("ghost-job")))
        alpha_holds = lambda: r.lrange("mail:processing:alpha-0", 0, -1) == [held]
        wait_for(lambda: self.delivered("ghost-job") or not alpha_holds(), timeout=20,
                 what="a recovery pass (the dead worker's job delivered)")
        self.assertTrue(alpha_holds(), "the live worker still holds its job")
        self.assertTrue(self.delivered("ghost-job"))
        self.assertNotIn(held, r.lrange("mail:queue", 0, -1))
        for w in ("beta-0", "beta-1"):
            self.assertNotIn(held, r.lrange(f"mail:processing:{w}", 0, -1), w)
        self.assertEqual(self.smtp.handler.holding, 1, "no second copy reached the relay")
        self.smtp.handler.release.set()
        wait_for(lambda: self.delivered("held-job"), what="the held job delivered")
        wait_for(lambda: r.llen("mail:processing:alpha-0") == 0, what="alpha to file it")
        self.assertEqual(len(self.delivered("held-job")), 1)


class RedisRestartGuardTest(unittest.TestCase):
    """Redis restarted under a stream of jobs: every job is delivered, and none
    is left behind in a processing list, the queue or the retry set."""

    def test_no_job_lost_or_stuck_across_a_redis_restart(self):
        redis = RedisServer(persistent=True).start()
        self.addCleanup(redis.cleanup)
        smtp = SmtpServer().start()
        self.addCleanup(smtp.stop)
        smtp.handler.delay = 0.02
        mailer = Service("mailer", mailer_env(redis.url, smtp.port, MAIL_MAX_ATTEMPTS=1000,
                                              MAILER_WORKER_ID="steady")).start()
        self.addCleanup(lambda: self.assertEqual(mailer.stop(), 0))
        ids = [f"restart-{i}" for i in range(40)]
        for i in ids:
            redis.client().lpush("mail:queue", json.dumps(job(i)))
        wait_for(lambda: len(smtp.messages) >= 5, what="deliveries under way")
        redis.restart()
        delivered = lambda: {job_id_of(m.content) for m in smtp.messages}
        wait_for(lambda: set(ids) <= delivered(), timeout=60, what="every job delivered")
        r = redis.client()

        def settled():
            held = [k for k in r.keys("mail:processing:*") if r.llen(k)]
            return not held and r.llen("mail:queue") == 0 and r.zcard("mail:retry") == 0
        wait_for(settled, timeout=30, what="nothing left in processing, queue or retry")
        self.assertEqual(r.llen("mail:dead"), 0)
        self.assertEqual([i for i in ids if not r.exists(f"mail:sent:{i}")], [],
                         "each job filed as sent")
