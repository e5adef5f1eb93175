"""KNEC's back office in Debian's Chromium at an office screen's size: two administrators
(maker-checker), vacancies, selection, claims, a payment batch paid, the audit log, and a
lost laptop revoked. Screenshots go to artifacts/screenshots/console_*.png."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from cp2hub import models as m
from cp2hub.demo.accounts import SECOND_ADMIN
from cp2hub.payments.bank_file import COLUMNS
from tests.web.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD, ON_SQLITE

OFFICE = {"width": 1280, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"console_{name}.png"), full_page=True)


def signed_in(page: Page, url: str, phone: str) -> None:
    page.set_viewport_size(OFFICE)
    page.goto(f"{url}/sign-in")
    page.get_by_label("Mobile number").fill(phone)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@ON_SQLITE
def test_vacancies_made_closed_opened_and_applicants_selected(page: Page, web_hub):
    url = web_hub.url
    signed_in(page, url, DEMO_ACCOUNTS["admin"])
    expect(page).to_have_url(f"{url}/console/vacancies")
    form = page.get_by_role("form", name="New vacancy")
    series = form.get_by_label("Exam series")
    series.select_option(
        series.locator("option", has_text="Secondary Education").get_attribute("value")
    )
    form.get_by_label("Activity").fill("Examination administration")
    form.get_by_label("Duty station").select_option(label="Examination Centre")
    form.get_by_label("Position", exact=True).select_option(label="Supervisor")
    form.get_by_label("County", exact=True).select_option(label="Nairobi")
    form.get_by_label("How many officers").fill("17")
    form.get_by_label("Deadline").fill("2020-01-01")
    form.get_by_role("button", name="Open the vacancy").click()
    expect(page.locator(".has-error")).to_contain_text("cannot be in the past")
    expect(form.get_by_label("How many officers")).to_have_value("17")  # the form as typed
    form.get_by_label("Deadline").fill(f"{dt.date.today() + dt.timedelta(days=3):%Y-%m-%d}")
    form.get_by_role("button", name="Open the vacancy").click()
    expect(page.locator(".flash")).to_have_text("Vacancy made and open for applications.")
    with web_hub.db.read() as s:
        made = s.scalar(select(m.Vacancy).where(m.Vacancy.positions == 17))
    assert made is not None and made.status == "open" and made.county_id is not None
    row = page.get_by_role("row").filter(
        has=page.locator(f'a[href="/console/vacancies/{made.id}"]')
    )
    row.get_by_role("button", name=re.compile("^Close")).click()
    expect(page.locator(".flash")).to_have_text("The vacancy is now closed.")
    expect(row.locator(".state")).to_have_text("Closed")
    row.get_by_role("button", name=re.compile("^Open")).click()
    expect(row.locator(".state")).to_have_text("Open")
    row.get_by_role("button", name=re.compile("^Close")).click()
    shoot(page, "vacancies")

    with web_hub.db.read() as s:  # the demo's invigilator vacancy, applied for
        vacancy_id = s.scalar(
            select(m.Application.vacancy_id).where(m.Application.status == "submitted").limit(1)
        )
    page.goto(f"{url}/console/vacancies/{vacancy_id}")
    first = page.locator('input[name="application"]').first
    first.check()
    page.get_by_role("button", name="Select into deployments").click()
    expect(page.locator(".flash")).to_contain_text(re.compile(r"^Deployed 1: "))
    name = page.locator(".flash").inner_text().removeprefix("Deployed 1: ").rstrip(".")
    with web_hub.db.read() as s:
        phone = s.scalar(
            select(m.Professional.phone).where(
                (
                    m.Professional.first_name
                    + " "
                    + m.Professional.middle_name
                    + " "
                    + m.Professional.last_name
                )
                == name
            )
        )
        told = s.scalars(select(m.SmsMessage.body).where(m.SmsMessage.phone == phone)).all()
    assert told, f"{name} was told by SMS"  # fmt: skip
    shoot(page, "vacancy_applicants")


def test_two_administrators_pay_a_batch(page: Page, browser, web_hub):
    url, db = web_hub.url, web_hub.db
    signed_in(page, url, DEMO_ACCOUNTS["admin"])
    page.goto(f"{url}/console/claims")
    page.get_by_role("button", name="Compute the claims again").click()
    expect(page.locator(".flash")).to_contain_text("computed:")
    expect(page.get_by_role("cell", name="All of Kenya")).to_be_visible()
    shoot(page, "claims")
    reasons = page.locator(".reasons a")
    if reasons.count() > 1:
        reasons.nth(1).click()
        expect(page.locator("#blocked")).to_be_visible()

    page.get_by_role("link", name="Payments").click()
    page.get_by_role("button", name="Prepare a batch of payable claims").click()
    expect(page.locator(".flash")).to_contain_text("Another administrator must approve it.")
    page.locator('a[href^="/console/payments/"]').first.click()
    batch_url = page.url
    expect(
        page.get_by_text("You prepared this batch: another administrator must approve it.")
    ).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    shoot(page, "batch_prepared")

    checker = browser.new_context(viewport=OFFICE)
    other = checker.new_page()
    signed_in(other, url, SECOND_ADMIN)
    other.goto(batch_url)
    other.get_by_role("button", name=re.compile("^Approve KSh")).click()
    expect(other.locator(".flash")).to_contain_text("approved: KSh")
    other.get_by_role("button", name="Pay the batch").click()
    expect(other.locator(".flash")).to_contain_text(re.compile(r"^Run: .*paid"))
    shoot(other, "batch_paid")
    with other.expect_download() as download:  # a form with its token: each one is audited
        other.get_by_role("button", name="Download the bank transfer file (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    header = Path(download.value.path()).read_text().splitlines()[0]
    assert header == ",".join(COLUMNS)
    checker.close()

    with db.read() as s:
        paid = s.scalar(select(func.sum(m.Payment.amount)).where(m.Payment.status == "paid"))
        approved = s.scalar(select(m.PaymentBatch.total))
        texts = s.scalars(
            select(m.SmsMessage.body).where(m.SmsMessage.body.startswith("KNEC has paid"))
        ).all()
    assert paid and int(paid) <= approved and texts, "paid, told by SMS, never above the approved"

    with db.read() as s:  # a demo account whose claim was paid sees it on the portal
        demo = [*DEMO_ACCOUNTS.values(), SECOND_ADMIN]
        owner, reference = s.execute(
            select(m.Professional.phone, m.Claim.paid_ref)
            .join(m.Claim, m.Claim.professional_id == m.Professional.id)
            .where(m.Claim.status == "paid", m.Professional.phone.in_(demo))
        ).first()
    officer = browser.new_context()
    mine = officer.new_page()
    signed_in(mine, url, owner)
    mine.goto(f"{url}/my-claim")
    expect(mine.locator("main")).to_contain_text(reference)
    expect(mine.locator(".state").first).to_have_text("Paid")
    officer.close()

    page.get_by_role("link", name="Audit log").click()
    body = page.locator("main").inner_text()
    assert "prepared" in body and "approved" in body and "paid" in body
    shoot(page, "audit")
    export = page.request.get(f"{url}/console/audit.csv")
    assert export.ok and export.text().startswith("at_utc,actor,action")
    assert f",{DEMO_ACCOUNTS['admin']},prepared," in export.text()
    assert f",{SECOND_ADMIN},approved," in export.text()


@ON_SQLITE
def test_a_lost_laptop_is_revoked(page: Page, web_hub):
    url = web_hub.url
    phone = DEMO_ACCOUNTS["centre_manager"]
    login = httpx.post(f"{url}/auth/login", json={
        "phone": phone, "password": DEMO_PASSWORD, "device_id": "lost-laptop-0001",
        "device_name": "Lost laptop"})  # fmt: skip
    assert login.status_code == 200, login.text
    signed_in(page, url, DEMO_ACCOUNTS["admin"])
    page.goto(f"{url}/console/devices")
    shoot(page, "devices")
    page.get_by_role("button", name=re.compile("^Revoke Lost laptop")).click()
    expect(page.locator(".flash")).to_contain_text("it can no longer sign in or sync")
    refused = httpx.get(
        f"{url}/sync/pull", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
    )
    assert refused.status_code == 401 and refused.json()["code"] == "device_revoked"
