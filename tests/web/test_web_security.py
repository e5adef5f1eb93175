"""The web pages as an attacker sees them: a session that outlives what should end it."""

from __future__ import annotations

import httpx

from tests.web.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD, WebClient


def browser(web_hub) -> WebClient:
    return WebClient(base_url=web_hub.url, headers={"Accept": "text/html"}, timeout=30)


def test_a_password_changed_in_the_app_signs_out_every_browser(web_hub):
    """A browser left signed in (a cyber café's) is signed out when its owner changes the
    password from the desktop app, not only from the web page."""
    phone = DEMO_ACCOUNTS["scde"]
    with browser(web_hub) as left, httpx.Client(base_url=web_hub.url, timeout=30) as app:
        assert left.sign_in(phone).status_code == 303
        assert left.get("/profile").status_code != 303
        login = app.post(
            "/auth/login",
            json={"phone": phone, "password": DEMO_PASSWORD, "device_id": "laptop-of-the-scde"},
        )
        assert login.status_code == 200, login.text
        changed = app.post(
            "/accounts/password",
            json={"old_password": DEMO_PASSWORD, "new_password": "Kilifi-2026!"},
            headers={"Authorization": "Bearer " + login.json()["access_token"]},
        )
        assert changed.status_code == 200, changed.text
        gone = left.get("/profile")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/sign-in")
