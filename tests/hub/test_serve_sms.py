"""What `cp2hub serve` says and keeps about SMS: inbound SMS off without its key, the key
out of the access log, the outbox refused on PostgreSQL outside demo mode. Real
processes on loopback, their stderr read back."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from cp2hub.app import create_app
from cp2hub.cli import main
from cp2hub.settings import Settings
from tests.hub.portal_world import build_portal_world
from tests.hub.test_accounts_api import absent
from tests.hub.test_serve import free_port, stop

KEY = "Xq9-inbound-key-7Rt"


class Served:
    """`cp2hub serve` in its own process with these CP2HUB_ settings; stderr to a file."""

    def __init__(self, url: str, log: Path, **settings: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CP2HUB_")}
        env.update({f"CP2HUB_{k.upper()}": v for k, v in settings.items()})
        self.log = log
        self.stream = log.open("w")
        command = [sys.executable, "-m", "cp2hub.cli", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--database-url", url], stdout=self.stream, stderr=self.stream, env=env
        )

    def __enter__(self) -> Served:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(self.base + "/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError(f"the hub did not start: {self.log.read_text()}")

    def __exit__(self, *exc) -> None:
        stop(self.process)
        self.stream.close()

    def output(self) -> str:
        return self.log.read_text()


def inbound(base: str, query: str = "", **kwargs) -> httpx.Response:
    form = "from=%2B254711500001&to=22262&text=PASSWORD"
    kind = {"Content-Type": "application/x-www-form-urlencoded"}
    headers = {**kind, **kwargs.pop("headers", {})}
    return httpx.post(f"{base}/sms/inbound{query}", content=form, headers=headers, **kwargs)


def test_the_inbound_key_never_reaches_the_served_hubs_log(hub_database, tmp_path):
    build_portal_world(hub_database)
    url = hub_database.url
    with Served(url, tmp_path / "serve.log", sms_inbound_key=KEY, mode="demo") as hub:
        assert inbound(hub.base, f"?key={KEY}").status_code == 200
        assert inbound(hub.base, f"?id=1&key={KEY}&x=2").status_code == 200
        assert inbound(hub.base, auth=("sms", KEY)).status_code == 200
        assert inbound(hub.base, headers={"X-Inbound-Key": KEY}).status_code == 200
        assert inbound(hub.base, "?key=wrong").status_code == 403
    log = hub.output()
    lines = [json.loads(line) for line in log.splitlines()]
    requests = [(r["query"], r["status"]) for r in lines if r.get("route") == "/sms/inbound"]
    assert requests == [
        (["key"], 200),
        (["id", "key", "x"], 200),
        ([], 200),
        ([], 200),
        (["key"], 403),
    ]
    assert KEY not in log
    assert "inbound SMS is off" not in log


def test_without_a_key_the_served_hub_says_inbound_sms_is_off(empty_database_url, tmp_path):
    env = {"mode": "demo"} if make_url(empty_database_url).get_backend_name() != "sqlite" else {}
    with Served(empty_database_url, tmp_path / "serve.log", **env) as hub:
        answer = inbound(hub.base)
        elsewhere = httpx.post(hub.base + "/sms/elsewhere", content=b"text=PASSWORD")
    assert answer.status_code == elsewhere.status_code == 404
    assert answer.json() == absent(elsewhere.json(), "/sms/elsewhere", "/sms/inbound")
    log = hub.output()
    assert "cp2hub: warning: inbound SMS is off: set CP2HUB_SMS_INBOUND_KEY" in log
    assert log.count("inbound SMS is off") == 1


def test_a_served_hub_on_sqlite_warns_that_the_outbox_masks_passwords(tmp_path):
    with Served(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "serve.log") as hub:
        pass
    assert "SMS are only stored in the outbox, with passwords masked" in hub.output()


def test_the_app_warns_when_it_is_made_without_an_inbound_key(hub_database, caplog):
    with caplog.at_level(logging.WARNING, logger="cp2hub"):
        paying = {"payment_backend": "africastalking", "payment_callback_key": "pay-key-1"}
        create_app(
            hub_database, Settings(sms_inbound_key=KEY, sms_backend="africastalking", **paying)
        )
        assert caplog.messages == []
        create_app(hub_database, Settings(sms_backend="africastalking", **paying))
    assert caplog.messages == [
        "cp2hub: warning: inbound SMS is off: set CP2HUB_SMS_INBOUND_KEY and point the SMS "
        "provider's callback at /sms/inbound with it to let people send PASSWORD"
    ]


def serve_exit(url: str, **settings: str) -> subprocess.CompletedProcess:
    """`cp2hub serve` expected to refuse: its exit and output (a hub that serves times out)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CP2HUB_")}
    env.update({f"CP2HUB_{k.upper()}": v for k, v in settings.items()})
    command = [sys.executable, "-m", "cp2hub.cli", "serve", "--port", str(free_port())]
    return subprocess.run(
        [*command, "--database-url", url], env=env, capture_output=True, text=True, timeout=30
    )


def test_serve_refuses_the_outbox_on_postgresql_outside_demo_mode(empty_database_url):
    if make_url(empty_database_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only")
    done = serve_exit(empty_database_url)
    assert done.returncode == 2
    assert done.stderr.startswith("cp2hub: the outbox SMS backend on PostgreSQL would send nobody")
    assert "CP2HUB_SMS_BACKEND=africastalking" in done.stderr
    assert "CP2HUB_MODE=demo" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_mode_that_does_not_exist_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("CP2HUB_MODE", "staging")
    assert main(["serve", "--database-url", "postgresql+psycopg://u:secret@127.0.0.1:1/x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cp2hub: a setting is not valid (CP2HUB_MODE: ")
    assert "'production' or 'demo'" in err
