"""The CP2 portal's online envelopes: accounts, vacancies, applications, administration.

These endpoints are answered at once by the hub (no outbox): creating an account,
changing a password, searching vacancies, applying and withdrawing while online, and
KNEC administrators' selection. Like `protocol`, this module is part of the wire
contract both sides import; requests forbid unknown fields. Rows (`application`,
`vacancy`) travel as wire rows (`records.wire_columns`, ISO dates) so the device can
store them as a pull would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from cp2desk.sync.errors import SyncError
from cp2desk.sync.protocol import Envelope, Timestamp

MIN_PASSWORD_LENGTH = 8
APPLICATION_STATUSES = ("submitted", "withdrawn", "selected", "refused")
"""submitted and selected hold a position; refused is the hub's answer to an
application that reached it offline after the deadline, when the positions were
filled, or from someone not eligible (the reason says which)."""


# --- accounts -----------------------------------------------------------------------


class RegisterRequest(Envelope):
    phone: str = Field(max_length=20)
    phone_again: str = Field(max_length=20)


class Notice(Envelope):
    """An answer that only tells the user something."""

    message: str


class PasswordChange(Envelope):
    old_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(max_length=200)


# --- vacancies ----------------------------------------------------------------------


class Option(Envelope):
    value: str
    label: str


class CountyOption(Option):
    sub_counties: list[Option] = Field(default_factory=list)


class VacancyFilters(Envelope):
    """The choices of the six search filters."""

    exams: list[Option]
    activities: list[Option]
    station_kinds: list[Option]
    positions: list[Option]
    counties: list[CountyOption]


class ApplicationView(Envelope):
    id: str
    status: str
    reason: str = ""
    submitted_at: Timestamp | None = None


class VacancyLine(Envelope):
    """One search result: the line the user reads, and the facts behind it."""

    id: str
    line: str
    position: str
    position_code: str
    exam: str
    series_name: str
    series_label: str
    activity: str
    duty_station: str
    county: str
    sub_county: str
    deadline: dt.date
    positions: int
    remaining: int
    status: str
    starts_on: dt.date
    ends_on: dt.date
    daily_rate: int | None = None
    eligible: bool = True
    not_eligible: str = ""
    application: ApplicationView | None = None
    vacancy: dict[str, Any] = Field(default_factory=dict)


class VacancySearch(Envelope):
    lines: list[VacancyLine]
    total: int


class ApplyRequest(Envelope):
    confirm: bool = False


class ApplicationAnswer(Envelope):
    """The hub's answer to an apply or a withdrawal: the message and the rows it wrote."""

    message: str
    application: dict[str, Any]
    vacancy: dict[str, Any] | None = None


# --- administration -----------------------------------------------------------------


class VacancyStatusRequest(Envelope):
    status: Literal["open", "closed"]


class Applicant(Envelope):
    application_id: str
    professional_id: str
    name: str
    phone: str
    status: str
    reason: str = ""
    submitted_at: Timestamp | None = None
    missing_for_payment: list[str] = Field(default_factory=list)


class SelectRequest(Envelope):
    station_id: str = Field(max_length=36)
    application_ids: list[str] = Field(min_length=1, max_length=500)
    notify: bool = True


class Skipped(Envelope):
    application_id: str
    reason: str


class SelectAnswer(Envelope):
    selected: list[str]
    """The names of the officers deployed."""
    skipped: list[Skipped]


class NotifyRequest(Envelope):
    text: str = Field(min_length=1, max_length=459)
    status: Literal["submitted", "selected", "withdrawn", "refused"] = "selected"


class NotifyAnswer(Envelope):
    sent: int


# --- errors the device meets ----------------------------------------------------------


class AlreadyRegistered(SyncError):
    """The number has an account already: the message says how to get the login by SMS."""

    code = "already_registered"


ERRORS: dict[str, type[SyncError]] = {AlreadyRegistered.code: AlreadyRegistered}
"""Hub error codes of these endpoints that the device tells apart (the client maps them)."""
