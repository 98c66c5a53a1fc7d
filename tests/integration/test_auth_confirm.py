"""Address confirmation (AUTH_REQUIRE_CONFIRMATION) and the account's language,
over real HTTP with a real Redis: off by default (the chapter's behaviour); on,
a new account cannot log in before its mailed link is followed (GET shows a
button, the POST confirms, once, within AUTH_CONFIRM_TTL); registering an
address that has an account answers byte for byte as a new one (apart from
the CSRF token) and mails the owner instead; the "send the link again" form is
limited and answers every address alike; accounts made before it was switched
on stay usable; an account's language is kept and used for its mails."""
import base64
import json
import os
import re
import sqlite3
import subprocess
import time

from auth_fixture import ENGINE, PUBLIC_URL, AuthTestCase, auth_env, database_url_for
from harness import RedisServer, Service, run_together
from jwt_forge import jwt

PASSWORD = "correct horse battery"
SENT_FLASH = ("Check your email: we have sent a link to confirm your address. "
              "Follow it, then log in.")
RESENT_FLASH = ("If an account with that address is waiting for confirmation, we have sent it "
                "a new link. Check your email.")
UNCONFIRMED = ("Your email address is not confirmed yet. Follow the link in the message we "
               "sent you, or ask for a new one.")
INVALID_LINK = "The confirmation link is invalid or has expired."
CONFIRMED = "Your email address is confirmed. You can now log in."
CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]*(")')
SESSION_VALUE = re.compile(r"^(session=)[^;]*")


def payload(token):
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def without_tokens(resp):
    """What a response says, with the visitor's CSRF token blanked out."""
    headers = sorted((k.lower(), SESSION_VALUE.sub(r"\1-", v)) for k, v in resp.headers
                     if k.lower() != "date")
    return resp.status, headers, CSRF_VALUE.sub(r"\1-\2", resp.text)


class ConfirmOffTest(AuthTestCase):
    """Without the variable: the chapter's registration, word for word."""

    def test_register_and_log_in_at_once(self):
        c = self.register("olga", "olga@example.com")
        self.assertIn("Congratulations, you are now a registered user!", c.get("/login").text)
        _, r = self.login("olga")
        self.assertEqual((r.status, r.location), (302, "/"))
        self.assertEqual([j["template"] for j in self.queued_jobs()], [])

    def test_taken_address_is_said_and_routes_are_absent(self):
        self.register("pia", "pia@example.com")
        r = self.client().submit("/register", {"username": "pia2", "email": "PIA@example.com",
                                               "password": PASSWORD, "password2": PASSWORD})
        self.assertEqual(r.status, 200)
        self.assertIn("Please use a different email address.", r.text)
        for path in ("/confirm_email_request", "/confirm_email/abc.def.ghi"):
            self.assertEqual(self.client().get(path).status, 404, path)


class ConfirmOn:
    """With confirmation required: the helpers of the tests below."""
    extra_env = {"AUTH_REQUIRE_CONFIRMATION": "true", "AUTH_CONFIRM_TTL": "7200",
                 "AUTH_REGISTER_LIMIT_PER_IP": "1000", "AUTH_RESET_LIMIT_PER_EMAIL": "3",
                 "AUTH_RESET_LIMIT_PER_IP": "1000"}

    def jobs(self, template, to=None):
        return [j for j in self.queued_jobs()
                if j["template"] == template and (to is None or j["to"] == [to])]

    def register_unconfirmed(self, username, email, client=None, password=PASSWORD):
        c = client or self.client()
        r = c.submit("/register", {"username": username, "email": email,
                                   "password": password, "password2": password})
        self.assertEqual((r.status, r.location), (302, "/login"), r.text)
        return c, r

    def link_path(self, email):
        job = self.jobs("confirm_email", email)[-1]
        url = job["data"]["confirm_url"]
        self.assertTrue(url.startswith(PUBLIC_URL + "/confirm_email/"), url)
        return url[len(PUBLIC_URL):]

    def confirm(self, email):
        path = self.link_path(email)
        v = self.client()
        r = v.post(path, {"csrf_token": v.get(path).csrf()})
        self.assertEqual((r.status, r.location), (302, "/login"))

    def answer(self, username, email):
        """A registration's form, answer and next page, CSRF tokens blanked out."""
        c = self.client()
        form = c.get("/register")
        r = c.post("/register", {"username": username, "email": email, "password": PASSWORD,
                                 "password2": PASSWORD, "csrf_token": form.csrf()})
        return [without_tokens(form), without_tokens(r), without_tokens(c.follow(r))]


class ConfirmOnTest(ConfirmOn, AuthTestCase):
    def test_no_login_until_confirmed_then_once(self):
        c, r = self.register_unconfirmed("quinn", "quinn@example.com")
        self.assertIn(SENT_FLASH, c.follow(r).text)
        job = self.jobs("confirm_email", "quinn@example.com")[-1]
        self.assertEqual(list(self.schema.iter_errors(job)), [])
        self.assertEqual(job["locale"], "en")
        self.assertEqual(job["subject"], "[Microblog] Confirm Your Email Address")
        self.assertEqual(job["data"]["username"], "quinn")
        self.assertEqual((job["data"]["valid_hours"], job["data"]["valid_minutes"]), (2, 120))
        self.assertAlmostEqual(job["deadline"], time.time() + 7200, delta=60)
        claims = payload(job["data"]["confirm_url"].rsplit("/", 1)[1])
        self.assertEqual(sorted(claims), ["confirm_email", "exp", "fp"])

        _, r = self.login("quinn")
        self.assertEqual(r.status, 200, "the right password, but not confirmed: the form again")
        self.assertIn(UNCONFIRMED, r.text)
        self.assertNotIn("session=", " ".join(r.headers_all("Set-Cookie")), "no login")
        self.assertIn('<a href="/confirm_email_request">Send the confirmation link again</a>',
                      r.text)
        _, wrong = self.login("quinn", "wrong password")
        _, nobody = self.login("nobody-at-all", "wrong password")
        self.assertEqual((wrong.status, wrong.location), (nobody.status, nobody.location),
                         "a wrong password reads as for any other account")
        for page in (wrong, nobody):  # the form again since issue 11: its text tells, not its status
            self.assertIn("Invalid username or password", page.text)
            self.assertNotIn(UNCONFIRMED, page.text)
            self.assertNotIn('href="/confirm_email_request"', page.text)

        path = self.link_path("quinn@example.com")
        v = self.client()
        for _ in range(2):
            page = v.get(path)
            self.assertEqual(page.status, 200)
            self.assertIn("quinn@example.com", page.text)
            self.assertIn('<form action="" method="post">', page.text)
            self.assertIn('value="Confirm my address"', page.text)
        self.assertIn(UNCONFIRMED, self.login("quinn")[1].text, "a GET confirms nothing")
        r = v.post(path, {"csrf_token": page.csrf()})
        self.assertEqual((r.status, r.location), (302, "/login"))
        self.assertIn(CONFIRMED, v.follow(r).text)
        _, r = self.login("quinn")
        self.assertEqual((r.status, r.location), (302, "/"))

        again = self.client()
        page = again.get("/login")
        r = again.post(path, {"csrf_token": page.csrf()})
        self.assertEqual((r.status, r.location), (302, "/confirm_email_request"), "single use")
        self.assertIn(INVALID_LINK, again.follow(r).text)
        self.assertEqual(self.client().get(path).location, "/confirm_email_request")

    def test_concurrent_posts_of_one_link_confirm_once(self):
        self.register_unconfirmed("nina", "nina@example.com")
        path = self.link_path("nina@example.com")
        def prepare(i):
            v = self.client()
            return v, v.get(path).csrf()

        def fire(i, state):
            v, token = state
            return v.post(path, {"csrf_token": token}).location

        results = run_together(12, prepare, fire)
        self.assertEqual(sorted(results),
                         ["/confirm_email_request"] * 11 + ["/login"], "one wins")

    def test_a_session_counts_only_for_a_confirmed_account(self):
        """A session made while confirmation was off is worth nothing once it is
        on, for an account still unconfirmed."""
        self.register_unconfirmed("ivan", "ivan@example.com")
        self.confirm("ivan@example.com")
        c, r = self.login("ivan")
        self.assertEqual(c.get("/").status, 200)
        run_sql(os.path.join(self.tmp, "app.db"),
                "UPDATE users SET email_confirmed = false WHERE username = 'ivan'"
                if ENGINE == "postgres" else
                "UPDATE users SET email_confirmed = 0 WHERE username = 'ivan'")
        self.assertEqual(c.get("/").status, 302)

    def test_post_without_csrf_changes_nothing(self):
        self.register_unconfirmed("rosa", "rosa@example.com")
        r = self.client().post(self.link_path("rosa@example.com"), {})
        self.assertEqual(r.status, 400)
        self.assertIn(UNCONFIRMED, self.login("rosa")[1].text)

    def test_expired_and_forged_links_are_refused(self):
        self.register_unconfirmed("sam", "sam@example.com")
        path = self.link_path("sam@example.com")
        claims = payload(path.rsplit("/", 1)[1])
        expired = dict(claims, exp=int(time.time()) - 5)
        for token in (jwt(expired), jwt(claims, key="another key of enough length 0123456789"),
                      jwt(dict(claims, fp="A" * 22)), jwt(claims, alg="none"),
                      jwt({"reset_password": claims["confirm_email"], "exp": claims["exp"],
                           "fp": claims["fp"]})):
            r = self.client().get("/confirm_email/" + token)
            self.assertEqual((r.status, r.location), (302, "/confirm_email_request"), token)
        self.assertEqual(self.client().get(path).status, 200, "the real link still works")
        r = self.client().get("/reset_password/" + path.rsplit("/", 1)[1])
        self.assertEqual(r.location, "/reset_password_request", "not a reset link")

    def test_existing_address_answers_as_a_new_one(self):
        self.register("tara", "tara@example.com")  # unconfirmed; it does not matter
        self.clear_queue()
        answers = [self.answer("tara-new", "tara.new@example.com"),
                   self.answer("tara-again", "TARA@example.com")]
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(answers[0][1][0], 302)
        self.assertIn(SENT_FLASH, answers[0][2][2])
        self.assertEqual(len(self.jobs("confirm_email", "tara.new@example.com")), 1)
        exists = self.jobs("account_exists")
        self.assertEqual(len(exists), 1)
        job = exists[0]
        self.assertEqual(list(self.schema.iter_errors(job)), [])
        self.assertEqual(job["to"], ["tara@example.com"], "the owner, as stored")
        self.assertEqual(job["data"]["username"], "tara")
        self.assertEqual(job["data"]["login_url"], PUBLIC_URL + "/login")
        self.assertEqual(job["data"]["reset_request_url"], PUBLIC_URL + "/reset_password_request")
        self.assertEqual(job["subject"], "[Microblog] You already have an account")
        # afterwards too: each username is held by an unconfirmed account
        for username in ("tara-new", "tara-again"):
            self.assertIn(UNCONFIRMED, self.login(username)[1].text, username)
            r = self.client().submit("/register", {
                "username": username, "email": username + "@elsewhere.example",
                "password": PASSWORD, "password2": PASSWORD})
            self.assertIn("Please use a different username.", r.text, username)
        self.assertEqual(len(self.jobs("confirm_email")), 1, "the held username gets no mail")

    def test_a_taken_username_is_still_said(self):
        self.register("uma", "uma@example.com")
        for email in ("uma.other@example.com", "uma@example.com"):
            r = self.client().submit("/register", {"username": "uma", "email": email,
                                                   "password": PASSWORD, "password2": PASSWORD})
            self.assertEqual(r.status, 200, email)
            self.assertIn("Please use a different username.", r.text)
            self.assertNotIn("Please use a different email address.", r.text)

    def test_send_again_is_limited_and_says_the_same_for_every_address(self):
        self.register_unconfirmed("vera", "vera@example.com")  # counts once
        self.register("walt", "walt@example.com")
        self.confirm("walt@example.com")
        self.clear_queue()
        answers = {}
        for email in ("vera@example.com", "walt@example.com", "nobody@example.com"):
            c = self.client()
            form = c.get("/confirm_email_request")
            self.assertEqual(form.status, 200)
            r = c.post("/confirm_email_request", {"email": email, "csrf_token": form.csrf()})
            answers[email] = without_tokens(r)
            self.assertIn(RESENT_FLASH, c.follow(r).text)
        self.assertEqual(answers["vera@example.com"], answers["nobody@example.com"])
        self.assertEqual(answers["vera@example.com"], answers["walt@example.com"])
        self.assertEqual(answers["vera@example.com"][0], 302)
        self.assertEqual([j["to"] for j in self.queued_jobs()], [["vera@example.com"]])
        limited_before = self.metric("auth_rate_limited_total", 'limit="confirm"')
        first = self.client().submit("/confirm_email_request", {"email": "vera@example.com"})
        over = self.client().submit("/confirm_email_request", {"email": "vera@example.com"})
        self.assertEqual(without_tokens(first), without_tokens(over))
        self.assertEqual(len(self.jobs("confirm_email", "vera@example.com")), 2,
                         "3 an hour: the registration's, then two more")
        self.assertEqual(self.metric("auth_rate_limited_total", 'limit="confirm"'),
                         limited_before + 1)
        r = self.client().submit("/confirm_email_request", {"email": "not an address"})
        self.assertEqual(r.status, 200)
        self.assertIn("Invalid email address.", r.text)

    def test_a_reset_confirms_the_address(self):
        """The account_exists mail sends its owner to the reset: a link mailed to
        the address proves it as well as the confirmation link does."""
        self.register_unconfirmed("xena", "xena@example.com")
        link = self.link_path("xena@example.com")
        self.clear_queue()
        self.request_reset("xena@example.com")
        path = self.reset_link_path(self.jobs("reset_password")[0])
        r = self.client().submit(path, {"password": "new password 9",
                                        "password2": "new password 9"})
        self.assertEqual(r.location, "/login")
        self.assertEqual(self.login("xena", "new password 9")[1].location, "/")
        r = self.client().get(link)
        self.assertEqual(r.location, "/confirm_email_request", "nothing left to confirm")

    def test_account_language_is_kept_and_used(self):
        zh = self.client()
        zh.cookies["lang"] = "zh-CN"
        self.register_unconfirmed("yan", "yan@example.com", client=zh)
        job = self.jobs("confirm_email", "yan@example.com")[-1]
        self.assertEqual(job["locale"], "zh-CN")
        self.assertEqual(job["subject"], "[Microblog] 确认你的电子邮件地址")
        self.confirm("yan@example.com")
        self.clear_queue()
        en = self.client()
        en.cookies["lang"] = "en"
        self.request_reset("yan@example.com", client=en)
        self.assertEqual(self.jobs("reset_password")[0]["locale"], "zh-CN",
                         "the account's language, not the browser's")
        # an English page registering the address mails the owner in Chinese
        self.register_unconfirmed("yan2", "yan@example.com", client=en)
        self.assertEqual(self.jobs("account_exists")[0]["locale"], "zh-CN")
        # switching language while logged in changes the account's
        c, r = self.login("yan")
        self.assertEqual(r.location, "/")
        self.assertEqual(c.get("/lang/en?next=/").status, 302)
        self.clear_queue()
        self.request_reset("yan@example.com", client=zh)
        self.assertEqual(self.jobs("reset_password")[0]["locale"], "en")


def run_sql(db_path, sql):
    """Runs sql on the database standing for db_path, whichever the engine."""
    if ENGINE == "postgres":
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                        database_url_for(db_path), "-c", sql], check=True, capture_output=True)
    else:
        with sqlite3.connect(db_path) as conn:
            conn.executescript(sql)


def query_one(db_path, sql):
    """The first column of the first row sql returns, as text ("" for NULL)."""
    if ENGINE == "postgres":
        return subprocess.run(["psql", "-X", "-q", "-At", "-d", database_url_for(db_path),
                               "-c", sql], check=True, capture_output=True,
                              text=True).stdout.strip()
    with sqlite3.connect(db_path) as conn:
        value = conn.execute(sql).fetchone()[0]
    return "" if value is None else str(value)


class StaleUnconfirmedTest(ConfirmOn, AuthTestCase):
    """An unconfirmed account whose latest link died (confirm_until, plus a
    minute's grace) is deleted at the next registration holding its username or
    address, or by the few-rows sweep each registration does. The tests age
    rows in the database instead of waiting AUTH_CONFIRM_TTL."""

    def db(self):
        return os.path.join(self.tmp, "app.db")

    def age(self, where):
        """The links of the rows matched died a day ago."""
        run_sql(self.db(), "UPDATE users SET confirm_until = confirm_until - 86400 - 7200, "
                           f"created_at = created_at - 86400 - 7200 WHERE {where}")

    def count(self, where):
        return int(query_one(self.db(), f"SELECT count(*) FROM users WHERE {where}"))

    def user_id(self, username):
        return query_one(self.db(), f"SELECT id FROM users WHERE username = '{username}'")

    def test_a_stale_account_frees_its_username_and_address(self):
        self.register_unconfirmed("olga", "olga@example.com")
        old_link = self.link_path("olga@example.com")
        self.age("username = 'olga'")
        self.clear_queue()
        # someone else, with their own password, gets both
        self.register_unconfirmed("OLGA", "Olga@Example.com", password="another good password")
        self.assertEqual(self.count("lower(username) = 'olga'"), 1)
        self.assertEqual(len(self.jobs("account_exists")), 0, "a new address, not a taken one")
        r = self.client().get(old_link)
        # SQLite may give the new account the old one's id: the link's
        # fingerprint (address and password hash) still tells them apart
        self.assertEqual(r.location, "/confirm_email_request", "the old link is dead")
        self.confirm("Olga@Example.com")
        _, r = self.login("OLGA", "another good password")
        self.assertEqual((r.status, r.location), (302, "/"))
        self.assert_login_refused(self.login("OLGA")[1], "the old password is gone with it")

    def test_a_fresh_account_still_holds_both(self):
        self.register_unconfirmed("pia", "pia@example.com")
        pia, path = self.user_id("pia"), self.link_path("pia@example.com")
        self.clear_queue()
        r = self.client().submit("/register", {"username": "Pia", "email": "pia2@example.com",
                                               "password": PASSWORD, "password2": PASSWORD})
        self.assertIn("Please use a different username.", r.text)
        self.register_unconfirmed("pia-two", "PIA@example.com")
        self.assertEqual([j["to"] for j in self.jobs("account_exists")], [["pia@example.com"]])
        self.assertEqual(self.user_id("pia"), pia)
        v = self.client()
        self.assertEqual(v.post(path, {"csrf_token": v.get(path).csrf()}).location, "/login")
        self.assertEqual(self.login("pia")[1].location, "/")

    def test_a_new_link_counts_from_when_it_was_sent(self):
        self.register_unconfirmed("rhea", "rhea@example.com")
        self.age("username = 'rhea'")
        self.clear_queue()
        r = self.client().submit("/confirm_email_request", {"email": "RHEA@example.com"})
        self.assertEqual(r.location, "/login")
        path = self.link_path("rhea@example.com")
        self.register_unconfirmed("someone", "someone@example.com")  # sweeps
        self.assertEqual(self.count("username = 'rhea'"), 1, "its new link lives")
        v = self.client()
        r = v.post(path, {"csrf_token": v.get(path).csrf()})
        self.assertEqual(r.location, "/login")
        self.assertEqual(self.login("rhea")[1].location, "/")

    def test_a_reset_link_keeps_it_too(self):
        self.register_unconfirmed("reed", "reed@example.com")
        self.age("username = 'reed'")
        self.clear_queue()
        self.request_reset("Reed@example.com")
        path = self.reset_link_path(self.jobs("reset_password")[0])
        self.register_unconfirmed("someone-else", "someone.else@example.com")  # sweeps
        self.assertEqual(self.count("username = 'reed'"), 1, "its reset link lives")
        r = self.client().submit(path, {"password": "new password 9",
                                        "password2": "new password 9"})
        self.assertEqual(r.location, "/login")
        self.assertEqual(self.login("reed", "new password 9")[1].location, "/")

    def test_a_held_username_is_freed_when_stale(self):
        self.register_unconfirmed("tess", "tess@example.com")
        for name in ("held-a", "held-b", "held-c"):
            self.register_unconfirmed(name, "tess@example.com")
        held = "username IN ('held-a', 'held-b', 'held-c')"
        self.assertEqual(self.count(held + " AND email LIKE 'held-%@username.invalid'"), 3)
        self.age(held)
        self.clear_queue()
        self.register_unconfirmed("held-a", "ursula@example.com")
        self.assertEqual(self.count("email LIKE 'held-%@username.invalid' AND " + held), 0,
                         "held-a by name, the others by the sweep")
        self.assertEqual(self.jobs("account_exists"), [])
        self.confirm("ursula@example.com")
        self.assertEqual(self.login("held-a")[1].location, "/")
        self.register_unconfirmed("held-b", "held.b@example.com")
        self.assertEqual(self.count("username = 'tess'"), 1, "the fresh owner stays")

    def test_confirmed_and_older_accounts_are_never_deleted(self):
        self.register_unconfirmed("cora", "cora@example.com")
        self.confirm("cora@example.com")
        # made while confirmation was off, or before the migration: confirmed
        run_sql(self.db(), "INSERT INTO users (username, email, password_hash, created_at, "
                           "password_changed_ms) SELECT 'dora', 'dora@example.com', "
                           "password_hash, 0, 0 FROM users WHERE username = 'cora'")
        run_sql(self.db(), "UPDATE users SET confirm_until = 0, created_at = 0")
        self.clear_queue()
        for name, email in (("cora", "cora2@example.com"), ("dora", "dora2@example.com")):
            r = self.client().submit("/register", {"username": name, "email": email,
                                                   "password": PASSWORD, "password2": PASSWORD})
            self.assertIn("Please use a different username.", r.text, name)
        self.register_unconfirmed("cora-two", "CORA@example.com")
        self.register_unconfirmed("dora-two", "dora@example.com")
        self.assertEqual(sorted(j["to"][0] for j in self.jobs("account_exists")),
                         ["cora@example.com", "dora@example.com"])
        for name in ("cora", "dora"):
            self.assertEqual(self.login(name)[1].location, "/", name)

    def test_a_taken_address_still_answers_as_a_new_one(self):
        self.register_unconfirmed("vita", "vita@example.com")
        self.register_unconfirmed("wynn", "wynn@example.com")
        self.age("username = 'wynn'")
        answers = [self.answer("vita-new", "vita.new@example.com"),
                   self.answer("vita-again", "VITA@example.com"),
                   self.answer("wynn-again", "wynn@example.com")]
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(answers[0], answers[2])
        self.assertEqual(answers[0][1][0], 302)
        self.assertEqual(self.count("username = 'wynn'"), 0, "the stale one is gone")
        self.assertEqual(self.count("lower(email) = 'wynn@example.com'"), 1, "wynn-again's")


class SwitchedOnLaterTest(AuthTestCase):
    """Accounts from before: made with it off, or before the migration existed."""

    def test_older_accounts_stay_usable(self):
        self.register("zoe", "zoe@example.com")
        self.register("zack", "zack@example.com")
        db = os.path.join(self.tmp, "app.db")
        self.assertEqual(self.auth.stop(), 0)
        # a database from before the migration: no lang, no flag. The three last
        # migrations are undone: confirm_until, the case-insensitive usernames,
        # then this one
        index = "users_username_lower_key" if ENGINE == "postgres" else "users_username_key"
        run_sql(db, "DROP INDEX users_unconfirmed; "
                    "ALTER TABLE users DROP COLUMN confirm_until; "
                    "UPDATE users SET created_at = 0; "
                    f"DROP INDEX {index}; "
                    "ALTER TABLE users DROP COLUMN username_key; "
                    "ALTER TABLE users DROP COLUMN email_confirmed; "
                    "ALTER TABLE users DROP COLUMN lang; "
                    "UPDATE schema_version SET version = version - 3")
        redis = RedisServer().start()
        auth = Service("auth", auth_env(redis.url, db, AUTH_REQUIRE_CONFIRMATION="true")).start()
        try:
            lang = "SELECT lang FROM users WHERE username = 'zack'"
            self.assertEqual(query_one(db, lang), "", "no language known yet")
            # a registration (it sweeps stale unconfirmed accounts) spares them
            r = self.client_on(auth).submit("/register", {
                "username": "yves", "email": "yves@example.com", "password": PASSWORD,
                "password2": PASSWORD})
            self.assertEqual((r.status, r.location), (302, "/login"), r.text)
            for name in ("zoe", "zack"):
                c = self.client_on(auth)
                c.cookies["lang"] = "zh-CN"
                r = c.submit("/login", {"username": name, "password": PASSWORD})
                self.assertEqual((r.status, r.location), (302, "/"), name)
            self.assertEqual(query_one(db, lang), "zh-CN", "the language of its next login")
        finally:
            self.assertEqual(auth.stop(), 0)
            redis.cleanup()
        self.auth = Service("auth", auth_env(self.redis.url, db)).start()

    def client_on(self, auth):
        from web import Client
        return Client(auth.port)


if __name__ == "__main__":
    import unittest
    unittest.main()
