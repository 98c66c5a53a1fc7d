"""Starts redis-server, a fault-injecting SMTP server and the mailer for a test
class, with short retry delays."""
import http.client
import json
import unittest

from harness import RedisServer, Service, wait_for
from smtp_server import SmtpServer

SENDER = "Microblog <no-reply@microblog.example>"


def mailer_env(redis_url, smtp_port, **extra):
    env = {
        "REDIS_URL": redis_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_DEFAULT_SENDER": SENDER,
        "MAILER_LISTEN": "127.0.0.1:0",
        "MAIL_RETRY_BASE_MS": "50",
        "MAIL_RETRY_MAX_MS": "200",
        "MAILER_POLL_MS": "20",
        "MAIL_CONNECT_TIMEOUT_MS": "3000",
        "MAIL_TIMEOUT_MS": "10000",
        "MAILER_CONCURRENCY": "2",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


def job_id_of(message):
    """The job id of a message the mailer sent (from its Message-ID)."""
    return message.parsed["Message-ID"].strip("<>").rsplit(".", 1)[0].rsplit(".", 1)[0]


def healthz(mailer):
    """The mailer's /healthz body, parsed ({"status": "ok", "relay": "up"})."""
    c = http.client.HTTPConnection("127.0.0.1", mailer.port, timeout=10)
    try:
        c.request("GET", "/healthz")
        return json.loads(c.getresponse().read())
    finally:
        c.close()


def metric(mailer, name):
    """The value of one sample line of the mailer's /metrics, e.g.
    'mail_relay_up' or 'mailer_jobs_total{outcome="sent"}'; 0 when absent."""
    c = http.client.HTTPConnection("127.0.0.1", mailer.port, timeout=10)
    try:
        c.request("GET", "/metrics")
        for line in c.getresponse().read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
        return 0.0
    finally:
        c.close()


def delivered_ids(smtp):
    """The job ids of the messages smtp received, repeats kept."""
    return [job_id_of(m) for m in smtp.messages]


def job(job_id, **fields):
    base = {"v": 1, "id": job_id, "to": ["susan@example.com"], "subject": "Hello",
            "text": "Hi there."}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}  # None: leave the field out


class MailerTestCase(unittest.TestCase):
    extra_env = {}
    smtp_kwargs = {}

    @classmethod
    def setUpClass(cls):
        cls.redis = RedisServer().start()
        cls.smtp = SmtpServer(**cls.smtp_kwargs).start()
        cls.mailer = Service("mailer", mailer_env(cls.redis.url, cls.smtp.port,
                                                  **cls.extra_env)).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.mailer.stop()
        cls.smtp.stop()
        cls.redis.cleanup()
        assert code == 0, f"mailer exited with {code}"

    def push(self, job_or_raw):
        raw = job_or_raw if isinstance(job_or_raw, (str, bytes)) else json.dumps(job_or_raw)
        self.redis.client().lpush("mail:queue", raw)

    def dead(self):
        return [json.loads(e) for e in self.redis.client().lrange("mail:dead", 0, -1)]

    def dead_for(self, job_id, timeout=20):
        def find():
            for e in self.dead():
                if isinstance(e["job"], dict) and e["job"].get("id") == job_id:
                    return e
            return None
        return wait_for(find, timeout=timeout, what=f"dead letter for {job_id}")

    def stat(self, name):
        return int(self.redis.client().hget("mail:stats", name) or 0)

    def messages_for(self, job_id):
        return [m for m in self.smtp.messages if job_id in (m.parsed["Message-ID"] or "")]

    def wait_delivered(self, job_id, count=1, timeout=20):
        return wait_for(lambda: len(self.messages_for(job_id)) >= count and self.messages_for(job_id),
                        timeout=timeout, what=f"delivery of {job_id}")

    def queue_idle(self):
        r = self.redis.client()
        return r.llen("mail:queue") == 0 and r.zcard("mail:retry") == 0
