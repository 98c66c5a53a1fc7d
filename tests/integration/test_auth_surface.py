"""auth's public surface tells nothing (issue 10): /metrics only on the
metrics listener, no public difference between registered and unknown
addresses, `next` only a local path, X-Forwarded-For believed only from
AUTH_TRUSTED_PROXIES."""
import os
import socket
import unittest
import urllib.parse

import yaml

from auth_fixture import AuthTestCase
from harness import SOURCE_DIR, wait_for


def public_view(client):
    """Everything the public listener says about itself."""
    view = {}
    for path in ("/healthz", "/metrics", "/metrics/", "/login"):
        r = client.get(path)
        body = r.body
        if path == "/login":  # a fresh CSRF token each time; the page is otherwise fixed
            body = body.replace((r.csrf() or "").encode(), b"")
        view[path] = (r.status, body)
    return view


def comparable(resp):
    drop = {"date", "set-cookie"}
    return (resp.status, resp.location, resp.body,
            sorted((k.lower(), v) for k, v in resp.headers if k.lower() not in drop))


class PublicListenerTest(AuthTestCase):
    def test_metrics_only_on_the_metrics_listener(self):
        c = self.client()
        r = c.get("/metrics")
        self.assertEqual(r.status, 404)
        self.assertIn("There is no page at this address.", r.text)
        self.assertNotIn("auth_", r.text)
        self.assertEqual(c.get("/healthz").body, b'{"status":"ok"}')
        m = self.metrics_client()
        r = m.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertIn("# TYPE auth_mail_jobs_enqueued_total counter", r.text)
        self.assertEqual(m.get("/healthz").body, b'{"status":"ok"}')
        self.assertEqual(m.get("/login").status, 404, "pages are not on the metrics listener")
        self.assertNotEqual(self.auth.port, self.auth.metrics_port)

    def test_reset_probe_learns_nothing(self):
        """The attack of the report: one reset request between two reads of
        the public listener, for a registered and for an unknown address."""
        self.register("probed", "probed@example.com")
        self.clear_queue()
        c = self.client()
        answers = {}
        for email in ("probed@example.com", "unknown@example.com"):
            before = public_view(c)
            answers[email] = self.request_reset(email, client=self.client())
            after = public_view(c)
            self.assertEqual(before, after, email)
        known, unknown = answers["probed@example.com"], answers["unknown@example.com"]
        self.assertEqual((known.status, known.location), (302, "/login"))
        self.assertEqual(comparable(known), comparable(unknown))
        # the difference exists, but only behind the metrics listener and in the queue
        self.assertEqual(len(self.queued_jobs()), 1)
        self.assertEqual(self.metric("auth_mail_jobs_enqueued_total",
                                     'template="reset_password"'), 1)

    def test_compose_does_not_publish_the_metrics_port(self):
        with open(os.path.join(SOURCE_DIR, "docker-compose.yml")) as f:
            compose = yaml.safe_load(f)
        auth = compose["services"]["auth"]
        published = [str(p) for p in auth.get("ports", [])]
        self.assertEqual(len(published), 1, published)
        self.assertTrue(published[0].endswith(":8080"), published)
        self.assertNotIn("9091", " ".join(published))
        metrics = auth.get("environment", {}).get("AUTH_METRICS_LISTEN", "127.0.0.1:9091")
        self.assertNotIn(metrics.rsplit(":", 1)[1], " ".join(published))


class NextTest(AuthTestCase):
    def login_with_next(self, next_raw):
        """next_raw goes into the query string as written (already encoded)."""
        path = "/login?next=" + next_raw
        c = self.client()
        page = c.get(path)
        self.assertEqual(page.status, 200)
        r = c.post(path, {"username": "nell", "password": "correct horse battery",
                          "csrf_token": page.csrf()})
        self.assertEqual(r.status, 302, r.text)
        return page, r.location

    def test_only_local_paths_are_followed(self):
        self.register("nell", "nell@example.com")
        hostile = {
            "tab": "/%09/evil.example",
            "newline": "/%0A/evil.example",
            "carriage return": "/%0D/evil.example",
            "double slash": "//evil.example",
            "encoded double slash": "%2F%2Fevil.example",
            "backslash": "/%5Cevil.example",
            "raw backslash": "/\\evil.example",
            "scheme": "https://evil.example",
            "encoded scheme": urllib.parse.quote("https://evil.example", safe=""),
            "javascript": "javascript:alert(1)",
            "no slash": "evil.example",
            "DEL": "/%7F/evil.example",
            "NUL": "/%00/evil.example",
            "too long": "/" + "a" * 600,
        }
        for name, raw in hostile.items():
            with self.subTest(name):
                page, location = self.login_with_next(raw)
                self.assertEqual(location, "/")
                self.assertNotIn("evil.example", page.text, "not carried in the form either")
        for raw, want in (("/index", "/index"), ("/a/b%3Fc", "/a/b?c"), ("/", "/")):
            with self.subTest(raw):
                self.assertEqual(self.login_with_next(raw)[1], want)


class ProxyCase(AuthTestCase):
    """Registers through a would-be proxy; AUTH_REGISTER_LIMIT_PER_IP=2 shows
    which client address auth counted (and its log names it)."""
    extra_env = {"AUTH_REGISTER_LIMIT_PER_IP": 2}

    def register_via(self, n, forwarded_for):
        c = self.client()
        page = c.get("/register")
        return c.post("/register", {"username": f"via{n}", "email": f"via{n}@example.com",
                                    "password": "long enough", "password2": "long enough",
                                    "csrf_token": page.csrf()},
                      headers={"X-Forwarded-For": forwarded_for})


class UntrustedProxyTest(ProxyCase):
    def test_header_from_an_untrusted_peer_is_ignored(self):
        statuses = [self.register_via(n, f"198.51.100.{n}").status for n in range(1, 4)]
        self.assertEqual(statuses, [302, 302, 429], "one client: 127.0.0.1, whatever it claims")
        self.assertIn("client=127.0.0.1", self.auth.log())
        self.assertNotIn("client=198.51.100.", self.auth.log())


class TrustedProxyTest(ProxyCase):
    extra_env = {"AUTH_REGISTER_LIMIT_PER_IP": 2, "AUTH_PER_IP_CONNECTIONS": 4,
                 "AUTH_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1/32, fd00::/8"}

    def connect_from(self, address, n):
        conns = []
        for _ in range(n):
            s = socket.socket()
            s.bind((address, 0))
            s.settimeout(10)
            s.connect(("127.0.0.1", self.auth.port))
            conns.append(s)
        return conns

    def test_a_trusted_proxy_may_hold_more_connections_than_a_client(self):
        proxy = self.connect_from("127.0.0.1", 6)
        client = self.connect_from("127.0.0.2", 5)
        try:
            for s in proxy:  # every one of the proxy's six connections is served
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200"))
            # one of the client's five is closed (whichever auth saw last)
            wait_for(lambda: self.metric("auth_connections_closed_total",
                                         'reason="per_address"') == 1,
                     what="the fifth connection from 127.0.0.2 closed")
        finally:
            for s in proxy + client:
                s.close()

    def test_header_from_a_trusted_peer_names_the_client(self):
        a, b = "198.51.100.7", "198.51.100.8"
        self.assertEqual(self.register_via(1, a).status, 302)
        # forged entries left of the last untrusted hop do not matter; trusted hops are skipped
        self.assertEqual(self.register_via(2, f"6.6.6.6, {a}, 10.1.2.3").status, 302)
        r = self.register_via(3, f"{a}")
        self.assertEqual(r.status, 429)
        self.assertIn("Too many registrations from your address. Try again later.", r.text)
        self.assertEqual(self.register_via(4, f"{a}, {b}").status, 302, "b is another client")
        self.assertEqual(self.register_via(5, "garbage").status, 302,
                         "a malformed hop: the client is the proxy itself, 127.0.0.1")
        log = self.auth.log()
        self.assertIn(f"client={a}", log)
        self.assertIn(f"client={b}", log)


if __name__ == "__main__":
    unittest.main()
