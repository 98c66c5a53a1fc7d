"""Mails in the reader's language, end to end: auth writes the account's
language (else the request's) into the job (`locale`), the mailer renders templates/email/zh/ for
zh-CN over a real Redis and the SMTP fixture, and the fallback chain
email/<locale>/ -> email/<language>/ -> email/ holds."""
import os
import re
import shutil
import tempfile

from auth_fixture import PUBLIC_URL, auth_env
from harness import TEMPLATES_DIR, Service, wait_for
from mailer_fixture import MailerTestCase, job
from web import Client


class ZhResetMailTest(MailerTestCase):
    """auth and a mailer on one Redis: a reset asked for in Chinese arrives in Chinese."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="test-mail-lang-")
        cls.auth = Service("auth", auth_env(cls.redis.url, os.path.join(cls.tmp, "app.db"),
                                            RESET_TOKEN_TTL="900")).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.auth.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()
        assert code == 0, f"auth exited with {code}"

    def client(self, lang=None):
        c = Client(self.auth.port)
        if lang:
            c.cookies["lang"] = lang
        return c

    def register(self, c, username, email, password="correct horse battery"):
        r = c.submit("/register", {"username": username, "email": email,
                                   "password": password, "password2": password})
        self.assertEqual(r.status, 302, r.text)

    def deliveries(self, fn):
        """The messages delivered because of what fn did."""
        before = len(self.smtp.messages)
        fn()
        wait_for(lambda: len(self.smtp.messages) > before, what="a delivery")
        return self.smtp.messages[before:]

    def test_reset_in_chinese_then_the_notice_in_chinese(self):
        c = self.client("zh-CN")
        self.register(c, "lihua", "lihua@example.com")
        msgs = self.deliveries(lambda: c.submit("/reset_password_request",
                                             {"email": "lihua@example.com"}))
        m = msgs[0]
        self.assertEqual(str(m.parsed["Subject"]), "[Microblog] 重置你的密码")
        text, html = m.body("plain"), m.body("html")
        self.assertIn("lihua，你好：", text)
        self.assertIn("只能使用一次", text)
        self.assertIn("15 分钟后失效", text, "RESET_TOKEN_TTL=900 is 15 minutes")
        self.assertIn("如果你没有请求重置密码，请忽略这封邮件", text)
        url = re.search(r"https://\S+/reset_password/\S+", text).group(0)
        self.assertTrue(url.startswith(PUBLIC_URL + "/reset_password/"))
        self.assertIn('<html lang="zh-CN">', html)
        self.assertIn('<meta charset="utf-8">', html)
        self.assertIn(f'href="{url}"', html)
        self.assertIn("设置新密码</a>", html)
        self.assertIn("word-break:break-all", html)
        self.assertIn("只能使用一次，并在发出 15 分钟后失效", html)
        # the link opens the new-password form in Chinese, and the notice comes in Chinese
        c2 = self.client("zh-CN")
        path = url[len(PUBLIC_URL):]
        page = c2.get(path)
        self.assertIn('<html lang="zh-CN">', page.text)
        self.assertIn("<h1>重置你的密码</h1>", page.text)
        msgs = self.deliveries(lambda: c2.submit(path, {"password": "a new long password",
                                                     "password2": "a new long password"}))
        n = msgs[0]
        self.assertEqual(str(n.parsed["Subject"]), "[Microblog] 你的密码已更改")
        self.assertIn("账户密码刚刚被更改", n.body("plain"))
        self.assertIn('<html lang="zh-CN">', n.body("html"))

    def test_job_carries_the_account_language(self):
        """Each account keeps the language it registered in: a reset asked for
        from a browser in the other language still arrives in the account's."""
        r = self.redis.client()
        self.register(self.client("zh-CN"), "wang", "wang@example.com")
        self.register(self.client("en"), "smith", "smith@example.com")
        got = []
        for email, header in (("wang@example.com", "en-US,en;q=0.9"),
                              ("smith@example.com", "zh-CN,zh;q=0.9")):
            c2 = self.client()
            page = c2.get("/reset_password_request", headers={"Accept-Language": header})
            before = len(self.smtp.messages)
            c2.post("/reset_password_request", {"email": email, "csrf_token": page.csrf()},
                    headers={"Accept-Language": header})
            wait_for(lambda: len(self.smtp.messages) > before, what="the delivery")
            got.append(self.smtp.messages[-1])
        self.assertEqual(str(got[0].parsed["Subject"]), "[Microblog] 重置你的密码")
        self.assertIn("wang，你好：", got[0].body("plain"))
        self.assertEqual(str(got[1].parsed["Subject"]), "[Microblog] Reset Your Password")
        en_text, en_html = got[1].body("plain"), got[1].body("html")
        self.assertIn("Dear smith,", en_text)
        self.assertIn("It works once, and only for 15 minutes after this message was sent",
                      en_text)
        self.assertIn("To reset your password click on the following link:", en_text)
        self.assertIn('<html lang="en">', en_html)
        self.assertIn('<meta charset="utf-8">', en_html)
        self.assertIn("Choose a new password</a>", en_html)
        self.assertIn("The link works once, and only for 15 minutes", en_html)
        self.assertIn("word-break:break-all", en_html)
        self.assertEqual(r.llen("mail:dead"), 0)


class FallbackChainTest(MailerTestCase):
    """email/<locale>/ first, then email/<language>/, then email/."""

    @classmethod
    def setUpClass(cls):
        cls.tdir = tempfile.mkdtemp(prefix="test-templates-")
        shutil.copytree(TEMPLATES_DIR, os.path.join(cls.tdir, "templates"))
        cls.templates = os.path.join(cls.tdir, "templates")
        zh_cn = os.path.join(cls.templates, "email", "zh-CN")
        os.makedirs(zh_cn)
        with open(os.path.join(zh_cn, "reset_password.txt"), "w") as f:
            f.write("zh-CN directory for {{{username}}}\n")
        cls.extra_env = {"TEMPLATES_DIR": cls.templates}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.tdir, ignore_errors=True)

    def send(self, job_id, locale):
        self.push(job(job_id, text=None, template="reset_password", locale=locale,
                      data={"username": "lihua", "reset_url": "https://x.example/r/t",
                            "app_name": "Microblog"}))
        return self.wait_delivered(job_id)[0]

    def test_chain(self):
        m = self.send("exact", "zh-CN")
        self.assertEqual(m.body("plain").strip(), "zh-CN directory for lihua")
        self.assertIsNone(m.body("html"), "both parts come from one directory")
        self.assertIn("zh-CN directory", self.send("any-case", "zh-cn").body("plain"))
        for job_id, locale in (("language", "zh-TW"), ("bare", "zh"), ("script", "zh-Hans")):
            m = self.send(job_id, locale)
            self.assertIn("lihua，你好：", m.body("plain"), locale)
            self.assertIn('<html lang="zh-CN">', m.body("html"), locale)
        for job_id, locale in (("french", "fr-FR"), ("english", "en"), ("none", None)):
            m = self.send(job_id, locale)
            self.assertIn("Dear lihua,", m.body("plain"), locale)
        self.assertEqual([e for e in self.dead() if e["job"].get("id") != "bad-locale"], [])

    def test_bad_locale_is_dead_lettered_with_the_field(self):
        self.push(job("bad-locale", text=None, template="reset_password", locale="../zh",
                      data={"username": "x", "reset_url": "u"}))
        e = self.dead_for("bad-locale")
        self.assertTrue(e["error"].startswith("invalid: locale: "), e["error"])


class ConfirmationMailsTest(MailerTestCase):
    """confirm_email and account_exists, each in en and zh: both parts say what
    the link does, that it works once and for how long; the raw URL wraps."""

    def send(self, job_id, template, locale, **data):
        data.update(username="lihua", app_name="Microblog")
        self.push(job(job_id, text=None, template=template, locale=locale, data=data))
        m = self.wait_delivered(job_id)[0]
        return m.body("plain"), m.body("html")

    def test_confirm_email(self):
        url = "https://x.example/confirm_email/" + "t" * 200
        rows = (("en-hours", "en", {"valid_hours": 24, "valid_minutes": 1440},
                 ["Dear lihua,", url, "It works once, and only for 24 hours after this message"
                  " was sent", "nobody can use the account"],
                 ['<html lang="en">', "Confirm my address</a>", "The link works once, and only "
                  "for 24 hours", "word-break:break-all"]),
                ("en-minutes", "en", {"valid_minutes": 5},
                 ["It works once, and only for 5 minutes after this message was sent"],
                 ["only for 5 minutes"]),
                ("zh-hours", "zh-CN", {"valid_hours": 24, "valid_minutes": 1440},
                 ["lihua，你好：", url, "只能使用一次，并在发出 24 小时后失效"],
                 ['<html lang="zh-CN">', "确认我的地址</a>", "发出 24 小时后失效"]))
        for job_id, locale, data, in_text, in_html in rows:
            text, html = self.send(job_id, "confirm_email", locale, confirm_url=url, **data)
            for s in in_text:
                self.assertIn(s, text, job_id)
            for s in in_html:
                self.assertIn(s, html, job_id)

    def test_account_exists(self):
        links = {"login_url": "https://x.example/login",
                 "reset_request_url": "https://x.example/reset_password_request"}
        text, html = self.send("exists-en", "account_exists", "en", **links)
        self.assertIn("tried to register a new Microblog account with this email address", text)
        self.assertIn("with the username lihua", text)
        self.assertIn(links["login_url"], text)
        self.assertIn(links["reset_request_url"], text)
        self.assertIn("a link that works once", text)
        self.assertIn('href="https://x.example/reset_password_request"', html)
        text, html = self.send("exists-zh", "account_exists", "zh-CN", **links)
        self.assertIn("尝试用这个电子邮件地址注册新的 Microblog 账户", text)
        self.assertIn("只能使用一次的链接", text)
        self.assertIn('<html lang="zh-CN">', html)
        self.assertEqual(self.dead(), [])
