#!/usr/bin/python3
"""Benchmarks of the plain (optimised) build, printed as a Markdown table.

    bench/run.py [--jobs N] [--seconds S] [--only sentinel]

Measures, each with real processes on loopback:
  * mailer throughput, render + MIME + Redis bookkeeping only (MAIL_SUPPRESS_SEND)
  * mailer throughput over real SMTP (aiosmtpd, in this process)
  * auth: POST /reset_password_request throughput and latency (wrk, 8 connections)
  * auth: POST /login latency with the default argon2id cost
  * auth behind Redis Sentinel (a master, a replica, three sentinels): the same
    reset POSTs with and without WAITing for the replica (AUTH_REDIS_WAIT_MS)
Not run in CI: tests never assert timings.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests", "support"))
os.environ.setdefault("BUILD_DIR", os.path.join(SOURCE, "build", "plain"))

from harness import SECRET_KEY, RedisSentinelGroup, RedisServer, Service, wait_for  # noqa: E402
from smtp_server import SmtpServer  # noqa: E402
from web import Client  # noqa: E402


def push_jobs(redis, n, prefix):
    pipe = redis.client().pipeline()
    for i in range(n):
        pipe.lpush("mail:queue", json.dumps({
            "v": 1, "id": f"{prefix}-{i}", "to": ["susan@example.com"],
            "subject": "[Microblog] Reset Your Password", "template": "reset_password",
            "data": {"username": "susan", "reset_url": f"http://127.0.0.1/reset_password/{i}"}}))
    pipe.execute()


def mailer_rate(n, suppress, concurrency=4, smtp_delay=0.0):
    redis = RedisServer().start()
    smtp = None if suppress else SmtpServer().start()
    if smtp:
        smtp.handler.delay = smtp_delay  # a remote relay's latency per message
    env = {"REDIS_URL": redis.url, "MAILER_LISTEN": "127.0.0.1:0", "LOG_LEVEL": "info",
           "MAIL_DEFAULT_SENDER": "no-reply@example.com",
           "MAILER_CONCURRENCY": str(concurrency)}
    if suppress:
        env["MAIL_SUPPRESS_SEND"] = "true"
    else:
        env.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port))
    mailer = Service("mailer", env).start()
    r = redis.client()
    push_jobs(redis, n, "bench")
    start = time.monotonic()
    wait_for(lambda: int(r.hget("mail:stats", "sent") or 0) >= n, timeout=600, interval=0.01,
             what="all jobs sent")
    elapsed = time.monotonic() - start
    mailer.stop()
    if smtp:
        smtp.stop()
    redis.cleanup()
    return n / elapsed


def auth_setup(tmp, redis_url, **extra):
    auth = Service("auth", {"SECRET_KEY": SECRET_KEY, "AUTH_LISTEN": "127.0.0.1:0",
                            "AUTH_METRICS_LISTEN": "127.0.0.1:0",
                            "REDIS_URL": redis_url, "LOG_LEVEL": "info", **extra,
                            "DATABASE_PATH": os.path.join(tmp, "bench.db"),
                            "AUTH_RESET_LIMIT_PER_EMAIL": "100000",
                            "AUTH_RESET_LIMIT_PER_IP": "100000",
                            "AUTH_LOGIN_LIMIT_PER_USER": "100000",
                            "AUTH_LOGIN_LIMIT_PER_IP": "100000",
                            "AUTH_REGISTER_LIMIT_PER_IP": "100000"}).start()
    c = Client(auth.port)
    token = c.get("/register").csrf()
    c.post("/register", {"username": "bench", "email": "bench@example.com",
                         "password": "bench password", "password2": "bench password",
                         "csrf_token": token})
    return auth


def wrk_reset(auth, seconds):
    if not shutil.which("wrk"):
        return None
    c = Client(auth.port)
    token = c.get("/reset_password_request").csrf()
    cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    script = os.path.join(tempfile.mkdtemp(), "post.lua")
    with open(script, "w") as f:
        f.write('wrk.method = "POST"\n'
                f'wrk.body = "email=bench%40example.com&csrf_token={token}"\n'
                'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
                f'wrk.headers["Cookie"] = "{cookie}"\n')
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", script,
                          f"http://127.0.0.1:{auth.port}/reset_password_request"],
                         capture_output=True, text=True).stdout
    rps = float(out.split("Requests/sec:")[1].split()[0])
    dist = out.split("Latency Distribution")[1]  # "+/- Stdev" columns also end in %
    p50 = dist.split("50%")[1].split()[0]
    p99 = dist.split("99%")[1].split()[0]
    return rps, p50, p99


def login_latency(auth, n=20):
    times = []
    for _ in range(n):
        c = Client(auth.port)
        token = c.get("/login").csrf()
        start = time.monotonic()
        r = c.post("/login", {"username": "bench", "password": "bench password",
                              "csrf_token": token})
        times.append((time.monotonic() - start) * 1000)
        assert r.status == 302 and r.location == "/", r.status
    return statistics.median(times), max(times)


def sentinel_rows(seconds):
    """Reset POSTs through Sentinel: without WAIT, then WAITing for one replica."""
    group = RedisSentinelGroup()
    rows = []
    for wait_ms in ("0", "200"):
        tmp = tempfile.mkdtemp(prefix="bench-auth-")
        auth = auth_setup(tmp, group.url, AUTH_REDIS_WAIT_MS=wait_ms)
        rps, p50, p99 = wrk_reset(auth, seconds)
        what = "no WAIT" if wait_ms == "0" else "WAIT 1 replica"
        rows.append((f"auth via Sentinel, POST /reset_password_request, {what} (wrk, 8 connections)",
                     f"{rps:.0f} req/s, p50 {p50}, p99 {p99}"))
        auth.stop()
        group.master.client().delete("mail:queue")
    group.cleanup()
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--jobs", type=int, default=5000)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--only", choices=["sentinel"])
    args = p.parse_args()
    if args.only == "sentinel":
        print_rows(sentinel_rows(args.seconds))
        return
    rows = [("mailer, render + MIME + Redis (MAIL_SUPPRESS_SEND), 4 threads",
             f"{mailer_rate(args.jobs, True):.0f} jobs/s"),
            ("mailer, over SMTP to aiosmtpd, 4 threads",
             f"{mailer_rate(min(args.jobs, 2000), False):.0f} jobs/s")]
    for threads in (1, 4, 16):
        rows.append((f"mailer, SMTP server taking 50 ms per message, {threads} thread(s)",
                     f"{mailer_rate(400, False, threads, 0.05):.0f} jobs/s"))
    tmp = tempfile.mkdtemp(prefix="bench-auth-")
    redis = RedisServer().start()
    auth = auth_setup(tmp, redis.url)
    reset = wrk_reset(auth, args.seconds)
    if reset:
        rows.append(("auth, POST /reset_password_request (wrk, 8 connections)",
                     f"{reset[0]:.0f} req/s, p50 {reset[1]}, p99 {reset[2]}"))
    med, worst = login_latency(auth)
    rows.append(("auth, POST /login with argon2id t=2 m=19 MiB (one client)",
                 f"median {med:.0f} ms, max {worst:.0f} ms"))
    auth.stop()
    redis.cleanup()
    if shutil.which("wrk"):
        rows += sentinel_rows(args.seconds)
    print_rows(rows)


def print_rows(rows):
    print("| measurement | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
