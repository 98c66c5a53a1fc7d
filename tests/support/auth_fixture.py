"""Starts redis-server and auth for a test class, with a private database and
cheap argon2 parameters (the cost is measured in bench/, not here).

AUTH_TEST_DB=postgres runs the same tests against PostgreSQL: one private
cluster per test process (harness.PostgresServer), and one database in it for
each distinct DATABASE_PATH a test asks for, so that a restarted auth given
the same path finds its data again."""
import atexit
import json
import os
import re
import tempfile
import unittest

import jsonschema

from harness import PROTO_DIR, SECRET_KEY, PostgresServer, RedisServer, Service
from web import Client

PUBLIC_URL = "https://microblog.example:8443"


ENGINE = os.environ.get("AUTH_TEST_DB", "sqlite")
_pg = {"server": None, "databases": {}}


def postgres_cluster():
    """The process's private PostgreSQL cluster, started on first use."""
    if _pg["server"] is None:
        _pg["server"] = PostgresServer().start()
        atexit.register(_pg["server"].cleanup)
    return _pg["server"]


def database_url_for(db_path):
    """The database standing for db_path: created on first use."""
    if db_path not in _pg["databases"]:
        name = "auth_%d_%s" % (len(_pg["databases"]),
                               re.sub(r"[^a-z0-9]", "_", os.path.basename(db_path).lower()))
        _pg["databases"][db_path] = postgres_cluster().create_database(name)
    return _pg["databases"][db_path]


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
    if ENGINE == "postgres":
        env["DATABASE_URL"] = database_url_for(db_path)
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

    def assert_login_refused(self, r, msg=None):
        """A wrong password: the form again (200), with the error box."""
        self.assertEqual((r.status, r.location), (200, None), msg)
        self.assertIn('<p class="error-box" role="alert" id="form-error">'
                      "Invalid username or password</p>", r.text, msg)

    def request_reset(self, email, client=None):
        c = client or self.client()
        return c.submit("/reset_password_request", {"email": email})

    def reset_link_path(self, job):
        url = job["data"]["reset_url"]
        self.assertTrue(url.startswith(PUBLIC_URL + "/reset_password/"), url)
        return url[len(PUBLIC_URL):]
