"""Web sessions and forms over real HTTP: sign-in, the cookie, CSRF, lockout, Log out."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from cp2hub.web.sessions import digest
from tests.web.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD

PROFESSIONAL = DEMO_ACCOUNTS["professional"]


def test_signing_in_replaces_the_session_with_a_new_one_and_its_cookie_is_httponly_lax(web):
    before_token = web.csrf("/sign-in")
    before = web.cookies["cp2_session"]
    answer = web.post(
        "/sign-in",
        data={"phone": PROFESSIONAL, "password": DEMO_PASSWORD, "csrf_token": before_token},
    )
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    after = web.cookies["cp2_session"]
    assert after != before  # an id planted before sign-in opens nothing
    signed_in = web.get("/sign-in")  # a signed-in visitor is sent on
    assert signed_in.status_code == 303
    assert web.csrf("/no/such/page") != before_token  # the layout's Log out form


def test_only_a_hash_of_the_session_id_is_stored(web, web_hub):
    web.sign_in(PROFESSIONAL)
    value = web.cookies["cp2_session"]
    with web_hub.db.read() as session:
        stored = session.execute(text("SELECT id_hash FROM web_session")).scalars().all()
    assert value not in stored
    assert digest(value) in stored


def test_a_form_posted_without_its_token_or_with_another_sessions_is_refused(web, web_hub):
    web.csrf("/sign-in")
    for token in (None, "", "forged"):
        data = {"phone": PROFESSIONAL, "password": DEMO_PASSWORD}
        if token is not None:
            data["csrf_token"] = token
        answer = web.post("/sign-in", data=data)
        assert answer.status_code == 403, answer.text
        assert "This form has expired" in answer.text
        assert "cp2_session" not in answer.headers.get("set-cookie", "")
    other = type(web)(base_url=web_hub.url, headers={"Accept": "text/html"})
    with other:
        foreign = other.csrf("/sign-in")
    answer = web.post(
        "/sign-in", data={"phone": PROFESSIONAL, "password": DEMO_PASSWORD, "csrf_token": foreign}
    )
    assert answer.status_code == 403


def test_a_wrong_password_says_so_and_locks_the_account_like_the_api(web, web_hub):
    phone = DEMO_ACCOUNTS["knec_clerk"]
    for _ in range(3):  # web_settings: max_failed_logins=3
        answer = web.sign_in(phone, "not-the-password")
        assert answer.status_code == 401
        assert "The phone number or password is not correct." in answer.text
    locked = web.sign_in(phone, DEMO_PASSWORD)
    assert locked.status_code == 423
    assert "locked after too many wrong passwords" in locked.text
    api = web_hub.url + "/auth/login"
    body = {"phone": phone, "password": DEMO_PASSWORD, "device_id": "d" * 36}
    assert httpx.post(api, json=body).status_code == 423  # one lockout for both


def test_log_out_ends_the_session_on_the_hub(web):
    web.sign_in(PROFESSIONAL)
    value = web.cookies["cp2_session"]
    token = web.csrf("/no/such/page")
    answer = web.post("/sign-out", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?out=1"
    web.cookies.set("cp2_session", value)  # the old cookie, replayed
    assert "Log out" not in web.get("/no/such/page").text


def test_sign_in_goes_back_only_to_a_page_of_this_hub(web):
    token = web.csrf("/sign-in")
    for target, lands in (
        ("/profile", "/profile"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ):
        data = {
            "phone": PROFESSIONAL,
            "password": DEMO_PASSWORD,
            "csrf_token": token,
            "next": target,
        }
        answer = web.post("/sign-in", data=data)
        assert answer.status_code == 303 and answer.headers["location"] == lands, target
        token = web.csrf("/no/such/page")
        web.post("/sign-out", data={"csrf_token": token})
        token = web.csrf("/sign-in")


def test_browsers_get_error_pages_and_programs_the_api_body(web):
    page = web.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    api = web.get("/no/such/page", headers={"Accept": "*/*"})
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_a_form_larger_than_a_page_takes_is_refused_before_it_is_read(web):
    token = web.csrf("/sign-in")
    answer = web.post(
        "/sign-in", data={"phone": "x" * 20_000, "password": "p", "csrf_token": token}
    )
    assert answer.status_code == 413


def test_pages_are_kept_by_no_cache_and_framed_by_no_site(web):
    page = web.get("/sign-in")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    css = web.get("/static/cp2.css")
    assert css.status_code == 200 and "max-age" in css.headers["cache-control"]


def test_a_verdict_on_a_password_changed_meanwhile_accepts_nothing():
    import datetime as dt

    import pytest

    from cp2hub import credentials
    from cp2hub.errors import WrongPassword
    from cp2hub.models import AppUser
    from cp2hub.passwords import hash_password
    from cp2hub.settings import Settings

    settings, now = Settings(), dt.datetime(2026, 12, 1, 9, 0)
    user = AppUser(phone="254700000001", password_hash=hash_password("old-password-1"))
    user.failed_logins = 0
    verdict = credentials.verify(user, "old-password-1", settings, now)
    assert verdict.current
    credentials.set_password(user, "new-password-2")  # changed between check and write
    with pytest.raises(WrongPassword):
        credentials.settle(user, verdict, settings, now, "wrong")
    assert user.failed_logins == 0  # and it counts for nothing
