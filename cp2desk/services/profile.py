"""A professional's own profile on this device: view, edit, add and remove, offline.

Each edit is one `replica.write()` transaction that validates, writes the row and
queues its outbox entry, so a profile edited at a centre with no network reaches the
hub at the next sync. Removing a work experience or qualification writes a tombstone
(`deleted`), which the hub applies like any other change. What the profile still lacks
comes from `cp2desk.sync.completeness`, the same function the hub uses.
"""

from __future__ import annotations

import datetime as dt
import re
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
from cp2desk.sync.phones import InvalidPhone, normalise_phone

PERSONAL_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "gender",
    "date_of_birth",
    "national_id",
    "tsc_number",
    "kra_pin",
    "institution_code",
    "institution_name",
    "teacher_level",
    "county_id",
    "sub_county_id",
    "payment_method",
    "mpesa_phone",
    "mpesa_name",
    "bank_name",
    "bank_account",
)
LABELS = {
    "first_name": "First name",
    "middle_name": "Middle name",
    "last_name": "Last name",
    "gender": "Gender",
    "date_of_birth": "Date of birth",
    "national_id": "ID number",
    "tsc_number": "TSC number",
    "kra_pin": "KRA PIN",
    "institution_code": "Institution code",
    "institution_name": "Institution",
    "teacher_level": "Teacher level",
    "county_id": "County",
    "sub_county_id": "Sub-county",
    "payment_method": "Payment method",
    "mpesa_phone": "M-Pesa number",
    "mpesa_name": "M-Pesa registered name",
    "bank_name": "Bank",
    "bank_account": "Bank account number",
}
QUALIFICATION_LEVELS = (
    "Certificate",
    "Diploma",
    "Degree",
    "Postgraduate Diploma",
    "Masters",
    "Doctorate",
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
    employer, title = (
        _required(item.employer, "employer", "the employer"),
        _required(item.title, "title", "your job title"),
    )
    _limit(employer, 120, "employer", "The employer's name")
    _limit(title, 80, "title", "The job title")
    if item.start_on and item.end_on and item.end_on < item.start_on:
        raise InvalidProfile("end_on", "The end date is before the start date.")
    if item.start_on and item.start_on > dt.date.today():
        raise InvalidProfile("start_on", "The start date is in the future.")
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
    if item.level not in QUALIFICATION_LEVELS:
        raise InvalidProfile("level", "Choose the level of the qualification from the list.")
    title = _required(item.title, "title", "the qualification's title")
    institution = _required(item.institution, "institution", "where you studied")
    _limit(title, 120, "title", "The title")
    _limit(institution, 120, "institution", "The institution's name")
    if item.year is not None and not 1950 <= item.year <= dt.date.today().year:
        raise InvalidProfile("year", f"The year must be between 1950 and {dt.date.today().year}.")
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

_NAME = re.compile(r"^[A-Za-z][A-Za-z' .\-]*$")


def validate_personal(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """The values cleaned (trimmed, empty -> None); InvalidProfile names the first bad one."""
    v = {name: _clean(values.get(name)) for name in PERSONAL_FIELDS}
    for name in ("first_name", "last_name"):
        _required(v[name], name, f"your {LABELS[name].lower()}")
    for name in ("first_name", "middle_name", "last_name"):
        v[name] = v[name] or ""
        if v[name] and not _NAME.match(v[name]):
            raise InvalidProfile(name, f"{LABELS[name]}: use letters only.")
        _limit(v[name], 40, name, LABELS[name])
    if v["gender"] not in (None, "F", "M"):
        raise InvalidProfile("gender", "Choose female or male.")
    born = v["date_of_birth"]
    if born is not None:
        age = (dt.date.today() - born).days // 365
        if not 18 <= age <= 80:
            raise InvalidProfile(
                "date_of_birth", "Check your date of birth: you must be 18 or older."
            )
    _digits(v, "national_id", 6, 9, "27654321")
    _digits(v, "tsc_number", 4, 10, "601234")
    if v["kra_pin"]:
        v["kra_pin"] = v["kra_pin"].upper()
        if not re.fullmatch(r"[AP]\d{9}[A-Z]", v["kra_pin"]):
            raise InvalidProfile(
                "kra_pin", "KRA PIN: a letter, 9 digits and a letter, e.g. A123456789Z."
            )
    _limit(v["institution_code"], 12, "institution_code", "The institution code")
    _limit(v["institution_name"], 120, "institution_name", "The institution's name")
    if v["teacher_level"] not in (None, "primary", "secondary"):
        raise InvalidProfile(
            "teacher_level", "Choose primary or secondary school, or not a teacher."
        )
    _place(session, v)
    _payment(v)
    return v


def _place(session: Session, v: dict[str, Any]) -> None:
    if v["sub_county_id"]:
        sub = session.get(SubCounty, v["sub_county_id"])
        if sub is None or (v["county_id"] and sub.county_id != v["county_id"]):
            raise InvalidProfile("sub_county_id", "Choose a sub-county of the chosen county.")
        v["county_id"] = sub.county_id
    elif v["county_id"] and session.get(County, v["county_id"]) is None:
        raise InvalidProfile("county_id", "Choose your county from the list.")


def _payment(v: dict[str, Any]) -> None:
    method = v["payment_method"]
    if method not in (None, "mpesa", "bank"):
        raise InvalidProfile("payment_method", "Choose M-Pesa or a bank account.")
    if method == "mpesa":
        v["bank_name"] = v["bank_account"] = None
        if v["mpesa_phone"]:
            try:
                v["mpesa_phone"] = normalise_phone(v["mpesa_phone"])
            except InvalidPhone as exc:
                raise InvalidProfile("mpesa_phone", f"M-Pesa number: {exc}") from None
        _limit(v["mpesa_name"], 120, "mpesa_name", "The M-Pesa name")
        if v["mpesa_name"] and not _NAME.match(v["mpesa_name"]):
            raise InvalidProfile("mpesa_name", "M-Pesa registered name: use letters only.")
    elif method == "bank":
        v["mpesa_phone"] = v["mpesa_name"] = None
        _limit(v["bank_name"], 60, "bank_name", "The bank's name")
        _digits(v, "bank_account", 6, 20, "0123456789012")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = " ".join(value.split())
        return value or None
    return value


def _required(value: str | None, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidProfile(field, f"Enter {what}.")
    return value


def _limit(value: str | None, length: int, field: str, label: str) -> None:
    if value and len(value) > length:
        raise InvalidProfile(field, f"{label} is too long (at most {length} characters).")


def _digits(v: dict[str, Any], field: str, low: int, high: int, example: str) -> None:
    value = v[field]
    if value is None:
        return
    value = value.replace(" ", "")
    if not value.isdigit() or not low <= len(value) <= high:
        raise InvalidProfile(field, f"{LABELS[field]}: digits only, e.g. {example}.")
    v[field] = value


def with_values(profile: Profile, **changes: Any) -> dict[str, Any]:
    """The profile's values with some changed (what a form sends to `save_personal`)."""
    return {**profile.values, **changes}
