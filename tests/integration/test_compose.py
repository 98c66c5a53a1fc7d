"""The operator's files: docker-compose.yml validates (Debian's docker-compose
needs no engine for `config`), .env.example names every variable the programs
read, and the image installs the package lists scripts/deps uses."""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import yaml  # Debian's python3-yaml, which docker-compose depends on

from harness import SOURCE_DIR

CONFIG_ROW = re.compile(r'\{\s*"([A-Z][A-Z0-9_]+)",\s*CONFIG_')


def variables_read():
    names = set()
    for path in glob.glob(os.path.join(SOURCE_DIR, "services", "*", "*.c")):
        with open(path) as f:
            names.update(CONFIG_ROW.findall(f.read()))
    with open(os.path.join(SOURCE_DIR, "common", "logger.c")) as f:
        names.update(re.findall(r'getenv\("([A-Z_]+)"\)', f.read()))
    return names


class ComposeTest(unittest.TestCase):
    def test_compose_file_is_valid(self):
        d = tempfile.mkdtemp(prefix="test-compose-")
        try:
            shutil.copy(os.path.join(SOURCE_DIR, "docker-compose.yml"), d)
            shutil.copy(os.path.join(SOURCE_DIR, ".env.example"), os.path.join(d, ".env"))
            p = subprocess.run(["docker-compose", "config", "-q"], cwd=d, capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            p = subprocess.run(["docker-compose", "config", "--services"], cwd=d,
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(sorted(p.stdout.split()), ["auth", "mailer", "mailpit", "redis"])
        finally:
            shutil.rmtree(d)

    def test_ha_compose_file_is_valid(self):
        d = tempfile.mkdtemp(prefix="test-compose-ha-")
        try:
            shutil.copy(os.path.join(SOURCE_DIR, "docker-compose.ha.yml"), d)
            shutil.copytree(os.path.join(SOURCE_DIR, "deploy"), os.path.join(d, "deploy"))
            shutil.copy(os.path.join(SOURCE_DIR, ".env.example"), os.path.join(d, ".env"))
            compose = ["docker-compose", "-f", "docker-compose.ha.yml"]
            p = subprocess.run(compose + ["config"], cwd=d, capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            config = p.stdout
            p = subprocess.run(compose + ["config", "--services"], cwd=d, capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(sorted(p.stdout.split()),
                             ["auth1", "auth2", "mailer1", "mailer2", "mailpit", "postgres",
                              "proxy", "redis-master", "redis-replica", "sentinel1",
                              "sentinel2", "sentinel3"])
            self.assertIn("DATABASE_URL: postgresql://", config)
            self.assertIn("REDIS_URL: redis-sentinel://sentinel1:26379,sentinel2:26379,"
                          "sentinel3:26379/0#mymaster", config)
            with open(os.path.join(d, "deploy", "ha", "haproxy.cfg")) as f:
                self.assertIn("option forwardfor", f.read())
        finally:
            shutil.rmtree(d)

    def test_env_example_lists_every_variable(self):
        with open(os.path.join(SOURCE_DIR, ".env.example")) as f:
            listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", f.read(), re.M))
        read = variables_read()
        self.assertGreater(len(read), 40)
        self.assertEqual(read - listed, set(), "read by a program but missing in .env.example")
        self.assertEqual(listed - read, set(), "in .env.example but read by no program")

    def test_image_installs_the_one_package_list(self):
        with open(os.path.join(SOURCE_DIR, "Dockerfile")) as f:
            dockerfile = f.read()
        self.assertIn("COPY scripts/packages/runtime.txt", dockerfile)
        self.assertIn("COPY scripts/packages/build.txt", dockerfile)
        self.assertNotRegex(dockerfile, r"apt-get install[^\n]*\blib[a-z0-9]+",
                            "packages are named in scripts/packages/, not in the Dockerfile")
        self.assertRegex(dockerfile, r"\nUSER microblog\n")
        self.assertNotIn("SECRET_KEY", dockerfile)
        self.assertIn("groupadd --system --gid 10001 microblog", dockerfile)
        self.assertIn("useradd --system --uid 10001 --gid 10001", dockerfile)
        with open(os.path.join(SOURCE_DIR, "scripts", "deps")) as f:
            self.assertIn("run) lists=(build runtime run)", f.read())

    def test_published_ports(self):
        """auth on every interface; Mailpit's UI (every caught reset link) on
        loopback only; nothing else, not the mailer's or auth's metrics."""
        d = tempfile.mkdtemp(prefix="test-compose-")
        try:
            shutil.copy(os.path.join(SOURCE_DIR, "docker-compose.yml"), d)
            shutil.copy(os.path.join(SOURCE_DIR, ".env.example"), os.path.join(d, ".env"))
            p = subprocess.run(["docker-compose", "config"], cwd=d, capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            shutil.rmtree(d)
        services = yaml.safe_load(p.stdout)["services"]
        published = {}
        for name, service in services.items():
            for port in service.get("ports", []):
                if isinstance(port, dict):  # long form: every interface unless host_ip
                    port = f"{port.get('host_ip', '0.0.0.0')}:{port['published']}:{port['target']}"
                published[name] = port.removesuffix("/tcp")
        self.assertEqual(published, {"auth": "0.0.0.0:8080:8080",
                                     "mailpit": "127.0.0.1:8025:8025"})

    def test_backups_stay_out_of_git_and_the_image(self):
        with open(os.path.join(SOURCE_DIR, ".gitignore")) as f:
            self.assertIn("/backup/", f.read().split())
        with open(os.path.join(SOURCE_DIR, ".dockerignore")) as f:
            self.assertIn("backup/", f.read().split())
