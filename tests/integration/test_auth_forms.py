"""auth's forms help the person filling them, over real HTTP: every field
error at once, ARIA attributes that tie each error to its field, the focus on
the first error, "Error:" in the title, the password rule shown before
submitting, a wrong password answered with the form again (username and
"Remember Me" kept), the new-password form naming its account, the flashes
around logging out and in, GET /logout, Allow on every 405, the real session
on error pages, the reset form kept while Redis is down, the common-password
list, maxlength on every input, and the nav's aria-current. Pages are read
with html.parser, not with regular expressions."""
import html.parser
import os

from auth_fixture import AuthTestCase
from harness import SOURCE_DIR

ZH = {"Accept-Language": "zh-CN"}
GOOD = "correct horse battery"


class Page(html.parser.HTMLParser):
    """The parts of a page the tests look at: every element with its
    attributes, the text of each element with an id, the title, the flashes."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, attrs dict)
        self.text_of = {}   # id -> text inside it
        self.title = ""
        self.flashes = []   # (class, role, text)
        self._open = []     # [(tag, id or None, class)]
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag not in ("input", "meta", "link", "br"):
            self._open.append((tag, a))
            if a.get("id"):
                self.text_of[a["id"]] = ""
            if "flash" in a.get("class", "").split():
                self.flashes.append([a["class"], a.get("role"), ""])

    def handle_endtag(self, tag):
        while self._open:
            t, _ = self._open.pop()
            if t == tag:
                break

    def handle_data(self, data):
        for tag, a in self._open:
            if a.get("id"):
                self.text_of[a["id"]] += data
            if "flash" in a.get("class", "").split():
                self.flashes[-1][2] += data
            if tag == "title":
                self.title += data

    def inputs(self):
        return {a.get("id") or a.get("name"): a for t, a in self.elements if t == "input"}

    def field(self, name):
        return self.inputs()[name]

    def flash_texts(self):
        return [f[2].strip() for f in self.flashes]


class FormsTest(AuthTestCase):
    extra_env = {"AUTH_REGISTER_LIMIT_PER_IP": 1000}  # many accounts from one address
    def assert_field_error(self, page, field, text):
        """field is aria-invalid and described by an element holding text."""
        attrs = page.field(field)
        self.assertEqual(attrs.get("aria-invalid"), "true", field)
        ids = attrs.get("aria-describedby", "").split()
        self.assertIn(f"{field}-error", ids, field)
        for i in ids:
            self.assertIn(i, page.text_of, f"{field}: aria-describedby names a missing id {i}")
        self.assertEqual(page.text_of[f"{field}-error"].strip(), text)

    def test_every_field_error_at_once(self):
        c = self.client()
        r = c.submit("/register", {"username": "", "email": "not-an-email",
                                   "password": "short", "password2": "other"})
        self.assertEqual(r.status, 200)
        page = Page(r.text)
        self.assert_field_error(page, "username", "This field is required.")
        self.assert_field_error(page, "email", "Invalid email address.")
        self.assert_field_error(page, "password", "Password must be at least 8 characters.")
        self.assert_field_error(page, "password2", "Passwords do not match.")
        focused = [n for n, a in page.inputs().items() if "autofocus" in a]
        self.assertEqual(focused, ["username"], "the focus is on the first field with an error")
        self.assertEqual(page.title, "Error: Register - Microblog")
        self.assertNotIn("Field must be equal to password.", r.text)
        r = c.submit("/register", {"username": "fine", "email": "fine@example.com",
                                   "password": "short", "password2": "short"})
        page = Page(r.text)
        self.assertEqual([n for n, a in page.inputs().items() if "autofocus" in a], ["password"])
        self.assertNotIn("aria-invalid", page.field("username"))
        self.assertNotIn("aria-invalid", page.field("password2"))

    def test_a_taken_username_is_told_with_the_other_errors(self):
        self.register("tina", "tina@example.com")
        r = self.client().submit("/register", {"username": "tina", "email": "bad",
                                               "password": "short", "password2": "short"})
        page = Page(r.text)
        self.assert_field_error(page, "username", "Please use a different username.")
        self.assert_field_error(page, "email", "Invalid email address.")
        self.assert_field_error(page, "password", "Password must be at least 8 characters.")

    def test_no_square_brackets_around_errors(self):
        r = self.client().submit("/register", {"username": "", "email": "", "password": "",
                                               "password2": ""})
        page = Page(r.text)
        errors = [t for i, t in page.text_of.items() if i.endswith("-error")]
        self.assertEqual(len(errors), 4)
        for text in errors:
            self.assertFalse(text.strip().startswith("[") or text.strip().endswith("]"), text)
        for root, _, files in os.walk(os.path.join(SOURCE_DIR, "templates", "pages")):
            for f in files:
                self.assertNotIn("[{{", open(os.path.join(root, f)).read(), f)

    def test_errors_in_chinese_and_the_title(self):
        c = self.client()
        page = Page(c.submit("/register", {"username": "x", "email": "x@example.com",
                                           "password": "longenough", "password2": "other1234"})
                    .text)
        self.assertEqual(page.title, "Error: Register - Microblog")
        c.cookies["lang"] = "zh-CN"
        r = c.submit("/register", {"username": "x", "email": "x@example.com",
                                   "password": "longenough", "password2": "other1234"})
        page = Page(r.text)
        self.assertEqual(page.title, "错误：注册 - Microblog")
        self.assert_field_error(page, "password2", "两次输入的密码不一致。")
        self.assertEqual(Page(c.get("/register").text).title, "注册 - Microblog", "no error yet")

    def test_wrong_password_shows_the_form_again(self):
        self.register("wendy", "wendy@example.com")
        c = self.client()
        r = c.submit("/login", {"username": "wendy", "password": "not her password",
                                "remember_me": "y"})
        self.assert_login_refused(r)
        page = Page(r.text)
        self.assertEqual(page.text_of["form-error"], "Invalid username or password")
        self.assertEqual(page.field("username")["value"], "wendy")
        self.assertIn("checked", page.field("remember_me"))
        self.assertNotIn("value", page.field("password"), "a password is never echoed")
        self.assertIn("autofocus", page.field("password"))
        self.assertIn("form-error", page.field("password")["aria-describedby"].split())
        self.assertEqual(page.title, "Error: Sign In - Microblog")
        r = c.submit("/login", {"username": "wendy", "password": "not her password"})
        self.assertNotIn("checked", Page(r.text).field("remember_me"))
        self.assertNotIn("Invalid username or password", c.get("/login").text,
                         "an error box, not a flash left for the next page")
        _, r = self.login("wendy", GOOD, client=c)
        self.assertEqual((r.status, r.location), (302, "/"))

    def test_the_password_rule_is_shown_before_submitting(self):
        self.register("hugo", "hugo@example.com")
        self.clear_queue()
        self.request_reset("hugo@example.com")
        for path in ("/register", self.reset_link_path(self.queued_jobs()[0])):
            page = Page(self.client().get(path).text)
            self.assertIn("password-hint", page.field("password")["aria-describedby"].split())
            self.assertEqual(page.text_of["password-hint"],
                             "At least 8 characters, and not a commonly used password.", path)
            self.assertNotIn("aria-invalid", page.field("password"), path)
            self.assertFalse(page.title.startswith("Error"), path)

    def test_common_passwords_are_refused_in_any_case(self):
        common = "This password is too common. Choose one that is harder to guess."
        for password in ("iloveyou", "PassWord1", "SUNSHINE", "trustno1"):
            r = self.client().submit("/register", {"username": "ivy", "email": "ivy@example.com",
                                                   "password": password, "password2": password})
            self.assertEqual(r.status, 200, password)
            self.assert_field_error(Page(r.text), "password", common)
        self.register("ivy", "ivy@example.com", "ivy's own long phrase")
        self.clear_queue()
        self.request_reset("ivy@example.com")
        path = self.reset_link_path(self.queued_jobs()[0])
        c = self.client()
        r = c.submit(path, {"password": "Baseball", "password2": "Baseball"})
        self.assertEqual(r.status, 200)
        self.assert_field_error(Page(r.text), "password", common)
        c2 = self.client()
        c2.cookies["lang"] = "zh-CN"
        r = c2.submit(path, {"password": "football", "password2": "football"})
        self.assert_field_error(Page(r.text), "password", "这个密码太常见，请换一个别人不容易猜到的密码。")
        r = c.submit(path, {"password": "not on any list 42", "password2": "not on any list 42"})
        self.assertEqual((r.status, r.location), (302, "/login"))

    def test_new_password_form_names_the_account(self):
        self.register("nina", "nina@example.com")
        self.register("other", "other@example.com")
        self.clear_queue()
        self.request_reset("nina@example.com")
        path = self.reset_link_path(self.queued_jobs()[0])
        c = self.client()
        r = c.get(path)
        page = Page(r.text)
        self.assertIn("Choose a new password for nina.", r.text)
        user = page.field("username")
        self.assertEqual((user["type"], user["autocomplete"], user["value"]),
                         ("text", "username", "nina"))
        self.assertIn("hidden", user)
        self.assertIn("readonly", user)
        submit = [a for t, a in page.elements if t == "input" and a.get("type") == "submit"]
        self.assertEqual([a["value"] for a in submit], ["Set New Password"])
        self.assertIn("设置新密码", self.client().get(path, headers=ZH).text)
        self.assertIn("为 nina 设置新密码。", self.client().get(path, headers=ZH).text)
        # the username field is ignored: the link says whose password it is
        r = c.submit(path, {"username": "other", "password": "nina's new phrase",
                            "password2": "nina's new phrase"})
        self.assertEqual((r.status, r.location), (302, "/login"))
        self.assertEqual(self.login("nina", "nina's new phrase")[1].location, "/")
        self.assertEqual(self.login("other")[1].location, "/")

    def test_logged_out_flash_survives_to_the_login_page(self):
        self.register("lou", "lou@example.com")
        c, _ = self.login("lou")
        r = c.post("/logout", {"csrf_token": c.get("/").csrf()})
        self.assertEqual((r.status, r.location), (302, "/"))
        r = c.follow(r)
        self.assertEqual((r.status, r.location), (302, "/login?next=/"))
        page = Page(c.follow(r).text)
        self.assertEqual(page.flash_texts(), ["You have been logged out."])
        self.assertEqual(page.flashes[0][:2], ["flash flash-info", "status"])
        self.assertEqual(Page(c.get("/login").text).flashes, [], "shown once")
        zh = self.client()
        zh.cookies["lang"] = "zh-CN"
        self.login("lou", client=zh)
        r = zh.post("/logout", {"csrf_token": zh.get("/").csrf()})
        self.assertEqual(Page(zh.follow(zh.follow(r)).text).flash_texts(), ["你已退出登录。"])

    def test_login_required_flash(self):
        c = self.client()
        r = c.get("/")
        self.assertEqual((r.status, r.location), (302, "/login?next=/"))
        page = Page(c.follow(r).text)
        self.assertEqual(page.flash_texts(), ["Please log in to access this page."])
        self.assertEqual(page.flashes[0][1], "status")
        c = self.client()
        r = c.get("/", headers=ZH)
        self.assertEqual(Page(c.get(r.location, headers=ZH).text).flash_texts(),
                         ["请先登录再访问此页面。"])

    def test_a_logged_in_user_opening_a_reset_link_is_told(self):
        self.register("rex", "rex@example.com")
        self.clear_queue()
        self.request_reset("rex@example.com")
        path = self.reset_link_path(self.queued_jobs()[0])
        c, _ = self.login("rex")
        r = c.get(path)
        self.assertEqual((r.status, r.location), (302, "/"))
        page = Page(c.follow(r).text)
        self.assertEqual(page.flash_texts(),
                         ["You are signed in as rex. Log out first to use the password reset "
                          "link."])
        r = self.client().get(path)
        self.assertEqual(r.status, 200, "the link was not used up")
        c.cookies["lang"] = "zh-CN"
        self.assertEqual(Page(c.follow(c.get(path)).text).flash_texts(),
                         ["你已以 rex 的身份登录。如需使用密码重置链接，请先退出登录。"])

    def test_get_logout_is_a_page_with_the_button(self):
        self.register("gus", "gus@example.com")
        r = self.client().get("/logout")
        self.assertEqual((r.status, r.location), (302, "/login"), "logged out: nothing to do")
        c, _ = self.login("gus")
        r = c.get("/logout")
        self.assertEqual(r.status, 200)
        page = Page(r.text)
        self.assertIn("You are signed in as gus.", r.text)
        forms = [a for t, a in page.elements if t == "form" and a.get("action") == "/logout"]
        self.assertEqual([f["method"] for f in forms], ["post", "post"], "the nav's and the page's")
        self.assertEqual(c.get("/").status, 200, "a GET changes nothing")
        r = c.post("/logout", {"csrf_token": r.csrf()})
        self.assertEqual((r.status, r.location), (302, "/"))
        self.assertEqual(c.get("/").status, 302)

    def test_allow_on_every_405(self):
        c = self.client()
        cases = [("DELETE", "/login", "GET, HEAD, POST"), ("PUT", "/logout", "GET, HEAD, POST"),
                 ("POST", "/", "GET, HEAD"), ("POST", "/healthz", "GET, HEAD"),
                 ("PATCH", "/register", "GET, HEAD, POST"), ("POST", "/static/style.css", "GET, HEAD"),
                 ("OPTIONS", "/reset_password/abc", "GET, HEAD, POST"), ("POST", "/lang/en", "GET, HEAD")]
        for method, path, allow in cases:
            r = c.request(method, path, body="")
            self.assertEqual((r.status, r.header("Allow")), (405, allow), f"{method} {path}")
        r = self.metrics_client().request("POST", "/metrics", body="")
        self.assertEqual((r.status, r.header("Allow")), (405, "GET, HEAD"))
        self.assertIsNone(c.get("/login").header("Allow"), "only on a 405")

    def test_error_pages_show_the_real_session(self):
        self.register("eve", "eve@example.com")
        c, _ = self.login("eve")
        token = c.get("/").csrf()
        answers = {404: c.get("/no-such-page"), 405: c.request("PUT", "/login", body=""),
                   413: c.post("/logout", "a=" + "x" * (1 << 20)),
                   400: c.post("/logout", {"csrf_token": "x" * 43})}
        for status, r in answers.items():
            self.assertEqual(r.status, status)
            page = Page(r.text)
            nav = r.text.split("<main>")[0]
            self.assertIn('<span class="nav-user">eve</span>', nav, status)
            self.assertIn('action="/logout"', nav, status)
            self.assertNotIn('href="/login"', nav, status)
            tokens = [a["value"] for t, a in page.elements if a.get("name") == "csrf_token"]
            self.assertEqual(tokens, [token], f"{status}: the logout button works")
        self.assertEqual(c.get("/").status, 200, "still logged in")
        r = self.client().get("/no-such-page")
        self.assertIn('href="/login"', r.text.split("<main>")[0])
        self.assertNotIn("nav-user", r.text)

    def test_maxlength_on_every_input(self):
        self.register("max", "max@example.com")
        self.clear_queue()
        self.request_reset("max@example.com")
        want = {"username": "64", "email": "254", "password": "1024", "password2": "1024"}
        for path in ("/login", "/register", "/reset_password_request",
                     self.reset_link_path(self.queued_jobs()[0])):
            page = Page(self.client().get(path).text)
            typed = [a for t, a in page.elements if t == "input"
                     and a.get("type") in ("text", "email", "password")]
            self.assertTrue(typed, path)
            for a in typed:
                self.assertEqual(a.get("maxlength"), want[a["name"]], f"{path} {a['name']}")

    def test_nav_marks_the_current_page(self):
        for path, label in (("/login", "Login"), ("/register", "Register")):
            page = Page(self.client().get(path).text)
            current = [a["href"] for t, a in page.elements
                       if t == "a" and a.get("aria-current") == "page"]
            self.assertEqual(current, [path], label)
        self.register("nav", "nav@example.com")
        c, _ = self.login("nav")
        page = Page(c.get("/").text)
        self.assertEqual([a["href"] for t, a in page.elements
                          if t == "a" and a.get("aria-current") == "page"], ["/"])

    def test_error_flash_is_marked_as_an_error(self):
        c = self.client()
        r = c.get("/reset_password/not.a.token")
        page = Page(c.follow(r).text)
        self.assertEqual(page.flashes[0][:2], ["flash flash-error", "alert"])
        self.assertEqual(page.flash_texts(), ["The password reset link is invalid or has expired."])
        css = c.get("/static/style.css").text
        self.assertIn(".flash-error", css)
        self.assertIn("[aria-current=\"page\"]", css)


class RedisDownResetTest(AuthTestCase):
    def test_reset_request_keeps_the_address_and_answers_503(self):
        self.register("rudy", "rudy@example.com")
        self.redis.stop()
        for lang, message in (("en", "We cannot take reset requests right now. "
                                     "Please try again in a moment."),
                              ("zh-CN", "我们暂时无法受理密码重置请求，请稍后再试。")):
            c = self.client()
            c.cookies["lang"] = lang
            r = self.request_reset("Rudy@Example.com", client=c)
            self.assertEqual(r.status, 503, lang)
            page = Page(r.text)
            self.assertEqual(page.text_of["form-error"], message)
            email = page.field("email")
            self.assertEqual(email["value"], "Rudy@Example.com")
            self.assertIn("autofocus", email)
            self.assertIn("form-error", email["aria-describedby"].split())
            self.assertTrue(page.title.startswith("Error: " if lang == "en" else "错误："), lang)
            self.assertIsNotNone(r.csrf(), "a form that can be sent again")
        self.redis.start()


class RedisDownConfirmTest(AuthTestCase):
    extra_env = {"AUTH_REQUIRE_CONFIRMATION": "true"}

    def test_send_again_keeps_the_address_and_answers_503(self):
        c = self.client()
        page = c.get("/confirm_email_request")
        self.redis.stop()
        r = c.post("/confirm_email_request", {"email": "Rita@Example.com",
                                              "csrf_token": page.csrf()})
        self.assertEqual(r.status, 503)
        form = Page(r.text)
        self.assertEqual(form.text_of["form-error"],
                         "We cannot send mail right now. Please try again in a moment.")
        self.assertEqual(form.field("email")["value"], "Rita@Example.com")
        self.assertIn("form-error", form.field("email")["aria-describedby"].split())
        self.assertIsNotNone(r.csrf(), "a form that can be sent again")
        self.redis.start()
