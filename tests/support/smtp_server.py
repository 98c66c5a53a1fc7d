"""A real SMTP server for the tests (aiosmtpd), with fault injection.

In-process:
    server = SmtpServer().start()                 # plain, on a free port
    server = SmtpServer(tls=certs).start()        # STARTTLS offered and required
    server = SmtpServer(implicit_tls=certs, auth=("u", "p")).start()
    server.handler.rcpt_replies["bad@example.com"] = "550 5.1.1 user unknown"
    server.handler.data_replies.append("451 4.3.0 try again later")
    server.handler.delay = 0.2                    # slow SMTP: seconds per DATA
    server.handler.greeting_reply = "421 4.3.2 shutting down"  # refuse at the greeting
    server.handler.refuse_auth = True             # 535 to every login (auth servers)
    server.handler.per_connection = 1             # 421 to MAIL after N messages on one connection
    server.handler.stall_next = 1                 # stall the next DATA reply for stall_seconds;
    server.handler.stall_seconds = 5              #   a message whose client left meanwhile is dropped
    server.handler.quit_stall = 30                # seconds to sit on a QUIT before "221"
    server.handler.greetings                      # connections accepted (greeted or refused)
    server.wait_for_messages(3)
    server.stop(); server.start()                 # down for a while, same port

As a program (for the browser and fault tests):
    python3 smtp_server.py --maildir DIR [--port N] [--delay S]
prints "listening port=N" and writes each message to DIR/<n>.eml.
"""
import argparse
import asyncio
import email
import email.policy
import os
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult


class Message:
    def __init__(self, mail_from, rcpt_tos, content):
        self.mail_from = mail_from
        self.rcpt_tos = list(rcpt_tos)
        self.content = content  # bytes, as received
        self.parsed = email.message_from_bytes(content, policy=email.policy.default)

    def body(self, subtype):
        part = self.parsed.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else None


class FaultHandler:
    def __init__(self, maildir=None):
        self.lock = threading.Lock()
        self.messages = []
        self.rcpt_replies = {}   # address -> reply for RCPT
        self.mail_replies = []   # replies for the next MAIL commands
        self.data_replies = []   # replies for the next DATA commands
        self.delay = 0.0
        self.drop_next = 0       # connections to cut at DATA
        self.maildir = maildir
        self.connections = 0     # sessions that said EHLO
        self.greetings = 0       # connections accepted
        self.greeting_reply = None
        self.refuse_auth = False
        self.per_connection = 0
        self.stall_next = 0
        self.stall_seconds = 0.0
        self.stalling = 0        # DATA replies being held right now
        self.quit_stall = 0.0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.lock:
            self.connections += 1
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            reply = self.mail_replies.pop(0) if self.mail_replies else None
            limited = self.per_connection and getattr(session, "delivered", 0) >= self.per_connection
        if limited:
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
            return "421 4.7.0 one message per connection, closing"
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        if self.quit_stall:
            await asyncio.sleep(self.quit_stall)
        return "221 Bye"

    async def _stall(self, server):
        """Holds the reply; True when the client left meanwhile (the message is
        then dropped, as a server that commits only with its reply would)."""
        with self.lock:
            stall = self.stall_next > 0
            if stall:
                self.stall_next -= 1
                self.stalling += 1
        if not stall:
            return False
        try:
            await asyncio.sleep(self.stall_seconds)
        finally:
            with self.lock:
                self.stalling -= 1
        return server.transport is None or server.transport.is_closing()

    async def handle_DATA(self, server, session, envelope):
        if await self._stall(server):
            return "250 too late, nobody is listening"
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.drop_next > 0:
                self.drop_next -= 1
                server.transport.close()
                return "421 closing"
            reply = self.data_replies.pop(0) if self.data_replies else None
        if reply:
            return reply
        msg = Message(envelope.mail_from, envelope.rcpt_tos, envelope.original_content)
        session.delivered = getattr(session, "delivered", 0) + 1
        with self.lock:
            self.messages.append(msg)
            n = len(self.messages)
        if self.maildir:
            tmp = os.path.join(self.maildir, f".{n}.tmp")
            with open(tmp, "wb") as f:
                f.write(envelope.original_content)
            os.rename(tmp, os.path.join(self.maildir, f"{n}.eml"))
        return "250 Message accepted for delivery"


def _authenticator(handler, user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (not handler.refuse_auth and getattr(auth_data, "login", b"") == user.encode()
              and getattr(auth_data, "password", b"") == password.encode())
        # handled=False makes aiosmtpd answer 535; success=False alone hangs the client
        return AuthResult(success=True) if ok else AuthResult(success=False, handled=False)
    return check


class _FaultSMTP(SMTP):
    """aiosmtpd's server, able to refuse a connection at the greeting."""

    async def _handle_client(self):
        handler = self.event_handler
        with handler.lock:
            handler.greetings += 1
            reply = handler.greeting_reply
        if reply:
            await self.push(reply)
            self.transport.close()
            return
        await super()._handle_client()


class _FaultController(Controller):
    def factory(self):
        return _FaultSMTP(self.handler, **self.SMTP_kwargs)


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self, port=None, tls=None, implicit_tls=None, auth=None, maildir=None):
        self.port = port or _free_port()
        self.handler = FaultHandler(maildir)
        self.tls = tls
        self.implicit_tls = implicit_tls
        self.auth = auth
        self.controller = None

    def _context(self, certs):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(certs["cert"], certs["key"])
        return ctx

    def start(self):
        kwargs = {}
        if self.tls:
            kwargs.update(tls_context=self._context(self.tls), require_starttls=True)
        if self.auth:
            # aiosmtpd does not count implicit TLS as TLS for auth_require_tls
            kwargs.update(authenticator=_authenticator(self.handler, *self.auth), auth_required=True,
                          auth_require_tls=bool(self.tls))
        ssl_context = self._context(self.implicit_tls) if self.implicit_tls else None
        self.controller = _FaultController(self.handler, hostname="127.0.0.1", port=self.port,
                                     ssl_context=ssl_context, server_hostname="localhost",
                                     ready_timeout=10, **kwargs)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    def wait_for_messages(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= n:
                return self.messages
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {n} messages, got {len(self.messages)}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--maildir", required=True)
    p.add_argument("--delay", type=float, default=0.0)
    args = p.parse_args()
    os.makedirs(args.maildir, exist_ok=True)
    server = SmtpServer(port=args.port or None, maildir=args.maildir)
    server.handler.delay = args.delay
    server.start()
    print(f"listening port={server.port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
