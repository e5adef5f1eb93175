"""The demo's embedded hub: seeded, claims computed, served on loopback."""

from __future__ import annotations

import requests
from sqlalchemy import func, select

from cp2desk.embedded_hub import EmbeddedHub
from cp2hub.demo.accounts import DEMO_ACCOUNTS, SECOND_ADMIN
from cp2hub.models import AppUser, Claim


def test_demo_hub_serves_seeded_data_with_claims(tmp_path):
    hub = EmbeddedHub(tmp_path / "hub")
    url = hub.start()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert requests.get(url + "/health", timeout=5).json()["status"] == "ok"
        with hub.db.read() as s:
            phones = set(s.scalars(select(AppUser.phone)))
            assert phones == {*DEMO_ACCOUNTS.values(), SECOND_ADMIN}
            assert s.scalar(select(func.count()).select_from(Claim)) > 0
    finally:
        hub.stop()


def test_the_demo_hub_shows_a_new_accounts_password_in_the_outbox(tmp_path, monkeypatch, capsys):
    """The demo runs in demo mode whatever the environment says: Create an account's
    password can be read with `cp2hub sms-outbox`."""
    from cp2hub.cli import main

    monkeypatch.setenv("CP2HUB_MODE", "production")
    monkeypatch.setenv("CP2HUB_SMS_BACKEND", "africastalking")
    hub = EmbeddedHub(tmp_path / "hub")
    url = hub.start()
    try:
        body = {"phone": "0712345678", "phone_again": "0712345678"}
        assert requests.post(url + "/accounts/register", json=body, timeout=10).ok
    finally:
        hub.stop()
    capsys.readouterr()
    assert main(["sms-outbox", "--database-url", hub.db.url]) == 0
    out = capsys.readouterr().out
    password = out.split("Password: ")[1].split()[0]
    assert len(password) == 8 and "\u2022" not in password
    login = {"phone": "0712345678", "password": password, "device_id": "demo-device-1"}
    hub = EmbeddedHub(tmp_path / "hub")
    url = hub.start()
    try:
        assert requests.post(url + "/auth/login", json=login, timeout=10).ok
    finally:
        hub.stop()
