"""Read queries for the centre manager: the centre, today at a glance, the register.

Everything comes back as plain dataclasses built from column tuples (no ORM objects),
because a KCSE centre register can hold thousands of officers and must open at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from cp2desk.collection import collection_paused
from cp2desk.local_db.models import (
    Attendance,
    County,
    Deployment,
    ExamSession,
    Position,
    Professional,
    RoleGrant,
    Series,
    SessionSignoff,
    Station,
    SubCounty,
)
from cp2desk.local_db.replica import Replica
from cp2desk.services.timetable import SessionInfo, span


@dataclass(frozen=True, slots=True)
class Centre:
    station_id: str
    code: str
    name: str
    sub_county: str
    county: str
    candidates: int


class Mark(NamedTuple):
    status: str
    check_in: dt.time | None


class Span(NamedTuple):
    """The deployment covering session indexes first <= i < stop at this centre."""

    deployment_id: str
    first: int
    stop: int
    status: str


@dataclass(slots=True)
class RegisterRow:
    """One officer's line of the register; cells are derived, not stored, to stay light."""

    professional_id: str
    name: str
    national_id: str
    tsc_number: str
    position: str
    position_rank: int
    phone: str
    spans: list[Span] = field(default_factory=list)
    marks: dict[int, Mark] = field(default_factory=dict)

    def deployment_at(self, index: int) -> str | None:
        """The deployment covering session `index` here, or None: not deployed here then."""
        for s in self.spans:
            if s.first <= index < s.stop:
                return s.deployment_id
        return None

    def mark_at(self, index: int) -> Mark | None:
        return self.marks.get(index)


@dataclass(frozen=True, slots=True)
class Signoff:
    status: str
    signed_at: dt.datetime | None
    reason: str


@dataclass(slots=True)
class Register:
    centre: Centre
    series_name: str
    sessions: list[SessionInfo]
    rows: list[RegisterRow]
    signoffs: dict[str, Signoff]
    mark_opens_min: int = 60
    mark_closes_min: int = 120

    def is_locked(self, session_id: str) -> bool:
        found = self.signoffs.get(session_id)
        return found is not None and found.status == "signed"

    def index_of(self, session_id: str) -> int:
        return next(i for i, s in enumerate(self.sessions) if s.id == session_id)


def managed_centres(replica: Replica, user_id: str) -> list[Centre]:
    """The centres this user manages, from their role grants."""
    with replica.read() as session:
        ids = session.scalars(
            select(RoleGrant.station_id).where(
                RoleGrant.user_id == user_id,
                RoleGrant.role == "centre_manager",
                RoleGrant.deleted.is_(False),
                RoleGrant.station_id.is_not(None),
            )
        ).all()
        return [c for c in (_centre(session, i) for i in ids) if c is not None]


def load_register(
    replica: Replica, station_id: str, today: dt.date | None = None
) -> Register | None:
    """The officers x sessions register of a centre for its current series."""
    today = today or dt.date.today()
    with replica.read() as session, collection_paused():
        centre = _centre(session, station_id)
        series = _current_series(session, station_id, today)
        if centre is None or series is None:
            return None
        sessions = _sessions(session, series.id)
        index_of = {s.id: i for i, s in enumerate(sessions)}
        rows = _rows(session, station_id, series.id, index_of, len(sessions))
        _fill_marks(session, station_id, rows, index_of)
        signoffs = {
            sid: Signoff(status, at, reason)
            for sid, status, at, reason in session.execute(
                select(
                    SessionSignoff.session_id,
                    SessionSignoff.status,
                    SessionSignoff.signed_at,
                    SessionSignoff.reason,
                ).where(SessionSignoff.station_id == station_id, SessionSignoff.deleted.is_(False))
            )
        }
        return Register(
            centre,
            series.name,
            sessions,
            rows,
            signoffs,
            series.mark_opens_min,
            series.mark_closes_min,
        )


def _centre(session: Session, station_id: str) -> Centre | None:
    found = session.execute(
        select(Station, SubCounty.name, County.name)
        .join(SubCounty, SubCounty.id == Station.sub_county_id, isouter=True)
        .join(County, County.id == Station.county_id, isouter=True)
        .where(Station.id == station_id, Station.deleted.is_(False))
    ).first()
    if found is None:
        return None
    station, sub_county, county = found
    return Centre(
        station.id, station.code, station.name, sub_county or "", county or "", station.candidates
    )


def _current_series(session: Session, station_id: str, today: dt.date) -> Series | None:
    """The series running today at this centre, else the latest one deployed here."""
    candidates = session.scalars(
        select(Series)
        .where(
            Series.id.in_(select(Deployment.series_id).where(Deployment.station_id == station_id)),
            Series.deleted.is_(False),
        )
        .order_by(Series.starts_on.desc())
    ).all()
    running = [s for s in candidates if s.starts_on <= today <= s.ends_on]
    return (running or candidates or [None])[0]


def _sessions(session: Session, series_id: str) -> list[SessionInfo]:
    cols = (
        ExamSession.id,
        ExamSession.series_id,
        ExamSession.day,
        ExamSession.slot,
        ExamSession.starts_at,
        ExamSession.ends_at,
        ExamSession.papers,
    )
    return [
        SessionInfo(*r)
        for r in session.execute(
            select(*cols)
            .where(ExamSession.series_id == series_id, ExamSession.deleted.is_(False))
            .order_by(ExamSession.day, ExamSession.starts_at)
        )
    ]


def _rows(
    session: Session, station_id: str, series_id: str, index_of: dict[str, int], count: int
) -> list[RegisterRow]:
    query = (
        select(
            Deployment.id.label("deployment_id"),
            Deployment.professional_id,
            Deployment.from_session_id,
            Deployment.until_session_id,
            Deployment.status,
            Professional.first_name,
            Professional.middle_name,
            Professional.last_name,
            Professional.national_id,
            Professional.tsc_number,
            Professional.phone,
            Position.name.label("position"),
            Position.rank,
        )
        .join(Professional, Professional.id == Deployment.professional_id)
        .join(Position, Position.id == Deployment.position_id)
        .where(
            Deployment.station_id == station_id,
            Deployment.series_id == series_id,
            Deployment.deleted.is_(False),
        )
    )
    by_officer: dict[str, RegisterRow] = {}
    for r in session.connection().execute(query).all():
        dep_id, prof_id, from_id, until_id, status = r[:5]
        nid, tsc, phone, pos, rank = r[8:]
        first, stop = span(from_id, until_id, status, index_of, count)
        row = by_officer.get(prof_id)
        if row is None:
            name = " ".join(filter(None, r[5:8]))
            row = by_officer[prof_id] = RegisterRow(
                prof_id, name, nid or "", tsc or "", pos, rank, phone or ""
            )
        if status == "active" or first < stop:
            row.position, row.position_rank = pos, rank
        row.spans.append(Span(dep_id, first, stop, status))
    return sorted(by_officer.values(), key=lambda r: (r.position_rank, r.name))


def _fill_marks(
    session: Session, station_id: str, rows: list[RegisterRow], index_of: dict[str, int]
) -> None:
    """Marks of the centre; check-in times arrive as text and are parsed once per value
    (a morning rush repeats the same few minutes thousands of times)."""
    by_deployment = {s.deployment_id: r for r in rows for s in r.spans}
    times: dict[str | None, dt.time | None] = {None: None}
    query = select(
        Attendance.deployment_id,
        Attendance.session_id,
        Attendance.status,
        type_coerce(Attendance.check_in, String),
    ).where(Attendance.station_id == station_id, Attendance.deleted.is_(False))
    for dep_id, session_id, status, check_in in session.connection().execute(query).all():
        row = by_deployment.get(dep_id)
        index = index_of.get(session_id)
        if row is None or index is None:
            continue
        if check_in not in times:
            times[check_in] = dt.time.fromisoformat(check_in)
        row.marks[index] = Mark(status, times[check_in])
