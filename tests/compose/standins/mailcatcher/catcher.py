"""A mail catcher in place of Mailpit for the compose test: the tests' own SMTP
server (tests/support/smtp_server.py, aiosmtpd) on port 1025, and on port 8025
a page listing the caught mails plus the part of Mailpit's JSON API the test
reads:

    GET    /api/v1/messages?limit=N   {"total", "messages": [{"ID", "MessageID",
                                       "Subject", "From", "To"}]}, newest first
    GET    /api/v1/message/<ID>       the same plus "Text" and "HTML"
    DELETE /api/v1/messages           forgets every mail
    GET    /livez                     200 ok
    PUT    /api/stand-in/delay        body: milliseconds to hold each DATA reply
                                      (the stand-in's own: keeps deliveries in
                                      flight while the test kills a mailer)
"""
import html
import json
import signal
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from smtp_server import FaultHandler

SMTP_PORT = 1025
HTTP_PORT = 8025
MAX_BODY = 64


def summary(n, msg):
    parsed = msg.parsed
    return {
        "ID": str(n),
        "MessageID": (parsed.get("Message-ID") or "").strip("<>"),
        "Subject": parsed.get("Subject") or "",
        "From": {"Address": msg.mail_from},
        "To": [{"Address": a} for a in msg.rcpt_tos],
    }


class Web(BaseHTTPRequestHandler):
    handler = None  # the SMTP FaultHandler, set in main()

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def caught(self):
        with self.handler.lock:
            return list(enumerate(self.handler.messages, 1))

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/livez":
            return self.reply(200, "ok", "text/plain")
        if url.path == "/api/v1/messages":
            limit = int(query.get("limit", ["50"])[0])
            caught = self.caught()
            rows = [summary(n, m) for n, m in reversed(caught)][:limit]
            return self.reply(200, json.dumps({"total": len(caught), "messages": rows}))
        if url.path.startswith("/api/v1/message/"):
            wanted = url.path.rsplit("/", 1)[1]
            for n, msg in self.caught():
                if str(n) == wanted:
                    row = summary(n, msg)
                    row.update(Text=msg.body("plain") or "", HTML=msg.body("html") or "")
                    return self.reply(200, json.dumps(row))
            return self.reply(404, '{"error": "not found"}')
        if url.path == "/":
            items = "".join(
                f"<li>{html.escape(s['Subject'])} &rarr; "
                f"{html.escape(', '.join(t['Address'] for t in s['To']))}</li>"
                for s in (summary(n, m) for n, m in reversed(self.caught())))
            return self.reply(200, f"<!doctype html><title>caught mail</title><ol>{items}</ol>",
                              "text/html; charset=utf-8")
        return self.reply(404, '{"error": "not found"}')

    def do_DELETE(self):
        if urllib.parse.urlsplit(self.path).path != "/api/v1/messages":
            return self.reply(404, '{"error": "not found"}')
        with self.handler.lock:
            self.handler.messages.clear()
        return self.reply(200, "ok", "text/plain")

    def do_PUT(self):
        if urllib.parse.urlsplit(self.path).path != "/api/stand-in/delay":
            return self.reply(404, '{"error": "not found"}')
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self.reply(413, '{"error": "too large"}')
        try:
            ms = int(self.rfile.read(length))
        except ValueError:
            return self.reply(400, '{"error": "milliseconds expected"}')
        self.handler.delay = max(0, min(ms, 60000)) / 1000.0
        return self.reply(200, "ok", "text/plain")


def stop(signum, frame):
    raise SystemExit(0)  # PID 1 in its container: SIGTERM does nothing unless handled


def main():
    signal.signal(signal.SIGTERM, stop)
    handler = FaultHandler()
    controller = Controller(handler, hostname="0.0.0.0", port=SMTP_PORT, ready_timeout=10)
    controller.start()
    Web.handler = handler
    server = ThreadingHTTPServer(("0.0.0.0", HTTP_PORT), Web)
    print(f"catcher: smtp port={SMTP_PORT} http port={HTTP_PORT}", flush=True)
    try:
        server.serve_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
