"""Shared fixtures for the integration tests: real processes, real sockets,
ports chosen by the OS, waiting by bounded polling (never a bare sleep).

    redis = RedisServer(); redis.start()        # private redis-server in a temp dir
    auth = Service("auth", env={...}); auth.start()   # waits for its "listening" line
    wait_for(lambda: redis.client().llen("mail:queue") == 1, what="job queued")

Everything started here is stopped by stop()/cleanup, and registered with
atexit as a last resort, so no process is left behind.
"""
import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import redis as redis_py  # Debian's python3-redis

SOURCE_DIR = os.environ.get("SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD_DIR = os.environ.get("BUILD_DIR", os.path.join(SOURCE_DIR, "build", "plain"))
TEMPLATES_DIR = os.path.join(SOURCE_DIR, "templates")
PROTO_DIR = os.path.join(SOURCE_DIR, "proto")
SECRET_KEY = "test-secret-key-0123456789abcdef-0123456789abcdef"

_live = []


def _cleanup_all():
    for proc in list(_live):
        try:
            proc.kill()
        except Exception:
            pass


atexit.register(_cleanup_all)


def binary(name):
    """Path of a built program: BUILD_DIR/services/<name>/<name>."""
    path = os.path.join(BUILD_DIR, "services", name, name)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} not built")
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=10.0, interval=0.02, what="condition"):
    """Polls predicate until it returns a truthy value, which is returned.
    Raises AssertionError naming `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # the thing polled may not be up yet
            last_exc = exc
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}"
                                 + (f" (last error: {last_exc!r})" if last_exc else ""))
        time.sleep(interval)


class RedisServer:
    """A private redis-server on a free loopback port and a unix socket."""

    def __init__(self, port=None, persistent=False):
        self.persistent = persistent  # append-only file, fsync always: survives a restart
        self.dir = tempfile.mkdtemp(prefix="test-redis-")
        self.port = port or free_port()
        self.socket_path = os.path.join(self.dir, "redis.sock")
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def unix_url(self):
        return f"unix://{self.socket_path}"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
             "--unixsocket", self.socket_path, "--unixsocketperm", "700",
             "--save", "", "--appendonly", "yes" if self.persistent else "no",
             "--appendfsync", "always", "--dir", self.dir,
             "--logfile", os.path.join(self.dir, "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _live.append(self.proc)
        wait_for(lambda: self.client().ping(), timeout=10, what="redis-server to answer PING")
        return self

    def client(self, socket_timeout=5):
        return redis_py.Redis(host="127.0.0.1", port=self.port, decode_responses=True,
                              socket_timeout=socket_timeout)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc in _live:
            _live.remove(self.proc)
        self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


LISTEN_RE = re.compile(r"listening addr=(\S+):(\d+)")
METRICS_LISTEN_RE = re.compile(r"metrics_addr=(\S+):(\d+)")


class Service:
    """One of our programs, run with a given environment; stderr is kept in a
    log file. start() waits for its `listening addr=HOST:PORT` log line when
    wait_listen is true (ports are chosen by the OS: pass ...=127.0.0.1:0)."""

    def __init__(self, name, env, args=(), wait_listen=True):
        self.name = name
        self.env = dict(os.environ)
        self.env.update({"TEMPLATES_DIR": TEMPLATES_DIR, "LOG_LEVEL": "debug"})
        self.env.update(env)
        self.args = list(args)
        self.wait_listen = wait_listen
        self.log_dir = tempfile.mkdtemp(prefix=f"test-{name}-")
        self.log_path = os.path.join(self.log_dir, f"{name}.log")
        self.proc = None
        self.port = None
        self.metrics_port = None  # auth's AUTH_METRICS_LISTEN, when it logs one

    def start(self, timeout=20):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([binary(self.name)] + self.args, env=self.env,
                                     stdout=self._log, stderr=self._log)
        _live.append(self.proc)
        if self.wait_listen:
            def bound():
                if self.proc.poll() is not None:
                    raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
                m = LISTEN_RE.search(self.log())
                return m and int(m.group(2))
            try:
                self.port = wait_for(bound, timeout=timeout, what=f"{self.name} to listen")
            except AssertionError:
                print(self.log())
                raise
            m = METRICS_LISTEN_RE.search(self.log())
            self.metrics_port = m and int(m.group(2))
        return self

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Sends sig and returns the exit status (negative: killed by a signal)."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc in _live:
            _live.remove(self.proc)
        self._log.close()
        code = self.proc.returncode
        report = self.sanitizer_report()
        if report:
            raise AssertionError(f"{self.name} reported a sanitizer error:\n{report}")
        return code

    def sanitizer_report(self):
        """The AddressSanitizer/UBSan part of the log, or "" when clean."""
        text = self.log()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            at = text.find(marker)
            if at >= 0:
                return text[max(0, at - 200):at + 4000]
        return ""

    def kill(self):
        return self.stop(signal.SIGKILL)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.log_dir, ignore_errors=True)
