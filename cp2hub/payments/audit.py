"""The payments' audit log: who prepared, approved, sent and reconciled what, and when.

Lines are only ever added. The console reads them and exports them as CSV; the CLI
prints them. An actor is an administrator (user id and phone) or the payment provider.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2hub.auth import Principal, utcnow
from cp2hub.models import AppUser, PaymentAudit
from cp2hub.payments.spreadsheet_text import as_text

PROVIDER = "payment provider"


@dataclass(frozen=True)
class Actor:
    """Who acts: an administrator (their user id and how they are named) or the provider."""

    user_id: str | None
    name: str

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.user_id, principal.phone)

    @classmethod
    def admin(cls, session: Session, phone: str) -> Actor:
        """The administrator signed up with `phone` (for the command line)."""
        from cp2hub.errors import Forbidden
        from cp2hub.models import RoleGrant

        user = session.scalar(select(AppUser).where(AppUser.phone == phone))
        is_admin = user is not None and session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.user_id == user.id,
                RoleGrant.role == "admin",
                RoleGrant.deleted.is_(False),
            )
        )
        if not is_admin:
            raise Forbidden(f"{phone} is not a KNEC administrator's account.")
        return cls(user.id, phone)


PROVIDER_ACTOR = Actor(None, PROVIDER)


def record(
    session: Session,
    actor: Actor,
    action: str,
    batch_id: str | None,
    detail: str = "",
    count: int = 0,
    amount: int = 0,
    payment_id: str | None = None,
) -> None:
    session.add(
        PaymentAudit(
            at=utcnow(),
            actor_id=actor.user_id,
            actor=actor.name,
            action=action,
            batch_id=batch_id,
            payment_id=payment_id,
            count=count,
            amount=amount,
            detail=detail,
        )
    )


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    actor: str
    action: str
    batch_id: str | None
    payment_id: str | None
    count: int
    amount: int
    detail: str


def lines(session: Session, batch_id: str | None = None, limit: int = 500) -> list[AuditLine]:
    """The latest lines (of one batch, if given), oldest first."""
    query = select(PaymentAudit).order_by(PaymentAudit.id.desc()).limit(limit)
    if batch_id:
        query = query.where(PaymentAudit.batch_id == batch_id)
    found = reversed(session.scalars(query).all())
    return [
        AuditLine(a.at, a.actor, a.action, a.batch_id, a.payment_id, a.count, a.amount, a.detail)
        for a in found
    ]


COLUMNS = ("at_utc", "actor", "action", "batch", "payment", "count", "amount_ksh", "detail")


def export_csv(session: Session, batch_id: str | None = None) -> str:
    """The whole log (of one batch, if given) as CSV, oldest first."""
    query = select(PaymentAudit).order_by(PaymentAudit.id)
    if batch_id:
        query = query.where(PaymentAudit.batch_id == batch_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for a in session.scalars(query.execution_options(yield_per=5000)):
        writer.writerow(
            as_text(cell)
            for cell in (
                f"{a.at:%Y-%m-%d %H:%M:%S}",
                a.actor,
                a.action,
                a.batch_id or "",
                a.payment_id or "",
                a.count,
                a.amount,
                a.detail,
            )
        )
    return out.getvalue()
