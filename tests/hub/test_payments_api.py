"""Payments on the hub's API: administrators only, maker-checker across two accounts, the
audit log and its export; the provider's callback authenticated with its secret."""

from __future__ import annotations

import base64
import csv
import io

import pytest
from sqlalchemy import select

from cp2hub import models as m
from cp2hub.payments.africastalking import AfricasTalkingPayments
from tests.hub.payments_world import PayWorld
from tests.hub.portal_world import PASSWORD, Api, portal_app

KEY = "pay-cb-2f9d41"


@pytest.fixture
def world(hub_database) -> PayWorld:
    world = PayWorld(hub_database)
    for phone in ("254711000015", "254711000016"):
        world.set_password(phone, PASSWORD)
    world.user("254711000017", "Centre Manager", "centre_manager", PASSWORD)
    return world


@pytest.fixture
def client(hub_database, world):
    with portal_app(hub_database, payment_callback_key=KEY) as found:
        yield found


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/payments/batches"),
        ("post", "/admin/payments/batches"),
        ("post", "/admin/payments/batches/x/approve"),
        ("post", "/admin/payments/batches/x/run"),
        ("get", "/admin/payments/audit.csv"),
    ],
)
def test_only_administrators(client, method, path):
    manager = Api(client).as_user("254711000017")
    body = {"series": "KCSE-2026"}
    answer = manager.get(path) if method == "get" else manager.post(path, body)
    assert answer.status_code == 403
    anonymous = client.get(path) if method == "get" else client.post(path, json=body)
    assert anonymous.status_code == 401


def test_one_admin_prepares_another_approves_and_the_log_says_who(client, world):
    world.officer(1650)
    world.officer(2200, bank=True)
    maker = Api(client).as_user("254711000015")
    checker = Api(client).as_user("254711000016")
    batch = maker.post("/admin/payments/batches", {"series": "KCSE-2026"}).json()
    assert (batch["count"], batch["total"], batch["status"]) == (2, 3850, "prepared")
    own = maker.post(f"/admin/payments/batches/{batch['id']}/approve")
    assert own.status_code == 403 and "another administrator" in own.json()["message"]
    assert checker.post(f"/admin/payments/batches/{batch['id']}/approve").status_code == 200
    ran = maker.post(f"/admin/payments/batches/{batch['id']}/run").json()
    assert ran["counts"] == {"paid": 1, "filed": 1}
    again = maker.post(f"/admin/payments/batches/{batch['id']}/run").json()
    assert again["counts"] == {}
    bank = checker.get(f"/admin/payments/batches/{batch['id']}/bank-file")
    assert bank.headers["content-type"].startswith("text/csv")
    assert [r["amount_ksh"] for r in csv.DictReader(io.StringIO(bank.text))] == ["2200"]
    paid = checker.post(f"/admin/payments/batches/{batch['id']}/bank-paid", {"reference": "EQ-77"})
    assert paid.json()["by_status"] == {"paid": [2, 3850]}, paid.text
    log = maker.get("/admin/payments/audit.csv")
    rows = list(csv.DictReader(io.StringIO(log.text)))
    assert [(r["actor"], r["action"]) for r in rows][:3] == [
        ("254711000015", "prepared"), ("254711000016", "approved"), ("254711000015", "run"),
    ]  # fmt: skip
    assert ("254711000016", "bank_paid") in [(r["actor"], r["action"]) for r in rows]


class Queueing:
    """Africa's Talking's B2C service, answering "Queued" as the real one does."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def mobile_b2c(self, product, consumers, idempotency_key=None):
        self.sent += consumers
        return {
            "entries": [
                {"phoneNumber": c["phoneNumber"], "status": "Queued",
                 "transactionId": f"ATPid_{len(self.sent)}_{i}"}
                for i, c in enumerate(consumers)
            ]
        }  # fmt: skip


def notice(payment: str, status: str = "Success", **extra) -> dict:
    return {
        "transactionId": "ATPid_1_0", "category": "MobileB2C", "status": status,
        "providerRefId": "SKL4ZQ81XY", "description": "The service request is processed",
        "requestMetadata": {"payment": payment}, "value": "KES 1650.0000", **extra,
    }  # fmt: skip


def test_the_callback_settles_once_and_only_with_the_secret(client, world):
    cid = world.officer(1650)
    service = Queueing()
    client.app.state.payments = AfricasTalkingPayments("", "", "KNEC", service=service)
    maker = Api(client).as_user("254711000015")
    batch = maker.post("/admin/payments/batches", {"series": "KCSE-2026"}).json()
    Api(client).as_user("254711000016").post(f"/admin/payments/batches/{batch['id']}/approve")
    assert maker.post(f"/admin/payments/batches/{batch['id']}/run").json()["counts"] == {"sent": 1}
    (payment,) = world.payments(batch["id"])
    assert service.sent[0]["metadata"] == {"payment": payment.id}
    assert (
        service.sent[0]["amount"] == 1650 and service.sent[0]["phoneNumber"] == "+" + payment.phone
    )

    for wrong in (
        {"headers": {"X-Callback-Key": "guess"}},
        {"params": {"key": KEY[:-1]}},
        {"headers": {"Authorization": "Basic " + base64.b64encode(b"pay:nope").decode()}},
        {},
    ):
        answer = client.post("/payments/callback", json=notice(payment.id), **wrong)
        assert answer.status_code == 403
    assert world.claim(cid).status == "payable"

    basic = "Basic " + base64.b64encode(f"pay:{KEY}".encode()).decode()
    to = "+" + payment.phone
    first = client.post(
        "/payments/callback", json=notice(payment.id, destination=to),
        headers={"Authorization": basic},
    )  # fmt: skip
    assert first.json() == {"status": "paid"}
    twice = client.post(
        "/payments/callback", json=notice(payment.id, destination=to), params={"key": KEY}
    )
    late_failure = client.post(
        "/payments/callback", json=notice(payment.id, "Failed"), headers={"X-Callback-Key": KEY}
    )
    assert twice.json() == late_failure.json() == {"status": "unchanged"}
    claim = world.claim(cid)
    assert (claim.status, claim.paid_amount, claim.paid_ref) == ("paid", 1650, "SKL4ZQ81XY")
    paid_sms = [b for _p, b in world.sms() if b.startswith("KNEC has paid you")]
    assert paid_sms == ["KNEC has paid you KSh 1,650 for KCSE 2026, ref SKL4ZQ81XY."]
    with world.db.read() as s:
        callbacks = s.scalars(
            select(m.PaymentAudit.actor).where(m.PaymentAudit.action == "paid")
        ).all()
    assert callbacks == ["payment provider"]


def test_without_its_secret_the_callback_does_not_exist(hub_database, world):
    with portal_app(hub_database) as client:
        answer = client.post("/payments/callback", json=notice("x"), params={"key": ""})
    assert answer.status_code == 404


def test_a_failed_payment_reaches_the_claim_as_a_blocker(client, world):
    cid = world.officer(1650)
    client.app.state.payments = AfricasTalkingPayments("", "", "KNEC", service=Queueing())
    maker = Api(client).as_user("254711000015")
    batch = maker.post("/admin/payments/batches", {"series": "KCSE-2026"}).json()
    Api(client).as_user("254711000016").post(f"/admin/payments/batches/{batch['id']}/approve")
    maker.post(f"/admin/payments/batches/{batch['id']}/run")
    (payment,) = world.payments(batch["id"])
    failed = notice(payment.id, "Failed", description="The recipient's name does not match")
    answer = client.post("/payments/callback", json=failed, headers={"X-Callback-Key": KEY})
    assert answer.json() == {"status": "failed"}
    claim = world.claim(cid)
    assert claim.status == "blocked"
    assert "The recipient's name does not match" in claim.blocked
    assert maker.post("/admin/payments/batches", {"series": "KCSE-2026"}).status_code == 409


def sent_payment(client, world, amount: int = 1650) -> tuple[str, m.Payment]:
    """A claim and its payment, sent to the provider and waiting for its callback."""
    cid = world.officer(amount)
    client.app.state.payments = AfricasTalkingPayments("", "", "KNEC", service=Queueing())
    maker = Api(client).as_user("254711000015")
    batch = maker.post("/admin/payments/batches", {"series": "KCSE-2026"}).json()
    Api(client).as_user("254711000016").post(f"/admin/payments/batches/{batch['id']}/approve")
    assert maker.post(f"/admin/payments/batches/{batch['id']}/run").json()["counts"] == {"sent": 1}
    (payment,) = world.payments(batch["id"])
    return cid, payment


def refused_lines(world) -> list[str]:
    with world.db.read() as s:
        return list(
            s.scalars(select(m.PaymentAudit.detail).where(m.PaymentAudit.action == "mismatch"))
        )


def assert_nothing_settled(world, cid: str, payment: m.Payment) -> None:
    assert world.claim(cid).status == "payable"
    (now,) = world.payments(payment.batch_id)
    assert (now.status, now.reference) == (payment.status, payment.reference)
    assert not [b for _p, b in world.sms() if b.startswith("KNEC has paid you")]


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ({"value": "KES 99999.0000"}, "KSh 99999.0000, is not the payment's KSh 1,650"),
        ({"value": "KES 1650.5"}, "is not the payment's KSh 1,650"),
        ({"value": "USD 1650.0000"}, "gives no amount in KSh"),
        ({"value": "KES lots"}, "gives no amount in KSh"),
        ({"value": None}, "gives no amount in KSh"),
        ({"destination": "+254799999999"}, "destination 2547*****999 is not"),
        ({"destination": None}, "names no destination"),
    ],
)
def test_a_result_for_another_amount_or_number_settles_nothing(client, world, extra, why):
    cid, payment = sent_payment(client, world)
    body = notice(payment.id, **{"destination": "+" + payment.phone, **extra})
    answer = client.post("/payments/callback", json=body, headers={"X-Callback-Key": KEY})
    assert answer.json() == {"status": "mismatch"}
    assert_nothing_settled(world, cid, payment)
    (line,) = refused_lines(world)
    assert why in line
    right = notice(payment.id, destination="+" + payment.phone)
    answer = client.post("/payments/callback", json=right, headers={"X-Callback-Key": KEY})
    assert answer.json() == {"status": "paid"}
    assert world.claim(cid).paid_amount == 1650


def test_a_result_naming_another_transaction_settles_nothing(client, world):
    cid, payment = sent_payment(client, world)
    assert payment.provider_id == "ATPid_1_0"
    body = notice(payment.id, destination="+" + payment.phone, transactionId="ATPid_9_9")
    answer = client.post("/payments/callback", json=body, headers={"X-Callback-Key": KEY})
    assert answer.json() == {"status": "mismatch"}
    assert_nothing_settled(world, cid, payment)
    assert refused_lines(world) == [
        "the result names transaction ATPid_9_9, the payment is ATPid_1_0"
    ]


def test_a_mobile_result_never_settles_a_bank_payment(client, world):
    cid = world.officer(2200, bank=True)
    maker = Api(client).as_user("254711000015")
    batch = maker.post("/admin/payments/batches", {"series": "KCSE-2026"}).json()
    Api(client).as_user("254711000016").post(f"/admin/payments/batches/{batch['id']}/approve")
    assert maker.post(f"/admin/payments/batches/{batch['id']}/run").json()["counts"] == {"filed": 1}
    (payment,) = world.payments(batch["id"])
    with world.db.read() as s:
        phone = s.get(m.Professional, world.claim(cid).professional_id).mpesa_phone
    for status in ("Success", "Failed"):
        body = notice(payment.id, status, destination="+" + phone, value="KES 2200.0000")
        answer = client.post("/payments/callback", json=body, headers={"X-Callback-Key": KEY})
        assert answer.json() == {"status": "mismatch"}
    (now,) = world.payments(batch["id"])
    assert (now.status, world.claim(cid).status) == ("filed", "payable")
    assert refused_lines(world) == ["the payment is a bank payment, filed"] * 2
