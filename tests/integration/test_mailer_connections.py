"""mailer_smtp_connections_total counts the SMTP connections the mailer
opened: one delivery thread sending several messages opens one, and the
counter agrees with what the SMTP server saw."""
import http.client
import json
import unittest

from harness import RedisServer, Service, wait_for
from mailer_fixture import job, mailer_env
from smtp_server import SmtpServer


def metrics(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/metrics")
    return c.getresponse().read().decode()


def counter(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


class ConnectionsTest(unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer().start()
        self.smtp = SmtpServer().start()
        self.addCleanup(self.redis.cleanup)
        self.addCleanup(self.smtp.stop)

    def test_one_thread_reuses_its_connection(self):
        mailer = Service("mailer", mailer_env(self.redis.url, self.smtp.port,
                                              MAILER_CONCURRENCY="1")).start()
        self.addCleanup(mailer.stop)
        pipe = self.redis.client().pipeline()
        for i in range(5):
            pipe.lpush("mail:queue", json.dumps(job(f"conn-{i}")))
        pipe.execute()
        self.smtp.wait_for_messages(5)
        wait_for(lambda: 'mailer_jobs_total{outcome="sent"} 5' in metrics(mailer.port),
                 what="five sent")
        self.assertEqual(counter(metrics(mailer.port), "mailer_smtp_connections_total"), 1)
        self.assertEqual(self.smtp.handler.connections, 1)


if __name__ == "__main__":
    unittest.main()
