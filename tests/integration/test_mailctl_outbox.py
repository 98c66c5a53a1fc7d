"""The development outbox read with mailctl (issue 11): a real redis-server and
a real mailer with MAIL_OUTBOX_DIR (which replaces SMTP) write <id>.eml and its
readable copy <id>.txt; `mailctl outbox list|show|link` read them — the newest,
by id, an unknown id, an empty or missing directory, hostile text escaped, and
a Chinese message whose .eml is quoted-printable with an RFC 2047 subject while
its .txt is plain UTF-8."""
import email
import email.policy
import email.utils
import json
import os
import subprocess
import tempfile
import unittest

from harness import RedisServer, Service, binary, wait_for
from mailer_fixture import SENDER, mailer_env

CN_SUBJECT = "[Microblog] 重置你的密码"
CN_BODY = ("李华，你好：\n\n我们收到了重置你的账户密码的请求。" * 6 +
           "\n\n行首的点：\n.\n等号 = 与制表符\t都在。\n")
HOSTILE_SUBJECT = "hi\x1b[2J\x1b]0;pwned\x07 there\t\x9b31m\x7f"
HOSTILE_BODY = "line one\x1b[31m red\rover\x08\x01x\nsecond\x9b1m line\n"


def raw_controls(text, allowed="\n"):
    return [c for c in text if (ord(c) < 0x20 and c not in allowed) or 0x7f <= ord(c) <= 0x9f]


class MailctlOutboxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = RedisServer().start()
        cls.outbox = tempfile.mkdtemp(prefix="test-outbox-ctl-")
        # MAIL_OUTBOX_DIR replaces SMTP: the port is never used
        cls.mailer = Service("mailer", mailer_env(cls.redis.url, 1,
                                                  MAIL_OUTBOX_DIR=cls.outbox)).start()

    @classmethod
    def tearDownClass(cls):
        status = cls.mailer.stop()
        cls.redis.cleanup()
        assert status == 0, cls.mailer.log()

    def ctl(self, *args, env=None):
        full = {k: v for k, v in os.environ.items() if k != "MAIL_OUTBOX_DIR"}
        full["MAIL_OUTBOX_DIR"] = self.outbox
        full.update(env or {})
        p = subprocess.run([binary("mailctl"), "outbox", *args], env=full, capture_output=True,
                           timeout=30)
        return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")

    def deliver(self, job):
        """Pushes a job and waits until its .eml (written after its .txt) is there."""
        job = {"v": 1, "to": ["susan@example.com"], **job}
        self.redis.client().lpush("mail:queue", json.dumps(job))
        eml = os.path.join(self.outbox, job["id"] + ".eml")
        wait_for(lambda: os.path.exists(eml), what=f"{job['id']}.eml in the outbox")
        with open(os.path.join(self.outbox, job["id"] + ".txt"), encoding="utf-8") as f:
            return f.read()

    def test_a_chinese_message_is_plain_utf8_in_its_txt(self):
        txt = self.deliver({"id": "cn-qp-1", "subject": CN_SUBJECT, "text": CN_BODY,
                            "html": "<p>你好</p>"})
        with open(os.path.join(self.outbox, "cn-qp-1.eml"), "rb") as f:
            raw = f.read()
        self.assertIn(b"Subject: =?UTF-8?B?", raw, "the .eml carries RFC 2047 words")
        self.assertIn(b"Content-Transfer-Encoding: quoted-printable", raw)
        self.assertIn(b"=E6=9D=8E=E5=8D=8E", raw, "李华, quoted-printable in the .eml")
        self.assertNotIn(CN_SUBJECT.encode(), raw)
        head, body = txt.split("\n\n", 1)
        self.assertEqual(head.splitlines(), [
            f"From: {SENDER}", "To: susan@example.com", f"Subject: {CN_SUBJECT}",
            head.splitlines()[3]])
        self.assertRegex(head.splitlines()[3], r"^Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$")
        self.assertEqual(body, CN_BODY)
        # the .txt says what a mail reader decodes from the .eml
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(str(msg["Subject"]), CN_SUBJECT)
        self.assertEqual(email.utils.parsedate_to_datetime(head.splitlines()[3][6:]),
                         msg["Date"].datetime)
        decoded = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
        self.assertEqual(decoded.rstrip("\n"), CN_BODY.rstrip("\n"))
        code, out, err = self.ctl("show", "cn-qp-1")
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(out, txt, "printed as written: LF and TAB kept")
        log = [l for l in self.mailer.log().splitlines()
               if "outbox" in l and "id=cn-qp-1" in l]
        self.assertEqual(len(log), 1, self.mailer.log())
        self.assertIn(f"file={self.outbox}/cn-qp-1.eml", log[0])
        self.assertIn(f"text={self.outbox}/cn-qp-1.txt", log[0])

    def test_latest_by_id_list_and_link_of_a_zh_reset_mail(self):
        url = "http://127.0.0.1:8080/reset_password/eyJhbGciOi.eyJyZXNldF9w.c2lnbmF0dXJl"
        self.deliver({"id": "older-1", "subject": "first", "text": "the first\n"})
        self.deliver({"id": "reset-zh-2", "subject": CN_SUBJECT, "template": "reset_password",
                      "locale": "zh-CN", "data": {"username": "李华", "reset_url": url,
                                                  "valid_minutes": 10}})
        code, out, _ = self.ctl("show", "latest")
        self.assertEqual(code, 0)
        self.assertIn(f"Subject: {CN_SUBJECT}\n", out)
        self.assertIn("李华，你好：", out)
        self.assertIn("\n" + url + "\n", out)
        self.assertEqual(self.ctl("show")[1], out, "no id: the newest")
        code, out, _ = self.ctl("show", "older-1", "--dir", self.outbox, env={"MAIL_OUTBOX_DIR": ""})
        self.assertEqual(code, 0)
        self.assertTrue(out.endswith("\n\nthe first\n"), out)
        self.assertEqual(self.ctl("link", "latest"), (0, url + "\n", ""))
        self.assertEqual(self.ctl("link", "older-1")[0], 1, "no link in it")
        code, out, _ = self.ctl("list")
        self.assertEqual(code, 0)
        lines = out.splitlines()
        self.assertGreaterEqual(len(lines), 2)
        self.assertEqual(lines[0].split("\t")[0], "reset-zh-2", "newest first")
        self.assertEqual(lines[0].split("\t")[2:], ["susan@example.com", CN_SUBJECT])
        self.assertRegex(lines[0].split("\t")[1], r"^\w{3}, \d\d \w{3} \d{4} ")
        self.assertEqual(lines[1].split("\t")[0], "older-1")
        self.assertEqual(self.ctl("list", "--limit", "1")[1], lines[0] + "\n")

    def test_unknown_and_unsafe_ids(self):
        self.deliver({"id": "known-1", "subject": "s", "text": "x"})
        code, out, err = self.ctl("show", "nope-404")
        self.assertEqual((code, out), (1, ""))
        self.assertIn("no message with id nope-404", err)
        for bad in ("../etc/passwd", "a/b", "", "x" * 129, "evil\x1b[2J"):
            with self.subTest(bad=bad):
                code, out, err = self.ctl("show", bad)
                self.assertEqual((code, out), (2, ""), err)
                self.assertIn("is not a job id", err)
                self.assertEqual(raw_controls(err), [])
        self.assertEqual(self.ctl("frobnicate")[0], 2)
        self.assertEqual(self.ctl("show", "a", "b")[0], 2)
        self.assertEqual(self.ctl("list", "--limit", "0")[0], 2)

    def test_ids_with_dots_and_colons_stay_in_the_directory(self):
        for job_id in ("..", ".hidden:1", "a.txt"):
            with self.subTest(job_id=job_id):
                self.deliver({"id": job_id, "subject": job_id, "text": "body of " + job_id})
                code, out, _ = self.ctl("show", job_id)
                self.assertEqual(code, 0)
                self.assertTrue(out.endswith("\n\nbody of " + job_id + "\n"), out)
        names = set(os.listdir(self.outbox))
        self.assertTrue({"...eml", "...txt", ".hidden:1.txt", "a.txt.txt"} <= names, names)
        self.assertEqual([n for n in names if n.endswith(".tmp")], [])

    def test_hostile_subject_and_body_are_escaped(self):
        self.deliver({"id": "hostile-1", "subject": HOSTILE_SUBJECT, "text": HOSTILE_BODY})
        code, out, _ = self.ctl("show", "hostile-1")
        self.assertEqual(code, 0)
        self.assertEqual(raw_controls(out, "\n\t"), [])
        self.assertIn("Subject: hi\\x1b[2J\\x1b]0;pwned\\x07 there\t\\xc2\\x9b31m\\x7f\n", out)
        self.assertIn("\n\nline one\\x1b[31m red\\rover\\x08\\x01x\nsecond\\xc2\\x9b1m line\n",
                      out)
        code, out, _ = self.ctl("list")
        self.assertEqual(code, 0)
        self.assertEqual(raw_controls(out, "\n\t"), [])
        line = [l for l in out.splitlines() if l.startswith("hostile-1\t")]
        self.assertEqual(len(line), 1, out)
        self.assertEqual(line[0].count("\t"), 3, "the subject's tab is escaped in a list")
        self.assertTrue(line[0].endswith("\\x1b[2J\\x1b]0;pwned\\x07 there\\t\\xc2\\x9b31m\\x7f"))

    def test_empty_missing_and_unset_directories(self):
        empty = tempfile.mkdtemp(prefix="test-outbox-empty-")
        with open(os.path.join(empty, ".x.txt.tmp"), "w") as f:
            f.write("a temporary file is not a message")
        for sub in ("show", "link", "list"):
            with self.subTest(sub=sub):
                code, out, err = self.ctl(sub, "--dir", empty)
                self.assertEqual((code, out), (1, ""))
                self.assertIn("holds no message yet", err)
        code, _, err = self.ctl("show", "--dir", os.path.join(empty, "missing"))
        self.assertEqual(code, 2)
        self.assertIn("No such file or directory", err)
        code, _, err = self.ctl("show", "latest", env={"MAIL_OUTBOX_DIR": ""})
        self.assertEqual(code, 2)
        self.assertIn("set MAIL_OUTBOX_DIR or pass --dir", err)

    def test_help_needs_no_redis(self):
        p = subprocess.run([binary("mailctl"), "outbox", "--help"], capture_output=True,
                           text=True, timeout=30, env=dict(os.environ, REDIS_URL="bogus"))
        self.assertEqual(p.returncode, 0)
        self.assertIn("Usage: mailctl outbox", p.stdout)
        self.assertIn("MAIL_OUTBOX_DIR", subprocess.run(
            [binary("mailctl"), "--help"], capture_output=True, text=True, timeout=30).stdout)


if __name__ == "__main__":
    unittest.main()
