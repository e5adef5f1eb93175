"""Where payments go, guarded against a stolen session: the payment-details form wants the
current password (a wrong one counts towards the lockout), and every change of the
payment fields, on the web or pushed from a desktop, is told to the account's own phone
by SMS, once per change."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select

from cp2desk.sync.client import HubClient
from cp2desk.sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, encode_value
from cp2desk.sync.records import wire_columns
from cp2hub import feed
from cp2hub.models import AppUser, Professional, SmsMessage
from tests.web.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD, WebClient

PROFESSIONAL = DEMO_ACCOUNTS["professional"]
TOLD = "Your CP2 payment details were changed on "


def told(db, phone: str) -> list[str]:
    with db.read() as s:
        bodies = s.scalars(select(SmsMessage.body).where(SmsMessage.phone == phone)).all()
    return [b for b in bodies if b.startswith(TOLD)]


def person(db, phone: str) -> Professional:
    with db.read() as s:
        return s.scalar(select(Professional).where(Professional.phone == phone))


def form(web: WebClient, **values) -> dict:
    return {
        "csrf_token": web.csrf("/profile/payment"), "payment_method": "mpesa",
        "mpesa_phone": "0712 345 678", "mpesa_name": "", "bank_name": "", "bank_account": "",
        **values,
    }  # fmt: skip


@pytest.fixture
def professional(web):
    assert web.sign_in(PROFESSIONAL).status_code == 303
    return web


def test_the_payment_form_wants_the_current_password_and_the_owner_is_told(professional, web_hub):
    db, web = web_hub.db, professional
    before = person(db, PROFESSIONAL)
    name = f"{before.first_name} {before.last_name}"
    page = web.get("/profile/payment")
    assert 'name="current_password"' in page.text and 'type="password"' in page.text

    for password in ("", "not-my-password"):
        refused = web.post("/profile/payment", data=form(web, mpesa_name=name,
                                                         current_password=password))  # fmt: skip
        assert refused.status_code == 400
        assert "Your current password is not correct." in refused.text
        assert "not-my-password" not in refused.text
    with db.read() as s:
        user = s.scalar(select(AppUser).where(AppUser.phone == PROFESSIONAL))
        assert user.failed_logins == 2  # counted towards the lockout
    assert person(db, PROFESSIONAL).mpesa_phone == before.mpesa_phone
    assert told(db, PROFESSIONAL) == []

    saved = web.post("/profile/payment", data=form(web, mpesa_name=name,
                                                   current_password=DEMO_PASSWORD))  # fmt: skip
    assert saved.status_code == 303, saved.text[:500]
    assert person(db, PROFESSIONAL).mpesa_phone == "254712345678"
    (sms,) = told(db, PROFESSIONAL)
    assert sms.endswith("if this was not you, call KNEC at once.")
    with db.read() as s:
        assert s.scalar(select(func.count()).where(SmsMessage.phone == "254712345678")) == 0

    same = web.post("/profile/payment", data=form(web, mpesa_name=name,
                                                  current_password=DEMO_PASSWORD))  # fmt: skip
    assert same.status_code == 303
    assert len(told(db, PROFESSIONAL)) == 1  # nothing changed: nothing to tell


def test_a_desktop_push_changing_payment_details_is_told_once(web_hub):
    db = web_hub.db
    phone = DEMO_ACCOUNTS["professional"]
    client = HubClient(web_hub.url)
    device = str(uuid.uuid4())
    client.login(phone, DEMO_PASSWORD, device, "desk")
    was = len(told(db, phone))
    current = person(db, phone)
    row = {c: encode_value(getattr(current, c)) for c in wire_columns(Professional)}

    def push(key: str, **values) -> dict:
        change = {"key": key, "table": "professional", "row": {**row, **values, "origin": device, "hlc": feed.clock.now()},
                  "fields": list(values), "base_hlc": current.hlc}  # fmt: skip
        answer = httpx.post(
            web_hub.url + "/sync/push", json={"changes": [change]}, timeout=10,
            headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION),
                     "Authorization": f"Bearer {client.access_token}"},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text[:300]
        return answer.json()["answers"][0]  # the reason of a refusal shows in the assert

    key, bank = str(uuid.uuid4()), {
        "bank_account": "0123456789", "payment_method": "bank", "bank_name": "Equity Bank"
    }  # fmt: skip
    first = push(key, **bank)
    assert first["outcome"] == "applied", first
    assert len(told(db, phone)) == was + 1, told(db, phone)
    assert push(key, **bank)["outcome"] == "applied"  # delivered twice: answered again
    assert len(told(db, phone)) == was + 1
    assert person(db, phone).bank_account == "0123456789"
    assert push(str(uuid.uuid4()), **bank, kra_pin="A123456789Z")["outcome"] == "applied"
    assert len(told(db, phone)) == was + 1  # not a payment field: nothing told
