#!/usr/bin/python3
"""Measurements behind issue 10 (plain build, real processes, loopback).

    bench/abuse.py reset-timing [--rounds N]
        POST /reset_password_request for a registered and an unknown address,
        interleaved on one kept-alive connection each; prints the medians.
    bench/abuse.py register-timing [--rounds N]
        With AUTH_REQUIRE_CONFIRMATION=true: POST /register for a new address
        and for a taken one, interleaved; prints the medians (issue 11).
    bench/abuse.py trickle [--connections N] [--addresses A] [--seconds S]
        N connections from A loopback addresses (127.0.0.2 ...), each sending a
        header line every 2 s and reconnecting when cut off, while a normal
        client asks for /login in a loop; prints the normal client's latencies
        and what auth closed. Default settings of auth otherwise.
Not run in CI: tests never assert timings.
"""
import argparse
import http.client
import os
import selectors
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests", "support"))
os.environ.setdefault("BUILD_DIR", os.path.join(SOURCE, "build", "plain"))

from auth_fixture import auth_env, metric_value  # noqa: E402
from harness import RedisServer, Service  # noqa: E402
from web import Client  # noqa: E402


def start_auth(tmp, redis, **extra):
    env = auth_env(redis.url, os.path.join(tmp, "bench.db"), LOG_LEVEL="info", **extra)
    env.pop("AUTH_THREADS")
    return Service("auth", env).start()


def visitor(auth, form_path):
    """A kept-alive connection, its CSRF token and headers for form_path."""
    v = Client(auth.port)
    token = v.get(form_path).csrf()
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Cookie": "; ".join(f"{k}={val}" for k, val in v.cookies.items())}
    return http.client.HTTPConnection("127.0.0.1", auth.port), token, headers


def interleaved(auth, redis, form_path, kinds, fields, rounds, clear_every):
    """POSTs fields(kind, i, token) to form_path for each kind in turn (the
    order alternating), one kept-alive connection per kind; prints the medians
    and the difference of the first two kinds' (second - first)."""
    conns = {kind: visitor(auth, form_path) for kind in kinds}
    times = {kind: [] for kind in kinds}
    for i in range(rounds):
        for kind in (kinds if i % 2 == 0 else list(reversed(kinds))):
            conn, token, headers = conns[kind]
            body = urllib.parse.urlencode(fields(kind, i, token))
            t0 = time.perf_counter()
            conn.request("POST", form_path, body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            dt = time.perf_counter() - t0
            assert r.status == 302, r.status
            if i >= rounds // 10:  # the first tenth warms up
                times[kind].append(dt)
        if i % clear_every == 0:
            redis.client().delete("mail:queue")
    for kind, ts in times.items():
        print(f"{kind}: n={len(ts)} median={statistics.median(ts) * 1e6:.1f} us "
              f"p10={sorted(ts)[len(ts) // 10] * 1e6:.1f} "
              f"p90={sorted(ts)[len(ts) * 9 // 10] * 1e6:.1f}")
    first, second = (statistics.median(times[k]) for k in kinds[:2])
    print(f"difference of medians ({kinds[1]} - {kinds[0]}): {(second - first) * 1e6:+.1f} us")


def register(auth, username, email):
    c = Client(auth.port)
    c.post("/register", {"username": username, "email": email,
                         "password": "bench password", "password2": "bench password",
                         "csrf_token": c.get("/register").csrf()})


def reset_timing(args):
    tmp = tempfile.mkdtemp(prefix="bench-abuse-")
    redis = RedisServer().start()
    auth = start_auth(tmp, redis, AUTH_RESET_LIMIT_PER_EMAIL=10**6 // 10,
                      AUTH_RESET_LIMIT_PER_IP=10**6 // 10)
    try:
        register(auth, "known", "known@example.com")
        interleaved(auth, redis, "/reset_password_request",
                    ["unknown@example.com", "known@example.com"],
                    lambda email, i, token: {"email": email, "csrf_token": token},
                    args.rounds, 500)
    finally:
        auth.stop()
        redis.cleanup()


def register_timing(args):
    """With AUTH_REQUIRE_CONFIRMATION=true: a registration of a new address
    against one of a taken address (each with a fresh username). argon2 at the
    tests' cheap cost, so that what differs besides the hash shows."""
    tmp = tempfile.mkdtemp(prefix="bench-abuse-")
    redis = RedisServer().start()
    auth = start_auth(tmp, redis, AUTH_REQUIRE_CONFIRMATION="true",
                      AUTH_REGISTER_LIMIT_PER_IP=10**5, AUTH_RESET_LIMIT_PER_EMAIL=10**5,
                      AUTH_RESET_LIMIT_PER_IP=10**5)

    def fields(kind, i, token):
        email = f"new{i}@example.com" if kind == "new address" else "taken@example.com"
        return {"username": f"u{i}-{kind[0]}", "email": email, "password": "bench password",
                "password2": "bench password", "csrf_token": token}

    try:
        register(auth, "owner", "taken@example.com")
        interleaved(auth, redis, "/register", ["new address", "taken address"], fields,
                    args.rounds, 200)
    finally:
        auth.stop()
        redis.cleanup()


def trickle(args):
    tmp = tempfile.mkdtemp(prefix="bench-abuse-")
    redis = RedisServer().start()
    auth = start_auth(tmp, redis)
    sel = selectors.DefaultSelector()
    addresses = [f"127.0.0.{i + 2}" for i in range(args.addresses)]
    stats = {"opened": 0, "refused": 0, "cut": 0}

    def open_one(address):
        s = socket.socket()
        s.bind((address, 0))
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", auth.port))
            s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            s.close()
            stats["refused"] += 1
            return
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, address)
        stats["opened"] += 1

    for n in range(args.connections):
        open_one(addresses[n % len(addresses)])
    latencies, failures = [], []
    stop = threading.Event()

    def normal():
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                r = Client(auth.port).get("/login")
                latencies.append(time.perf_counter() - t0)
                if r.status != 200:
                    failures.append(r.status)
            except OSError as e:
                failures.append(repr(e))
            time.sleep(0.05)

    t = threading.Thread(target=normal)
    t.start()
    end = time.monotonic() + args.seconds
    next_line = 0.0
    held = []
    try:
        while time.monotonic() < end:
            for key, _ in sel.select(timeout=0.1):
                try:
                    key.fileobj.recv(4096)
                except OSError:
                    pass
                sel.unregister(key.fileobj)
                key.fileobj.close()
                stats["cut"] += 1
                open_one(key.data)
            if time.monotonic() >= next_line:
                next_line = time.monotonic() + 2
                held.append(len(sel.get_map()))
                for key in list(sel.get_map().values()):
                    try:
                        key.fileobj.send(b"X-Slow: 1\r\n")
                    except OSError:
                        pass
    finally:
        stop.set()
        t.join(30)
        text = Client(auth.metrics_port).get("/metrics").text if auth.metrics_port else ""
        for key in list(sel.get_map().values()):
            key.fileobj.close()
        auth.stop()
        redis.cleanup()
    lat = sorted(latencies)
    print(f"trickling: {args.connections} connections from {args.addresses} addresses, "
          f"{args.seconds} s; held at once (sampled every 2 s): min {min(held)} max {max(held)}")
    print(f"attacker connections opened {stats['opened']}, refused {stats['refused']}, "
          f"cut off {stats['cut']}")
    print("auth closed: " + ", ".join(
        "%s %d" % (r, metric_value(text, "auth_connections_closed_total", f'reason="{r}"'))
        for r in ("late", "refused", "evicted")))
    if not lat:
        print(f"normal client: no request answered; failures {len(failures)} {failures[:3]}")
        return
    print(f"normal client: {len(lat)} requests, failures {len(failures)} {failures[:5]}, "
          f"median {statistics.median(lat) * 1000:.1f} ms, p99 {lat[len(lat) * 99 // 100] * 1000:.1f} ms, "
          f"max {lat[-1] * 1000:.1f} ms")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="what", required=True)
    a = sub.add_parser("reset-timing")
    a.add_argument("--rounds", type=int, default=4000)
    g = sub.add_parser("register-timing")
    g.add_argument("--rounds", type=int, default=1000)
    b = sub.add_parser("trickle")
    b.add_argument("--connections", type=int, default=1000)
    b.add_argument("--addresses", type=int, default=40)
    b.add_argument("--seconds", type=int, default=30)
    args = p.parse_args()
    {"reset-timing": reset_timing, "register-timing": register_timing,
     "trickle": trickle}[args.what](args)


if __name__ == "__main__":
    main()
