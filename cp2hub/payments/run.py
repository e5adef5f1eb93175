"""The disbursement run of an approved batch: pays each of its payments at most once.

In chunks, each in three steps: (1) one transaction takes the chunk's queued payments,
holds those whose claim is no longer payable for the approved amount (held: nothing is
sent, the claim is free for a later batch), files the bank-paid ones in the batch's bank
transfer file, and marks the rest "sending"; (2) the backend is called with their
idempotency keys; (3) one transaction records what it answered (`reconcile`). A crash
between (1) and (3) leaves payments "sending", in doubt: a run again first asks the
backend what it knows of them, and sends again only what a backend whose record is
written with the money (the outbox) has no record of; with Africa's Talking they wait
for the provider's callback. So running a batch again pays only the unpaid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from cp2hub.auth import utcnow
from cp2hub.db import Database
from cp2hub.models import Claim, Payment, Series
from cp2hub.payments import arrays, audit
from cp2hub.payments.audit import Actor
from cp2hub.payments.batches import BatchRefused, find
from cp2hub.payments.payouts import Outcome, PaymentBackend, Payout
from cp2hub.payments.reconcile import SmsFactory, paid_rows, settle_failed, settle_paid_many

log = logging.getLogger(__name__)
CHUNK = 1000


@dataclass
class RunSummary:
    batch_id: str
    counts: dict[str, int] = field(default_factory=dict)
    amounts: dict[str, int] = field(default_factory=dict)
    stopped: str | None = None
    """Why the run stopped early (the provider refused a request), if it did."""

    def add(self, status: str, amount: int) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1
        self.amounts[status] = self.amounts.get(status, 0) + amount

    def lines(self) -> list[str]:
        out = [f"Batch {self.batch_id[:8]}:"]
        out += [
            f"  {status:<8} {self.counts[status]:>7,}   KSh {self.amounts[status]:>13,}"
            for status in sorted(self.counts)
        ]
        if self.stopped:
            out.append(f"  stopped: {self.stopped}")
        return out


def run_batch(
    db: Database,
    batch_id: str,
    actor: Actor,
    backend: PaymentBackend,
    sms: SmsFactory | None,
    chunk: int = CHUNK,
) -> RunSummary:
    with db.write() as session:
        batch = find(session, batch_id, lock=True)
        if batch.status not in ("approved", "run"):
            raise BatchRefused(
                f"Batch {batch.id[:8]} is {batch.status}: only an approved batch can be run."
            )
        batch.status = "run"
        batch_id = batch.id
        series_name = session.get(Series, batch.series_id).name
        audit.record(session, actor, "run", batch_id, f"backend {backend.name}")
    summary = RunSummary(batch_id)
    _resolve_in_doubt(db, batch_id, actor, backend, sms, series_name, summary, chunk)
    after = ""
    while summary.stopped is None:
        with db.write() as session:
            taken = _take(session, batch_id, actor, after, chunk, summary)
        if taken is None:
            break
        after, sending = taken
        if sending:
            _send(db, batch_id, actor, backend, sms, series_name, sending, summary)
    log.info(
        "payment batch run",
        extra={"event": "payment_run", "batch": batch_id, "counts": summary.counts},
    )
    return summary


def _take(
    session: Session, batch_id: str, actor: Actor, after: str, chunk: int, summary: RunSummary
) -> tuple[str, list[_Sending]] | None:
    """The next chunk of queued payments (by id, after `after`): held, filed or marked
    sending in this transaction. None when none is left. Rows, not objects: a few
    statements for the chunk."""
    rows = session.execute(
        select(
            Payment.id, Payment.amount, Payment.method, Payment.phone, Payment.payee,
            Claim.status, Claim.amount, Claim.deleted,
        )
        .outerjoin(Claim, Claim.id == Payment.claim_id)
        .where(Payment.batch_id == batch_id, Payment.status == "queued", Payment.id > after)
        .order_by(Payment.id)
        .limit(chunk)
        .with_for_update(of=Payment)
    ).all()  # fmt: skip
    if not rows:
        return None
    now = utcnow()
    held, filed, sending = [], [], []
    for key, amount, method, phone, payee, claim_status, claim_amount, deleted in rows:
        reason = _why_held(amount, claim_status, claim_amount, deleted)
        if reason:
            held.append((key, amount, reason))
        elif method == "bank":
            filed.append((key, amount))
        else:
            sending.append(_Sending(key, amount, phone or "", payee))
    if held:
        session.execute(
            _HOLD, [{"key": key, "why": reason, "now": now} for key, _a, reason in held]
        )
        for _key, amount, _reason in held:
            summary.add("held", amount)
        audit.record(
            session, actor, "held", batch_id,
            "; ".join(sorted({reason for _k, _a, reason in held}))[:2000],
            count=len(held), amount=sum(amount for _k, amount, _r in held),
        )  # fmt: skip
    for keys, status in (([k for k, _a in filed], "filed"), ([p.id for p in sending], "sending")):
        if keys:  # one statement for the many, not an UPDATE each
            session.execute(
                update(Payment.__table__)
                .where(arrays.among(session, Payment.id, keys))
                .values(status=status, sent_at=now)
            )
    for _key, amount in filed:
        summary.add("filed", amount)
    return rows[-1][0], sending


_HOLD = (  # the claim no longer payable as approved: nothing is sent, the claim is free
    update(Payment.__table__)
    .where(Payment.id == bindparam("key"))
    .values(status="held", reason=bindparam("why"), live_claim_id=None, settled_at=bindparam("now"))
)


@dataclass(frozen=True)
class _Sending:
    id: str
    amount: int
    phone: str
    payee: str


def _why_held(approved: int, status: str | None, amount: int | None, deleted) -> str | None:
    if status is None or deleted:
        return "The claim no longer exists (the officer is no longer deployed in the series)."
    if status != "payable":
        return f"The claim became {status} after the batch was approved."
    if amount != approved:
        return (
            f"The claim changed after the batch was approved (KSh {approved:,} "
            f"approved, KSh {amount:,} now): it goes in a new batch."
        )
    return None


def _send(
    db: Database,
    batch_id: str,
    actor: Actor,
    backend: PaymentBackend,
    sms: SmsFactory | None,
    series_name: str,
    payments: list[_Sending] | list[Payment],
    summary: RunSummary,
) -> None:
    payouts = [Payout(p.id, p.amount, p.phone or "", p.payee, series_name) for p in payments]
    outcomes = backend.pay(payouts)
    _record(db, batch_id, actor, sms, outcomes, [p.id for p in payments], summary)


def _resolve_in_doubt(
    db: Database,
    batch_id: str,
    actor: Actor,
    backend: PaymentBackend,
    sms: SmsFactory | None,
    series_name: str,
    summary: RunSummary,
    chunk: int,
) -> None:
    """Payments left "sending" by a run that stopped: settled from what the backend
    knows; sent again only where its silence proves nothing was paid."""
    with db.read() as session:
        doubtful = session.scalars(
            select(Payment).where(Payment.batch_id == batch_id, Payment.status == "sending")
            .order_by(Payment.id)
        ).all()  # fmt: skip
    for start in range(0, len(doubtful), chunk):
        group = doubtful[start : start + chunk]
        known = backend.lookup([p.id for p in group])
        _record(db, batch_id, actor, sms, known, [p.id for p in group if p.id in known], summary)
        unknown = [p for p in group if p.id not in known]
        if unknown and backend.resend_unknown:
            _send(db, batch_id, actor, backend, sms, series_name, unknown, summary)
        else:
            for p in unknown:
                summary.add("sending", p.amount)


def _record(
    db: Database,
    batch_id: str,
    actor: Actor,
    sms: SmsFactory | None,
    outcomes: dict[str, Outcome],
    keys: list[str],
    summary: RunSummary,
) -> None:
    """Record the backend's answers for `keys`, in one transaction; a payment with no
    answer stays "sending" (in doubt). Set-based: a chunk of 1,000 is a few statements."""
    with db.write() as session:
        gateway = sms(session) if sms else None
        rows = paid_rows(session, keys, lock=True)
        now = utcnow()
        paid, sent, unsent, failed = [], [], [], []
        for row in rows:
            outcome = outcomes.get(row.id)
            if row.status != "sending":
                continue  # a callback settled it meanwhile
            if outcome is None:
                summary.add("sending", row.amount)
                continue
            kind = outcome.status
            summary.add({"unsent": "queued"}.get(kind, kind), row.amount)
            {"paid": paid, "sent": sent, "unsent": unsent, "failed": failed}[kind].append(
                (row.id, outcome)
            )
        if paid:
            settle_paid_many(
                session,
                [(key, o.reference or key, o.provider_id) for key, o in paid],
                gateway,
                now,
                found=rows,
            )
        if sent:
            session.execute(
                update(Payment),
                [{"id": key, "status": "sent", "provider_id": o.provider_id} for key, o in sent],
            )
        if unsent:
            summary.stopped = unsent[0][1].reason
            session.execute(
                update(Payment),
                [{"id": key, "status": "queued", "sent_at": None, "reason": o.reason}
                 for key, o in unsent],
            )  # fmt: skip
        for key, outcome in failed:
            payment = session.get(Payment, key)
            payment.provider_id = outcome.provider_id or payment.provider_id
            settle_failed(session, payment, outcome.reason or "The provider refused it.")
        amounts = {row.id: row.amount for row in rows}
        for action, group in (
            ("paid", paid),
            ("sent", sent),
            ("unsent", unsent),
            ("failed", failed),
        ):
            if group:
                audit.record(
                    session, actor, action, batch_id, count=len(group),
                    amount=sum(amounts[key] for key, _o in group),
                )  # fmt: skip
