"""A professional's own profile, read and edited online (the web portal's Profile pages).

An edit made on the web is a change like one a desktop pushes: the same checks of what
the fields may hold (`cp2desk.sync.profile_checks`, which My CP2 makes too), then the
push machinery (`cp2hub.push.apply_batch`) with its rule for the table
(`cp2hub.rules.profile`: only one's own profile), authorship and change feed. So the
professional's desktop receives a web edit at its next sync, as if another of their
devices had made it, and a rule is never written twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2desk.sync.completeness import Missing, missing_items, percent_complete
from cp2desk.sync.profile_checks import (
    PERSONAL_FIELDS,
    StoredPlaces,
    Study,
    Work,
    personal,
    study,
    work,
)
from cp2desk.sync.protocol import Change
from cp2hub import feed, push
from cp2hub.auth import Principal
from cp2hub.db import Database
from cp2hub.errors import Forbidden, HubError
from cp2hub.models import County, Professional, Qualification, SubCounty, WorkExperience
from cp2hub.payment_alerts import PaymentAlerts
from cp2hub.scope import scope_of


class ChangeRefused(HubError):
    """The hub's rule refused the change; the message is the rule's."""

    status = 409
    code = "change_refused"


class EntryNotFound(HubError):
    status = 404
    code = "not_found"


@dataclass(frozen=True)
class OwnProfile:
    person: Professional
    work: list[WorkExperience]
    qualifications: list[Qualification]
    missing: list[Missing]
    percent: int
    county: str
    sub_county: str

    @property
    def blocking(self) -> list[Missing]:
        return [m for m in self.missing if m.blocks_payment]

    def values(self) -> dict[str, Any]:
        return {name: getattr(self.person, name) for name in PERSONAL_FIELDS}


def professional_id(principal: Principal) -> str:
    if not principal.professional_id:
        raise Forbidden("This account has no CP2 profile.")
    return principal.professional_id


def load(session: Session, principal: Principal) -> OwnProfile:
    pid = professional_id(principal)
    person = session.get(Professional, pid)
    work_items = session.scalars(
        select(WorkExperience)
        .where(WorkExperience.professional_id == pid, WorkExperience.deleted.is_(False))
        .order_by(WorkExperience.start_on.desc(), WorkExperience.employer)
    ).all()
    studies = session.scalars(
        select(Qualification)
        .where(Qualification.professional_id == pid, Qualification.deleted.is_(False))
        .order_by(Qualification.year.desc(), Qualification.title)
    ).all()
    county = session.get(County, person.county_id) if person.county_id else None
    sub = session.get(SubCounty, person.sub_county_id) if person.sub_county_id else None
    return OwnProfile(
        person=person,
        work=list(work_items),
        qualifications=list(studies),
        missing=missing_items(person, len(work_items), len(studies)),
        percent=percent_complete(person, len(work_items), len(studies)),
        county=county.name if county else "",
        sub_county=sub.name if sub else "",
    )


def save_personal(
    db: Database,
    principal: Principal,
    values: dict[str, Any],
    alerts: PaymentAlerts | None = None,
) -> list[str]:
    """Save the personal, work-place and payment fields given (the others kept); returns
    the names of the fields changed. ProfileProblem names a bad value. `alerts` tells the
    owner by SMS when payment details changed."""
    pid = professional_id(principal)
    with db.read() as session:
        person = session.get(Professional, pid)
        current = {name: getattr(person, name) for name in PERSONAL_FIELDS}
        clean = personal({**current, **values}, StoredPlaces(session, County, SubCounty), dt.date.today())
        row = push.as_wire(person, scope_of(principal))
    changed = [name for name in PERSONAL_FIELDS if clean[name] != current[name]]
    if changed:
        row.update({name: _wire(clean[name]) for name in changed})
        _apply(db, principal, "professional", row, changed, alerts)
    return changed


def save_work(db: Database, principal: Principal, item_id: str | None, item: Work) -> None:
    checked = work(item, dt.date.today())
    fields = {
        "employer": checked.employer,
        "title": checked.title,
        "start_on": _wire(checked.start_on),
        "end_on": _wire(checked.end_on),
    }
    _save_owned(db, principal, WorkExperience, item_id, fields)


def save_qualification(
    db: Database, principal: Principal, item_id: str | None, item: Study
) -> None:
    checked = study(item, dt.date.today())
    fields = {
        "level": checked.level,
        "title": checked.title,
        "institution": checked.institution,
        "year": checked.year,
    }
    _save_owned(db, principal, Qualification, item_id, fields)


def remove(db: Database, principal: Principal, model: type, item_id: str) -> None:
    """Remove one's own work experience or qualification (a tombstone, as a device does)."""
    _save_owned(db, principal, model, item_id, {"deleted": True})


def entry(session: Session, principal: Principal, model: type, item_id: str):
    """One's own work experience or qualification, or EntryNotFound."""
    row = session.get(model, item_id)
    if row is None or row.deleted or row.professional_id != professional_id(principal):
        raise EntryNotFound("That entry is no longer in your profile.")
    return row


def _save_owned(db: Database, principal: Principal, model, item_id, fields) -> None:
    pid = professional_id(principal)
    if item_id:
        with db.read() as session:
            row = push.as_wire(entry(session, principal, model, item_id), scope_of(principal))
    else:
        row = {"id": str(uuid.uuid4()), "professional_id": pid, "deleted": False}
    row.update(fields)
    _apply(db, principal, model.__tablename__, row, list(fields))


def _apply(
    db: Database,
    principal: Principal,
    table: str,
    row: dict,
    fields: list[str],
    alerts: PaymentAlerts | None = None,
) -> None:
    row = {**row, "hlc": feed.clock.now(), "origin": principal.device_id}
    row.pop("seq", None)
    change = Change(key=str(uuid.uuid4()), table=table, row=row, fields=fields)
    [answer] = push.apply_batch(db, principal, [change], alerts)
    if answer.outcome != "applied":
        raise ChangeRefused(answer.reason or "The hub did not save this change.")


def _wire(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
