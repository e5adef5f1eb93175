"""Payment backends, chosen like the SMS one by Settings.payment_backend.

`outbox` (the default) records what would be paid in `payment_outbox`, once per
idempotency key, and answers "paid" at once: for development, tests and the demo.
`africastalking` pays by M-Pesa through Africa's Talking's mobile B2C
(`cp2hub.payments.africastalking`) and learns each result from its callback.

What a backend is told and answers: `cp2hub.payments.payouts`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from cp2hub.db import Database
from cp2hub.models import PaymentOutbox
from cp2hub.payments import arrays
from cp2hub.payments.payouts import Outcome, PaymentBackend, PaymentsNotConfigured, Payout
from cp2hub.settings import Settings

__all__ = ["Outcome", "PaymentBackend", "PaymentsNotConfigured", "Payout", "backend"]

BACKENDS = ("outbox", "africastalking")


class OutboxPayments:
    """Records each payout once, in its own transaction: a key seen before answers what
    was recorded then, as a provider honouring idempotency keys does."""

    name = "outbox"
    resend_unknown = True

    def __init__(self, db: Database) -> None:
        self.db = db

    def pay(self, payouts: list[Payout]) -> dict[str, Outcome]:
        with self.db.write() as session:
            known = set(
                session.scalars(
                    select(PaymentOutbox.key).where(
                        arrays.among(session, PaymentOutbox.key, [p.key for p in payouts])
                    )
                )
            )
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            new = [
                {"key": p.key, "phone": p.phone, "payee": p.payee, "amount": p.amount,
                 "reference": _reference(p.key), "at": now}
                for p in payouts
                if p.key not in known
            ]  # fmt: skip
            arrays.insert_rows(session, PaymentOutbox.__table__, new)
        return {p.key: Outcome("paid", p.key, _reference(p.key)) for p in payouts}

    def lookup(self, keys: list[str]) -> dict[str, Outcome]:
        with self.db.read() as session:
            rows = session.execute(
                select(PaymentOutbox.key, PaymentOutbox.reference).where(
                    PaymentOutbox.key.in_(keys)
                )
            ).all()
        return {key: Outcome("paid", key, reference) for key, reference in rows}


def _reference(key: str) -> str:
    return "OUT" + key.replace("-", "")[:9].upper()


def backend(settings: Settings, db: Database) -> PaymentBackend:
    if settings.payment_backend == "outbox":
        if not settings.demo and not db.is_sqlite:
            raise PaymentsNotConfigured(
                "The outbox payment backend on PostgreSQL would mark claims paid that nobody "
                "paid: set CP2HUB_PAYMENT_BACKEND=africastalking (with CP2HUB_PAYMENT_USERNAME, "
                "CP2HUB_PAYMENT_API_KEY and CP2HUB_PAYMENT_PRODUCT), or CP2HUB_MODE=demo."
            )
        return OutboxPayments(db)
    if settings.payment_backend == "africastalking":
        from cp2hub.payments.africastalking import AfricasTalkingPayments

        return AfricasTalkingPayments(
            settings.payment_username,
            settings.payment_api_key.get_secret_value(),
            settings.payment_product,
        )
    raise PaymentsNotConfigured(
        f"Unknown payment backend {settings.payment_backend!r}: set CP2HUB_PAYMENT_BACKEND "
        "to " + " or ".join(BACKENDS) + "."
    )
