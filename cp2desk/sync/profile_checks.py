"""What a profile's fields may hold: one set of checks for every place a profile is edited.

The desktop's My CP2 (`cp2desk.services.profile`) and the hub's web portal
(`cp2hub.profile`) both clean and check what a professional typed here, so a value one
accepts the other accepts too. Pure functions of the values: where the county and
sub-county come from is the caller's (`Places`). Like `completeness`, part of the
contract both sides import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Protocol

from cp2desk.sync.phones import InvalidPhone, normalise_phone

PAYMENT_FIELDS = ("payment_method", "mpesa_phone", "mpesa_name", "bank_name", "bank_account")
"""Where a payment goes."""
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
    *PAYMENT_FIELDS,
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
_NAME = re.compile(r"^[A-Za-z][A-Za-z' .\-]*$")


class ProfileProblem(ValueError):
    """A value the profile cannot take; `field` names the box to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Places(Protocol):
    def county_of(self, sub_county_id: str) -> str | None:
        """The county of a known sub-county (None: no such sub-county)."""

    def has_county(self, county_id: str) -> bool: ...


class StoredPlaces:
    """Places read from a database session: the hub's or a replica's, each through its
    own County and SubCounty models (the same records on both sides)."""

    def __init__(self, session: Any, county: type, sub_county: type) -> None:
        self.session, self.county, self.sub_county = session, county, sub_county

    def county_of(self, sub_county_id: str) -> str | None:
        sub = self.session.get(self.sub_county, sub_county_id)
        return sub.county_id if sub else None

    def has_county(self, county_id: str) -> bool:
        return self.session.get(self.county, county_id) is not None


@dataclass(frozen=True, slots=True)
class Work:
    employer: str
    title: str
    start_on: dt.date | None = None
    end_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Study:
    level: str
    title: str
    institution: str
    year: int | None = None


def personal(values: dict[str, Any], places: Places, today: dt.date) -> dict[str, Any]:
    """The values cleaned (trimmed, empty -> None); ProfileProblem names the first bad one."""
    v = {name: _clean(values.get(name)) for name in PERSONAL_FIELDS}
    for name in ("first_name", "last_name"):
        _required(v[name], name, f"your {LABELS[name].lower()}")
    for name in ("first_name", "middle_name", "last_name"):
        v[name] = v[name] or ""
        if v[name] and not _NAME.match(v[name]):
            raise ProfileProblem(name, f"{LABELS[name]}: use letters only.")
        _limit(v[name], 40, name, LABELS[name])
    if v["gender"] not in (None, "F", "M"):
        raise ProfileProblem("gender", "Choose female or male.")
    born = v["date_of_birth"]
    if born is not None:
        age = (today - born).days // 365
        if not 18 <= age <= 80:
            raise ProfileProblem(
                "date_of_birth", "Check your date of birth: you must be 18 or older."
            )
    _digits(v, "national_id", 6, 9, "27654321")
    _digits(v, "tsc_number", 4, 10, "601234")
    if v["kra_pin"]:
        v["kra_pin"] = v["kra_pin"].upper()
        if not re.fullmatch(r"[AP]\d{9}[A-Z]", v["kra_pin"]):
            raise ProfileProblem(
                "kra_pin", "KRA PIN: a letter, 9 digits and a letter, e.g. A123456789Z."
            )
    _limit(v["institution_code"], 12, "institution_code", "The institution code")
    _limit(v["institution_name"], 120, "institution_name", "The institution's name")
    if v["teacher_level"] not in (None, "primary", "secondary"):
        raise ProfileProblem(
            "teacher_level", "Choose primary or secondary school, or not a teacher."
        )
    _place(places, v)
    _payment(v)
    return v


def work(item: Work, today: dt.date) -> Work:
    """A work experience entry, checked; its texts trimmed."""
    employer = _required(item.employer, "employer", "the employer")
    title = _required(item.title, "title", "your job title")
    _limit(employer, 120, "employer", "The employer's name")
    _limit(title, 80, "title", "The job title")
    if item.start_on and item.end_on and item.end_on < item.start_on:
        raise ProfileProblem("end_on", "The end date is before the start date.")
    if item.start_on and item.start_on > today:
        raise ProfileProblem("start_on", "The start date is in the future.")
    return Work(employer, title, item.start_on, item.end_on)


def study(item: Study, today: dt.date) -> Study:
    """A qualification, checked; its texts trimmed."""
    if item.level not in QUALIFICATION_LEVELS:
        raise ProfileProblem("level", "Choose the level of the qualification from the list.")
    title = _required(item.title, "title", "the qualification's title")
    institution = _required(item.institution, "institution", "where you studied")
    _limit(title, 120, "title", "The title")
    _limit(institution, 120, "institution", "The institution's name")
    if item.year is not None and not 1950 <= item.year <= today.year:
        raise ProfileProblem("year", f"The year must be between 1950 and {today.year}.")
    return Study(item.level, title, institution, item.year)


def _place(places: Places, v: dict[str, Any]) -> None:
    if v["sub_county_id"]:
        county = places.county_of(v["sub_county_id"])
        if county is None or (v["county_id"] and county != v["county_id"]):
            raise ProfileProblem("sub_county_id", "Choose a sub-county of the chosen county.")
        v["county_id"] = county
    elif v["county_id"] and not places.has_county(v["county_id"]):
        raise ProfileProblem("county_id", "Choose your county from the list.")


def _payment(v: dict[str, Any]) -> None:
    method = v["payment_method"]
    if method not in (None, "mpesa", "bank"):
        raise ProfileProblem("payment_method", "Choose M-Pesa or a bank account.")
    if method == "mpesa":
        v["bank_name"] = v["bank_account"] = None
        if v["mpesa_phone"]:
            try:
                v["mpesa_phone"] = normalise_phone(v["mpesa_phone"])
            except InvalidPhone as exc:
                raise ProfileProblem("mpesa_phone", f"M-Pesa number: {exc}") from None
        _limit(v["mpesa_name"], 120, "mpesa_name", "The M-Pesa name")
        if v["mpesa_name"] and not _NAME.match(v["mpesa_name"]):
            raise ProfileProblem("mpesa_name", "M-Pesa registered name: use letters only.")
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
        raise ProfileProblem(field, f"Enter {what}.")
    return value


def _limit(value: str | None, length: int, field: str, label: str) -> None:
    if value and len(value) > length:
        raise ProfileProblem(field, f"{label} is too long (at most {length} characters).")


def _digits(v: dict[str, Any], field: str, low: int, high: int, example: str) -> None:
    value = v[field]
    if value is None:
        return
    value = value.replace(" ", "")
    if not value.isdigit() or not low <= len(value) <= high:
        raise ProfileProblem(field, f"{LABELS[field]}: digits only, e.g. {example}.")
    v[field] = value
