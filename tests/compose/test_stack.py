"""The compose stack, built and run for real: the project's Dockerfile and
docker-compose.yml on Debian's Docker engine (docker.io) with docker-compose
1.29, checked from outside the containers.

    python3 tests/compose/test_stack.py        (ctest: compose/stack, label compose)

Needs root (it starts dockerd when none runs, and stops it again by its pid).
No registry is needed: the base images are made with debootstrap when the
engine lacks them (tests/compose/base-images), and tests/compose/standins.yml
swaps only the two registry-only images (Redis, Mailpit) for stand-ins built
from Debian packages. The operator's commands are not copied here: each
`<!-- run: NAME -->` block of docs/operations.md is run as written, in a copy
of this checkout, and every `sh` block of the guide must have been run by the
end. A machine where dockerd cannot run fails the test; nothing is skipped.
"""
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

from harness import free_port, wait_for
from web import Client

SOURCE_DIR = os.environ.get("SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.join(SOURCE_DIR, "tests", "compose")
GUIDE = os.path.join(SOURCE_DIR, "docs", "operations.md")
APP_UID = "10001"
BLOCK_RE = re.compile(r"^<!-- run: ([a-z0-9-]+) -->\n```sh\n(.*?)^```$", re.M | re.S)
NOT_RUN_RE = re.compile(r"^<!-- not run: [^>]+ -->\n```sh$", re.M)
SH_FENCE_RE = re.compile(r"^```sh$", re.M)
INLINE_RE = re.compile(r"`(docker-compose [^`]+)`")
V2_ONLY_RE = re.compile(r"^(?!\s*#).*?\bdocker compose \S", re.M)
BULK = 500
KILL_JOBS = 60


def log(text):
    print(text, flush=True)


def run(args, timeout=120, check=True, **kw):
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
    return p


def guide_blocks():
    """{name: script} of the guide's marked sh blocks. Every sh block is marked
    `<!-- run: NAME -->` (or, for one this test cannot run, `<!-- not run: why -->`);
    every inline `docker-compose ...` is a line of a run block; and no command is
    written `docker compose ...`, which Debian's Compose 1.29 lacks."""
    with open(GUIDE) as f:
        text = f.read()
    blocks = {}
    for name, body in BLOCK_RE.findall(text):
        assert name not in blocks, f"docs/operations.md: two blocks named {name}"
        blocks[name] = body
    unmarked = len(SH_FENCE_RE.findall(text)) - len(blocks) - len(NOT_RUN_RE.findall(text))
    assert unmarked == 0, (f"docs/operations.md: {unmarked} sh block(s) with neither a "
                           "<!-- run: NAME --> nor a <!-- not run: why --> line above")
    lines = [ln.split("#")[0].strip() for b in blocks.values() for ln in b.splitlines()]
    for cmd in INLINE_RE.findall(text):
        cmd = cmd.rstrip("….")  # `docker-compose exec -T mailer mailctl …`: a prefix
        assert any(ln.startswith(cmd) for ln in lines), \
            f"docs/operations.md mentions `{cmd}`, which no tested block runs"
    for body in [b for b in blocks.values()] + re.findall(r"`([^`\n]+)`", text):
        m = V2_ONLY_RE.search(body)
        assert not m, (f"docs/operations.md: `{m.group(0).strip()}` fails with Debian's "
                       "docker-compose 1.29: write `docker-compose ...` (v2 runs it too)")
    return blocks


class Engine:
    """The Docker engine: the one running, or a dockerd started here."""

    def __init__(self, tmp):
        self.proc = None
        self.log_path = os.path.join(tmp, "dockerd.log")

    @staticmethod
    def answers():
        try:
            return run(["docker", "info", "--format", "{{.ServerVersion}}"], timeout=20,
                       check=False).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    def start(self):
        if self.answers():
            log("engine: a Docker engine is running; using it")
            return
        dockerd = shutil.which("dockerd")
        if not dockerd:
            raise AssertionError("the Docker engine cannot run here: no dockerd "
                                 "(scripts/deps installs Debian's docker.io)")
        log(f"engine: starting {dockerd} (log: {self.log_path})")
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen([dockerd], stdout=out, stderr=out,
                                         start_new_session=True)

        def up():
            if self.proc.poll() is not None:
                raise RuntimeError(f"dockerd exited with {self.proc.returncode}")
            return self.answers()
        try:
            wait_for(up, timeout=90, interval=0.5, what="dockerd to answer")
        except (AssertionError, RuntimeError) as exc:
            with open(self.log_path, errors="replace") as f:
                tail = f.read()[-3000:]
            self.stop()
            raise AssertionError(f"the Docker engine cannot run here: {exc}\n{tail}")
        log(f"engine: dockerd pid {self.proc.pid} answers")

    def stop(self):
        if not self.proc:
            return
        log(f"engine: stopping dockerd pid {self.proc.pid}")
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


class Stack:
    """A copy of this checkout, where the guide's commands run as an operator's."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "microblog")
        self.project = f"mbtest{os.getpid()}"
        self.auth_port = free_port()
        self.ui_port = free_port()
        self.public_url = f"http://127.0.0.1:{self.auth_port}"
        self.ran = set()
        self.prelude = ""
        if not shutil.which("docker-compose"):
            # Compose v2 only: the guide's commands run through it unchanged
            self.prelude = 'docker-compose() { docker compose "$@"; }\n'
        self.env = dict(os.environ)
        self.env.update({
            "COMPOSE_FILE": "docker-compose.yml:tests/compose/standins.yml",
            "COMPOSE_PROJECT_NAME": self.project,
            "EDITOR": os.path.join(HERE, "edit-env"),
            # what the operator types into .env at `$EDITOR .env`
            "COMPOSE_TEST_ENV": "\n".join([
                f"PUBLIC_URL={self.public_url}",
                f"AUTH_PORT={self.auth_port}",
                f"MAILPIT_UI_PORT={self.ui_port}",
                "MAILER_HEARTBEAT_TTL=5",  # a killed mailer's jobs return sooner
            ]),
        })
        self.env.pop("TEST_RUN_ID", None)  # containers are not this run's leftovers

    def copy_checkout(self):
        files = run(["git", "ls-files", "-co", "--exclude-standard"], cwd=SOURCE_DIR,
                    check=False)
        if files.returncode != 0:
            ignore = shutil.ignore_patterns("build", "var", ".git", "node_modules", ".env",
                                            "backup", "__pycache__")
            shutil.copytree(SOURCE_DIR, self.dir, ignore=ignore, symlinks=True)
            return
        for rel in files.stdout.splitlines():
            src = os.path.join(SOURCE_DIR, rel)
            if rel.startswith(("build/", "var/")) or not os.path.lexists(src):
                continue
            dst = os.path.join(self.dir, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst, follow_symlinks=False)

    def sh(self, script, timeout=300, what="sh", stdin=None):
        p = subprocess.run(["bash", "-c", "set -euo pipefail\n" + self.prelude + script],
                           cwd=self.dir, env=self.env, capture_output=True, text=True,
                           timeout=timeout, input=stdin)
        out = (p.stdout + p.stderr).rstrip()
        if out:
            log("\n".join(f"  | {ln}" for ln in out.splitlines()[-60:]))
        if p.returncode != 0:
            raise AssertionError(f"{what} exited {p.returncode}")
        return p.stdout

    def block(self, blocks, name, timeout=300):
        log(f"guide: running block '{name}'")
        self.ran.add(name)
        return self.sh(blocks[name], timeout=timeout, what=f"docs/operations.md block '{name}'")

    def compose(self, *args, timeout=300):
        return self.sh("docker-compose " + " ".join(args), timeout=timeout,
                       what="docker-compose " + " ".join(args))

    # -- looking from outside ---------------------------------------------
    def containers(self, service=None, all_states=False):
        args = ["docker", "ps", "-q", "--filter", f"label=com.docker.compose.project={self.project}"]
        if service:
            args += ["--filter", f"label=com.docker.compose.service={service}"]
        if all_states:
            args.append("-a")
        return run(args).stdout.split()

    def inspect(self, cid):
        return json.loads(run(["docker", "inspect", cid]).stdout)[0]

    def wait_healthy(self, services=("redis", "auth", "mailer"), mailers=None, timeout=180):
        def healthy():
            for service in services:
                ids = self.containers(service)
                want = mailers if service == "mailer" and mailers else 1
                if len(ids) != want:
                    return False
                for cid in ids:
                    state = self.inspect(cid)["State"]
                    if state.get("Health", {}).get("Status") != "healthy":
                        return False
            return True
        wait_for(healthy, timeout=timeout, interval=1,
                 what=f"{', '.join(services)} healthy ({mailers or 1} mailer(s))")

    def redis(self, *args):
        (cid,) = self.containers("redis")
        return run(["docker", "exec", cid, "redis-cli", *args]).stdout.strip()

    def exec_in(self, service, *args, index=0):
        cid = sorted(self.containers(service))[index]
        return run(["docker", "exec", cid, *args], timeout=300).stdout

    def enqueue(self, service, prefix, count):
        """count jobs pushed by mailctl inside a container of service."""
        script = ('for i in $(seq 1 "$0"); do mailctl enqueue --id "$1-$i" '
                  '--to "$1-$i@example.com" --subject "$1 $i" --text "job $1 $i" >/dev/null '
                  '|| exit 1; done')
        self.exec_in(service, "sh", "-c", script, str(count), prefix)

    # -- the mail catcher (Mailpit's API) ------------------------------------
    def mail_api(self, method, path, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.ui_port}{path}", method=method,
                                     data=body)
        with urllib.request.urlopen(req, timeout=20) as r:
            data = r.read()
        return json.loads(data) if path.startswith("/api/v1/") and method == "GET" else data

    def caught(self):
        return self.mail_api("GET", "/api/v1/messages?limit=1000000")["messages"]

    def subjects(self, prefix):
        return collections.Counter(m["Subject"] for m in self.caught()
                                   if m["Subject"].startswith(prefix + " "))

    def wait_subjects(self, prefix, count, timeout=180):
        def enough():
            got = self.subjects(prefix)
            return got if len(got) >= count else None
        return wait_for(enough, timeout=timeout, interval=0.5,
                        what=f"{count} '{prefix}' mails caught")

    def set_smtp_delay(self, ms):
        self.mail_api("PUT", "/api/stand-in/delay", str(ms).encode())

    def client(self):
        return Client(self.auth_port)

    def dump_state(self):
        for cmd in ("docker-compose ps", "docker-compose logs --no-color --tail=60"):
            try:
                self.sh(cmd, timeout=120, what=cmd)
            except Exception as exc:  # the report goes on whatever fails here
                log(f"  ({cmd}: {exc})")

    def down(self):
        try:
            # compose refuses to run without the env_file: a failure before the
            # guide's `cp .env.example .env` leaves none
            self.sh("[ -e .env ] || : >.env\ndocker-compose down -v --remove-orphans",
                    timeout=180, what="down -v")
        except Exception as exc:
            log(f"cleanup: {exc}")


def register(stack, username, password):
    r = stack.client().submit("/register", {"username": username,
                                            "email": f"{username}@example.com",
                                            "password": password, "password2": password})
    assert r.status == 302 and r.location == "/login", f"register {username}: {r.status}"


def login(stack, username, password):
    c = stack.client()
    r = c.submit("/login", {"username": username, "password": password})
    return c, r.status == 302 and r.location == "/"


class Steps:
    def __init__(self, stack, blocks):
        self.s = stack
        self.b = blocks
        self.password = "first password 1"

    def start(self):
        self.s.block(self.b, "start", timeout=1200)
        self.s.wait_healthy()

    def ports_and_users(self):
        published = collections.defaultdict(set)
        for cid in self.s.containers():
            info = self.s.inspect(cid)
            service = info["Config"]["Labels"]["com.docker.compose.service"]
            for port, binds in (info["NetworkSettings"]["Ports"] or {}).items():
                for b in binds or []:
                    published[(service, port)].add((b["HostIp"], b["HostPort"]))
        auth, ui = str(self.s.auth_port), str(self.s.ui_port)
        assert set(published) == {("auth", "8080/tcp"), ("mailpit", "8025/tcp")} and \
            ("0.0.0.0", auth) in published[("auth", "8080/tcp")] and \
            {p for _, p in published[("auth", "8080/tcp")]} == {auth} and \
            published[("mailpit", "8025/tcp")] == {("127.0.0.1", ui)}, \
            f"published ports: {dict(published)}"
        self.check_uids()

    def check_uids(self):
        for service in ("auth", "mailer"):
            for cid in self.s.containers(service):
                pid = self.s.inspect(cid)["State"]["Pid"]
                with open(f"/proc/{pid}/status") as f:
                    status = f.read()
                uid = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
                gid = re.search(r"^Gid:\s+(.*)$", status, re.M).group(1).split()
                assert set(uid) == {APP_UID} and set(gid) == {APP_UID}, \
                    f"{service} {cid[:12]} runs as uid {uid} gid {gid}"
        owner = self.s.exec_in("auth", "stat", "-c", "%u:%g", "/app/var/app.db").strip()
        assert owner == f"{APP_UID}:{APP_UID}", f"app.db is owned by {owner}"

    def reset_flow(self):
        register(self.s, "alice", "old password 1")
        c, ok = login(self.s, "alice", "old password 1")
        assert ok and c.get("/").status == 200, "alice logs in"
        r = self.s.client().submit("/reset_password_request", {"email": "alice@example.com"})
        assert r.status == 302, f"reset request: {r.status}"

        def reset_mail():
            for m in self.s.caught():
                if [t["Address"] for t in m["To"]] == ["alice@example.com"] and \
                        "Reset" in m["Subject"]:
                    return m
        mail = wait_for(reset_mail, timeout=60, interval=0.5, what="the reset mail caught")
        text = self.s.mail_api("GET", f"/api/v1/message/{mail['ID']}")["Text"]
        m = re.search(re.escape(self.s.public_url) + r"(/reset_password/[A-Za-z0-9._-]+)", text)
        assert m, f"no reset link in the mail:\n{text}"
        c = self.s.client()
        assert c.get(m.group(1)).status == 200, "the link opens the form"
        r = c.submit(m.group(1), {"password": self.password, "password2": self.password})
        assert r.status == 302 and r.location == "/login", f"new password: {r.status}"
        assert "Your password has been reset." in c.follow(r).text
        assert not login(self.s, "alice", "old password 1")[1], "the old password fails"
        assert login(self.s, "alice", self.password)[1], "the new password works"

    def watch(self):
        out = self.s.block(self.b, "watch")
        assert re.search(r"^queue\s+\d+", out, re.M), "mailctl stats answered"

    def scale(self):
        self.s.block(self.b, "scale")
        self.s.wait_healthy(mailers=3)
        self.s.set_smtp_delay(50)  # each mailer holds deliveries: all three take jobs
        self.s.enqueue("mailer", "bulk", BULK)
        got = self.s.wait_subjects("bulk", BULK)
        wait_for(lambda: self.s.redis("LLEN", "mail:queue") == "0", timeout=30,
                 what="the queue drained")
        dup = {k: n for k, n in got.items() if n > 1}
        assert not dup, f"delivered more than once: {dup}"
        assert sum(got.values()) == BULK, f"{sum(got.values())} mails for {BULK} jobs"
        sent = []
        for i in range(3):
            metrics = self.s.exec_in("mailer", "curl", "-fsS", "http://127.0.0.1:9090/metrics",
                                     index=i)
            m = re.search(r'^mailer_jobs_total\{outcome="sent"\} (\d+)', metrics, re.M)
            sent.append(int(m.group(1)) if m else 0)
        log(f"scale: {BULK} jobs, each mail caught once; sent per mailer {sent}")
        assert all(n > 0 for n in sent), f"a mailer delivered nothing: {sent}"
        self.s.set_smtp_delay(0)

    def keep_scale(self):
        self.s.block(self.b, "keep-scale")  # its `up -d` has no --scale
        self.s.wait_healthy(mailers=3)

    def kill_mailer(self):
        victim = sorted(self.s.containers("mailer"))[1]
        host = self.s.inspect(victim)["Config"]["Hostname"]
        # each SMTP DATA held 2 s, and the jobs pushed in one LPUSH (the producers'
        # contract, proto/README.md): the twelve delivery threads stay busy for 10 s
        self.s.set_smtp_delay(2000)
        jobs = [json.dumps({"v": 1, "id": f"kill-{i}", "to": [f"kill-{i}@example.com"],
                            "subject": f"kill {i}", "text": f"job kill {i}"})
                for i in range(1, KILL_JOBS + 1)]
        self.s.redis("LPUSH", "mail:queue", *jobs)

        def victim_lists():  # one processing list per delivery thread: <host>-<pid>-<n>
            return [f"mail:processing:{w}"
                    for w in self.s.redis("SMEMBERS", "mail:workers").split()
                    if w.startswith(host + "-")]

        def victim_busy():
            return any(int(self.s.redis("LLEN", key) or 0) > 0 for key in victim_lists())
        wait_for(victim_busy, timeout=60, interval=0.05, what="the chosen mailer to hold jobs")
        run(["docker", "kill", victim])
        in_flight = set()
        for key in victim_lists():
            for job in self.s.redis("LRANGE", key, "0", "-1").splitlines():
                in_flight.add(json.loads(job)["id"])
        log(f"kill: docker kill {victim[:12]} holding {sorted(in_flight)}")
        assert in_flight, "the mailer was killed mid-delivery"
        self.s.set_smtp_delay(0)
        got = self.s.wait_subjects("kill", KILL_JOBS, timeout=120)
        dup = {k for k, n in got.items() if n > 1}
        assert {f"kill-{k.split()[1]}" for k in dup} <= in_flight, \
            f"duplicates beyond the killed mailer's jobs: {dup}"
        log(f"kill: all {KILL_JOBS} delivered; {len(dup)} sent twice (held by the killed mailer)")

    def persistence(self):
        self.s.compose("stop", "mailer")
        self.s.enqueue("auth", "kept", 20)
        register(self.s, "bob", "bob password 1")
        assert self.s.redis("LLEN", "mail:queue") == "20"
        self.s.block(self.b, "restart-redis")
        self.s.wait_healthy(services=("redis",))
        assert self.s.redis("LLEN", "mail:queue") == "20", "jobs survive restart redis"
        self.s.block(self.b, "down-up")
        self.s.wait_healthy(mailers=3)
        got = self.s.wait_subjects("kept", 20, timeout=60)
        assert sum(got.values()) == 20, f"kept jobs delivered: {got}"
        for user, pw in (("alice", self.password), ("bob", "bob password 1")):
            assert login(self.s, user, pw)[1], f"{user} logs in after down/up"

    def rotate(self):
        c, ok = login(self.s, "alice", self.password)
        assert ok
        self.s.block(self.b, "rotate")
        self.s.wait_healthy(mailers=3)
        assert c.get("/").status == 200, "a session survives the new SECRET_KEY"
        self.s.block(self.b, "logout-everyone")
        assert c.get("/").status == 302, "no session after DELETE FROM sessions"

    def backup_restore(self):
        self.s.block(self.b, "backup")
        (name,) = os.listdir(os.path.join(self.s.dir, "backup"))
        path = os.path.join(self.s.dir, "backup", name)
        with open(path, "rb") as f:
            assert f.read(16) == b"SQLite format 3\0", "the backup is an SQLite file"
        assert os.stat(path).st_mode & 0o077 == 0, "the backup is readable by its owner alone"
        register(self.s, "carol", "carol password 1")  # after the backup: not restored
        self.s.compose("down")
        run(["docker", "volume", "rm", f"{self.s.project}_auth-data"])  # the machine is lost
        self.s.block(self.b, "restore")
        self.s.wait_healthy(mailers=3)
        self.check_uids()
        assert login(self.s, "alice", self.password)[1], "alice is back, and auth can write"
        assert login(self.s, "bob", "bob password 1")[1]
        assert not login(self.s, "carol", "carol password 1")[1], "carol came after the backup"
        register(self.s, "carol", "carol password 1")


def main():
    tmp = tempfile.mkdtemp(prefix="test-compose-")
    engine = Engine(tmp)
    stack = None
    passed = failed = 0
    t0 = time.monotonic()
    try:
        blocks = guide_blocks()
        engine.start()
        stack = Stack(tmp)
        steps = Steps(stack, blocks)
        plan = [
            ("base images", lambda: run([os.path.join(HERE, "base-images")], timeout=900)),
            ("copy of the checkout", stack.copy_checkout),
            # the three images at once (auth's and mailer's is one): apt's downloads
            # overlap the compile; the guide's `up -d --build` then finds them cached.
            # (.env is the guide's to make: an empty one stands in meanwhile.)
            ("images built", lambda: stack.sh(
                "trap 'rm -f .env' EXIT; : >.env\n"
                "docker-compose build --parallel auth redis mailpit",
                timeout=1500, what="docker-compose build")),
            ("start: built and healthy", steps.start),
            ("ports published; uid 10001", steps.ports_and_users),
            ("reset flow from outside", steps.reset_flow),
            ("watch", steps.watch),
            (f"--scale mailer=3, {BULK} jobs, each delivered once", steps.scale),
            ("MAILER_SCALE kept by the next up", steps.keep_scale),
            ("docker kill of a mailer mid-delivery", steps.kill_mailer),
            ("restart redis, down/up: nothing lost", steps.persistence),
            ("rotate SECRET_KEY, log everyone out", steps.rotate),
            ("backup, restore into a fresh volume", steps.backup_restore),
        ]
        for name, step in plan:
            t = time.monotonic()
            log(f"== {name}")
            try:
                step()
            except Exception:
                failed += 1
                log(f"FAIL: {name}\n{traceback.format_exc()}")
                stack.dump_state()
                break
            passed += 1
            log(f"ok: {name} ({time.monotonic() - t:.0f} s)")
        if not failed:
            missing = set(blocks) - stack.ran
            if missing:
                failed += 1
                log(f"FAIL: docs/operations.md blocks never run: {sorted(missing)}")
    except Exception:
        failed += 1
        log(f"FAIL:\n{traceback.format_exc()}")
    finally:
        if stack:
            stack.down()
        engine.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"compose: {time.monotonic() - t0:.0f} s in all")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
