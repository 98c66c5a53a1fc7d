"""mailer over STARTTLS and implicit TLS with AUTH, against a test CA; a
certificate that does not verify is a transient error, never an unverified send."""
import json
import unittest

from harness import RedisServer, Service, wait_for
from mailer_fixture import job, mailer_env
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

    def test_wrong_ca_is_retried_never_sent(self):
        smtp = SmtpServer(tls=self.certs).start()
        self.addCleanup(smtp.stop)
        self.run_mailer(smtp, MAIL_USE_TLS="1", MAIL_CA_FILE=self.certs["other_ca"],
                        MAIL_RETRY_BASE_MS="60000", MAIL_RETRY_MAX_MS="60000")
        self.push(job("wrong-ca"))
        r = self.redis.client()
        entry = wait_for(lambda: r.zrange("mail:retry", 0, -1), what="the job in the retry set")
        retried = json.loads(entry[0])
        self.assertEqual(retried["id"], "wrong-ca")
        self.assertEqual(retried["attempts"], 1)
        self.assertTrue(retried["last_error"].startswith("tls"), retried["last_error"])
        self.assertEqual(smtp.messages, [])
        r.delete("mail:retry")

    def test_bad_password_is_retried_not_dead(self):
        smtp = SmtpServer(tls=self.certs, auth=("mailer", "right")).start()
        self.addCleanup(smtp.stop)
        self.run_mailer(smtp, MAIL_USE_TLS="true", MAIL_CA_FILE=self.certs["ca"],
                        MAIL_USERNAME="mailer", MAIL_PASSWORD="wrong",
                        MAIL_RETRY_BASE_MS="60000", MAIL_RETRY_MAX_MS="60000")
        self.push(job("bad-password"))
        r = self.redis.client()
        entry = wait_for(lambda: r.zrange("mail:retry", 0, -1), what="the job in the retry set")
        self.assertIn("535", json.loads(entry[0])["last_error"])
        self.assertEqual(smtp.messages, [])
        r.delete("mail:retry")
