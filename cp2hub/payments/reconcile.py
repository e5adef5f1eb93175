"""Settling payments: paid (with the provider's reference) or failed (with the reason).

A payment is settled once. A result for a payment already paid or failed, a callback
delivered twice or one arriving after the run recorded the same answer, changes nothing
and says so. Paid: the claim is marked paid (its amount, reference and time reach its
owner's devices with the claim) and the officer is told by SMS. Failed: nothing was
paid, the claim is free for a later batch and is blocked with the reason, in words the
officer can act on; `cp2hub.claims` keeps that blocker until the payment details change.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from cp2desk.sync.phones import masked_phone
from cp2hub import feed, reach
from cp2hub.auth import utcnow
from cp2hub.claims import failed_payment_text
from cp2hub.models import Claim, Payment, PaymentBatch, Professional, Series
from cp2hub.payments import arrays, audit
from cp2hub.payments.audit import PROVIDER_ACTOR, Actor
from cp2hub.sms import SmsGateway

log = logging.getLogger(__name__)

SETTLED = ("paid", "failed", "held", "cancelled")
IN_FLIGHT = ("sending", "sent", "filed")
MOBILE_IN_FLIGHT = ("sending", "sent")
"""What a provider's callback may settle: an M-Pesa payment sent or being sent. A bank
payment is settled by the bank's confirmation of its transfer file, never by a callback."""
SmsFactory = Callable[[Session], SmsGateway]


@dataclass(frozen=True)
class Notice:
    """A provider's result for one payment, as its callback says it: `amount` in KSh (None
    when the callback gave none in shillings), `destination` the number it went to."""

    key: str | None
    provider_id: str | None
    paid: bool
    reference: str | None
    reason: str | None
    amount: Decimal | None = None
    destination: str | None = None


def paid_text(amount: int, series: str, reference: str) -> str:
    """The officer's SMS; `series` as people say it ("KCSE 2026"), short enough for one SMS."""
    return f"KNEC has paid you KSh {amount:,} for {series}, ref {reference}."


def settle_paid(session: Session, payment: Payment, reference: str, sms: SmsGateway | None) -> None:
    """Paid: the payment, its claim, and the officer's SMS."""
    session.flush()
    settle_paid_many(session, [(payment.id, reference, payment.provider_id)], sms, utcnow())
    session.refresh(payment)


def settle_paid_many(
    session: Session,
    paid: list[tuple[str, str, str | None]],
    sms: SmsGateway | None,
    now: dt.datetime,
    found: list[PaidRow] | None = None,
) -> None:
    """Payments (id, reference, provider's id) paid: each payment, its claim marked paid
    (stamped for the feed, so the claim reaches its owner's devices), the paid SMS. In a
    few statements for the many: the national batch settles 100,000 of them. `found`:
    the payments' `paid_rows`, when the caller has read them already (under its lock)."""
    if not paid:
        return
    arrays.update_by_key(
        session, Payment.__table__, "id",
        [{"id": key, "reference": ref, "provider_id": pid} for key, ref, pid in paid],
        same={"status": "paid", "settled_at": now},
    )  # fmt: skip
    rows = found if found is not None else paid_rows(session, [key for key, _r, _p in paid])
    references = {key: ref for key, ref, _pid in paid}
    rows = [row for row in rows if row.id in references and row.officer is not None]
    if not rows:
        return
    first = feed.reserve(session, len(rows))
    arrays.update_by_key(
        session, Claim.__table__, "id",
        [
            {
                "id": row.claim_id, "paid_amount": row.amount, "paid_ref": references[row.id],
                "hlc": feed.clock.now(), "seq": first + i,
            }
            for i, row in enumerate(rows)
        ],
        same={"status": "paid", "paid_at": now, "origin": feed.HUB_ORIGIN},
    )  # fmt: skip
    # Written past the ORM: say whom they reach, so the officers' held devices wake.
    claims = [(Claim, {"professional_id": row.officer}) for row in rows]
    reach.note_rows(session, claims, first + len(rows) - 1)
    if sms is None:
        return
    failed = sms.send_many(
        [(row.phone, paid_text(row.amount, row.series, references[row.id])) for row in rows]
    )
    for phone, exc in failed:  # the payment stands; the officer sees it in My CP2
        log.warning("the paid SMS to %s could not go: %s", masked_phone(phone), exc.message)


class PaidRow(NamedTuple):
    """What settling a payment paid needs of it, its claim and its officer."""

    id: str
    claim_id: str
    amount: int
    status: str
    officer: str | None
    """The claim's officer's id; None if the claim or its officer is gone."""
    phone: str | None
    series: str | None


def paid_rows(session: Session, keys: list[str], lock: bool = False) -> list[PaidRow]:
    """The payments `keys` with their claim's officer's phone and series (as people say
    it), in one query; locked (the payments' rows) for the caller's transaction if asked."""
    query = (
        select(
            Payment.id,
            Payment.claim_id,
            Payment.amount,
            Payment.status,
            Professional.id,
            Professional.phone,
            (Series.exam + " " + cast(Series.year, String)).label("series"),
        )
        .outerjoin(Claim, Claim.id == Payment.claim_id)
        .outerjoin(Professional, Professional.id == Claim.professional_id)
        .outerjoin(Series, Series.id == Claim.series_id)
        .where(arrays.among(session, Payment.id, keys))
    )
    if lock:
        query = query.with_for_update(of=Payment)
    return [PaidRow(*row) for row in session.execute(query)]


def settle_failed(session: Session, payment: Payment, reason: str) -> None:
    payment.status = "failed"
    payment.reason = reason
    payment.live_claim_id = None
    payment.settled_at = utcnow()
    claim = session.get(Claim, payment.claim_id)
    if claim is not None and claim.status != "paid":
        blocker = f"payment_failed: {failed_payment_text(payment.method, payment.amount, reason)}"
        claim.status = "blocked"
        claim.blocked = "\n".join(b for b in (claim.blocked, blocker) if b)
        claim.hlc = 0


def apply_notice(
    session: Session, notice: Notice, sms: SmsGateway | None, actor: Actor = PROVIDER_ACTOR
) -> str:
    """Settle the payment a provider's result names; what became of it: paid, failed,
    unchanged (already settled: a duplicate or late result), unknown, or mismatch (the
    result does not fit the payment it names: refused, logged and audited, nothing
    settled, for an administrator to compare with the provider's statement)."""
    payment = None
    if notice.key:
        payment = session.get(Payment, notice.key, with_for_update=True)
    if payment is None and notice.provider_id:
        payment = session.scalar(
            select(Payment).where(Payment.provider_id == notice.provider_id).with_for_update()
        )
    if payment is None:
        log.warning("a payment result names no payment of this hub; ignored")
        return "unknown"
    if payment.status not in IN_FLIGHT:
        if payment.status != ("paid" if notice.paid else "failed"):
            log.warning(
                "a payment result (%s) for payment %s, which is %s; unchanged",
                "paid" if notice.paid else "failed", payment.id[:8], payment.status,
            )  # fmt: skip
        return "unchanged"
    problem = _mismatch(notice, payment)
    if payment.method != "mpesa" or payment.status not in MOBILE_IN_FLIGHT:
        problem = f"the payment is a {payment.method} payment, {payment.status}"
    if problem:
        log.warning("a payment result for payment %s refused: %s", payment.id[:8], problem)
        audit.record(
            session, actor, "mismatch", payment.batch_id, problem, count=1,
            amount=payment.amount, payment_id=payment.id,
        )  # fmt: skip
        return "mismatch"
    if notice.paid:
        settle_paid(session, payment, notice.reference or notice.provider_id or payment.id, sms)
        result = "paid"
    else:
        settle_failed(session, payment, notice.reason or "The provider gave no reason.")
        result = "failed"
    audit.record(
        session, actor, result, payment.batch_id,
        notice.reference or notice.reason or "", count=1, amount=payment.amount,
        payment_id=payment.id,
    )  # fmt: skip
    return result


def _mismatch(notice: Notice, payment: Payment) -> str | None:
    """Why a result cannot be this payment's, or None. A result that says paid must name
    the amount and the number the payment was sent for; a failure, if it names them. Found
    by our key, it must not name another transaction than the one the provider gave us."""
    if notice.provider_id and payment.provider_id and notice.provider_id != payment.provider_id:
        return (
            f"the result names transaction {notice.provider_id}, the payment is "
            f"{payment.provider_id}"
        )
    if notice.amount is None and notice.paid:
        return "the result gives no amount in KSh"
    if notice.amount is not None and notice.amount != payment.amount:
        return (
            f"the result's amount, KSh {notice.amount}, is not the payment's KSh {payment.amount:,}"
        )
    destination = (notice.destination or "").removeprefix("+")
    if not destination and notice.paid:
        return "the result names no destination"
    if destination and destination != payment.phone:
        return (
            f"the result's destination {masked_phone(destination)} is not the payment's "
            f"{masked_phone(payment.phone or '')}"
        )
    return None


def confirm_bank_file(session: Session, batch_id: str, reference: str, actor: Actor, sms) -> int:
    """The bank paid the batch's transfer file: its payments are paid with `reference`."""
    from cp2hub.payments.batches import find

    batch: PaymentBatch = find(session, batch_id, lock=True)
    filed = session.execute(
        select(Payment.id, Payment.amount).where(
            Payment.batch_id == batch.id, Payment.status == "filed"
        ).with_for_update()
    ).all()  # fmt: skip
    if filed:
        settle_paid_many(session, [(key, reference, None) for key, _a in filed], sms, utcnow())
    amount = sum(a for _key, a in filed)
    audit.record(session, actor, "bank_paid", batch.id, reference, count=len(filed), amount=amount)
    session.flush()
    return len(filed)


def release(session: Session, payment_id: str, actor: Actor) -> Payment:
    """A payment in doubt ("sending": a run stopped between sending and hearing back)
    that the provider's statement shows it never received: queued again, to be sent by
    the next run with the same idempotency key. An administrator's decision, logged."""
    from cp2hub.payments.batches import BatchRefused

    payment = session.get(Payment, payment_id, with_for_update=True)
    if payment is None:
        from cp2hub.payments.batches import BatchNotFound

        raise BatchNotFound(f"There is no payment {payment_id!r}.")
    if payment.status != "sending":
        raise BatchRefused(
            f"Payment {payment.id[:8]} is {payment.status}: only a payment in doubt can be "
            "released."
        )
    payment.status, payment.sent_at = "queued", None
    audit.record(
        session, actor, "released", payment.batch_id, "not received by the provider",
        count=1, amount=payment.amount, payment_id=payment.id,
    )  # fmt: skip
    return payment
