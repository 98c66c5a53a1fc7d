"""Reset tokens made by the tests: HS256 like the Python original's, or forged
(another algorithm, another key, `alg: none`)."""
import base64
import hashlib
import hmac
import json

from harness import SECRET_KEY


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(payload, key=SECRET_KEY, alg="HS256"):
    header = b64(json.dumps({"typ": "JWT", "alg": alg}).encode())
    body = b64(json.dumps(payload).encode())
    signing_input = f"{header}.{body}".encode()
    if alg == "none":
        return f"{header}.{body}."
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    sig = hmac.new(key.encode(), signing_input, digest).digest()
    return f"{header}.{body}.{b64(sig)}"
