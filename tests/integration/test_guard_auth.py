"""Guards for auth's security properties, each written to fail when the property
is broken (checked by hand against the bug it names; see docs/testing.md).
Only what a client or an operator can see is asserted: HTTP answers, the jobs
in mail:queue, the SQLite file, the process's CPU time."""
import base64
import json
import os
import sqlite3
import time
import urllib.parse

from auth_fixture import AuthTestCase, auth_env
from harness import Service, run_together
from jwt_forge import jwt
from web import Client

PASSWORD = "correct horse battery"


class SessionGuardTest(AuthTestCase):
    def logged_in(self, username):
        self.register(username, f"{username}@example.com")
        c, r = self.login(username)
        self.assertEqual((r.status, r.location), (302, "/"))
        return c

    def test_login_renews_the_session_token(self):
        """Session fixation: a token planted before the login is worth nothing after it."""
        self.register("fixed", "fixed@example.com")
        attacker = self.client()
        attacker.get("/login")
        planted = attacker.cookies["session"]
        victim = self.client()
        victim.cookies["session"] = planted
        _, r = self.login("fixed", client=victim)
        self.assertEqual((r.status, r.location), (302, "/"))
        r = attacker.get("/")
        self.assertEqual((r.status, r.location), (302, "/login?next=/"),
                         "the planted token does not carry the victim's login")
        self.assertNotEqual(victim.cookies.get("session"), planted, "a new token at login")
        self.assertIn("Hi, fixed!", victim.get("/").text)

    def test_logout_ends_the_session_on_the_server(self):
        """A copy of the cookie taken before logout is refused after it."""
        c = self.logged_in("leaver")
        stolen = self.client()
        stolen.cookies["session"] = c.cookies["session"]
        self.assertIn("Hi, leaver!", stolen.get("/").text)
        r = c.post("/logout", {"csrf_token": c.get("/").csrf()})
        self.assertEqual((r.status, r.location), (302, "/"))
        r = stolen.get("/")
        self.assertEqual((r.status, r.location), (302, "/login?next=/"))

    def test_expired_session_is_refused(self):
        """The server checks a session's expiry itself, not only the cookie's Max-Age."""
        c = self.logged_in("expiring")
        self.assertIn("Hi, expiring!", c.get("/").text)
        db = sqlite3.connect(os.path.join(self.tmp, "app.db"), timeout=10)
        try:
            with db:
                n = db.execute("UPDATE sessions SET expires_at = strftime('%s','now') - 1 "
                               "WHERE user_id = (SELECT id FROM users WHERE username = ?)",
                               ("expiring",)).rowcount
        finally:
            db.close()
        self.assertEqual(n, 1)
        r = c.get("/")
        self.assertEqual((r.status, r.location), (302, "/login?next=/"))

    def test_a_reset_kills_every_earlier_link(self):
        self.register("twolinks", "twolinks@example.com")
        self.clear_queue()
        self.request_reset("twolinks@example.com")
        self.request_reset("twolinks@example.com")
        first, second = [self.reset_link_path(j) for j in reversed(self.queued_jobs())]
        c = self.client()
        r = c.submit(second, {"password": "second link pw", "password2": "second link pw"})
        self.assertEqual((r.status, r.location), (302, "/login"))
        r = self.client().get(first)
        self.assertEqual((r.status, r.location), (302, "/reset_password_request"),
                         "the earlier, unused link died with the change")

    def test_a_python_token_from_a_fast_clock_works_once(self):
        """A token of the Python original minted on a host whose clock runs 5 s
        ahead: issued "after" the change it makes, so only the record of spent
        tokens stops a second use."""
        self.register("skewed", "skewed@example.com")
        self.clear_queue()
        self.request_reset("skewed@example.com")
        payload = self.reset_link_path(self.queued_jobs()[0]).rsplit(".", 2)[1]
        uid = json.loads(base64.urlsafe_b64decode(payload + "=="))["reset_password"]
        token = jwt({"reset_password": uid, "exp": time.time() + 600 + 5})
        r = self.client().submit("/reset_password/" + token,
                                 {"password": "skewed clock 1", "password2": "skewed clock 1"})
        self.assertEqual((r.status, r.location), (302, "/login"))
        r = self.client().get("/reset_password/" + token)
        self.assertEqual((r.status, r.location), (302, "/reset_password_request"),
                         "a used token is refused")

    def test_logs_carry_no_password_or_token(self):
        """At LOG_LEVEL=debug: no password, reset token or session token in auth's log."""
        old, new = "old-secret-pw-4711", "new-secret-pw-0815"
        self.register("quiet", "quiet@example.com", old)
        c, r = self.login("quiet", old)
        session = c.cookies["session"]
        self.login("quiet", "wrong-secret-pw-99")
        self.clear_queue()
        self.request_reset("quiet@example.com")
        path = self.reset_link_path(self.queued_jobs()[0])
        r = self.client().submit(path, {"password": new, "password2": new})
        self.assertEqual(r.location, "/login")
        log = self.auth.log()
        for secret in (old, new, "wrong-secret-pw-99", path.rsplit("/", 1)[1], session):
            self.assertNotIn(secret, log)

    def test_a_quote_cannot_leave_a_form_attribute(self):
        name = 'q" autofocus onfocus="alert(1)'
        r = self.client().submit("/register", {"username": name, "email": "quote@example.com",
                                               "password": "longenough", "password2": "other"})
        self.assertEqual(r.status, 200)
        self.assertIn('value="q&quot; autofocus onfocus=&quot;alert(1)"', r.text)
        self.assertNotIn('onfocus="', r.text)
        self.assertNotIn('value="q" autofocus', r.text)

    def test_next_is_followed_only_to_a_local_path(self):
        self.register("nexter", "nexter@example.com")
        cases = {
            "/?from=guard": "/?from=guard",     # a local path is followed
            "//evil.example/x": "/",            # scheme-relative: another host
            "/\\evil.example/x": "/",           # browsers read \ as /
            "https://evil.example/": "/",
        }
        for given, expected in cases.items():
            with self.subTest(next=given):
                c = self.client()
                query = "/login?next=" + urllib.parse.quote(given, safe="/")
                r = c.submit(query, {"username": "nexter", "password": PASSWORD})
                self.assertEqual((r.status, r.location), (302, expected))


class ResetRaceTest(AuthTestCase):
    """Two links of one user posted at once: the password changes once. The
    argon2 cost makes each POST spend ~100 ms between reading the user and
    writing the new hash, so the two requests overlap on two server threads."""
    extra_env = {"AUTH_ARGON2_OPSLIMIT": 3, "AUTH_ARGON2_MEMLIMIT_KIB": 16384,
                 "AUTH_THREADS": 8, "AUTH_RESET_LIMIT_PER_EMAIL": 100,
                 "AUTH_RESET_LIMIT_PER_IP": 100}

    def two_links(self, email):
        self.clear_queue()
        self.request_reset(email)
        self.request_reset(email)
        jobs = self.queued_jobs()
        self.assertEqual(len(jobs), 2)
        return [self.reset_link_path(j) for j in jobs]

    def post_both(self, links, passwords):
        """Both POSTs prepared (form page, CSRF), then sent at the same moment."""
        def prepare(i):
            c = self.client()
            page = c.get(links[i])
            self.assertEqual(page.status, 200)
            return c, {"password": passwords[i], "password2": passwords[i],
                       "csrf_token": page.csrf()}

        def fire(i, state):
            c, data = state
            return c.post(links[i], data)

        return run_together(len(links), prepare, fire, timeout=60)

    def test_two_links_posted_at_once_change_the_password_once(self):
        self.register("racer", "racer@example.com")
        for round_ in range(4):
            with self.subTest(round=round_):
                links = self.two_links("racer@example.com")
                passwords = [f"round {round_} first", f"round {round_} second"]
                answers = self.post_both(links, passwords)
                outcomes = [(a.status, a.location) for a in answers]
                winners = [i for i, a in enumerate(answers) if a.location == "/login"]
                self.assertEqual(len(winners), 1, f"exactly one reset wins: {outcomes}")
                self.assertEqual(answers[1 - winners[0]].location, "/reset_password_request")
                _, r = self.login("racer", passwords[winners[0]])
                self.assertEqual(r.location, "/", "the winner's password is the one set")


class ResetLimitByAddressTest(AuthTestCase):
    extra_env = {"AUTH_RESET_LIMIT_PER_IP": 3, "AUTH_RESET_LIMIT_PER_EMAIL": 10}

    def test_per_address_limit_stops_mails_not_the_answer(self):
        emails = [f"ip{i}@example.com" for i in range(4)]
        for i, email in enumerate(emails):
            self.register(f"ip{i}", email)
        self.clear_queue()
        answers = [self.request_reset(email) for email in emails]
        self.assertEqual({(a.status, a.location) for a in answers}, {(302, "/login")})
        self.assertEqual(len({a.body for a in answers}), 1, "the same answer every time")
        sent_to = [j["to"] for j in self.queued_jobs()]
        self.assertEqual(len(sent_to), 3, f"AUTH_RESET_LIMIT_PER_IP=3: {sent_to}")


class LoginLimitByAddressTest(AuthTestCase):
    extra_env = {"AUTH_LOGIN_LIMIT_PER_IP": 3, "AUTH_LOGIN_LIMIT_PER_USER": 100}

    def test_failures_on_many_usernames_block_the_address(self):
        self.register("spray", "spray@example.com")
        for i in range(3):
            _, r = self.login(f"guess{i}", "wrong guess!")
            self.assert_login_refused(r)
        _, r = self.login("spray")
        self.assertEqual(r.status, 429, "the address is over AUTH_LOGIN_LIMIT_PER_IP")
        self.assertIn("Too many failed attempts", r.text)


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class UnknownUserCostTest(AuthTestCase):
    """A login for an unknown username runs an argon2 verification like a known
    one, so the two cannot be told apart by how long the answer takes.

    Not a speed assertion: what is compared is the CPU time the server spends on
    each kind of request (argon2 at t=4, 16 MiB is ~50-100 ms of CPU; the rest of
    a login ~1-5 ms), which the load of other processes does not inflate.
    Without the verification an unknown username costs a few per cent of a known
    one; the test asks for at least half."""
    extra_env = {"AUTH_ARGON2_OPSLIMIT": 4, "AUTH_ARGON2_MEMLIMIT_KIB": 16384,
                 "AUTH_LOGIN_LIMIT_PER_USER": 100, "AUTH_LOGIN_LIMIT_PER_IP": 100}

    def cost(self, username, rounds):
        before = cpu_seconds(self.auth.proc.pid)
        for _ in range(rounds):
            _, r = self.login(username, "not the password")
            self.assert_login_refused(r)
        return cpu_seconds(self.auth.proc.pid) - before

    def test_unknown_username_costs_an_argon2_verification(self):
        self.register("known", "known@example.com")
        self.cost("known", 1)        # warm both paths (the dummy hash is made once)
        self.cost("nobody-such", 1)
        known = self.cost("known", 4)
        unknown = self.cost("nobody-such", 4)
        self.assertGreater(known, 0.1, "argon2 is expensive at this cost")
        self.assertGreater(unknown, known / 2,
                           f"CPU for 4 unknown-user logins {unknown:.2f}s vs known {known:.2f}s")


class UnknownAddressSameWorkTest(AuthTestCase):
    """No enumeration by the work done: a reset request for an unknown address
    makes as many Redis commands as one for a registered address (two limit
    counters, then LPUSH or PING). One server thread, so every script is loaded
    once by the warm-up and the counts compare like for like."""
    extra_env = {"AUTH_THREADS": 1}

    def redis_calls(self):
        stats = self.redis.client().info("commandstats")
        return sum(v["calls"] for k, v in stats.items() if k != "cmdstat_info")

    def calls_for(self, email):
        before = self.redis_calls()
        r = self.request_reset(email)
        self.assertEqual((r.status, r.location), (302, "/login"))
        return self.redis_calls() - before

    def test_unknown_address_costs_the_same_redis_commands(self):
        self.register("worker", "worker@example.com")
        self.calls_for("worker@example.com")   # warm-up: scripts loaded
        self.calls_for("nobody@example.com")
        known = self.calls_for("worker@example.com")
        unknown = self.calls_for("nobody@example.com")
        self.assertGreaterEqual(known, 3)
        self.assertEqual(unknown, known)


class RehashTest(AuthTestCase):
    def test_a_login_rehashes_at_the_current_cost(self):
        self.register("oldcost", "oldcost@example.com")
        db_path = os.path.join(self.tmp, "app.db")

        def stored_hash():
            db = sqlite3.connect(db_path, timeout=10)
            try:
                return db.execute("SELECT password_hash FROM users WHERE username = ?",
                                  ("oldcost",)).fetchone()[0]
            finally:
                db.close()
        self.assertIn(",t=1,", stored_hash())
        stronger = Service("auth", auth_env(self.redis.url, db_path,
                                            AUTH_ARGON2_OPSLIMIT=2)).start()
        try:
            _, r = self.login("oldcost", client=Client(stronger.port))
            self.assertEqual(r.location, "/")
        finally:
            self.assertEqual(stronger.stop(), 0)
        self.assertTrue(stored_hash().startswith("$argon2id$"))
        self.assertIn(",t=2,", stored_hash(), "rehashed with the new cost at login")
