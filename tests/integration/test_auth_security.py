"""auth against hostile input: forged and expired reset tokens, CSRF, bodies
too large or malformed, markup and SQL in fields, abuse limits."""
import base64
import json
import os
import subprocess
import time

from auth_fixture import AuthTestCase, auth_env
from harness import binary, wait_for
from jwt_forge import b64, jwt


class SecurityTest(AuthTestCase):
    extra_env = {"AUTH_RESET_LIMIT_PER_EMAIL": 2}

    def assert_refused_link(self, token):
        c = self.client()
        r = c.get("/reset_password/" + token)
        self.assertEqual((r.status, r.location), (302, "/reset_password_request"), token[:60])
        self.assertIn("The password reset link is invalid or has expired.", c.follow(r).text)

    def test_forged_and_broken_tokens_are_refused(self):
        self.register("tina", "tina@example.com")
        self.clear_queue()
        self.request_reset("tina@example.com")
        good = self.reset_link_path(self.queued_jobs()[0]).rsplit("/", 1)[1]
        header, payload, sig = good.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        uid = claims["reset_password"]
        cases = {
            "tampered payload": f"{header}.{b64(json.dumps(dict(claims, reset_password=uid + 1)).encode())}.{sig}",
            "tampered signature": f"{header}.{payload}.{sig[:-2]}AA",
            "alg none": jwt(claims, alg="none"),
            "HS512 with the same key": jwt(claims, alg="HS512"),
            "wrong key": jwt(claims, key="another-secret-key-0123456789abcdef"),
            "expired": jwt(dict(claims, exp=int(time.time()) - 5)),
            "expired real exp": jwt(dict(claims, exp=time.time() - 5.5)),
            "fingerprint of another password": jwt(dict(claims, fp="AAAAAAAAAAAAAAAAAAAAAA")),
            "unknown user": jwt(dict(claims, reset_password=999999)),
            "garbage": "not-a-token",
            "empty parts": "..",
            "too long": "a" * 5000,
        }
        for name, token in cases.items():
            with self.subTest(name):
                self.assert_refused_link(token)
        # a token minted by the Python original carries a real exp: accepted when valid
        real = jwt(dict(claims, exp=time.time() + 300.25))
        self.assertEqual(self.client().get("/reset_password/" + real).status, 200)
        self.assertEqual(self.client().get("/reset_password/" + good).status, 200)

    def test_tokens_of_the_python_original_work_once(self):
        """The chapter's tokens: {"reset_password": id, "exp": time() + 600} with a
        real exp and no fingerprint. They work, once; a reset kills earlier ones."""
        self.register("pyuser", "py@example.com", "old password 1")
        _, r = self.login("pyuser", "old password 1")
        self.assertEqual(r.location, "/")
        self.clear_queue()
        self.request_reset("py@example.com")
        uid = json.loads(base64.urlsafe_b64decode(
            self.reset_link_path(self.queued_jobs()[0]).rsplit(".", 2)[1] + "=="))["reset_password"]
        token = jwt({"reset_password": uid, "exp": time.time() + 600})
        older = jwt({"reset_password": uid, "exp": time.time() + 599.5})
        c = self.client()
        self.assertEqual(c.get("/reset_password/" + token).status, 200)
        r = c.submit("/reset_password/" + token,
                     {"password": "new password 1", "password2": "new password 1"})
        self.assertEqual((r.status, r.location), (302, "/login"))
        _, r = self.login("pyuser", "new password 1")
        self.assertEqual(r.location, "/")
        self.assert_refused_link(token)   # used
        self.assert_refused_link(older)   # issued before the password changed
        fresh = jwt({"reset_password": uid, "exp": time.time() + 601})
        self.assertEqual(self.client().get("/reset_password/" + fresh).status, 200)

    def test_post_without_or_with_wrong_csrf_is_400_and_changes_nothing(self):
        c = self.client()
        c.get("/register")
        data = {"username": "mallory", "email": "m@example.com", "password": "longenough",
                "password2": "longenough"}
        r = c.post("/register", data)
        self.assertEqual(r.status, 400)
        r = c.post("/register", dict(data, csrf_token="x" * 43))
        self.assertEqual(r.status, 400)
        other = self.client()
        token = other.get("/register").csrf()
        r = c.post("/register", dict(data, csrf_token=token))
        self.assertEqual(r.status, 400, "a token bound to another visitor")
        _, r = self.login("mallory", "longenough")
        self.assert_login_refused(r, "no account was created")

    def test_body_limits_and_encoding(self):
        c = self.client()
        token = c.get("/login").csrf()
        r = c.post("/login", "a=" + "x" * (1 << 20))
        self.assertEqual(r.status, 413)
        self.assertIn("Request Too Large", r.text)
        r = c.post("/login", f"csrf_token={token}&username=%zz&password=x")
        self.assertEqual(r.status, 400)
        r = c.post("/login", f"csrf_token={token}&username=a%00b&password=x")
        self.assertEqual(r.status, 400)
        r = c.post("/login", f"csrf_token={token}&username=%ff%fe&password=x")
        self.assertEqual(r.status, 400)
        self.assertEqual(c.get("/nope").status, 404)
        self.assertEqual(c.request("DELETE", "/login").status, 405)
        self.assertEqual(c.request("PUT", "/logout").status, 405)

    def test_markup_is_escaped_everywhere(self):
        name = "<script>alert(1)</script>"
        c = self.register(name, "xss@example.com")
        c, r = self.login(name, client=c)
        page = c.get("/")
        self.assertNotIn(name, page.text)
        self.assertIn("&lt;script&gt;", page.text)
        r = self.client().submit("/register", {"username": name, "email": "\"><b>@x",
                                               "password": "a", "password2": "b"})
        self.assertNotIn("<script>", r.text)
        self.assertNotIn('"><b>', r.text)

    def test_sql_metacharacters_are_data(self):
        name = "robert');DROP/**/TABLE/**/users;--"
        self.register(name, "bobby@example.com")
        c, r = self.login(name)
        self.assertEqual(r.location, "/")
        self.assertIn("robert&#39;);DROP/**/TABLE", c.get("/").text)
        self.register("after", "after@example.com")

    def test_per_email_limit_stops_mails_not_the_answer(self):
        self.register("lim", "lim@example.com")
        self.clear_queue()
        answers = [self.request_reset("lim@example.com") for _ in range(4)]
        self.assertEqual({(a.status, a.location) for a in answers}, {(302, "/login")})
        self.assertEqual(len({a.body for a in answers}), 1)
        self.assertEqual(len(self.queued_jobs()), 2, "AUTH_RESET_LIMIT_PER_EMAIL=2")

    def test_login_limit(self):
        self.register("brute", "brute@example.com")
        for _ in range(10):
            self.login("brute", "wrong guess!")
        c, r = self.login("brute", "wrong guess!")
        self.assertEqual(r.status, 429)
        self.assertIn("Too many failed attempts. Try again in", r.text)
        _, r = self.login("brute")
        self.assertEqual(r.status, 429, "even the right password waits out the window")


class ConfigTest(AuthTestCase):
    def run_auth(self, env, *args):
        full = dict(os.environ, **env)
        return subprocess.run([binary("auth"), *args], env=full, capture_output=True,
                              text=True, timeout=20)

    def test_bad_configuration_exits_2_with_one_line(self):
        base = auth_env(self.redis.url, os.path.join(self.tmp, "c.db"))
        cases = {
            "SECRET_KEY": dict(base, SECRET_KEY="short"),
            "RESET_TOKEN_TTL": dict(base, RESET_TOKEN_TTL="ten"),
            "AUTH_LISTEN": dict(base, AUTH_LISTEN="nowhere"),
            "PUBLIC_URL": dict(base, PUBLIC_URL="ftp://x"),
            "REDIS_URL": dict(base, REDIS_URL="http://x"),
        }
        for var, env in cases.items():
            with self.subTest(var):
                p = self.run_auth(env)
                self.assertEqual(p.returncode, 2, p.stderr)
                lines = p.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, p.stderr)
                self.assertIn(var, lines[0])
        env = dict(base)
        env.pop("SECRET_KEY")
        p = self.run_auth({k: v for k, v in env.items()} | {"SECRET_KEY": ""})
        self.assertEqual(p.returncode, 2)
        self.assertIn("SECRET_KEY", p.stderr)

    def test_help_and_version(self):
        p = self.run_auth({}, "--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^auth \d+\.\d+\.\d+")
        p = self.run_auth({}, "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("SECRET_KEY", p.stdout)


class SlowClientTest(AuthTestCase):
    extra_env = {"AUTH_CONNECTION_TIMEOUT": 1, "AUTH_PER_IP_CONNECTIONS": 4}

    def test_half_sent_request_is_closed(self):
        import socket
        s = socket.create_connection(("127.0.0.1", self.auth.port), timeout=10)
        s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nusername=")
        # recv() would time out (10 s) if the server kept the stalled connection open
        self.assertEqual(s.recv(4096), b"", "the server closed the stalled connection")
        s.close()


class ConnectionLimitTest(AuthTestCase):
    """The per-address connection limit, without a clock in the way: a long
    AUTH_CONNECTION_TIMEOUT keeps the held connections open however loaded the
    machine is, and each is known to be counted by the server (it answered a
    request on it and kept it open) before the fifth one is tried."""
    extra_env = {"AUTH_CONNECTION_TIMEOUT": 120, "AUTH_PER_IP_CONNECTIONS": 4}

    def test_per_ip_connection_limit(self):
        import http.client
        import socket
        held = []
        try:
            for _ in range(4):
                conn = http.client.HTTPConnection("127.0.0.1", self.auth.port, timeout=30)
                conn.request("GET", "/login")
                resp = conn.getresponse()
                resp.read()
                self.assertEqual(resp.status, 200)
                self.assertFalse(resp.will_close, "the server keeps the connection open")
                held.append(conn)
            extra = socket.create_connection(("127.0.0.1", self.auth.port), timeout=30)
            try:
                extra.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(extra.recv(4096), b"",
                                 "a fifth connection from one address is refused")
            except ConnectionResetError:
                pass  # refused by a reset: as good
            finally:
                extra.close()
            for conn in held:  # the four are still served
                conn.request("GET", "/login")
                self.assertEqual(conn.getresponse().status, 200)
        finally:
            for conn in held:
                conn.close()
        wait_for(lambda: self.client().get("/login").status == 200,
                 what="the address served again once its connections closed")
