"""deploy/cp2hub.nginx.conf in a real nginx on loopback, in front of a real `cp2hub serve`:
TLS with HSTS, bodies over the bounds refused with the hub's error body before they reach
the hub, and the hub told the client's address and scheme by the proxy alone."""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.deploy.hub_process import HUB, HubProcess, base_environment, free_port

SITE = Path(__file__).resolve().parents[2] / "deploy" / "cp2hub.nginx.conf"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
OPENSSL = shutil.which("openssl")
MB = 1024 * 1024

pytestmark = pytest.mark.skipif(
    NGINX is None or OPENSSL is None, reason="needs nginx and openssl (.ci/run installs them)"
)


def site_on_loopback(http: int, https: int, hub: int, cert: Path, key: Path) -> str:
    """The example site with its addresses and certificate replaced, and nothing else."""
    site = SITE.read_text()
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("/etc/ssl/cp2hub/fullchain.pem", str(cert)),
        ("/etc/ssl/cp2hub/privkey.pem", str(key)),
        ("server 127.0.0.1:8765 ", f"server 127.0.0.1:{hub} "),
    ]:
        assert site.count(old) == 1, f"the example site no longer has {old!r}"
        site = site.replace(old, new)
    return site


def nginx_conf(folder: Path, site: str) -> Path:
    """A whole nginx.conf around the site, keeping every file of nginx in `folder`."""
    (folder / "site.conf").write_text(site)
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    conf = folder / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} info;\n"
        + "events { worker_connections 64; }\n"
        + f"http {{\n    access_log {folder / 'access.log'};\n{temp}\n"
        + f"    uwsgi_temp_path {folder / 'uwsgi'};\n    scgi_temp_path {folder / 'scgi'};\n"
        + f"    include {folder / 'site.conf'};\n}}\n"
    )
    return conf


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def setup(tmp_path) -> dict:
    folder = tmp_path / "nginx"
    folder.mkdir()
    cert, key = self_signed(folder)
    ports = {"http": free_port(), "https": free_port(), "hub_port": free_port()}
    site = site_on_loopback(ports["http"], ports["https"], ports["hub_port"], cert, key)
    return {"folder": folder, "conf": nginx_conf(folder, site), "cert": cert, **ports}


def test_nginx_accepts_the_site(setup):
    check = subprocess.run(
        [NGINX, "-t", "-p", str(setup["folder"]), "-c", str(setup["conf"])],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert "test is successful" in check.stderr


@pytest.fixture
def proxied(setup, tmp_path) -> Iterator[dict]:
    """nginx with the site, in front of `cp2hub serve` on a SQLite file."""
    env = base_environment()
    env["CP2HUB_DATABASE_URL"] = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    argv = HUB + ["serve", "--port", str(setup["hub_port"]), "--forwarded-allow-ips", "127.0.0.1"]
    hub_url = f"http://127.0.0.1:{setup['hub_port']}"
    with HubProcess(argv, env, hub_url, tmp_path / "hub.log") as hub:
        nginx = subprocess.Popen(
            [NGINX, "-p", str(setup["folder"]), "-c", str(setup["conf"])],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"https://127.0.0.1:{setup['https']}"
        try:
            trust = ssl.create_default_context(cafile=str(setup["cert"]))
            with httpx.Client(base_url=base, verify=trust, timeout=30) as client:
                _wait_for(client, nginx, setup["folder"])
                yield {"client": client, "hub": hub, "hub_url": hub_url, **setup}
        finally:
            nginx.terminate()
            nginx.wait(15)


def _wait_for(client: httpx.Client, nginx: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and nginx.poll() is None:
        try:
            client.get("/health/live")
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError((folder / "error.log").read_text())


def logged(read, text: str) -> str:
    """The log once `text` is in it: servers write a request's line after answering."""
    deadline = time.monotonic() + 10
    while text not in (log := read()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert text in log, log[-2000:]
    return log


def test_health_through_tls_with_hsts(proxied):
    client = proxied["client"]
    ready = client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"
    assert ready.headers["strict-transport-security"].startswith("max-age=")
    assert client.get("/health/live").status_code == 200
    plain = httpx.get(f"http://127.0.0.1:{proxied['http']}/health/ready", timeout=10)
    assert plain.status_code == 301
    assert plain.headers["location"].startswith("https://")


def test_a_push_over_the_bound_is_refused_by_nginx_with_the_hubs_error_body(proxied):
    client = proxied["client"]
    headers = {"Content-Type": "application/json"}
    too_large = client.post("/sync/push", content=b"x" * (4 * MB + 1), headers=headers)
    assert too_large.status_code == 413
    assert too_large.json()["code"] == "too_large"
    assert "push at most 4 MB" in too_large.json()["message"]
    # Within a push's bound the hub answers (no token here), not nginx...
    within = client.post("/sync/push", content=b"x" * MB, headers=headers)
    assert within.status_code != 413 and set(within.json()) == {"code", "message"}
    # ...but no other route takes a body that size.
    login = client.post("/auth/login", content=b"x" * (64 * 1024 + 1), headers=headers)
    assert login.status_code == 413 and login.json()["code"] == "too_large"
    hub_log = logged(proxied["hub"].log, "/sync/push")
    assert "/auth/login" not in hub_log  # never reached the hub


def test_the_push_bound_is_the_hubs():
    """nginx's bound for a push is the hub's own, so neither refuses what the other takes."""
    limits = pytest.importorskip("cp2hub.limits")
    site = SITE.read_text()
    push = re.search(r"location = /sync/push \{\s*client_max_body_size (\d+)m;", site)
    assert push and int(push.group(1)) * MB == limits.PUSH_BODY_BYTES
    other = re.search(r"^    client_max_body_size (\d+)k;", site, re.M)
    assert other and int(other.group(1)) * 1024 == limits.JSON_BODY_BYTES


def test_the_live_channel_outlasts_a_held_request():
    site = SITE.read_text()
    for timeout in re.findall(r"proxy_read_timeout (\d+)s;", site):
        assert int(timeout) > 60
    assert re.search(r"location /sync/live \{[^}]*proxy_buffering off;", site)


def test_the_hub_believes_only_the_proxy_about_the_client(proxied):
    spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http"}
    # Through nginx: the scheme is the one nginx served (a redirect the hub builds says
    # https), and the address is the one nginx saw, whatever the client wrote.
    redirect = proxied["client"].get("/health/live/", headers=spoofed)
    assert redirect.status_code == 307
    assert redirect.headers["location"].startswith("https://127.0.0.1")
    assert "203.0.113.9" not in logged(proxied["hub"].log, "/health/live/")
    # Straight from a trusted address, the hub does take the header: the check above
    # would have seen it.
    direct = httpx.get(f"{proxied['hub_url']}/health/live", headers=spoofed, timeout=10)
    assert direct.status_code == 200
    logged(proxied["hub"].log, "203.0.113.9")


def test_the_access_log_shows_health_probes_not(proxied):
    proxied["client"].get("/health/ready")
    proxied["client"].get("/sync/pull")
    log = logged((proxied["folder"] / "access.log").read_text, "/sync/pull")
    assert "/health" not in log
    assert json.loads(proxied["client"].get("/sync/pull").text)["code"]  # the hub's body
