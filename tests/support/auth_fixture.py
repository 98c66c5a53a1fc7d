"""Starts redis-server and auth for a test class, with a private database and
cheap argon2 parameters (the cost is measured in bench/, not here)."""
import json
import os
import tempfile
import unittest

import jsonschema

from harness import PROTO_DIR, SECRET_KEY, RedisServer, Service, wait_for
from web import Client

PUBLIC_URL = "https://microblog.example:8443"


def auth_env(redis_url, db_path, **extra):
    env = {
        "SECRET_KEY": SECRET_KEY,
        "AUTH_LISTEN": "127.0.0.1:0",
        "AUTH_METRICS_LISTEN": "127.0.0.1:0",
        "PUBLIC_URL": PUBLIC_URL,
        "DATABASE_PATH": db_path,
        "REDIS_URL": redis_url,
        "AUTH_ARGON2_OPSLIMIT": "1",
        "AUTH_ARGON2_MEMLIMIT_KIB": "64",
        "AUTH_THREADS": "2",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


def metric_value(text, name, labels=""):
    sample = f"{name}{{{labels}}}" if labels else name
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    return 0.0


class AuthTestCase(unittest.TestCase):
    extra_env = {}
    redis_persistent = False  # True: Redis keeps its data across a restart (AOF)

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="test-auth-db-")
        cls.redis = RedisServer(persistent=cls.redis_persistent).start()
        cls.auth = Service("auth", auth_env(cls.redis.url, os.path.join(cls.tmp, "app.db"),
                                            **cls.extra_env)).start()
        with open(os.path.join(PROTO_DIR, "mail_job.schema.json")) as f:
            cls.schema = jsonschema.Draft202012Validator(json.load(f))

    @classmethod
    def tearDownClass(cls):
        code = cls.auth.stop()
        cls.redis.cleanup()
        assert code == 0, f"auth exited with {code}"

    def client(self, **kw):
        return Client(self.auth.port, **kw)

    def metrics_client(self):
        return Client(self.auth.metrics_port)

    def metric(self, name, labels=""):
        """The value of one sample on the metrics listener (0 when absent)."""
        return metric_value(self.metrics_client().get("/metrics").text, name, labels)

    def queued_jobs(self):
        return [json.loads(j) for j in self.redis.client().lrange("mail:queue", 0, -1)]

    def clear_queue(self):
        self.redis.client().delete("mail:queue")

    def register(self, username, email, password="correct horse battery"):
        c = self.client()
        r = c.submit("/register", {"username": username, "email": email,
                                   "password": password, "password2": password})
        self.assertEqual(r.status, 302, r.text)
        self.assertEqual(r.location, "/login")
        return c

    def login(self, username, password="correct horse battery", client=None):
        c = client or self.client()
        r = c.submit("/login", {"username": username, "password": password})
        return c, r

    def request_reset(self, email, client=None):
        c = client or self.client()
        return c.submit("/reset_password_request", {"email": email})

    def reset_link_path(self, job):
        url = job["data"]["reset_url"]
        self.assertTrue(url.startswith(PUBLIC_URL + "/reset_password/"), url)
        return url[len(PUBLIC_URL):]
