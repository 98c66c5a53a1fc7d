"""auth in two languages over real HTTP: zh-CN by the lang cookie, by
Accept-Language, English by default; <html lang> on every page; the switch
sets the cookie and goes back to a local path only; every text the templates
and the code mark for translation has a zh-CN entry."""
import os
import re

from auth_fixture import AuthTestCase
from harness import SOURCE_DIR

HTML_LANG = re.compile(r'<html lang="([^"]+)">')
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
PAGES = ["/login", "/register", "/reset_password_request", "/reset_password/bad.token.here",
         "/no-such-page"]


def po_msgids(path):
    ids = {}
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r'^msgid "(.*)"\nmsgstr "(.*)"$', text, re.M):
        ids[m.group(1)] = m.group(2)
    return ids


class LangTest(AuthTestCase):
    def test_english_by_default_on_every_page(self):
        c = self.client()
        for path in PAGES:
            r = c.get(path)
            if r.status == 302:
                r = c.follow(r)
            self.assertEqual(HTML_LANG.search(r.text).group(1), "en", path)
            self.assertNotIn("登录", r.text.split("<main>")[1], path)
        r = c.get("/login")
        self.assertIn("<h1>Sign In</h1>", r.text)
        self.assertIn("<title>Sign In - Microblog</title>", r.text)

    def test_accept_language_gives_chinese_pages(self):
        c = self.client()
        r = c.get("/login", headers=ZH)
        self.assertEqual(HTML_LANG.search(r.text).group(1), "zh-CN")
        self.assertIn("<h1>登录</h1>", r.text)
        self.assertIn("<title>登录 - Microblog</title>", r.text)
        self.assertIn("记住我", r.text)
        self.assertIn("忘记密码？", r.text)
        self.assertIn('<a href="/reset_password_request">点击重置</a>', r.text)
        r = c.get("/no-such-page", headers=ZH)
        self.assertEqual(r.status, 404)
        self.assertIn("页面不存在", r.text)
        self.assertIn("此地址没有页面。", r.text)
        self.assertEqual(HTML_LANG.search(self.client().get(
            "/login", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"}).text).group(1), "en")
        self.assertEqual(HTML_LANG.search(self.client().get(
            "/login", headers={"Accept-Language": "fr, de;q=0.5"}).text).group(1), "en")

    def test_cookie_wins_over_accept_language(self):
        c = self.client()
        c.cookies["lang"] = "zh-CN"
        for path in PAGES:
            r = c.get(path, headers={"Accept-Language": "en"})
            if r.status == 302:
                r = c.follow(r)
            self.assertEqual(HTML_LANG.search(r.text).group(1), "zh-CN", path)
        c.cookies["lang"] = "en"
        r = c.get("/login", headers=ZH)
        self.assertEqual(HTML_LANG.search(r.text).group(1), "en")
        c.cookies["lang"] = "klingon"
        r = c.get("/login", headers=ZH)
        self.assertEqual(HTML_LANG.search(r.text).group(1), "zh-CN", "a bad cookie is ignored")

    def test_switch_sets_cookie_and_returns_to_a_local_path(self):
        c = self.client()
        page = c.get("/register")
        self.assertIn('href="/lang/zh-CN?next=/register"', page.text)
        self.assertIn('href="/lang/en?next=/register" hreflang="en" lang="en" aria-current="true"',
                      page.text)
        r = c.get("/lang/zh-CN?next=/register")
        self.assertEqual(r.status, 302)
        self.assertEqual(r.location, "/register")
        cookie = r.header("Set-Cookie")
        self.assertIn("lang=zh-CN; Path=/; Max-Age=31536000; SameSite=Lax", cookie)
        self.assertIn("<h1>注册</h1>", c.follow(r).text)
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil.example", "/%09/evil"]:
            r = c.get("/lang/en?next=" + bad)
            self.assertEqual(r.location, "/", bad)
        self.assertEqual(c.get("/lang/en").location, "/")
        self.assertEqual(c.get("/lang/fr?next=/login").status, 404)
        self.assertEqual(c.get("/lang/zh-CN/x").status, 404)
        self.assertEqual(c.cookies["lang"], "en")

    def test_flash_form_errors_and_greeting_in_chinese(self):
        self.register("lihua", "lihua@example.com")
        c = self.client()
        c.cookies["lang"] = "zh-CN"
        r = c.submit("/register", {"username": "lihua", "email": "not-an-email",
                                   "password": "short", "password2": "other"})
        self.assertEqual(r.status, 200)
        self.assertIn("电子邮件地址无效。", r.text)
        self.assertIn("密码至少需要 8 个字符。", r.text)
        self.assertIn("两次输入的密码不一致。", r.text)
        r = c.submit("/register", {"username": "lihua", "email": "new@example.com",
                                   "password": "longenough", "password2": "longenough"})
        self.assertIn("请使用其他用户名。", r.text)
        c, r = self.login("lihua", "wrong password", client=c)
        self.assertEqual(r.status, 200)
        self.assertIn("用户名或密码无效", r.text)
        c, r = self.login("lihua", client=c)
        page = c.get("/")
        self.assertIn("<h1>你好，lihua！</h1>", page.text)
        self.assertIn("你已登录 Microblog。", page.text)
        self.assertIn("退出登录", page.text)
        c2 = self.client()
        c2.cookies["lang"] = "zh-CN"
        r = self.request_reset("nobody@example.com", client=c2)
        self.assertIn("请查看你的电子邮件，按照说明重置密码", c2.follow(r).text)

    def test_every_marked_text_has_a_translation(self):
        ids = po_msgids(os.path.join(SOURCE_DIR, "templates", "locale", "zh_CN.po"))
        marked = set()
        pages = os.path.join(SOURCE_DIR, "templates", "pages")
        for root, _, files in os.walk(pages):
            for f in files:
                marked |= set(re.findall(r"\{\{_ ([^}]+)\}\}", open(os.path.join(root, f)).read()))
        self.assertGreater(len(marked), 15)
        for msgid in sorted(marked):
            self.assertTrue(ids.get(msgid.strip()), f"no zh-CN text for {msgid!r}")
        # texts the C code passes to pages, flashes and errors
        src = os.path.join(SOURCE_DIR, "services", "auth")
        code = "".join(open(os.path.join(src, f)).read() for f in os.listdir(src)
                       if f.endswith(".c"))
        code = re.sub(r'"\s*\n\s*"', "", code)  # join split literals
        code = re.sub(r'\\\n\s*', " ", code)  # join continued #define lines
        calls = re.findall(r'(?:(?:response|early)_error\(rq, \d+, |field_errors_add\(errors, "\w+", '
                           r'|request_text\(rq, |flash_out = |#define \w+_(?:FLASH|TEXT)\s+)"([^"]+)"(?:,\s*"([^"]+)")?', code)
        self.assertGreater(len(calls), 20)
        for a, b in calls:
            for msgid in (a, b):
                if msgid:
                    self.assertTrue(ids.get(msgid), f"no zh-CN text for {msgid!r}")
