"""A small HTTP client for the auth tests: real sockets (http.client), a
cookie jar, no automatic redirects, and the CSRF token read from each form."""
import http.client
import re
import urllib.parse

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]*)"')


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body
        self.text = body.decode("utf-8", "replace")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def location(self):
        return self.header("Location")

    def csrf(self):
        m = CSRF_RE.search(self.text)
        return m.group(1) if m else None


class Client:
    """One visitor: keeps cookies across requests like a browser."""

    def __init__(self, port, host_header=None):
        self.port = port
        self.cookies = {}
        self.host_header = host_header

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        hdrs = dict(headers or {})
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.host_header:
            hdrs["Host"] = self.host_header
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn.request(method, path, body=body, headers=hdrs)
        raw = conn.getresponse()
        resp = Response(raw.status, raw.getheaders(), raw.read())
        conn.close()
        for value in resp.headers_all("Set-Cookie"):
            pair = value.split(";", 1)[0]
            name, _, val = pair.partition("=")
            if "Max-Age=0" in value or val == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = val
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data, **kw):
        return self.request("POST", path, body=data, **kw)

    def submit(self, path, data, form_path=None):
        """GETs the form page for its CSRF token, then POSTs data with it."""
        page = self.get(form_path or path)
        token = page.csrf()
        assert token, f"no CSRF token on {form_path or path}: {page.status}"
        fields = dict(data)
        fields["csrf_token"] = token
        return self.post(path, fields)

    def follow(self, resp):
        assert resp.status in (301, 302, 303), resp.status
        return self.get(resp.location)
