"""The sign-in page in a phone's browser (Debian's Chromium at 360×740)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.conftest import DEMO_ACCOUNTS, ON_SQLITE

pytestmark = ON_SQLITE

PROFESSIONAL = DEMO_ACCOUNTS["professional"]


def session_cookie(page) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == "cp2_session"), None)


def test_signing_in_and_out_with_the_keyboard_alone(page, web_hub):
    page.goto(f"{web_hub.url}/sign-in")
    page.keyboard.press("Tab")  # the skip link, then the brand, then the form
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mobile number")).to_be_focused()
    page.keyboard.type("0711 000 006")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("demo1234")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    signed_in = session_cookie(page)
    page.get_by_role("button", name="Log out").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in?out=1")
    expect(page.get_by_role("status")).to_have_text("You have logged out.")
    assert session_cookie(page) != signed_in  # the sign-in form's new session, not the old


def test_a_wrong_password_is_said_and_the_number_kept(page, web_hub):
    page.goto(f"{web_hub.url}/sign-in")
    page.get_by_label("Mobile number").fill(PROFESSIONAL)
    page.get_by_label("Password").fill("not-it")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The phone number or password is not correct.")
    expect(page.get_by_label("Mobile number")).to_have_value(PROFESSIONAL)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing wider than the phone


def test_a_form_without_its_token_gets_the_expired_page(page, web_hub):
    page.goto(f"{web_hub.url}/sign-in")
    page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    page.get_by_label("Mobile number").fill(PROFESSIONAL)
    page.get_by_label("Password").fill("demo1234")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
