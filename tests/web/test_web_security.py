"""The web pages as an attacker sees them: a session that outlives what should end it."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from sqlalchemy import text

from cp2hub.auth import utcnow
from cp2hub.demo.accounts import SECOND_ADMIN
from cp2hub.web.sessions import digest
from tests.web.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD, WebClient, web_settings


def browser(web_hub) -> WebClient:
    return WebClient(base_url=web_hub.url, headers={"Accept": "text/html"}, timeout=30)


def test_a_password_changed_in_the_app_signs_out_every_browser(web_hub):
    """A browser left signed in (a cyber café's) is signed out when its owner changes the
    password from the desktop app, not only from the web page."""
    phone = SECOND_ADMIN  # an account no other test here signs in with
    with browser(web_hub) as left, httpx.Client(base_url=web_hub.url, timeout=30) as app:
        assert left.sign_in(phone).status_code == 303
        assert left.get("/console/payments").status_code != 303
        login = app.post(
            "/auth/login",
            json={"phone": phone, "password": DEMO_PASSWORD, "device_id": "laptop-of-an-admin"},
        )
        assert login.status_code == 200, login.text
        changed = app.post(
            "/accounts/password",
            json={"old_password": DEMO_PASSWORD, "new_password": "Kilifi-2026!"},
            headers={"Authorization": "Bearer " + login.json()["access_token"]},
        )
        assert changed.status_code == 200, changed.text
        gone = left.get("/console/payments")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/sign-in")


def test_a_session_kept_busy_still_ends_after_its_longest_life(web_hub):
    """A stolen cookie used every few minutes slides its idle end forward, but never past
    `Settings.web_session_hours` after sign-in: then it opens nothing."""
    with browser(web_hub) as thief:
        assert thief.sign_in(DEMO_ACCOUNTS["tsc_director"]).status_code == 303
        hours = web_settings().web_session_hours
        with web_hub.db.write() as session:  # signed in long ago, used a minute ago
            session.execute(
                text(
                    "UPDATE web_session SET created_at = :born, expires_at = :ends "
                    "WHERE id_hash = :id"
                ),
                {
                    "born": utcnow() - dt.timedelta(hours=hours, minutes=1),
                    "ends": utcnow() + dt.timedelta(minutes=119),
                    "id": digest(thief.cookies["cp2_session"]),
                },
            )
        gone = thief.get("/profile")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/sign-in")


def test_a_busy_session_slides_only_up_to_its_longest_life(web_hub):
    with browser(web_hub) as busy:
        assert busy.sign_in(DEMO_ACCOUNTS["knec_clerk"]).status_code == 303
        hours = web_settings().web_session_hours
        id_hash = digest(busy.cookies["cp2_session"])
        born = utcnow() - dt.timedelta(hours=hours) + dt.timedelta(minutes=30)
        with web_hub.db.write() as session:
            session.execute(
                text("UPDATE web_session SET created_at = :born, expires_at = :ends "
                     "WHERE id_hash = :id"),
                {"born": born, "ends": utcnow() + dt.timedelta(minutes=20), "id": id_hash},
            )  # fmt: skip
        assert busy.get("/profile").status_code != 303
        with web_hub.db.read() as session:
            ends = session.execute(
                text("SELECT expires_at FROM web_session WHERE id_hash = :id"), {"id": id_hash}
            ).scalar_one()
        if isinstance(ends, str):
            ends = dt.datetime.fromisoformat(ends)
        assert ends <= born + dt.timedelta(hours=hours)


def console_routes() -> list[tuple[str, str]]:
    """Every (method, path) of the back office, its path parameters filled in."""
    from cp2hub.web import console

    found = []
    for router in console.ROUTERS:
        for route in router.routes:
            path = re.sub(r"\{[^}]+\}", "0123456789", route.path)
            found += [(method, path) for method in sorted(route.methods - {"HEAD"})]
    return found


@pytest.mark.parametrize(
    "role", ["professional", "centre_manager", "tsc_director", "scde", "knec_clerk"]
)
def test_no_back_office_route_answers_anyone_but_an_administrator(web_hub, role):
    """Each route of the console, read or posted with the visitor's own valid token, is
    refused to every other role: none is forgotten when routes are added."""
    routes = console_routes()
    assert len(routes) >= 15
    with browser(web_hub) as visitor:
        assert visitor.sign_in(DEMO_ACCOUNTS[role]).status_code == 303
        token = visitor.csrf("/no/such/page")  # the layout's Log out form
        for method, path in routes:
            data = {"csrf_token": token, "series": "KCSE-2026", "reference": "REF-1"}
            answer = visitor.request(method, path, data=data if method == "POST" else None)
            assert answer.status_code == 403, (method, path, answer.status_code)
            assert "KNEC administrators only" in answer.text


def test_every_unsafe_web_route_refuses_a_post_without_its_token(web_hub):
    """A form posted from another site (the browser sends the cookie, not the token) is
    refused on every page that takes one, sign-in and Log out included."""
    from cp2hub.web import ROUTERS

    posts = [
        re.sub(r"\{[^}]+\}", "0123456789", route.path)
        for router in ROUTERS
        for route in router.routes
        if route.methods - {"GET", "HEAD", "OPTIONS"}
    ]
    assert {"/sign-in", "/sign-out", "/password", "/console/payments"} <= set(posts)
    with browser(web_hub) as victim:
        assert victim.sign_in(DEMO_ACCOUNTS["admin"]).status_code == 303
        for path in posts:
            for body in ({}, {"csrf_token": "forged"}):
                answer = victim.post(path, data={"series": "KCSE-2026", **body})
                assert answer.status_code == 403, (path, answer.status_code)
                assert "This form has expired" in answer.text
        assert victim.get("/console/payments").status_code == 200  # still signed in
