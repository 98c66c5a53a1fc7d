"""auth, the user's path over real HTTP: register, login, index, logout, and
the whole password reset by emailed link."""
import json
import time

from auth_fixture import PUBLIC_URL, AuthTestCase


class FlowTest(AuthTestCase):
    def test_register_login_index_logout(self):
        c = self.register("susan", "susan@example.com")
        page = c.get("/login")
        self.assertIn("Congratulations, you are now a registered user!", page.text)
        self.assertNotIn("Congratulations", c.get("/login").text, "flash shows once")
        c, r = self.login("susan", client=c)
        self.assertEqual(r.status, 302)
        self.assertEqual(r.location, "/")
        self.assertIn("Hi, susan!", c.get("/").text)
        page = c.get("/")
        r = c.post("/logout", {"csrf_token": page.csrf()})
        self.assertEqual(r.status, 302)
        self.assertEqual(r.location, "/")
        r = c.get("/")
        self.assertEqual(r.status, 302)
        self.assertEqual(r.location, "/login?next=/")

    def test_login_page_links_to_reset(self):
        page = self.client().get("/login")
        self.assertIn("Forgot Your Password?", page.text)
        self.assertIn('<a href="/reset_password_request">Click to Reset It</a>', page.text)

    def test_bad_credentials_error_box(self):
        self.register("bob", "bob@example.com")
        c, r = self.login("bob", "wrong password")
        self.assert_login_refused(r)
        c, r = self.login("nobody-here", "whatever123")
        self.assert_login_refused(r)

    def test_register_field_errors_keep_values(self):
        self.register("taken", "taken@example.com")
        c = self.client()
        r = c.submit("/register", {"username": "taken", "email": "new@example.com",
                                   "password": "longenough", "password2": "longenough"})
        self.assertEqual(r.status, 200)
        self.assertIn("Please use a different username.", r.text)
        self.assertIn('value="new@example.com"', r.text)
        self.assertNotIn("longenough", r.text, "a password is never echoed")
        r = c.submit("/register", {"username": "fresh", "email": "TAKEN@example.com",
                                   "password": "longenough", "password2": "longenough"})
        self.assertIn("Please use a different email address.", r.text)
        r = c.submit("/register", {"username": "fresh", "email": "not-an-email",
                                   "password": "short", "password2": "other"})
        self.assertIn("Invalid email address.", r.text)
        self.assertIn("Password must be at least 8 characters.", r.text)
        self.assertIn("Passwords do not match.", r.text)

    def test_reset_request_for_registered_address(self):
        self.register("carol", "Carol@Example.com")
        self.clear_queue()
        r = self.request_reset("carol@EXAMPLE.com", client=self.client(host_header="evil.example"))
        self.assertEqual(r.status, 302)
        self.assertEqual(r.location, "/login")
        jobs = self.queued_jobs()
        self.assertEqual(len(jobs), 1)
        job = jobs[0]
        self.assertEqual(list(self.schema.iter_errors(job)), [])
        self.assertEqual(job["template"], "reset_password")
        self.assertEqual(job["to"], ["Carol@Example.com"], "the stored address, not the typed one")
        self.assertEqual(job["subject"], "[Microblog] Reset Your Password")
        self.assertEqual(job["data"]["username"], "carol")
        self.assertTrue(job["data"]["reset_url"].startswith(PUBLIC_URL + "/reset_password/"))
        self.assertNotIn("evil.example", json.dumps(job))
        self.assertAlmostEqual(job["deadline"], time.time() + 600, delta=30)

    def test_unregistered_address_same_answer_no_job(self):
        self.register("dave", "dave@example.com")
        self.clear_queue()
        known = self.request_reset("dave@example.com")
        unknown = self.request_reset("nobody@example.com")
        self.assertEqual(known.status, unknown.status)
        self.assertEqual(known.location, unknown.location)
        self.assertEqual(known.body, unknown.body)
        self.assertEqual(len(self.queued_jobs()), 1)
        c = self.client()
        r = self.request_reset("nobody@example.com", client=c)
        self.assertIn("Check your email for the instructions to reset your password",
                      c.follow(r).text)

    def test_full_reset(self):
        self.register("erin", "erin@example.com", "old password 1")
        other, r = self.login("erin", "old password 1")
        self.assertEqual(other.get("/").status, 200)
        self.clear_queue()
        self.request_reset("erin@example.com")
        path = self.reset_link_path(self.queued_jobs()[0])
        c = self.client()
        form = c.get(path)
        self.assertEqual(form.status, 200)
        self.assertEqual(form.header("Cache-Control"), "no-store")
        self.assertIn("Reset Your Password", form.text)
        self.assertEqual(c.get(path).status, 200, "a GET does not consume the link")
        r = c.submit(path, {"password": "new password 1", "password2": "different 1"})
        self.assertEqual(r.status, 200)
        self.assertIn("Passwords do not match.", r.text)
        self.clear_queue()
        r = c.submit(path, {"password": "new password 1", "password2": "new password 1"})
        self.assertEqual(r.status, 302)
        self.assertEqual(r.location, "/login")
        self.assertIn("Your password has been reset.", c.follow(r).text)
        self.assertEqual(c.get("/").status, 302, "no automatic login")
        jobs = self.queued_jobs()
        self.assertEqual([j["template"] for j in jobs], ["password_changed"])
        self.assertEqual(list(self.schema.iter_errors(jobs[0])), [])
        self.assertEqual(other.get("/").status, 302, "the other session has ended")
        _, r = self.login("erin", "old password 1")
        self.assert_login_refused(r, "old password fails")
        c2, r = self.login("erin", "new password 1")
        self.assertEqual(r.location, "/", "new password works")
        r = self.client().get(path)
        self.assertEqual(r.status, 302, "the link is dead after use")
        self.assertEqual(r.location, "/reset_password_request")

    def test_logged_in_users_are_sent_home(self):
        self.register("fay", "fay@example.com")
        c, _ = self.login("fay")
        for path in ("/reset_password_request", "/reset_password/x", "/login", "/register"):
            r = c.get(path)
            self.assertEqual((r.status, r.location), (302, "/"), path)

    def test_security_headers_on_every_page(self):
        c = self.client()
        for path in ("/login", "/register", "/reset_password_request", "/nope", "/"):
            r = c.get(path)
            self.assertTrue(r.header("Content-Security-Policy"), path)
            self.assertEqual(r.header("X-Content-Type-Options"), "nosniff", path)
            self.assertEqual(r.header("Referrer-Policy"), "no-referrer", path)
            self.assertEqual(r.header("X-Frame-Options"), "DENY", path)
        cookie = c.get("/login").headers_all("Set-Cookie") or self.client().get("/login").headers_all("Set-Cookie")
        self.assertTrue(any("HttpOnly" in v and "SameSite=Lax" in v and "Secure" in v for v in cookie),
                        "PUBLIC_URL is https: the session cookie is Secure")

    def test_remember_me_makes_a_persistent_cookie(self):
        self.register("gil", "gil@example.com")
        c = self.client()
        page = c.get("/login")
        r = c.post("/login", {"username": "gil", "password": "correct horse battery",
                              "remember_me": "y", "csrf_token": page.csrf()})
        self.assertTrue(any("Max-Age=" in v for v in r.headers_all("Set-Cookie")))
