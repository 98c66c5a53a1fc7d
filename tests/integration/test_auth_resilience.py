"""auth when Redis goes away and comes back, and when it is told to stop."""
import os
import re
import signal
import tempfile
import unittest

from auth_fixture import AuthTestCase, auth_env
from harness import RedisServer, Service, wait_for
from web import Client


def strip_visitor(text, address):
    return re.sub(r'name="csrf_token" value="[^"]*"', "", text).replace(address, "ADDRESS")


class RedisOutageTest(AuthTestCase):
    def test_redis_down_then_back(self):
        self.register("rita", "rita@example.com")
        c = self.client()
        self.assertEqual(c.get("/healthz").status, 200)
        self.assertEqual(c.get("/healthz").body, b'{"status":"ok"}')
        self.redis.stop()
        health = c.get("/healthz")
        self.assertEqual(health.status, 503)
        self.assertIn(b'"redis":"failed"', health.body)
        known = self.request_reset("rita@example.com")
        unknown = self.request_reset("nobody@example.com")
        self.assertEqual(known.status, 503)
        self.assertEqual(unknown.status, 503)
        # the form again, its address kept: alike but for the address and the CSRF token
        self.assertEqual(strip_visitor(known.text, "rita@example.com"),
                         strip_visitor(unknown.text, "nobody@example.com"))
        self.assertIn('value="rita@example.com"', known.text)
        self.assertIn("try again in a moment", known.text)
        _, r = self.login("rita")
        self.assertEqual(r.location, "/", "login keeps working (limits fail open)")
        self.register("newbie", "newbie@example.com")
        self.redis.start()
        wait_for(lambda: c.get("/healthz").status == 200, timeout=10, what="auth to see redis")
        r = self.request_reset("rita@example.com")
        self.assertEqual((r.status, r.location), (302, "/login"))
        self.assertEqual(len(self.queued_jobs()), 1)
        self.assertEqual(self.auth.log().count("redis unavailable"), 1, "logged once per outage")


class StopTest(unittest.TestCase):
    def test_sigterm_and_sigint_exit_0(self):
        redis = RedisServer().start()
        tmp = tempfile.mkdtemp(prefix="test-auth-stop-")
        try:
            for sig in (signal.SIGTERM, signal.SIGINT):
                auth = Service("auth", auth_env(redis.url, os.path.join(tmp, "s.db"))).start()
                self.assertEqual(Client(auth.port).get("/login").status, 200)
                self.assertEqual(auth.stop(sig), 0)
                self.assertIn("stopped", auth.log())
        finally:
            redis.cleanup()

    def test_metrics(self):
        redis = RedisServer().start()
        tmp = tempfile.mkdtemp(prefix="test-auth-metrics-")
        auth = Service("auth", auth_env(redis.url, os.path.join(tmp, "m.db"))).start()
        try:
            c = Client(auth.port)
            c.get("/login")
            c.get("/nope")
            self.assertEqual(c.get("/metrics").status, 404, "not on the public listener")
            text = Client(auth.metrics_port).get("/metrics").text
            self.assertIn('auth_http_requests_total{route="/login",status="200"} 1', text)
            self.assertIn('auth_http_requests_total{route="other",status="404"} 2', text)
            self.assertIn("# TYPE auth_http_request_duration_seconds histogram", text)
            for name in ("auth_reset_requests_total", "auth_mail_jobs_enqueued_total",
                         "auth_mail_enqueue_failures_total", "auth_rate_limited_total"):
                self.assertIn(f"# TYPE {name} counter", text)
        finally:
            self.assertEqual(auth.stop(), 0)
            redis.cleanup()


class FreshCheckoutTest(unittest.TestCase):
    def test_missing_directories_are_created(self):
        redis = RedisServer().start()
        tmp = tempfile.mkdtemp(prefix="test-auth-dirs-")
        db = os.path.join(tmp, "var", "nested", "app.db")
        # the SQLite file's directory, whatever engine the other tests run on
        auth = Service("auth", auth_env(redis.url, db, DATABASE_URL="")).start()
        try:
            self.assertEqual(Client(auth.port).get("/login").status, 200)
            self.assertTrue(os.path.exists(db))
        finally:
            self.assertEqual(auth.stop(), 0)
            redis.cleanup()
