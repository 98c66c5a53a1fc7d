"""Accounts people expect (issue 11, item 3), over real HTTP with a real Redis:
the change-password page, the address on the home page, usernames unique
whatever their case and trimmed, failures on one account's case variants
counted together, and addresses that need a dotted domain. Run on SQLite and,
as scale/test_auth_account_postgres, on PostgreSQL."""
import os
import sqlite3
import unittest

from auth_fixture import ENGINE, AuthTestCase, auth_env, database_url_for, postgres_cluster
from harness import Service

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a new staple battery"
CHANGED_FLASH = "Your password has been changed."
WRONG_CURRENT = "Your current password is not correct."


class AccountTest(AuthTestCase):
    extra_env = {"AUTH_LOGIN_LIMIT_PER_USER": 5, "AUTH_LOGIN_LIMIT_PER_IP": 1000,
                 "AUTH_REGISTER_LIMIT_PER_IP": 1000}

    def logged_in(self, username, email, password=PASSWORD):
        self.register(username, email, password)
        c, r = self.login(username, password)
        self.assertEqual((r.status, r.location), (302, "/"), r.text)
        return c

    def change(self, c, current, new, new2=None):
        return c.submit("/change_password", {"current_password": current, "password": new,
                                             "password2": new if new2 is None else new2})

    def jobs(self, template):
        return [j for j in self.queued_jobs() if j["template"] == template]

    def assert_login(self, username, password, ok):
        c, r = self.login(username, password)
        if ok:
            self.assertEqual((r.status, r.location), (302, "/"), r.text)
        else:
            self.assert_login_refused(r)
        return c

    # --- the change-password page ---------------------------------------

    def test_change_password_needs_a_login(self):
        r = self.client().get("/change_password")
        self.assertEqual((r.status, r.location), (302, "/login?next=/change_password"))

    def test_form_fields_and_no_store(self):
        c = self.logged_in("fiona", "fiona@example.com")
        r = c.get("/change_password")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        for field in ('name="current_password"', 'autocomplete="current-password"',
                      'name="password"', 'name="password2"', 'autocomplete="new-password"',
                      'name="csrf_token"'):
            self.assertIn(field, r.text)
        self.assertIn('value="fiona" autocomplete="username"', r.text,
                      "a password manager learns which account it is")

    def test_wrong_current_password_changes_nothing(self):
        c = self.logged_in("gwen", "gwen@example.com")
        self.clear_queue()
        r = self.change(c, "not the password", NEW_PASSWORD)
        self.assertEqual(r.status, 200)
        self.assertIn(WRONG_CURRENT, r.text)
        self.assertEqual(self.jobs("password_changed"), [])
        self.assert_login("gwen", PASSWORD, ok=True)
        self.assert_login("gwen", NEW_PASSWORD, ok=False)

    def test_form_errors_change_nothing(self):
        c = self.logged_in("hana", "hana@example.com")
        r = self.change(c, "", NEW_PASSWORD, "something else")
        self.assertEqual(r.status, 200)
        self.assertIn("This field is required.", r.text)
        self.assertIn("Passwords do not match.", r.text)
        r = self.change(c, PASSWORD, "short")
        self.assertIn("Password must be at least 8 characters.", r.text)
        self.assert_login("hana", PASSWORD, ok=True)

    def test_without_csrf_token_is_refused(self):
        c = self.logged_in("iris", "iris@example.com")
        r = c.post("/change_password", {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                        "password2": NEW_PASSWORD})
        self.assertEqual(r.status, 400)
        self.assert_login("iris", PASSWORD, ok=True)

    def test_success_ends_the_other_sessions_and_mails_a_notice(self):
        c = self.logged_in("jane", "Jane@Example.com")
        other, r = self.login("jane")
        self.assertEqual(r.location, "/")
        self.clear_queue()
        r = self.change(c, PASSWORD, NEW_PASSWORD)
        self.assertEqual((r.status, r.location), (302, "/"), r.text)
        home = c.get("/")
        self.assertEqual(home.status, 200, "the session that changed it stays")
        self.assertIn(CHANGED_FLASH, home.text)
        self.assertIn("Hi, jane!", home.text)
        r = other.get("/")
        self.assertEqual((r.status, r.location), (302, "/login?next=/"), "the other one ended")
        self.assert_login("jane", PASSWORD, ok=False)
        self.assert_login("jane", NEW_PASSWORD, ok=True)
        jobs = self.jobs("password_changed")
        self.assertEqual(len(jobs), 1, self.queued_jobs())
        self.schema.validate(jobs[0])
        self.assertEqual(jobs[0]["to"], ["Jane@Example.com"])
        self.assertEqual(jobs[0]["data"]["username"], "jane")
        self.assertEqual(jobs[0]["locale"], "en")

    def test_in_chinese(self):
        c = self.logged_in("kai", "kai@example.com")
        c.get("/lang/zh-CN?next=/")
        page = c.get("/change_password")
        for text in ("修改密码", "当前密码", "新密码", "再次输入新密码"):
            self.assertIn(text, page.text)
        r = self.change(c, "not the password", NEW_PASSWORD)
        self.assertIn("当前密码不正确。", r.text)
        self.clear_queue()
        self.change(c, PASSWORD, NEW_PASSWORD)
        self.assertIn("你的密码已修改。", c.get("/").text)
        self.assertEqual(self.jobs("password_changed")[0]["locale"], "zh-CN")

    def test_wrong_current_passwords_count_against_the_login_limit(self):
        c = self.logged_in("lena", "lena@example.com")
        for _ in range(5):
            self.assertIn(WRONG_CURRENT, self.change(c, "guess", NEW_PASSWORD).text)
        r = self.change(c, PASSWORD, NEW_PASSWORD)
        self.assertEqual(r.status, 429, "even the right one is not checked past the limit")
        self.assertIn("Too many failed attempts.", r.text)
        _, r = self.login("lena")
        self.assertEqual(r.status, 429, "the same counter as the login form's")
        self.assertEqual(c.get("/").status, 200, "the session stays")

    # --- the home page ---------------------------------------------------

    def test_home_page_shows_the_address_and_links(self):
        c = self.logged_in("mona", "Mona.Lisa@Example.com")
        home = c.get("/")
        self.assertIn("Hi, mona!", home.text)
        self.assertIn('<dd id="account-email">Mona.Lisa@Example.com</dd>', home.text)
        self.assertIn('href="/change_password"', home.text)
        self.assertIn('action="/logout"', home.text)
        self.assertIn("Forgot Your Password?", home.text)

    # --- usernames: case and white space ----------------------------------

    def test_login_finds_the_account_whatever_the_case_and_spaces(self):
        self.register("bob", "bob@example.com")
        for typed in ("Bob ", " BOB", "bob\t", "bOb\u3000"):
            c, r = self.login(typed)
            self.assertEqual((r.status, r.location), (302, "/"), repr(typed))
            self.assertIn("Hi, bob!", c.get("/").text, "shown as stored")
        self.assert_login("Bob", "wrong password", ok=False)

    def test_register_trims_username_and_email(self):
        c = self.client()
        r = c.submit("/register", {"username": "  Nina ", "email": " nina@example.com\u00a0",
                                   "password": PASSWORD, "password2": PASSWORD})
        self.assertEqual((r.status, r.location), (302, "/login"), r.text)
        c = self.assert_login("nina", PASSWORD, ok=True)
        home = c.get("/").text
        self.assertIn("Hi, Nina!", home, "stored as typed, without the spaces")
        self.assertIn(">nina@example.com<", home)

    def test_a_case_variant_of_a_username_is_taken(self):
        self.register("Susan", "susan@example.com")
        for name in ("susan", "SUSAN", " susan "):
            r = self.client().submit("/register", {"username": name,
                                                   "email": "other.susan@example.com",
                                                   "password": PASSWORD, "password2": PASSWORD})
            self.assertEqual(r.status, 200, name)
            self.assertIn("Please use a different username.", r.text)
        self.assert_login("SuSaN", PASSWORD, ok=True)

    def test_failures_on_case_variants_are_one_accounts(self):
        self.register("olga", "olga@example.com")
        for typed in ("Olga", "OLGA", " olga", "olga ", "oLGa"):
            self.assert_login(typed, "wrong password", ok=False)
        _, r = self.login("olga")
        self.assertEqual(r.status, 429, "5 failures across the variants reach the limit of 5")

    def test_username_inputs_do_not_capitalise(self):
        for path in ("/login", "/register"):
            text = self.client().get(path).text
            self.assertIn('name="username"', text)
            for attr in ('autocapitalize="none"', 'autocorrect="off"', 'spellcheck="false"'):
                self.assertIn(attr, text, path)

    # --- addresses need a dotted domain ----------------------------------

    def test_register_refuses_an_address_without_a_dot(self):
        for email in ("pat@localhost", "pat@intranet", "pat@"):
            r = self.client().submit("/register", {"username": "pat", "email": email,
                                                   "password": PASSWORD,
                                                   "password2": PASSWORD})
            self.assertEqual(r.status, 200, email)
            self.assertIn("Invalid email address.", r.text)
            self.assertIn('value="pat"', r.text, "the username is kept")
        self.register("pat", "pat@mail.localhost")

    def test_reset_request_refuses_an_address_without_a_dot(self):
        self.clear_queue()
        r = self.request_reset("quinn@localhost")
        self.assertEqual(r.status, 200)
        self.assertIn("Invalid email address.", r.text)
        self.assertEqual(self.queued_jobs(), [])
        r = self.request_reset(" nobody-here@example.com ")
        self.assertEqual((r.status, r.location), (302, "/login"),
                         "a well-formed unknown address: the usual answer")


class ExistingCaseTwinsTest(unittest.TestCase):
    """A database made before usernames were case-insensitive may hold Bob and
    bob. The migration keeps both: the older one gets the key, and each still
    logs in by its exact name."""

    def setUp(self):
        from harness import RedisServer
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix="test-auth-twins-")
        self.db_path = os.path.join(self.tmp, "twins.db")
        self.redis = RedisServer().start()
        self.env = auth_env(self.redis.url, self.db_path)
        self.auth = Service("auth", self.env).start()

    def tearDown(self):
        code = self.auth.stop()
        self.redis.cleanup()
        self.assertEqual(code, 0)

    def sql(self, statements):
        """Runs statements on the test's database, whichever the engine."""
        if ENGINE == "postgres":
            name = database_url_for(self.db_path).rsplit("/", 1)[1]
            postgres_cluster().psql(statements, name)
        else:
            with sqlite3.connect(self.db_path) as conn:
                conn.executescript(statements)

    def test_twins_made_before_the_migration_both_log_in(self):
        from web import Client
        c = Client(self.auth.port)
        r = c.submit("/register", {"username": "Bob", "email": "big.bob@example.com",
                                   "password": PASSWORD, "password2": PASSWORD})
        self.assertEqual(r.status, 302, r.text)
        self.assertEqual(self.auth.stop(), 0)
        # back to the schema before the migration (the last but one; the last,
        # confirm_until, undone first), with a twin added
        index = "users_username_lower_key" if ENGINE == "postgres" else "users_username_key"
        self.sql("DROP INDEX users_unconfirmed;"
                 "ALTER TABLE users DROP COLUMN confirm_until;"
                 f"DROP INDEX {index};"
                 "ALTER TABLE users DROP COLUMN username_key;"
                 "UPDATE schema_version SET version = version - 2;"
                 "INSERT INTO users (username, email, password_hash, created_at, "
                 "password_changed_ms) SELECT 'bob', 'little.bob@example.com', password_hash, "
                 "created_at, 0 FROM users WHERE username = 'Bob';")
        self.auth = Service("auth", self.env).start()
        self.assertIn("case-insensitive usernames", self.auth.log())
        for typed, email in (("Bob", "big.bob@example.com"), ("bob", "little.bob@example.com"),
                             ("BOB", "big.bob@example.com"), (" bob ", "little.bob@example.com")):
            c = Client(self.auth.port)
            r = c.submit("/login", {"username": typed, "password": PASSWORD})
            self.assertEqual((r.status, r.location), (302, "/"), typed)
            self.assertIn(email, c.get("/").text, typed)
        r = Client(self.auth.port).submit("/register", {
            "username": "bOB", "email": "third.bob@example.com",
            "password": PASSWORD, "password2": PASSWORD})
        self.assertIn("Please use a different username.", r.text)


if __name__ == "__main__":
    unittest.main()
