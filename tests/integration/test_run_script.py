"""scripts/run, as a new user meets it: it says what it does, prints its
banner only once auth and the mailer answer /healthz, and when a port is
taken (Redis's or auth's) it names the component and its log and exits 1.
Ports and directories come from the environment (REDIS_PORT, AUTH_LISTEN,
MAILER_LISTEN, RUN_VAR_DIR, RUN_BUILD_DIR), so nothing here touches var/ or
the default ports; RUN_BUILD_DIR is the tests' own build, already built."""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import unittest
import urllib.request

from harness import BUILD_DIR, SOURCE_DIR, free_port, wait_for
from web import Client

RUN = os.path.join(SOURCE_DIR, "scripts", "run")


class RunScript:
    def __init__(self, var_dir, **env):
        self.env = dict(os.environ, RUN_VAR_DIR=var_dir, RUN_BUILD_DIR=BUILD_DIR,
                        AUTH_METRICS_LISTEN="127.0.0.1:0", LOG_LEVEL="info",
                        AUTH_ARGON2_MEMLIMIT_KIB="1024", AUTH_ARGON2_OPSLIMIT="1")
        self.env.update(env)
        for name in ("SECRET_KEY", "REDIS_URL", "DATABASE_PATH", "PUBLIC_URL",
                     "MAIL_OUTBOX_DIR", "TEMPLATES_DIR"):
            self.env.pop(name, None)
        self.out = []
        self.proc = subprocess.Popen([RUN], env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     text=True, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.out.append(line)

    def text(self):
        return "".join(self.out)

    def wait(self, timeout=300):
        try:
            code = self.proc.wait(timeout)
        finally:
            self.kill_group()
        self.reader.join(10)
        self.proc.stdout.close()
        return code

    def kill_group(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def healthy(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
        return r.status == 200


class RunScriptTest(unittest.TestCase):
    def setUp(self):
        self.var = tempfile.mkdtemp(prefix="test-run-")
        self.addCleanup(shutil.rmtree, self.var, True)
        self.auth_port, self.mailer_port = free_port(), free_port()

    def start(self, **env):
        base = {"REDIS_PORT": "0", "AUTH_LISTEN": f"127.0.0.1:{self.auth_port}",
                "MAILER_LISTEN": f"127.0.0.1:{self.mailer_port}"}
        base.update(env)
        run = RunScript(self.var, **base)
        self.addCleanup(run.kill_group)
        return run

    def taken(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
        self.addCleanup(s.close)
        return s.getsockname()[1]

    def assert_fails_naming(self, run, component, log):
        code = run.wait()
        out = run.text()
        self.assertEqual(code, 1, out)
        self.assertIn(f"run: {component} failed to start", out)
        self.assertIn(f"its log: {log}", out)
        self.assertNotIn("Microblog is running", out)

    def test_redis_port_taken(self):
        run = self.start(REDIS_PORT=str(self.taken()))
        self.assert_fails_naming(run, "redis", os.path.join(self.var, "redis", "redis.log"))

    def test_auth_port_taken(self):
        port = self.taken()
        run = self.start(AUTH_LISTEN=f"127.0.0.1:{port}")
        self.assert_fails_naming(run, "auth", os.path.join(self.var, "log", "auth.log"))
        with open(os.path.join(self.var, "log", "auth.log")) as f:
            self.assertIn(str(port), f.read(), "auth's log says which address it could not bind")

    def test_banner_only_once_both_answer_then_ctrl_c(self):
        run = self.start(REDIS_PORT=str(free_port()))
        wait_for(lambda: "Microblog is running" in run.text() or run.proc.poll() is not None,
                 timeout=300, interval=0.1, what="the banner")
        out = run.text()
        self.assertIn("Microblog is running", out, out)
        # the banner comes after both /healthz answered: both answer now
        self.assertTrue(healthy(self.auth_port))
        self.assertTrue(healthy(self.mailer_port))
        steps = [ln for ln in out.splitlines() if ln.startswith("run: ")]
        for expected in ("run: checking the packages", "run: building", "run: starting redis",
                         "run: starting auth", "run: starting mailer"):
            self.assertTrue(any(s.startswith(expected) for s in steps), (expected, steps))
        run.proc.send_signal(signal.SIGINT)
        self.assertEqual(run.wait(60), 0, run.text())
        self.assertIn("run: stopping", run.text())
        wait_for(lambda: not port_open(self.auth_port) and not port_open(self.mailer_port),
                 timeout=20, what="auth and the mailer stopped")

    def test_the_banners_one_command_prints_the_reset_link(self):
        """README's quick start: register, ask for a reset, and the banner's
        `mailctl outbox link --dir <var>/outbox` prints the link of that mail."""
        run = self.start()
        wait_for(lambda: "Microblog is running" in run.text() or run.proc.poll() is not None,
                 timeout=300, interval=0.1, what="the banner")
        m = re.search(r"^  newest mail's link: +(\S+/mailctl outbox link --dir \S+)$", run.text(),
                      re.M)
        self.assertTrue(m, run.text())
        command = shlex.split(m.group(1))
        self.assertEqual(command[-1], os.path.join(os.path.realpath(self.var), "outbox"))
        p = subprocess.run(command, capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 1, "no mail yet")
        self.assertIn("holds no message yet", p.stderr)
        client = Client(self.auth_port)
        password = "a quick start password 7"
        r = client.submit("/register", {"username": "quick", "email": "quick@example.com",
                                        "password": password, "password2": password})
        self.assertEqual(r.status, 302, r.text)
        r = client.submit("/reset_password_request", {"email": "quick@example.com"})
        self.assertEqual(r.status, 302, r.text)

        def link():
            p = subprocess.run(command, capture_output=True, text=True, timeout=30)
            return p.returncode == 0 and p.stdout

        out = wait_for(link, timeout=30, what="the reset mail in the outbox")
        base = f"http://127.0.0.1:{self.auth_port}/reset_password/"
        self.assertRegex(out, "^" + re.escape(base) + r"[A-Za-z0-9_\-.]+\n$")
        page = Client(self.auth_port).get(out.strip()[len(base) - len("/reset_password/"):])
        self.assertEqual(page.status, 200, "the link opens the new-password form")
        run.proc.send_signal(signal.SIGINT)
        self.assertEqual(run.wait(60), 0, run.text())


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    unittest.main()
