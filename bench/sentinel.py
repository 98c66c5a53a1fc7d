#!/usr/bin/python3
"""What auth's WAIT for a replica costs behind Redis Sentinel, printed as a
Markdown table.

    bench/sentinel.py [--seconds S]

Starts a master, a replica and three sentinels (harness.RedisSentinelGroup)
and auth on redis-sentinel://, registers one user, and runs the same reset
POSTs under wrk (8 connections) twice: with AUTH_REDIS_WAIT_MS=0 (no WAIT) and
with 200 (WAIT 1 replica after each). Uses the plain build (BUILD_DIR to
change it). Not run in CI: tests never assert timings. bench/run measures the
rest (one Redis, no Sentinel).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests", "support"))
os.environ.setdefault("BUILD_DIR", os.path.join(SOURCE, "build", "plain"))

from harness import SECRET_KEY, RedisSentinelGroup, Service  # noqa: E402
from web import Client  # noqa: E402


def auth_setup(tmp, redis_url, **extra):
    auth = Service("auth", {"SECRET_KEY": SECRET_KEY, "AUTH_LISTEN": "127.0.0.1:0",
                            "AUTH_METRICS_LISTEN": "127.0.0.1:0",
                            "REDIS_URL": redis_url, "LOG_LEVEL": "info", **extra,
                            "DATABASE_PATH": os.path.join(tmp, "bench.db"),
                            "AUTH_RESET_LIMIT_PER_EMAIL": "100000",
                            "AUTH_RESET_LIMIT_PER_IP": "100000"}).start()
    c = Client(auth.port)
    token = c.get("/register").csrf()
    c.post("/register", {"username": "bench", "email": "bench@example.com",
                         "password": "bench password", "password2": "bench password",
                         "csrf_token": token})
    return auth


def wrk_reset(auth, seconds):
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=10)
    args = p.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/sentinel.py: wrk is needed (scripts/deps bench)")
    group = RedisSentinelGroup()
    print("| measurement | result |\n|---|---|")
    try:
        for wait_ms in ("0", "200"):
            auth = auth_setup(tempfile.mkdtemp(prefix="bench-auth-"), group.url,
                              AUTH_REDIS_WAIT_MS=wait_ms)
            try:
                rps, p50, p99 = wrk_reset(auth, args.seconds)
            finally:
                auth.stop()
            what = "no WAIT" if wait_ms == "0" else "WAIT 1 replica"
            print(f"| auth via Sentinel, POST /reset_password_request, {what} "
                  f"(wrk, 8 connections) | {rps:.0f} req/s, p50 {p50}, p99 {p99} |")
            group.master.client().delete("mail:queue")
    finally:
        group.cleanup()


if __name__ == "__main__":
    main()
