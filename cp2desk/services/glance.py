"""Summaries a centre manager reads at a glance, derived from one register load.

They are pure functions of a `Register` so a screen loads the replica once and
shows today's counts, the officers list and the manager's own line from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from cp2desk.local_db.models import AppUser
from cp2desk.local_db.replica import Replica
from cp2desk.services.register import Centre, Mark, Register, Signoff, load_register
from cp2desk.services.timetable import SessionInfo, marking_window


@dataclass(frozen=True, slots=True)
class SessionCount:
    session: SessionInfo
    expected: int
    present: int
    late: int
    absent: int
    unmarked: int
    signoff: Signoff | None

    @property
    def signed_off(self) -> bool:
        return self.signoff is not None and self.signoff.status == "signed"


@dataclass(frozen=True, slots=True)
class Glance:
    centre: Centre
    series_name: str
    today: dt.date
    sessions: list[SessionCount]
    officers: int


@dataclass(frozen=True, slots=True)
class Officer:
    professional_id: str
    name: str
    national_id: str
    tsc_number: str
    position: str
    phone: str
    note: str


@dataclass(frozen=True, slots=True)
class OwnMark:
    session: SessionInfo
    deployment_id: str | None
    mark: Mark | None


def count_session(register: Register, index: int) -> SessionCount:
    expected = present = late = absent = 0
    for row in register.rows:
        if row.deployment_at(index) is None:
            continue
        expected += 1
        mark = row.marks.get(index)
        if mark is None:
            continue
        present += mark.status == "present"
        late += mark.status == "late"
        absent += mark.status == "absent"
    session = register.sessions[index]
    return SessionCount(
        session,
        expected,
        present,
        late,
        absent,
        expected - present - late - absent,
        register.signoffs.get(session.id),
    )


def glance(register: Register, today: dt.date) -> Glance:
    counts = [count_session(register, i) for i, s in enumerate(register.sessions) if s.day == today]
    return Glance(register.centre, register.series_name, today, counts, len(register.rows))


def today_at_a_glance(replica: Replica, station_id: str, today: dt.date) -> Glance | None:
    register = load_register(replica, station_id, today)
    return glance(register, today) if register else None


def officers(register: Register) -> list[Officer]:
    """Everyone deployed here this series, with a note when a redeployment bounds their stay."""
    result = []
    for row in register.rows:
        notes = []
        for s in row.spans:
            if s.first >= s.stop:
                continue
            if s.first > 0:
                notes.append(f"Redeployed here from {register.sessions[s.first].label}")
            if s.stop < len(register.sessions):
                notes.append(f"Redeployed out from {register.sessions[s.stop].label}")
        if not any(s.first < s.stop for s in row.spans):
            notes.append("Deployment cancelled")
        result.append(
            Officer(
                row.professional_id,
                row.name,
                row.national_id,
                row.tsc_number,
                row.position,
                row.phone,
                "; ".join(notes),
            )
        )
    return result


def professional_of(replica: Replica, user_id: str) -> str | None:
    with replica.read() as session:
        return session.scalar(select(AppUser.professional_id).where(AppUser.id == user_id))


def display_name(replica: Replica, user_id: str) -> str:
    """The signed-in user's name, once their account row has reached this device."""
    with replica.read() as session:
        user = session.get(AppUser, user_id)
        return user.display_name if user is not None else ""


def own_attendance(register: Register, professional_id: str | None) -> list[OwnMark]:
    """The manager's own line: a centre manager is also a contracted professional."""
    row = next((r for r in register.rows if r.professional_id == professional_id), None)
    if row is None:
        return []
    return [
        OwnMark(s, row.deployment_at(i), row.marks.get(i)) for i, s in enumerate(register.sessions)
    ]


@dataclass(frozen=True, slots=True)
class MarkingState:
    """Whether a session can be marked now, in words for a badge: tone and text."""

    tone: str
    text: str
    can_mark: bool


def marking_state(register: Register, index: int, now: dt.datetime) -> MarkingState:
    """Mirrors the guard rails in `attendance`, so the screen says it before a refusal does."""
    session = register.sessions[index]
    signoff = register.signoffs.get(session.id)
    opens, closes = marking_window(session, register.mark_opens_min, register.mark_closes_min)
    if signoff is not None and signoff.status == "signed":
        return MarkingState("signed", "Signed off", False)
    if now < opens:
        when = (
            f"{opens:%H:%M}"
            if opens.date() == now.date()
            else f"{opens:%a} {opens.day} {opens:%b} {opens:%H:%M}"
        )
        return MarkingState("waiting", f"Opens {when}", False)
    if signoff is not None and signoff.status == "reopened":
        return MarkingState("open", "Reopened", True)
    if now > closes:
        return MarkingState("closed", f"Closed at {closes:%H:%M}", False)
    return MarkingState("open", f"Open until {closes:%H:%M}", True)


def default_session(register: Register, now: dt.datetime) -> int | None:
    """The session a manager most likely means: open now, else the next, else the last."""
    if not register.sessions:
        return None
    for i in range(len(register.sessions)):
        if (
            marking_state(register, i, now).tone == "open"
            and register.sessions[i].day == now.date()
        ):
            return i
    upcoming = [
        i for i, s in enumerate(register.sessions) if dt.datetime.combine(s.day, s.ends_at) >= now
    ]
    return upcoming[0] if upcoming else len(register.sessions) - 1
