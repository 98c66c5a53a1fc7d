"""A throwaway test CA and a server certificate for 127.0.0.1/localhost,
made with the openssl command line in a temp directory."""
import os
import subprocess
import tempfile


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certs():
    """Returns (dir, ca_cert, server_cert, server_key); also a second, unrelated
    CA as `other_ca` (a certificate the server's does not chain to)."""
    d = tempfile.mkdtemp(prefix="test-tls-")
    for ca in ("ca", "other_ca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-subj", f"/CN=Microblog test {ca}", "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
                 cwd=d)
    with open(os.path.join(d, "san.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
             "-keyout", "server.key", "-out", "server.csr", cwd=d)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", "server.pem", cwd=d)
    return {
        "dir": d,
        "ca": os.path.join(d, "ca.pem"),
        "other_ca": os.path.join(d, "other_ca.pem"),
        "cert": os.path.join(d, "server.pem"),
        "key": os.path.join(d, "server.key"),
    }
