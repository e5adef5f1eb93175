"""A professional's own profile on this device: view, edit, add and remove, offline.

Each edit is one `replica.write()` transaction that validates, writes the row and
queues its outbox entry, so a profile edited at a centre with no network reaches the
hub at the next sync. Removing a work experience or qualification writes a tombstone
(`deleted`), which the hub applies like any other change. What the profile still lacks
comes from `cp2desk.sync.completeness`, the same function the hub uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2desk.local_db.models import (
    AppUser,
    County,
    OutboxEntry,
    Professional,
    Qualification,
    RoleGrant,
    SubCounty,
    WorkExperience,
)
from cp2desk.local_db.replica import Replica
from cp2desk.services.errors import NotFound, ServiceError
from cp2desk.sync.completeness import Missing, missing_items, percent_complete
from cp2desk.sync.profile_checks import (
    LABELS,
    PERSONAL_FIELDS,
    QUALIFICATION_LEVELS,  # noqa: F401  (the qualification dialog lists them from here)
    ProfileProblem,
    StoredPlaces,
    Study,
    Work,
    personal,
    study,
    work,
)


class InvalidProfile(ServiceError):
    """A value the profile cannot take; `field` names the box to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class WorkItem:
    id: str | None
    employer: str
    title: str
    start_on: dt.date | None = None
    end_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class QualificationItem:
    id: str | None
    level: str
    title: str
    institution: str
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    professional_id: str
    phone: str
    values: dict[str, Any]
    work: list[WorkItem]
    qualifications: list[QualificationItem]
    missing: list[Missing]
    percent: int
    pending: int
    """Changes of this profile still waiting for the hub."""

    @property
    def blocking(self) -> list[Missing]:
        return [m for m in self.missing if m.blocks_payment]

    @property
    def full_name(self) -> str:
        v = self.values
        return " ".join(p for p in (v["first_name"], v["middle_name"], v["last_name"]) if p)


@dataclass(frozen=True, slots=True)
class CountyChoice:
    id: str
    name: str
    sub_counties: list[tuple[str, str]]


# --- reading ------------------------------------------------------------------------


def professional_id_of(session: Session, user_id: str) -> str | None:
    user = session.get(AppUser, user_id)
    return user.professional_id if user else None


def is_professional(replica: Replica, user_id: str) -> bool:
    """Whether the user holds the professional role (every CP2 account does)."""
    with replica.read() as session:
        found = session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.user_id == user_id,
                RoleGrant.role == "professional",
                RoleGrant.deleted.is_(False),
            )
        )
    return found is not None


def load_profile(replica: Replica, user_id: str) -> Profile | None:
    """The signed-in user's profile, or None before the first sync brought it."""
    with replica.read() as session:
        return _profile(session, user_id)


def _profile(session: Session, user_id: str) -> Profile | None:
    pid = professional_id_of(session, user_id)
    person = session.get(Professional, pid) if pid else None
    if person is None:
        return None
    work = session.scalars(
        select(WorkExperience)
        .where(WorkExperience.professional_id == pid, WorkExperience.deleted.is_(False))
        .order_by(WorkExperience.start_on.desc(), WorkExperience.employer)
    ).all()
    quals = session.scalars(
        select(Qualification)
        .where(Qualification.professional_id == pid, Qualification.deleted.is_(False))
        .order_by(Qualification.year.desc(), Qualification.title)
    ).all()
    ids = [pid, *(w.id for w in work), *(q.id for q in quals)]
    pending = len(
        session.scalars(select(OutboxEntry.position).where(OutboxEntry.row_id.in_(ids))).all()
    )
    return Profile(
        professional_id=pid,
        phone=person.phone,
        values={name: getattr(person, name) for name in PERSONAL_FIELDS},
        work=[WorkItem(w.id, w.employer, w.title, w.start_on, w.end_on) for w in work],
        qualifications=[
            QualificationItem(q.id, q.level, q.title, q.institution, q.year) for q in quals
        ],
        missing=missing_items(person, len(work), len(quals)),
        percent=percent_complete(person, len(work), len(quals)),
        pending=pending,
    )


def counties(replica: Replica) -> list[CountyChoice]:
    """Every county with its sub-counties, by name (reference data every device has)."""
    with replica.read() as session:
        subs: dict[str, list[tuple[str, str]]] = {}
        for sub in session.scalars(select(SubCounty).order_by(SubCounty.name)):
            subs.setdefault(sub.county_id, []).append((sub.id, sub.name))
        return [
            CountyChoice(c.id, c.name, subs.get(c.id, []))
            for c in session.scalars(select(County).order_by(County.name))
        ]


# --- writing ------------------------------------------------------------------------


def save_personal(replica: Replica, user_id: str, values: dict[str, Any]) -> Profile:
    """Save the changed personal, work-place and payment fields; returns the new profile."""
    with replica.write() as session:
        person = _own(session, user_id)
        clean = validate_personal(session, {**_current(person), **values})
        changed = [name for name in PERSONAL_FIELDS if clean[name] != getattr(person, name)]
        if changed:
            base = person.hlc
            for name in changed:
                setattr(person, name, clean[name])
            labels = ", ".join(LABELS[name] for name in changed[:4])
            more = f" and {len(changed) - 4} more" if len(changed) > 4 else ""
            replica.record(session, person, changed, f"Profile: {labels}{more}", base_hlc=base)
        return _profile(session, user_id)


def save_work(replica: Replica, user_id: str, item: WorkItem) -> Profile:
    try:
        checked = work(Work(item.employer, item.title, item.start_on, item.end_on), _today())
    except ProfileProblem as exc:
        raise InvalidProfile(exc.field, exc.message) from None
    employer, title = checked.employer, checked.title
    with replica.write() as session:
        pid = _own(session, user_id).id
        row = _owned(session, WorkExperience, item.id, pid) if item.id else None
        row = row or WorkExperience(professional_id=pid)
        row.employer, row.title, row.start_on, row.end_on = (
            employer,
            title,
            item.start_on,
            item.end_on,
        )
        verb = "Work experience" if item.id else "Work experience added"
        replica.record(session, row, summary=f"{verb}: {title}, {employer}")
        return _profile(session, user_id)


def remove_work(replica: Replica, user_id: str, item_id: str) -> Profile:
    return _remove(replica, user_id, WorkExperience, item_id)


def save_qualification(replica: Replica, user_id: str, item: QualificationItem) -> Profile:
    try:
        checked = study(Study(item.level, item.title, item.institution, item.year), _today())
    except ProfileProblem as exc:
        raise InvalidProfile(exc.field, exc.message) from None
    title, institution = checked.title, checked.institution
    with replica.write() as session:
        pid = _own(session, user_id).id
        row = _owned(session, Qualification, item.id, pid) if item.id else None
        row = row or Qualification(professional_id=pid)
        row.level, row.title, row.institution, row.year = item.level, title, institution, item.year
        verb = "Qualification" if item.id else "Qualification added"
        replica.record(session, row, summary=f"{verb}: {title}")
        return _profile(session, user_id)


def remove_qualification(replica: Replica, user_id: str, item_id: str) -> Profile:
    return _remove(replica, user_id, Qualification, item_id)


def _remove(replica: Replica, user_id: str, model, item_id: str) -> Profile:
    with replica.write() as session:
        pid = _own(session, user_id).id
        row = _owned(session, model, item_id, pid)
        row.deleted = True
        what = row.employer if model is WorkExperience else row.title
        kind = "Work experience" if model is WorkExperience else "Qualification"
        replica.record(session, row, summary=f"{kind} removed: {what}")
        return _profile(session, user_id)


def _own(session: Session, user_id: str) -> Professional:
    pid = professional_id_of(session, user_id)
    person = session.get(Professional, pid) if pid else None
    if person is None:
        raise NotFound("Your profile is not on this computer yet. Sync, then try again.")
    return person


def _owned(session: Session, model, item_id: str, pid: str):
    row = session.get(model, item_id)
    if row is None or row.deleted or row.professional_id != pid:
        raise NotFound("That entry is no longer in your profile. Sync, then try again.")
    return row


def _current(person: Professional) -> dict[str, Any]:
    return {name: getattr(person, name) for name in PERSONAL_FIELDS}


# --- validation ---------------------------------------------------------------------


def validate_personal(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """The values cleaned (trimmed, empty -> None); InvalidProfile names the first bad one
    (`cp2desk.sync.profile_checks`, the checks the hub's web portal makes too)."""
    try:
        return personal(values, StoredPlaces(session, County, SubCounty), _today())
    except ProfileProblem as exc:
        raise InvalidProfile(exc.field, exc.message) from None


def _today() -> dt.date:
    return dt.date.today()


def with_values(profile: Profile, **changes: Any) -> dict[str, Any]:
    """The profile's values with some changed (what a form sends to `save_personal`)."""
    return {**profile.values, **changes}
