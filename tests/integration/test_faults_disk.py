"""Faults on disk: auth killed with SIGKILL in the middle of registrations
(the SQLite file opens clean, no half-written user), and a full disk under
the mailer's outbox (transient, retried, delivered once there is room)."""
import json
import os
import sqlite3
import subprocess
import tempfile
import threading
import unittest

from auth_fixture import auth_env
from harness import RedisServer, Service, wait_for
from mailer_fixture import job, mailer_env
from web import Client


class AuthKilledTest(unittest.TestCase):
    def test_sigkill_during_registrations(self):
        redis = RedisServer().start()
        self.addCleanup(redis.cleanup)
        db = os.path.join(tempfile.mkdtemp(prefix="test-faults-db-"), "app.db")
        auth = Service("auth", auth_env(redis.url, db)).start()
        done = []
        stop = threading.Event()

        def register(n):
            c = Client(auth.port)
            try:
                while not stop.is_set():
                    token = c.get("/register").csrf()
                    c.post("/register", {"username": f"u{n}-{len(done)}",
                                         "email": f"u{n}-{len(done)}@example.com",
                                         "password": "long enough", "password2": "long enough",
                                         "csrf_token": token})
                    done.append(n)
            except OSError:
                pass  # the server died under us: that is the fault

        threads = [threading.Thread(target=register, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        wait_for(lambda: len(done) >= 40, what="registrations under way")
        auth.kill()
        stop.set()
        for t in threads:
            t.join(30)
        con = sqlite3.connect(db)
        self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        rows = con.execute("SELECT username, email, password_hash FROM users").fetchall()
        self.assertGreater(len(rows), 0)
        for username, email, hash_ in rows:
            self.assertTrue(username and "@" in email and hash_.startswith("$argon2id$"), rows)
        con.close()
        again = Service("auth", auth_env(redis.url, db)).start()
        self.assertEqual(Client(again.port).get("/login").status, 200, "starts on the same file")
        self.assertEqual(again.stop(), 0)


class OutboxDiskFullTest(unittest.TestCase):
    def test_full_disk_is_transient(self):
        redis = RedisServer().start()
        self.addCleanup(redis.cleanup)
        outbox = tempfile.mkdtemp(prefix="test-outbox-full-")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", outbox], check=True)
        self.addCleanup(subprocess.run, ["umount", "-l", outbox])
        filler = os.path.join(outbox, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass  # ENOSPC: the disk is full now
        finally:
            os.close(fd)
        mailer = Service("mailer", mailer_env(redis.url, 1, MAIL_OUTBOX_DIR=outbox,
                                              MAIL_MAX_ATTEMPTS="1000",
                                              MAIL_RETRY_MAX_MS="200")).start()
        self.addCleanup(mailer.stop)
        r = redis.client()
        r.lpush("mail:queue", json.dumps(job("disk-full-1", text="x" * 20000)))
        wait_for(lambda: "No space left on device" in mailer.log(), what="a failed write")
        self.assertEqual(r.llen("mail:dead"), 0, "a full disk is not a reason to give up")
        self.assertFalse(os.path.exists(os.path.join(outbox, "disk-full-1.eml")))
        os.unlink(filler)
        wait_for(lambda: os.path.exists(os.path.join(outbox, "disk-full-1.eml")),
                 what="the message written once there is room")
        self.assertEqual([n for n in os.listdir(outbox) if n.endswith(".tmp")], [],
                         "no partial file left behind")
        self.assertEqual(mailer.stop(), 0)
