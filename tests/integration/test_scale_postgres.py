"""Two auth instances on one PostgreSQL database (a private cluster started
here): accounts and sessions are shared, a reset link works exactly once across
both, the schema is migrated once when both start together, and a PostgreSQL
restart under traffic costs no request more than one retry."""
import os
import threading
import unittest

from auth_fixture import PUBLIC_URL, auth_env
from harness import (LISTEN_RE, SOURCE_DIR, PostgresServer, RedisServer, Service,
                     run_together, wait_for)
from web import Client

# the migrations in services/auth/db_migrations.c: one row each, `\t{ "what", {`
with open(os.path.join(SOURCE_DIR, "services", "auth", "db_migrations.c")) as _f:
    MIGRATIONS = sum(1 for line in _f if line.startswith('\t{ "'))

PASSWORD = "correct horse battery"


class TwoInstancesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PostgresServer().start()
        cls.redis = RedisServer().start()
        url = cls.pg.create_database("shared")
        env = auth_env(cls.redis.url, "/nonexistent/unused.db", DATABASE_URL=url)
        # started together on an empty database: one migrates, the other waits
        cls.a = Service("auth", env, wait_listen=False).start()
        cls.b = Service("auth", env, wait_listen=False).start()
        for s in (cls.a, cls.b):
            s.wait_listen = True
            s.port = wait_for(lambda s=s: _listening_port(s), timeout=30, what="auth to listen")

    @classmethod
    def tearDownClass(cls):
        codes = [cls.a.stop(), cls.b.stop()]
        cls.redis.cleanup()
        cls.pg.cleanup()
        assert codes == [0, 0], f"auth exited with {codes}"

    def register(self, port, username, email):
        r = Client(port).submit("/register", {"username": username, "email": email,
                                             "password": PASSWORD, "password2": PASSWORD})
        self.assertEqual((r.status, r.location), (302, "/login"), r.text)

    def login(self, port, username, password=PASSWORD):
        c = Client(port)
        r = c.submit("/login", {"username": username, "password": password})
        return c, r

    def test_schema_migrated_once(self):
        self.assertEqual(self.pg.psql("SELECT version FROM schema_version", "shared"),
                         str(MIGRATIONS))
        migrated = self.a.log().count("migrated schema") + self.b.log().count("migrated schema")
        self.assertEqual(migrated, MIGRATIONS, "each migration applied by one of the instances")

    def test_register_on_one_login_on_other(self):
        self.register(self.a.port, "ada", "ada@example.com")
        c, r = self.login(self.b.port, "ada")
        self.assertEqual(r.location, "/")
        self.assertIn("Hi, ada!", c.get("/").text)
        on_a = Client(self.a.port)
        on_a.cookies = dict(c.cookies)
        self.assertIn("Hi, ada!", on_a.get("/").text, "a session from b is valid on a")
        r = Client(self.b.port).submit("/register", {"username": "ada2",
                                                     "email": "ADA@example.com",
                                                     "password": PASSWORD,
                                                     "password2": PASSWORD})
        self.assertEqual(r.status, 200)
        self.assertIn("Please use a different email address.", r.text)
        page = on_a.get("/")
        on_a.post("/logout", {"csrf_token": page.csrf()})
        self.assertEqual(c.get("/").status, 302, "logged out on a: gone on b too")

    def test_one_reset_link_used_20_times_at_once(self):
        self.register(self.b.port, "bea", "bea@example.com")
        self.redis.client().delete("mail:queue")
        r = Client(self.a.port).submit("/reset_password_request", {"email": "bea@example.com"})
        self.assertEqual(r.status, 302)
        job = self.redis.client().lrange("mail:queue", 0, -1)
        self.assertEqual(len(job), 1)
        path = job[0].split('"reset_url":"', 1)[1].split('"', 1)[0][len(PUBLIC_URL):]
        def prepare(i):
            c = Client(self.a.port if i % 2 == 0 else self.b.port)
            form = c.get(path)
            self.assertEqual(form.status, 200)
            return c, form.csrf()

        def fire(i, state):
            c, token = state
            pw = f"new password {i:02d}"
            return c.post(path, {"csrf_token": token, "password": pw, "password2": pw})

        results = run_together(20, prepare, fire, timeout=60)
        outcomes = [(r.status, r.location) for r in results]
        winners = [i for i, o in enumerate(outcomes) if o == (302, "/login")]
        self.assertEqual(len(winners), 1, outcomes)
        losers = [o for i, o in enumerate(outcomes) if i not in winners]
        self.assertEqual(set(losers), {(302, "/reset_password_request")}, outcomes)
        _, r = self.login(self.b.port, "bea", f"new password {winners[0]:02d}")
        self.assertEqual(r.location, "/", "the winner's password is the one kept")


def _listening_port(service):
    if service.proc.poll() is not None:
        raise AssertionError(f"auth exited with {service.proc.returncode}:\n{service.log()}")
    m = LISTEN_RE.search(service.log())
    return m and int(m.group(2))


class RestartTest(unittest.TestCase):
    def test_postgres_restart_under_traffic(self):
        pg = PostgresServer().start()
        redis = RedisServer().start()
        env = auth_env(redis.url, "/nonexistent/unused.db",
                       DATABASE_URL=pg.create_database("restart"))
        a = Service("auth", env).start()
        b = Service("auth", env).start()
        try:
            r = Client(a.port).submit("/register", {"username": "cy", "email": "cy@example.com",
                                                    "password": PASSWORD, "password2": PASSWORD})
            self.assertEqual(r.status, 302)
            c = Client(b.port)
            self.assertEqual(c.submit("/login", {"username": "cy", "password": PASSWORD}).location,
                             "/")
            stop = threading.Event()
            log = []  # (phase, port, status): 0 before, 1 during, 2 after the restart
            phase = [0]

            def traffic(port):
                v = Client(port)
                v.cookies = dict(c.cookies)
                while not stop.is_set():
                    sent = phase[0]
                    status = v.get("/").status
                    # a request that overlapped the restart counts as during it
                    log.append((sent if sent == phase[0] else 1, port, status))

            threads = [threading.Thread(target=traffic, args=(p,)) for p in (a.port, b.port)]
            for t in threads:
                t.start()
            wait_for(lambda: len(log) >= 20, what="traffic before the restart")
            phase[0] = 1
            pg.restart()
            phase[0] = 2
            wait_for(lambda: sum(1 for e in log if e[0] == 2) >= 40, timeout=30,
                     what="traffic after the restart")
            stop.set()
            for t in threads:
                t.join(30)
            self.assertEqual({s for p, _, s in log if p == 0}, {200})
            self.assertTrue({s for p, _, s in log if p == 1} <= {200, 500, 503}, log)
            # the first request on each connection after the restart re-made it and succeeded
            after = [s for p, _, s in log if p == 2]
            self.assertEqual(set(after), {200}, f"after the restart: {after}")
            failed = [(port, s) for p, port, s in log if p == 1 and s != 200]
            for port, _ in failed:  # one retry each is enough
                v = Client(port)
                v.cookies = dict(c.cookies)
                self.assertEqual(v.get("/").status, 200)
            self.assertIn("reconnecting", a.log() + b.log())
        finally:
            codes = [a.stop(), b.stop()]
            redis.cleanup()
            pg.cleanup()
        self.assertEqual(codes, [0, 0])


if __name__ == "__main__":
    unittest.main()
