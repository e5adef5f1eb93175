"""The professional's journey on a phone (Debian's Chromium at 360×740), as KNEC's guide
tells it: create an account, read the SMS, sign in, complete the profile, search with all
six drop-downs, apply, withdraw, apply again, log out; and a locked account."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from cp2hub.models import County, Position, Series, SubCounty, Vacancy
from cp2hub.sms.outbox import sent
from cp2hub.vacancies import STATION_KINDS
from tests.web.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD, ON_SQLITE

NEW_NUMBER = "0722 555 014"
STORED = "254722555014"
PASSWORD_IN_SMS = re.compile(r"Password: (\S+)")


def invigilator_vacancy(db) -> dict[str, str]:
    """The labels the six drop-downs show for the demo's invigilator vacancy."""
    with db.read() as session:
        vacancy, series, position = session.execute(
            select(Vacancy, Series, Position)
            .join(Series, Series.id == Vacancy.series_id)
            .join(Position, Position.id == Vacancy.position_id)
            .where(Position.code == "invigilator", Vacancy.status == "open")
        ).first()
        return {
            "exam": series.exam,
            "activity": vacancy.activity,
            "station_kind": STATION_KINDS[vacancy.station_kind],
            "position": position.name,
            "county": session.get(County, vacancy.county_id).name,
            "sub_county": session.get(SubCounty, vacancy.sub_county_id).name,
            "sub_county_id": vacancy.sub_county_id,
        }


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_create_account_to_log_out(page: Page, web_hub, sign_in):
    url = web_hub.url
    # Create an account: the number twice; the login details arrive by SMS.
    page.goto(f"{url}/sign-in")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Mobile number", exact=True).fill(NEW_NUMBER)
    page.get_by_label("Mobile number again").fill("0722555014")
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("status")).to_contain_text(
        "We have sent your login details by SMS to 0722 555 014"
    )
    with web_hub.db.read() as session:
        [sms] = sent(session, STORED)
    password = PASSWORD_IN_SMS.search(sms.body).group(1)

    # The same number again is told to send PASSWORD to 22262.
    page.goto(f"{url}/register")
    page.get_by_label("Mobile number", exact=True).fill(NEW_NUMBER)
    page.get_by_label("Mobile number again").fill(NEW_NUMBER)
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This number is already registered. Send PASSWORD to 22262 to get your login details."
    )

    sign_in(page, NEW_NUMBER, password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome")
    expect(page.get_by_text("What still blocks payment")).to_be_visible()
    fits_the_phone(page)

    # Complete the profile: personal information, payment, a work station, a qualification.
    job = invigilator_vacancy(web_hub.db)
    page.get_by_role("link", name="Profile", exact=True).click()
    page.get_by_role("link", name="Edit personal information").click()
    page.get_by_label("First name").fill("Wanjiru")
    page.get_by_label("Middle name").fill("Akinyi")
    page.get_by_label("Last name").fill("Otieno")
    page.get_by_label("Gender").select_option(label="Female")
    page.get_by_label("Date of birth").fill("1986-04-12")
    page.get_by_label("ID number").fill("24681357")
    page.get_by_label("TSC number").fill("553210")
    page.get_by_label("KRA PIN").fill("a024681357k")
    page.get_by_label("Are you a teacher?").select_option(label="Primary school teacher")
    page.get_by_label("Institution", exact=True).fill("Tarbaj Primary School")
    page.get_by_label("County", exact=True).select_option(label=job["county"])
    page.get_by_label("Sub-county").select_option(value=job["sub_county_id"])
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your personal information was saved.")
    expect(page.get_by_text("A024681357K")).to_be_visible()  # cleaned as the desktop does

    page.get_by_role("link", name="Edit payment details").click()
    page.get_by_label("Paid by").select_option(label="M-Pesa")
    page.get_by_label("M-Pesa number", exact=True).fill("0722555014")
    page.get_by_label("Name registered for the M-Pesa number").fill("Wanjiru Otieno")
    page.get_by_label("Your current password").fill(password)  # where payments go: asked
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your payment details were saved.")
    with web_hub.db.read() as session:
        assert sent(session, STORED)[-1].body.startswith("Your CP2 payment details were changed")

    page.get_by_role("link", name="Add work station").click()
    page.get_by_label("Employer or school").fill("Tarbaj Primary School")
    page.get_by_label("Job title").fill("Teacher")
    page.get_by_label("Start date").fill("2031-01-01")  # in the future: refused, kept as typed
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text("The start date is in the future.")
    expect(page.get_by_label("Employer or school")).to_have_value("Tarbaj Primary School")
    page.get_by_label("Start date").fill("2012-01-09")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Work experience saved.")

    page.get_by_role("link", name="Add qualification").click()
    page.get_by_label("Level").select_option(label="Diploma")
    page.get_by_label("Title", exact=True).fill("Diploma in Primary Teacher Education")
    page.get_by_label("Institution", exact=True).fill("Garissa Teachers Training College")
    page.get_by_label("Year").fill("2010")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Qualification saved.")
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="Your profile is 100% complete")).to_be_visible()
    expect(page.get_by_text("Nothing in your profile blocks payment.")).to_be_visible()

    # Search with all six drop-downs; the sub-county list follows the county.
    page.get_by_role("link", name="Jobs", exact=True).click()
    page.get_by_label("Examination").select_option(value=job["exam"])
    page.get_by_label("Activity").select_option(label=job["activity"])
    page.get_by_label("Duty station").select_option(label=job["station_kind"])
    page.get_by_label("Position").select_option(label=job["position"])
    page.get_by_label("County", exact=True).select_option(label=job["county"])
    groups = page.locator("#f-sub_county optgroup")
    expect(groups).to_have_count(1)
    expect(groups).to_have_attribute("label", job["county"])
    page.get_by_label("Sub-county").select_option(label=job["sub_county"])
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 job found")).to_be_visible()
    result = page.locator("main li.card a")
    expect(result).to_contain_text(f"{job['position']}: Exam ")
    expect(result).to_contain_text(f"Activity: {job['activity']}, Duty Station: ")
    fits_the_phone(page)

    # Apply: the details to check, the tick box, Submit Application.
    result.click()
    page.get_by_role("button", name="Submit Application").click()  # not ticked: the browser
    expect(page.get_by_role("button", name="Submit Application")).to_be_visible()  # stops it
    page.get_by_label("I confirm that the details above are correct").check()
    page.get_by_role("button", name="Submit Application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you for submitting your application"
    )

    # My applications: withdraw (the red button), then apply again.
    page.get_by_role("link", name="My applications", exact=True).first.click()
    expect(page.locator(".state")).to_have_text("Submitted")
    page.get_by_role("button", name=re.compile("^Withdraw Application")).click()
    expect(page.get_by_role("status")).to_contain_text("was withdrawn. You can apply again")
    expect(page.locator(".state")).to_have_text("Withdrawn")
    page.get_by_role("link", name=re.compile("^Apply again")).click()
    page.get_by_label("I confirm that the details above are correct").check()
    page.get_by_role("button", name="Submit Application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you for submitting your application"
    )

    # Log out ends the session on the hub: the pages ask for a sign-in again.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You have logged out.")
    page.goto(f"{url}/my-applications")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/my-applications$"))


@ON_SQLITE
def test_a_locked_account_is_told_how_to_get_in(page: Page, web_hub, sign_in):
    phone = DEMO_ACCOUNTS["scde"]
    for _ in range(3):  # the hub's lockout after 3 wrong passwords (web_settings)
        sign_in(page, phone, "wrong-password")
        expect(page.get_by_role("alert")).to_have_text(
            "The phone number or password is not correct."
        )
    sign_in(page, phone, DEMO_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text(
        "This account is locked after too many wrong passwords."
    )
    expect(page.get_by_role("alert")).to_contain_text("send PASSWORD to 22262")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


@ON_SQLITE
def test_without_javascript_a_county_then_search_lists_only_its_sub_counties(
    browser, web_hub, sign_in
):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        job = invigilator_vacancy(web_hub.db)
        sign_in(page, DEMO_ACCOUNTS["professional"])
        page.goto(f"{web_hub.url}/jobs")
        expect(page.locator("#f-sub_county optgroup").first).to_be_attached()
        assert page.locator("#f-sub_county optgroup").count() > 1  # grouped by county
        page.get_by_label("County", exact=True).select_option(label=job["county"])
        expect(page.locator("#f-sub_county optgroup")).not_to_have_count(1)  # no script ran
        page.get_by_role("button", name="Search").click()
        groups = page.locator("#f-sub_county optgroup")
        expect(groups).to_have_count(1)
        expect(groups).to_have_attribute("label", job["county"])
        page.get_by_label("Sub-county").select_option(label=job["sub_county"])
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", name=re.compile(r"^\d+ jobs? found$"))).to_be_visible()
        fits_the_phone(page)
    finally:
        context.close()
