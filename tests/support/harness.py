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
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
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


def run_together(n, prepare, fire, timeout=120):
    """prepare(i) in each of n threads, then fire(i, prepared) in all of them at
    the same moment (a barrier). Returns fire's results in order; None where a
    thread raised or did not finish within timeout."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def one(i):
        state = prepare(i)
        barrier.wait(30)
        results[i] = fire(i, state)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


class _Daemon:
    """A server process of ours in its temp dir self.dir: stop by pid, restart, clean up."""
    stop_signal = signal.SIGTERM

    def stop(self, sig=None):
        """Sends sig (default: the server's orderly shutdown) and waits for the exit."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig or self.stop_signal)
            try:
                self.proc.wait(30)
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


class RedisServer(_Daemon):
    """A private redis-server on a free loopback port and a unix socket."""

    def __init__(self, port=None, persistent=False, extra_args=()):
        self.persistent = persistent  # append-only file, fsync always: survives a restart
        self.extra_args = list(extra_args)  # e.g. ["--replicaof", "127.0.0.1", "6379"]
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
             "--logfile", os.path.join(self.dir, "redis.log")] + self.extra_args,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _live.append(self.proc)
        wait_for(lambda: self.client().ping(), timeout=10, what="redis-server to answer PING")
        return self

    def client(self, socket_timeout=5):
        return redis_py.Redis(host="127.0.0.1", port=self.port, decode_responses=True,
                              socket_timeout=socket_timeout)



class RedisSentinelGroup:
    """A Redis master, one replica and three sentinels (quorum 2) watching it
    under the name `mymaster`, all private, on free loopback ports. A master
    is judged down after down_after_ms without an answer."""
    MASTER = "mymaster"

    def __init__(self, down_after_ms=1000):
        self.master = RedisServer().start()
        self.replica = RedisServer(extra_args=["--replicaof", "127.0.0.1",
                                               str(self.master.port)]).start()
        self.sentinels = [RedisSentinel(self.master.port, down_after_ms).start()
                          for _ in range(3)]
        wait_for(self.settled, timeout=30, what="sentinels to see the replica and each other")

    def settled(self):
        for s in self.sentinels:
            c = s.client()
            if len(c.execute_command("SENTINEL", "REPLICAS", self.MASTER)) != 1:
                return False
            if len(c.execute_command("SENTINEL", "SENTINELS", self.MASTER)) != 2:
                return False
        return self.replica.client().info("replication")["master_link_status"] == "up"

    @property
    def url(self):
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis-sentinel://{hosts}/0#{self.MASTER}"

    def master_port(self):
        """The master's port as the first sentinel that answers sees it."""
        for s in self.sentinels:
            try:
                return int(s.client().execute_command(
                    "SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.MASTER)[1])
            except Exception:
                continue
        return None

    def cleanup(self):
        for s in self.sentinels:
            s.cleanup()
        self.replica.cleanup()
        self.master.cleanup()


class RedisSentinel(_Daemon):
    """One redis-sentinel watching the master at 127.0.0.1:master_port."""

    def __init__(self, master_port, down_after_ms):
        self.dir = tempfile.mkdtemp(prefix="test-sentinel-")
        self.port = free_port()
        self.conf = os.path.join(self.dir, "sentinel.conf")
        with open(self.conf, "w") as f:
            f.write(f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\n"
                    f"logfile {os.path.join(self.dir, 'sentinel.log')}\n"
                    f"sentinel monitor {RedisSentinelGroup.MASTER} 127.0.0.1 {master_port} 2\n"
                    f"sentinel down-after-milliseconds {RedisSentinelGroup.MASTER} {down_after_ms}\n"
                    f"sentinel failover-timeout {RedisSentinelGroup.MASTER} 10000\n")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["redis-sentinel", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        _live.append(self.proc)
        wait_for(lambda: self.client().ping(), timeout=10, what="redis-sentinel to answer PING")
        return self

    def client(self):
        return redis_py.Redis(host="127.0.0.1", port=self.port, decode_responses=True,
                              socket_timeout=5)


PG_BIN = "/usr/lib/postgresql/15/bin"


class PostgresServer(_Daemon):
    """A private PostgreSQL cluster in a temp dir (initdb, then the postgres
    server itself, so that it is stopped by its pid): a free loopback port and
    a unix socket in the same dir, trust authentication, user postgres. Run as
    the unprivileged user nobody when the tests run as root (postgres refuses
    root). Its stop() is a fast shutdown (SIGINT); stop(signal.SIGKILL) a crash."""
    stop_signal = signal.SIGINT

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="test-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "postgres.log")
        self.port = free_port()
        self.proc = None
        self._as = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("nobody")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self._as = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}",
                        "--clear-groups", "--"]
        subprocess.run(self._as + [os.path.join(PG_BIN, "initdb"), "-D", self.data,
                                   "-U", "postgres", "-A", "trust", "-E", "UTF8",
                                   "--locale=C", "--no-sync", "--no-instructions"],
                       check=True, cwd=self.dir, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def url(self, dbname="postgres"):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self._as + [os.path.join(PG_BIN, "postgres"), "-D", self.data,
                        "-p", str(self.port), "-k", self.dir,
                        "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                        "-c", "full_page_writes=off", "-c", "max_connections=200"],
            cwd=self.dir, stdout=log, stderr=log)
        log.close()
        _live.append(self.proc)
        wait_for(self.ready, timeout=30, what="postgres to accept connections")
        return self

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"postgres exited with {self.proc.returncode}")
        return subprocess.run([os.path.join(PG_BIN, "pg_isready"), "-q", "-h", "127.0.0.1",
                               "-p", str(self.port)]).returncode == 0

    def psql(self, sql, dbname="postgres"):
        """Runs sql; returns its unaligned output."""
        out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                              "-d", self.url(dbname), "-c", sql],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def create_database(self, name):
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)



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
