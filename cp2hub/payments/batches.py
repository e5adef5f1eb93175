"""Payment batches: prepared from a series' payable claims, approved by another admin.

Maker-checker: the administrator who prepared a batch can never approve it. A batch
holds the payable claims of the series (of one county, by the county of the centre
where the officer served, or all) that no live payment holds, each as a payment whose
id is its idempotency key, its amount in whole shillings and where the money goes, as
the profile said when the batch was prepared. Preparing writes the payments with bulk
inserts: a national batch of 100,000 claims is a few statements.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cp2desk.sync.completeness import full_name
from cp2hub.auth import utcnow
from cp2hub.claims import UnknownSeries
from cp2hub.errors import Forbidden, HubError
from cp2hub.models import (
    Claim,
    County,
    Deployment,
    Payment,
    PaymentBatch,
    Professional,
    Series,
    Station,
)
from cp2hub.payments import arrays, audit
from cp2hub.payments.audit import Actor

BANK = "bank"
MPESA = "mpesa"
STATUSES = ("queued", "sending", "sent", "filed", "paid", "failed", "held", "cancelled")
LIVE = ("queued", "sending", "sent", "filed", "paid")
"""A payment in these may still move money, or did: its claim's one live payment."""


class BatchNotFound(HubError):
    status = 404
    code = "not_found"


class BatchRefused(HubError):
    status = 409
    code = "batch_refused"


@dataclass(frozen=True)
class BatchLine:
    id: str
    series_code: str
    series_name: str
    county: str
    """The county's name, or "All counties"."""
    status: str
    count: int
    total: int
    prepared_by: str
    prepared_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    by_status: dict[str, tuple[int, int]]
    """Payment status -> (how many, KSh)."""

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def paid(self) -> int:
        return self.by_status.get("paid", (0, 0))[1]


def prepare(session: Session, series_code: str, county_code: str | None, actor: Actor) -> BatchLine:
    """A new batch of every payable claim of the series (of the county) not yet in one."""
    series = _series(session, series_code)
    county = _county(session, county_code) if county_code else None
    counties = _officer_counties(session, series.id)
    held = select(Payment.live_claim_id).where(Payment.live_claim_id == Claim.id).exists()
    rows = session.execute(
        select(
            Claim.id,
            Claim.professional_id,
            Claim.amount,
            Professional.payment_method,
            Professional.mpesa_phone,
            Professional.mpesa_name,
            Professional.bank_name,
            Professional.bank_account,
            Professional.first_name,
            Professional.middle_name,
            Professional.last_name,
        )
        .join(Professional, Professional.id == Claim.professional_id)
        .where(
            Claim.series_id == series.id,
            Claim.status == "payable",
            Claim.deleted.is_(False),
            Claim.amount > 0,
            ~held,
        )
        .order_by(Claim.id)
    ).all()
    if county is not None:
        rows = [r for r in rows if counties.get(r.professional_id) == county.id]
    if not rows:
        where = f" in {county.name}" if county else ""
        raise BatchRefused(
            f"No claim of {series.code}{where} is payable and not already in a batch: "
            "compute the claims first, or see what blocks them."
        )
    batch_id = str(uuid.uuid4())
    now = utcnow()
    total = sum(r.amount for r in rows)
    session.add(
        PaymentBatch(
            id=batch_id,
            series_id=series.id,
            county_id=county.id if county else None,
            status="prepared",
            count=len(rows),
            total=total,
            prepared_by=actor.user_id or "",
            prepared_at=now,
        )
    )
    session.flush()
    arrays.insert_rows(
        session,
        Payment.__table__,
        [
            {
                "id": str(uuid.uuid4()),
                "batch_id": batch_id,
                "claim_id": r.id,
                "live_claim_id": r.id,
                "professional_id": r.professional_id,
                "county_id": counties.get(r.professional_id),
                "amount": r.amount,
                "method": BANK if r.payment_method == BANK else MPESA,
                "phone": r.mpesa_phone,
                "payee": (r.mpesa_name or full_name(r))[:120],
                "bank_name": r.bank_name,
                "bank_account": r.bank_account,
                "status": "queued",
            }
            for r in rows
        ],
    )
    audit.record(
        session, actor, "prepared", batch_id,
        f"{series.code}, {county.name if county else 'all counties'}",
        count=len(rows), amount=total,
    )  # fmt: skip
    return line(session, batch_id)


def approve(session: Session, batch_id: str, actor: Actor) -> BatchLine:
    """Approve a prepared batch: by an administrator other than the one who prepared it."""
    batch = find(session, batch_id, lock=True)
    if batch.status != "prepared":
        raise BatchRefused(
            f"Batch {batch.id[:8]} is {batch.status}: only a prepared batch can be approved."
        )
    if actor.user_id is None or actor.user_id == batch.prepared_by:
        raise Forbidden(
            "You prepared this batch: another administrator must approve it (maker-checker)."
        )
    batch.status = "approved"
    batch.approved_by = actor.user_id
    batch.approved_at = utcnow()
    audit.record(session, actor, "approved", batch.id, count=batch.count, amount=batch.total)
    session.flush()
    return line(session, batch.id)


def cancel(session: Session, batch_id: str, actor: Actor) -> BatchLine:
    """Cancel a batch not yet run: its claims are free for another batch."""
    batch = find(session, batch_id, lock=True)
    if batch.status not in ("prepared", "approved"):
        raise BatchRefused(
            f"Batch {batch.id[:8]} is {batch.status}: it can no longer be cancelled."
        )
    batch.status = "cancelled"
    session.execute(
        update(Payment)
        .where(Payment.batch_id == batch.id, Payment.status == "queued")
        .values(status="cancelled", live_claim_id=None)
    )
    audit.record(session, actor, "cancelled", batch.id, count=batch.count, amount=batch.total)
    session.flush()
    return line(session, batch.id)


def find(session: Session, batch_id: str, lock: bool = False) -> PaymentBatch:
    """A batch by its id or a unique start of it (at least 6 characters)."""
    batch = session.get(PaymentBatch, batch_id, with_for_update=lock)
    if batch is None and len(batch_id) >= 6:
        found = session.scalars(
            select(PaymentBatch).where(PaymentBatch.id.startswith(batch_id)).limit(2)
        ).all()
        if len(found) == 1:
            batch = session.get(PaymentBatch, found[0].id, with_for_update=lock)
    if batch is None:
        raise BatchNotFound(f"There is no payment batch {batch_id!r}.")
    return batch


def listing(session: Session, limit: int = 100) -> list[BatchLine]:
    ids = session.scalars(
        select(PaymentBatch.id).order_by(PaymentBatch.prepared_at.desc()).limit(limit)
    ).all()
    return [line(session, i) for i in ids]


def line(session: Session, batch_id: str) -> BatchLine:
    batch = find(session, batch_id)
    series = session.get(Series, batch.series_id)
    county = session.get(County, batch.county_id) if batch.county_id else None
    by_status = {
        status: (count, int(total or 0))
        for status, count, total in session.execute(
            select(Payment.status, func.count(), func.sum(Payment.amount))
            .where(Payment.batch_id == batch.id)
            .group_by(Payment.status)
        )
    }
    return BatchLine(
        id=batch.id,
        series_code=series.code,
        series_name=series.name,
        county=county.name if county else "All counties",
        status=batch.status,
        count=batch.count,
        total=batch.total,
        prepared_by=_who(session, batch.prepared_by),
        prepared_at=batch.prepared_at,
        approved_by=_who(session, batch.approved_by) if batch.approved_by else None,
        approved_at=batch.approved_at,
        by_status=by_status,
    )


def _who(session: Session, user_id: str) -> str:
    from cp2hub.models import AppUser

    user = session.get(AppUser, user_id)
    return (user.display_name or user.phone) if user else user_id


def _series(session: Session, code: str) -> Series:
    series = session.scalar(select(Series).where(Series.code == code, Series.deleted.is_(False)))
    if series is None:
        raise UnknownSeries(f"There is no series {code!r}.")
    return series


def _county(session: Session, code_or_name: str) -> County:
    wanted = code_or_name.strip()
    county = session.scalar(
        select(County).where(
            (County.code == wanted) | (func.lower(County.name) == wanted.lower()),
            County.deleted.is_(False),
        )
    )
    if county is None:
        raise HubError(f"There is no county {code_or_name!r} (give its code or name).")
    return county


def _officer_counties(session: Session, series_id: str) -> dict[str, str]:
    """Each deployed officer's county: that of the centre of their deployment in force
    (the last one started, when redeployed)."""
    rows = session.execute(
        select(Deployment.professional_id, Station.county_id, Deployment.status)
        .join(Station, Station.id == Deployment.station_id)
        .where(Deployment.series_id == series_id, Deployment.deleted.is_(False))
        .order_by(Deployment.professional_id, Deployment.status == "active")
    ).all()
    return {professional_id: county_id for professional_id, county_id, _status in rows}
