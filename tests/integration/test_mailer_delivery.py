"""mailer over a real Redis and a real SMTP server: what arrives, what is
retried, what is dead-lettered and why."""
import base64
import os
import time

from harness import PROTO_DIR, wait_for
from mailer_fixture import MailerTestCase, job


class DeliveryTest(MailerTestCase):
    def test_reset_password_job_from_auth_arrives_intact(self):
        url = "https://microblog.example/reset_password/eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln"
        self.push(job("reset-1-1732400000-ab12", to=["Susan@Example.com"],
                      subject="[Microblog] 重置您的密码 Reset Your Password",
                      template="reset_password", text=None,
                      data={"username": "susan", "reset_url": url, "app_name": "Microblog"},
                      deadline=int(time.time()) + 600))
        msg = self.wait_delivered("reset-1-1732400000-ab12")[0]
        self.assertEqual(msg.rcpt_tos, ["Susan@Example.com"])
        self.assertEqual(msg.mail_from, "no-reply@microblog.example")
        p = msg.parsed
        self.assertEqual(str(p["Subject"]), "[Microblog] 重置您的密码 Reset Your Password")
        self.assertIn("no-reply@microblog.example", str(p["From"]))
        self.assertEqual(str(p["To"]), "Susan@Example.com")
        self.assertTrue(p["Date"])
        self.assertEqual(p["MIME-Version"], "1.0")
        self.assertEqual(p.get_content_type(), "multipart/alternative")
        text, html = msg.body("plain"), msg.body("html")
        self.assertIn("Dear susan,", text)
        self.assertIn("To reset your password click on the following link:", text)
        self.assertIn(url, text)
        self.assertIn("If you have not requested a password reset simply ignore this message.", text)
        self.assertIn("The Microblog Team", text)
        self.assertIn(f'href="{url}"', html)
        for line in msg.content.split(b"\r\n"):
            self.assertLessEqual(len(line), 78)
        self.assertNotIn(b"\n", msg.content.replace(b"\r\n", b""), "CRLF line ends only")

    def test_inline_text_and_html(self):
        self.push(job("inline-text", text="Line one.\n.starts with a dot\nend"))
        self.push(job("inline-html", text=None, html="<p>Only <b>HTML</b></p>"))
        m = self.wait_delivered("inline-text")[0]
        self.assertEqual(m.parsed.get_content_type(), "text/plain")
        self.assertEqual(m.body("plain").replace("\r\n", "\n").rstrip("\n"),
                         "Line one.\n.starts with a dot\nend")
        h = self.wait_delivered("inline-html")[0]
        self.assertEqual(h.parsed.get_content_type(), "text/html")
        self.assertIn("<p>Only <b>HTML</b></p>", h.body("html"))

    def test_cc_bcc_all_receive_no_bcc_header(self):
        self.push(job("cc-bcc", to=["a@example.com"], cc=["c@example.com"],
                      bcc=["hidden@example.com"], headers={"X-Campaign": "weekly"}))
        m = self.wait_delivered("cc-bcc")[0]
        self.assertEqual(sorted(m.rcpt_tos), ["a@example.com", "c@example.com", "hidden@example.com"])
        self.assertEqual(str(m.parsed["Cc"]), "c@example.com")
        self.assertIsNone(m.parsed["Bcc"])
        self.assertNotIn(b"hidden@example.com", m.content)
        self.assertEqual(m.parsed["X-Campaign"], "weekly")

    def test_451_then_success_is_delivered_later(self):
        self.smtp.handler.data_replies.append("451 4.3.0 try again later")
        retried = self.stat("retried")
        self.push(job("transient-451"))
        self.wait_delivered("transient-451")
        self.assertGreaterEqual(self.stat("retried"), retried + 1)
        self.assertEqual(len(self.messages_for("transient-451")), 1)

    def test_550_is_dead_at_once_with_the_code(self):
        self.smtp.handler.rcpt_replies["nobody@example.com"] = "550 5.1.1 user unknown"
        self.push(job("permanent-550", to=["nobody@example.com"]))
        entry = self.dead_for("permanent-550")
        self.assertEqual(entry["error"], "smtp 550 5.1.1 user unknown")
        self.assertEqual(entry["attempts"], 1)
        self.assertIsInstance(entry["failed_at"], int)
        self.assertEqual(self.messages_for("permanent-550"), [])

    def test_partial_recipients(self):
        self.smtp.handler.rcpt_replies["gone@example.com"] = "550 5.1.1 user unknown"
        self.push(job("partial", to=["gone@example.com", "here@example.com"]))
        m = self.wait_delivered("partial")[0]
        self.assertEqual(m.rcpt_tos, ["here@example.com"])
        wait_for(lambda: 'some recipients refused id=partial refused="gone@example.com '
                         '(550 5.1.1 user unknown)"' in self.mailer.log(),
                 what="the refused recipient reported")

    def test_deadline_passed_is_expired_and_never_sent(self):
        self.push(job("too-late", deadline=int(time.time()) - 1))
        entry = self.dead_for("too-late")
        self.assertEqual(entry["error"], "expired")
        self.assertEqual(self.messages_for("too-late"), [])

    def test_not_before_delays_the_first_attempt(self):
        due = int(time.time()) + 2
        self.push(job("later", not_before=due))
        wait_for(lambda: self.redis.client().zcard("mail:retry") >= 1 or self.messages_for("later"),
                 what="the job to be scheduled")
        self.wait_delivered("later", timeout=10)
        self.assertGreaterEqual(time.time(), due)

    def test_pushed_twice_sent_once(self):
        self.push(job("twice-1"))
        self.wait_delivered("twice-1")
        self.push(job("twice-1"))
        wait_for(lambda: self.stat("duplicate") >= 1, what="the duplicate to be dropped")
        self.assertEqual(len(self.messages_for("twice-1")), 1)

    def test_every_broken_rule_is_dead_with_its_field_and_the_next_job_goes(self):
        folder = os.path.join(PROTO_DIR, "examples", "invalid")
        rows = []
        with open(os.path.join(folder, "EXPECTED.tsv")) as f:
            for line in f:
                if not line.startswith("#") and line.strip():
                    name, field, _ = line.rstrip("\n").split("\t")
                    rows.append((name, field))
        r = self.redis.client()
        before = r.llen("mail:dead")
        for name, _ in rows:
            with open(os.path.join(folder, name), "rb") as f:
                r.lpush("mail:queue", f.read())
        r.lpush("mail:queue", "\x00\xff not json at all")
        r.lpush("mail:queue", b"\xff\xfe binary \x80 junk")
        self.push(job("after-poison"))
        self.wait_delivered("after-poison")
        wait_for(lambda: r.llen("mail:dead") >= before + len(rows) + 2, what="all dead letters")
        binary = [e for e in self.dead() if "raw_base64" in e]
        self.assertEqual(len(binary), 1)
        self.assertEqual(base64.b64decode(binary[0]["raw_base64"]), b"\xff\xfe binary \x80 junk")
        self.assertTrue(binary[0]["error"].startswith("invalid: not JSON"))
        errors = [e["error"] for e in self.dead()]
        for name, field in rows:
            want = f"invalid: {field}: " if field else "invalid: "
            self.assertTrue(any(e.startswith(want) for e in errors), f"{name}: no '{want}' in dead")


class TemplateErrorTest(MailerTestCase):
    def test_missing_template_or_variable_is_a_clear_dead_letter(self):
        self.push(job("no-such-template", text=None, template="no_such_template"))
        self.push(job("no-var", text=None, template="reset_password", data={"username": "x"}))
        e1 = self.dead_for("no-such-template")
        self.assertIn("unknown template no_such_template", e1["error"])
        e2 = self.dead_for("no-var")
        self.assertIn("missing variable: reset_url", e2["error"])


class SuppressSendTest(MailerTestCase):
    extra_env = {"MAIL_SUPPRESS_SEND": "yes"}

    def test_rendered_and_logged_but_not_sent(self):
        self.push(job("quiet-1", text=None, template="reset_password",
                      data={"username": "s", "reset_url": "http://x/reset_password/t"}))
        wait_for(lambda: self.stat("sent") == 1, what="the job counted as done")
        self.assertIn("suppressed id=quiet-1", self.mailer.log())
        self.assertEqual(self.smtp.messages, [])


class DefaultSenderTest(MailerTestCase):
    extra_env = {"MAIL_DEFAULT_SENDER": "", "MAIL_USERNAME": "robot@microblog.example"}

    def test_username_is_the_sender_when_no_default(self):
        self.push(job("sender-1"))
        m = self.wait_delivered("sender-1")[0]
        self.assertEqual(m.mail_from, "robot@microblog.example")
        self.assertEqual(str(m.parsed["From"]), "robot@microblog.example")
