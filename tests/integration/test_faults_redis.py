"""Fault: Redis restarted under a steady stream of reset requests. No request
is answered "check your email" unless its job reached Redis, and no job that
Redis acknowledged is lost (Redis keeps an fsync'd append-only file)."""
import os
import tempfile
import threading
import unittest

from auth_fixture import auth_env
from harness import RedisServer, Service, wait_for
from web import Client



class RedisRestartTest(unittest.TestCase):
    def test_reset_requests_across_a_redis_restart(self):
        redis = RedisServer(persistent=True).start()
        self.addCleanup(redis.cleanup)
        tmp = tempfile.mkdtemp(prefix="test-faults-redis-")
        auth = Service("auth", auth_env(redis.url, os.path.join(tmp, "app.db"),
                                        AUTH_RESET_LIMIT_PER_EMAIL=100000,
                                        AUTH_RESET_LIMIT_PER_IP=100000,
                                        AUTH_REDIS_TIMEOUT_MS=500)).start()
        self.addCleanup(auth.cleanup)
        c = Client(auth.port)
        page = c.get("/register")
        r = c.post("/register", {"username": "flood", "email": "flood@example.com",
                                 "password": "long enough", "password2": "long enough",
                                 "csrf_token": page.csrf()})
        self.assertEqual(r.status, 302)
        answers = {"ok": 0, "unavailable": 0, "other": []}
        stop = threading.Event()

        def stream():
            client = Client(auth.port)
            token = client.get("/reset_password_request").csrf()
            while not stop.is_set():
                resp = client.post("/reset_password_request",
                                   {"email": "flood@example.com", "csrf_token": token})
                if resp.status == 302 and resp.location == "/login":
                    answers["ok"] += 1
                elif resp.status == 503:
                    answers["unavailable"] += 1
                else:
                    answers["other"].append(resp.status)

        worker = threading.Thread(target=stream)
        worker.start()
        try:
            wait_for(lambda: answers["ok"] >= 20, what="requests before the restart")
            redis.stop()
            wait_for(lambda: answers["unavailable"] >= 10, what="requests during the outage")
            redis.start()
            before = answers["ok"]
            wait_for(lambda: answers["ok"] >= before + 20, timeout=20,
                     what="requests answered again after the restart")
        finally:
            stop.set()
            worker.join(30)
        jobs = redis.client().llen("mail:queue")
        self.assertEqual(answers["other"], [])
        self.assertGreater(answers["unavailable"], 0, "the outage was seen")
        self.assertGreaterEqual(jobs, answers["ok"], "an answered request lost its job")
        self.assertLessEqual(jobs, answers["ok"] + answers["unavailable"])
        self.assertEqual(auth.stop(), 0)
