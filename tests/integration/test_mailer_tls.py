"""mailer over STARTTLS and implicit TLS with AUTH, against a test CA; a
certificate that does not verify, or a refused login, pauses deliveries (the
relay's fault, not the job's) and never leads to an unverified send."""
import json
import unittest

from harness import RedisServer, Service, wait_for
from mailer_fixture import healthz, job, mailer_env
from smtp_server import SmtpServer
from tls import make_certs


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = make_certs()
        cls.redis = RedisServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.redis.cleanup()

    def run_mailer(self, smtp, **env):
        mailer = Service("mailer", mailer_env(self.redis.url, smtp.port, MAIL_SERVER="127.0.0.1",
                                              **env)).start()
        self.addCleanup(lambda: self.assertEqual(mailer.stop(), 0))
        return mailer

    def push(self, j):
        self.redis.client().lpush("mail:queue", json.dumps(j))

    def test_starttls_with_auth(self):
        smtp = SmtpServer(tls=self.certs, auth=("mailer", "s3cret pass")).start()
        self.addCleanup(smtp.stop)
        mailer = self.run_mailer(smtp, MAIL_USE_TLS="true", MAIL_CA_FILE=self.certs["ca"],
                                 MAIL_USERNAME="mailer", MAIL_PASSWORD="s3cret pass")
        self.push(job("starttls-1"))
        msg = smtp.wait_for_messages(1)[0]
        self.assertIn("starttls-1", msg.parsed["Message-ID"])
        self.assertNotIn("s3cret pass", mailer.log(), "the SMTP password is never logged")

    def test_smtps_with_auth(self):
        smtp = SmtpServer(implicit_tls=self.certs, auth=("mailer", "pw")).start()
        self.addCleanup(smtp.stop)
        self.run_mailer(smtp, MAIL_USE_SSL="yes", MAIL_CA_FILE=self.certs["ca"],
                        MAIL_USERNAME="mailer", MAIL_PASSWORD="pw")
        self.push(job("smtps-1"))
        self.assertIn("smtps-1", smtp.wait_for_messages(1)[0].parsed["Message-ID"])

    def assert_paused_not_charged(self, smtp, mailer, job_id, error_part):
        """The relay is at fault, not the job: deliveries pause, the job waits in
        the queue with no attempt charged, nothing is sent unverified."""
        r = self.redis.client()
        wait_for(lambda: healthz(mailer) == {"status": "ok", "relay": "down"},
                 what="the relay reported down")
        wait_for(lambda: r.llen("mail:queue") == 1, what="the job back in the queue")
        waiting = json.loads(r.lindex("mail:queue", 0))
        self.assertEqual(waiting["id"], job_id)
        self.assertNotIn("attempts", waiting)
        self.assertEqual(r.zcard("mail:retry"), 0)
        self.assertEqual(r.llen("mail:dead"), 0)
        self.assertEqual(smtp.messages, [])
        self.assertIn("relay down", mailer.log())
        # the reason shows in the trip line or, under load (a first STARTTLS may time out
        # instead), in a later probe's line
        wait_for(lambda: error_part in mailer.log(), timeout=30, what=f"{error_part!r} logged")

    def test_wrong_ca_pauses_never_sent(self):
        smtp = SmtpServer(tls=self.certs).start()
        self.addCleanup(smtp.stop)
        self.addCleanup(self.redis.client().flushdb)
        mailer = self.run_mailer(smtp, MAIL_USE_TLS="1", MAIL_CA_FILE=self.certs["other_ca"])
        self.push(job("wrong-ca"))
        self.assert_paused_not_charged(smtp, mailer, "wrong-ca", "certificate")

    def test_bad_password_pauses_not_dead(self):
        smtp = SmtpServer(tls=self.certs, auth=("mailer", "right")).start()
        self.addCleanup(smtp.stop)
        self.addCleanup(self.redis.client().flushdb)
        mailer = self.run_mailer(smtp, MAIL_USE_TLS="true", MAIL_CA_FILE=self.certs["ca"],
                                 MAIL_USERNAME="mailer", MAIL_PASSWORD="wrong")
        self.push(job("bad-password"))
        self.assert_paused_not_charged(smtp, mailer, "bad-password", "535")
