"""Never twice, and everything owed: random histories of payment batches against a
provider that behaves like Africa's Talking's B2C (queues, then says by callback).

Each history prepares, approves and runs batches, blocks and unblocks claims after
approval, kills runs mid-way (before or after the provider took a request, which is
where a process can die), and delivers the provider's callbacks late, twice, or with a
wrong secret, over HTTP to a served hub. Then the provider's remaining callbacks arrive,
payments in doubt are settled as an administrator would from the provider's statement,
and every batch runs once more. Whatever happened: the provider received each payment
at most once and paid each claim at most once, and the total paid equals the total of
the approved payments whose claims were payable when sent, to the shilling.
"""

from __future__ import annotations

import contextlib
import os

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cp2hub import models as m
from cp2hub.payments import batches, reconcile
from cp2hub.payments.africastalking import AfricasTalkingPayments
from cp2hub.payments.run import run_batch
from cp2hub.schema import clear
from cp2hub.settings import Settings
from cp2hub.sms.outbox import OutboxSms
from tests.hub.payments_world import PayWorld
from tests.sync.conftest import HubServer

EXAMPLES = int(os.environ.get("CP2_PAYMENT_EXAMPLES", "24"))
CALLBACK_KEY = "cb-7f3e0c1d9a5b"
OFFICERS = 6


class Crash(BaseException):
    """The process dies here (not an Exception: nothing may catch it)."""


class FakeB2C:
    """The provider: pays each recipient it queues, or fails it (numbers it cannot pay),
    and keeps each result as a callback to deliver."""

    def __init__(self, fail_phones: set[str], payable) -> None:
        self.fail_phones = fail_phones
        self.payable = payable
        """payable(key): whether the payment's claim is payable now (runs happen between
        the history's steps, so now is when the run took it)."""
        self.received: list[str] = []
        self.results: dict[str, tuple[bool, int]] = {}
        self.pending: list[dict] = []
        self.crash: tuple[str, int] | None = None
        self.calls = 0

    def mobile_b2c(self, product, consumers, idempotency_key=None):
        self.calls += 1
        if self.crash == ("before", self.calls):
            raise Crash
        entries = []
        for consumer in consumers:
            key, phone = consumer["metadata"]["payment"], consumer["phoneNumber"]
            assert self.payable(key), "a payment reached the provider for a blocked claim"
            self.received.append(key)
            paid = phone[1:] not in self.fail_phones
            self.results[key] = (paid, consumer["amount"])
            transaction = f"ATPid_{len(self.received)}"
            self.pending.append(
                {
                    "transactionId": transaction,
                    "category": "MobileB2C",
                    "status": "Success" if paid else "Failed",
                    "providerRefId": f"SK{len(self.received):08d}" if paid else None,
                    "description": "Paid" if paid else "The recipient is not registered",
                    "value": f"KES {consumer['amount']}.0000",
                    "destination": phone,
                    "requestMetadata": consumer["metadata"],
                }
            )
            entries.append({"phoneNumber": phone, "status": "Queued", "transactionId": transaction})
        if self.crash == ("after", self.calls):
            raise Crash
        return {"numQueued": len(entries), "entries": entries}

    @property
    def paid_total(self) -> int:
        return sum(amount for paid, amount in self.results.values() if paid)


@pytest.fixture(scope="module")
def served(backend, postgres_module_url, tmp_path_factory):
    from cp2hub.db import Database
    from cp2hub.schema import upgrade

    url = postgres_module_url or f"sqlite:///{tmp_path_factory.mktemp('pay') / 'hub.sqlite3'}"
    db = Database(url)
    upgrade(db)
    settings_ = Settings(payment_callback_key=CALLBACK_KEY, mode="demo")
    with HubServer(db, settings_) as hub:
        yield db, hub
    db.dispose()


BATCH = st.sampled_from([0, 0, 0, 1, 2])
RUN = st.tuples(
    st.just("run"),
    BATCH,
    st.sampled_from([None, ("before", 1), ("after", 1), ("before", 2), ("after", 2)]),
)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("prepare"), st.sampled_from([None, None, "Nairobi", "Kiambu"])),
        st.tuples(st.just("approve"), BATCH),
        RUN,
        RUN,
        st.tuples(st.just("block"), st.integers(0, OFFICERS - 1)),
        st.tuples(st.just("unblock"), st.integers(0, OFFICERS - 1)),
        st.tuples(st.just("deliver"), st.integers(0, 9), st.booleans(), st.booleans()),
    ),
    min_size=4,
    max_size=16,
)


AMOUNTS = st.lists(
    st.integers(1, 12).map(lambda days: days * 550), min_size=OFFICERS, max_size=OFFICERS
)


def test_the_total_paid_is_the_total_approved_and_payable(served, backend):
    """Bounded: EXAMPLES histories on SQLite, a third of them on PostgreSQL."""

    @settings(
        max_examples=EXAMPLES if backend == "sqlite" else max(EXAMPLES // 3, 1),
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(amounts=AMOUNTS, failing=st.integers(-1, OFFICERS - 1), ops=OPS)
    def story(amounts, failing, ops):
        play_story(served, amounts, failing, ops)

    story()


def play_story(served, amounts, failing, ops) -> None:
    db, hub = served
    clear(db)
    world = PayWorld(db)
    claims = [
        world.officer(amount, county="nairobi" if i % 2 else "kiambu")
        for i, amount in enumerate(amounts)
    ]
    with db.read() as s:
        phones = {cid: s.get(m.Professional, world.claims[cid]).mpesa_phone for cid in claims}
    provider = FakeB2C({phones[claims[failing]]} if failing >= 0 else set(), payable(db))
    payments = AfricasTalkingPayments("", "", "KNEC", service=provider)
    made: list[str] = []
    with httpx.Client(base_url=hub.url, timeout=10) as client:
        for op in [("prepare", None), ("approve", 0), *ops]:
            play(op, world, provider, payments, client, claims, made)
        settle(world, provider, payments, client, made)
    check(world, provider, made)


def sms(session):
    return OutboxSms(session)


def payable(db):
    def check(key: str) -> bool:
        with db.read() as s:
            claim = s.get(m.Claim, s.get(m.Payment, key).claim_id)
            return claim.status == "payable"

    return check


def play(op, world, provider, payments, client, claims, made) -> None:
    kind = op[0]
    if kind == "prepare":
        try:
            with world.db.write() as s:
                made.append(batches.prepare(s, world.series_code, op[1], world.admins[0]).id)
        except batches.BatchRefused:
            pass
    elif kind == "approve" and op[1] < len(made):
        try:
            with world.db.write() as s:
                batches.approve(s, made[op[1]], world.admins[1])
        except batches.BatchRefused:
            pass
    elif kind == "run" and op[1] < len(made):
        provider.crash = (op[2][0], provider.calls + op[2][1]) if op[2] else None
        with contextlib.suppress(batches.BatchRefused, Crash):
            run_batch(world.db, made[op[1]], world.admins[0], payments, sms, chunk=4)
        provider.crash = None
    elif kind == "block":
        claim = world.claim(claims[op[1]])
        if claim.status == "payable":
            world.set_claim(claims[op[1]], status="blocked", blocked="no_attendance: none")
    elif kind == "unblock":
        claim = world.claim(claims[op[1]])
        if claim.status == "blocked" and claim.blocked == "no_attendance: none":
            world.set_claim(claims[op[1]], status="payable", blocked="")
    elif kind == "deliver" and provider.pending:
        notice = provider.pending[op[1] % len(provider.pending)]
        if op[3]:  # a wrong secret first: refused, changes nothing
            answer = client.post("/payments/callback", json=notice,
                                 headers={"X-Callback-Key": "guess"})  # fmt: skip
            assert answer.status_code == 403
        deliver(client, notice)
        if not op[2]:  # delivered again later unless this one stays a duplicate now
            provider.pending.remove(notice)
        else:
            deliver(client, notice)
            provider.pending.remove(notice)


def deliver(client: httpx.Client, notice: dict) -> None:
    answer = client.post(
        "/payments/callback", json=notice, headers={"X-Callback-Key": CALLBACK_KEY}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] in ("paid", "failed", "unchanged")


def settle(world, provider, payments, client, made) -> None:
    """The rest of the story: every callback arrives (some twice), payments in doubt are
    settled from the provider's statement, every approved batch runs to its end."""
    for _round in range(2):
        for notice in list(provider.pending):
            deliver(client, notice)
            deliver(client, notice)
        provider.pending.clear()
        with world.db.write() as s:
            doubtful = s.scalars(select(m.Payment).where(m.Payment.status == "sending")).all()
            for payment in doubtful:
                assert payment.id not in provider.results, "a received payment left in doubt"
                reconcile.release(s, payment.id, world.admins[1])
        for batch_id in made:
            with contextlib.suppress(batches.BatchRefused):
                run_batch(world.db, batch_id, world.admins[0], payments, sms, chunk=4)


def check(world, provider, made) -> None:
    assert len(provider.received) == len(set(provider.received)), "a payment was sent twice"
    with world.db.read() as s:
        approved = set(
            s.scalars(
                select(m.PaymentBatch.id).where(m.PaymentBatch.status.in_(("approved", "run")))
            )
        )
        rows = s.scalars(select(m.Payment)).all()
        claims = {c.id: c for c in s.scalars(select(m.Claim))}
    paid_per_claim: dict[str, int] = {}
    for p in rows:
        if provider.results.get(p.id, (False, 0))[0]:
            paid_per_claim[p.claim_id] = paid_per_claim.get(p.claim_id, 0) + 1
        if p.status == "held":
            assert p.id not in provider.received, "a held payment reached the provider"
        if p.batch_id in approved:
            assert p.status in ("paid", "failed", "held"), f"left {p.status} after the story"
        else:
            assert p.id not in provider.received, "an unapproved payment reached the provider"
    assert all(n == 1 for n in paid_per_claim.values()), "a claim was paid twice"
    hub_paid = sum(p.amount for p in rows if p.status == "paid")
    approved_payable = sum(
        p.amount for p in rows if p.batch_id in approved and p.status not in ("held", "failed")
    )
    assert hub_paid == provider.paid_total == approved_payable
    for p in rows:
        claim = claims[p.claim_id]
        if p.status == "paid":
            assert (claim.status, claim.paid_amount) == ("paid", p.amount)
        if p.status == "failed":
            assert claim.status == "blocked" and "payment_failed" in claim.blocked
