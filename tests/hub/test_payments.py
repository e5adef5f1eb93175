"""Paying claims: batches, maker-checker, the run with the outbox backend, bank files,
claims marked paid, failed payments blocking the claim until the officer fixes it."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from cp2hub import models as m
from cp2hub import reach
from cp2hub.claims import compute_claims
from cp2hub.errors import Forbidden
from cp2hub.payments import audit, bank_file, batches, reconcile
from cp2hub.payments.backends import OutboxPayments, Outcome
from cp2hub.payments.run import run_batch
from cp2hub.sms.outbox import OutboxSms
from tests.hub.payments_world import PayWorld


@pytest.fixture
def world(hub_database) -> PayWorld:
    return PayWorld(hub_database)


def sms(session):
    return OutboxSms(session)


def prepare(world: PayWorld, county: str | None = None, by: int = 0) -> batches.BatchLine:
    with world.db.write() as s:
        return batches.prepare(s, world.series_code, county, world.admins[by])


def approve(world: PayWorld, batch_id: str, by: int = 1) -> batches.BatchLine:
    with world.db.write() as s:
        return batches.approve(s, batch_id, world.admins[by])


def test_a_batch_is_approved_only_by_another_admin(world):
    world.officer(1650)
    world.officer(550, county="kiambu")
    batch = prepare(world)
    assert (batch.status, batch.count, batch.total) == ("prepared", 2, 2200)
    with pytest.raises(Forbidden, match="another administrator"):
        approve(world, batch.id, by=0)
    with pytest.raises(batches.BatchRefused, match="only an approved batch"):
        run_batch(world.db, batch.id, world.admins[0], OutboxPayments(world.db), sms)
    approved = approve(world, batch.id, by=1)
    assert approved.status == "approved" and approved.approved_by == "Admin Two"
    with pytest.raises(batches.BatchRefused, match="only a prepared batch"):
        approve(world, batch.id, by=1)


def test_a_batch_takes_one_county_and_no_claim_twice(world):
    nairobi = world.officer(1650)
    world.officer(550, county="kiambu")
    world.officer(700, blocked="missing_national_id: No national ID number on the profile.")
    batch = prepare(world, "Nairobi")
    assert [p.claim_id for p in world.payments(batch.id)] == [nairobi]
    kiambu = prepare(world, "022")
    assert (kiambu.count, kiambu.total, kiambu.county) == (1, 550, "Kiambu")
    with pytest.raises(batches.BatchRefused, match="not already in a batch"):
        prepare(world)
    with world.db.write() as s:
        batches.cancel(s, batch.id, world.admins[1])
    assert prepare(world).count == 1  # the cancelled batch's claim is free again


def test_running_pays_each_officer_once_marks_the_claim_and_tells_them(world):
    first, second = world.officer(1650), world.officer(2750)
    batch = prepare(world)
    approve(world, batch.id)
    with world.db.read() as s:
        before = s.scalar(select(func.max(m.FeedTouch.seq))) or 0
    summary = run_batch(world.db, batch.id, world.admins[0], OutboxPayments(world.db), sms)
    with world.db.read() as s:  # the officers' held devices are woken for their claim
        tags = " ".join(s.scalars(select(m.FeedTouch.tags).where(m.FeedTouch.seq > before)))
    people = {reach.tag("p", world.claim(c).professional_id) for c in (first, second)}
    assert people <= set(tags.split())
    assert summary.counts == {"paid": 2} and summary.amounts == {"paid": 4400}
    assert world.outbox_total() == 4400
    claim = world.claim(first)
    assert (claim.status, claim.paid_amount) == ("paid", 1650)
    assert claim.paid_ref.startswith("OUT") and claim.paid_at is not None
    bodies = [body for _phone, body in world.sms()]
    assert f"KNEC has paid you KSh 1,650 for KCSE 2026, ref {claim.paid_ref}." in bodies
    assert any("KSh 2,750" in b for b in bodies)
    again = run_batch(world.db, batch.id, world.admins[1], OutboxPayments(world.db), sms)
    assert again.counts == {} and world.outbox_total() == 4400
    compute_claims(world.db, world.series_code)  # a recomputation leaves paid claims paid
    assert world.claim(second).status == "paid"
    actions = [(line.actor, line.action) for line in audit_lines(world)]
    assert actions[:3] == [
        ("254711000015", "prepared"), ("254711000016", "approved"), ("254711000015", "run"),
    ]  # fmt: skip
    assert ("254711000015", "paid") in actions


def audit_lines(world):
    with world.db.read() as s:
        return audit.lines(s)


def test_a_claim_blocked_after_approval_is_held_not_paid(world):
    paid, blocked, changed = world.officer(1100), world.officer(550), world.officer(550)
    batch = prepare(world)
    approve(world, batch.id)
    world.set_claim(blocked, status="blocked", blocked="no_attendance: none")
    world.set_claim(changed, amount=1100)
    summary = run_batch(world.db, batch.id, world.admins[0], OutboxPayments(world.db), sms)
    assert summary.amounts == {"paid": 1100, "held": 1100}
    assert world.outbox_total() == 1100
    held = {p.claim_id: p for p in world.payments(batch.id) if p.status == "held"}
    assert set(held) == {blocked, changed} and "KSh 1,100 now" in held[changed].reason
    assert world.claim(paid).status == "paid"
    world.set_claim(blocked, status="payable", blocked="")
    retry = prepare(world)  # held claims go in a new batch once payable again
    assert retry.total == 550 + 1100


def test_bank_paid_officers_go_to_the_bank_file(world):
    world.officer(1650)
    banked = world.officer(2200, bank=True)
    batch = prepare(world)
    approve(world, batch.id)
    summary = run_batch(world.db, batch.id, world.admins[0], OutboxPayments(world.db), sms)
    assert summary.counts == {"paid": 1, "filed": 1} and world.outbox_total() == 1650
    with world.db.write() as s:
        name, text = bank_file.of_batch(s, batch.id, world.admins[0])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert name.startswith("knec-kcse-2026-bank-") and len(rows) == 1
    assert (rows[0]["bank"], rows[0]["amount_ksh"]) == ("Equity Bank", "2200")
    with world.db.write() as s:
        count = reconcile.confirm_bank_file(s, batch.id, "EQ-2026-117", world.admins[1], sms(s))
    assert count == 1
    claim = world.claim(banked)
    assert (claim.status, claim.paid_ref) == ("paid", "EQ-2026-117")


class Refusing(OutboxPayments):
    """The provider refuses one officer's number: nothing is paid to them."""

    def __init__(self, db, bad_phone: str) -> None:
        super().__init__(db)
        self.bad_phone = bad_phone

    def pay(self, payouts):
        good = [p for p in payouts if p.phone != self.bad_phone]
        answers = super().pay(good) if good else {}
        for p in payouts:
            if p.phone == self.bad_phone:
                answers[p.key] = Outcome("failed", reason="The number is not registered for M-Pesa")
        return answers


def test_a_failed_payment_blocks_the_claim_until_the_officer_fixes_it(world):
    cid = world.officer(1650)
    with world.db.read() as s:
        person = s.get(m.Professional, world.claims[cid])
    batch = prepare(world)
    approve(world, batch.id)
    summary = run_batch(world.db, batch.id, world.admins[0], Refusing(world.db, person.phone), sms)
    assert summary.counts == {"failed": 1} and world.outbox_total() == 0
    claim = world.claim(cid)
    assert claim.status == "blocked" and claim.blocked.startswith("payment_failed: ")
    assert "not registered for M-Pesa" in claim.blocked and "Check the M-Pesa number" in claim.blocked
    with world.db.write() as s:  # the officer's claim, computed again, keeps the blocker
        s.add(m.Rate(series_id=world.place.series.id, position_id=world.place.invigilator.id,
                     region="standard", daily_rate=550))  # fmt: skip
        s.add(m.Attendance(
            deployment_id=s.scalar(select(m.Deployment.id).where(
                m.Deployment.professional_id == person.id)),
            session_id=world.place.session.id, station_id=world.place.centre.id,
            professional_id=person.id, status="present",
        ))  # fmt: skip
    compute_claims(world.db, world.series_code)
    assert "payment_failed" in world.claim(cid).blocked
    with world.db.write() as s:
        s.get(m.Professional, person.id).mpesa_phone = "254733999000"
    compute_claims(world.db, world.series_code)
    assert world.claim(cid).status == "payable"
    assert prepare(world).total == 550
