"""The sub-county director's view: every exam centre of their sub-county, staffed against
its requirement, attended session by session, and every officer deployed there.

`load_overview` reads the replica once, in a handful of column queries (no ORM
objects), for one session of the series: a sub-county of 150 centres and 5,000
officers must open at once. Everything the screens show is then derived from the
`Overview` in memory by the pure functions below (staffing, attendance, absent
officers, officer search), so changing a filter never touches the disk.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from cp2desk.local_db.models import (
    Attendance,
    Deployment,
    ExamSession,
    OutboxEntry,
    Position,
    Professional,
    Requirement,
    RoleGrant,
    Series,
    SessionSignoff,
    Station,
    SubCounty,
)
from cp2desk.local_db.replica import Replica
from cp2desk.services.register import Mark, Signoff
from cp2desk.services.timetable import SessionInfo, marking_window, span

DIRECTOR_ROLES = ("tsc_director", "scde")
MOVED_BY = {"supervisor": "tsc_director", "invigilator": "tsc_director", "security_officer": "scde"}
"""Which director may redeploy each position (the hub's rule, `cp2hub.rules.redeploy`)."""
ROLE_TITLES = {
    "tsc_director": "TSC sub-county director",
    "scde": "sub-county director of education",
}


@dataclass(frozen=True, slots=True)
class Directorate:
    """The sub-counties a user directs, and in which director role(s)."""

    user_id: str
    roles: dict[str, frozenset[str]]
    """sub_county_id -> the director roles held there."""
    names: dict[str, str]

    @property
    def sub_county_ids(self) -> list[str]:
        return sorted(self.roles, key=lambda i: self.names.get(i, ""))

    @property
    def title(self) -> str:
        names = [self.names.get(i, "") for i in self.sub_county_ids]
        return " and ".join(n for n in names if n) or "Your sub-county"

    @property
    def role_titles(self) -> str:
        """'TSC sub-county director', as a line under the sub-county's name."""
        held = sorted({r for roles in self.roles.values() for r in roles})
        text = " and ".join(ROLE_TITLES[r] for r in held)
        return text[:1].upper() + text[1:]

    def may_move(self, position_code: str, sub_county_id: str) -> bool:
        role = MOVED_BY.get(position_code)
        return role is not None and role in self.roles.get(sub_county_id, frozenset())


@dataclass(frozen=True, slots=True)
class CentreInfo:
    station_id: str
    code: str
    name: str
    sub_county_id: str
    sub_county: str
    candidates: int


@dataclass(frozen=True, slots=True)
class PositionInfo:
    code: str
    name: str
    rank: int

    @property
    def plural(self) -> str:
        return f"{self.name.lower()}s"


@dataclass(slots=True)
class DeploymentLine:
    """One deployment of one officer at one centre, with the sessions it covers."""

    deployment_id: str
    professional_id: str
    name: str
    national_id: str
    tsc_number: str
    phone: str
    station_id: str
    position_code: str
    status: str
    first: int
    stop: int
    """Covers session indexes first <= i < stop (empty when cancelled)."""

    def covers(self, index: int | None) -> bool:
        return index is not None and self.first <= index < self.stop


@dataclass(slots=True)
class Overview:
    directorate: Directorate
    series_id: str | None
    series_name: str
    sessions: list[SessionInfo]
    session_index: int | None
    """The session the counts and the attendance are for."""
    now_index: int | None
    """The session whose marking window is open now, if any."""
    centres: list[CentreInfo]
    positions: list[PositionInfo]
    required: dict[tuple[str, str], int]
    deployments: list[DeploymentLine]
    marks: dict[str, Mark] = field(default_factory=dict)
    """deployment_id -> its mark for the session shown."""
    signoffs: dict[str, Signoff] = field(default_factory=dict)
    """station_id -> its sign-off of the session shown."""
    waiting: set[str] = field(default_factory=set)
    """Redeployment ids still waiting to sync."""

    @property
    def session(self) -> SessionInfo | None:
        return None if self.session_index is None else self.sessions[self.session_index]

    def centre(self, station_id: str) -> CentreInfo | None:
        return next((c for c in self.centres if c.station_id == station_id), None)

    def position(self, code: str) -> PositionInfo | None:
        return next((p for p in self.positions if p.code == code), None)


# --- loading ----------------------------------------------------------------------


def directorate(replica: Replica, user_id: str) -> Directorate:
    with replica.read() as session:
        return directorate_in(session, user_id)


def directorate_in(session: Session, user_id: str) -> Directorate:
    roles: dict[str, set[str]] = defaultdict(set)
    query = select(RoleGrant.sub_county_id, RoleGrant.role).where(
        RoleGrant.user_id == user_id,
        RoleGrant.role.in_(DIRECTOR_ROLES),
        RoleGrant.deleted.is_(False),
        RoleGrant.sub_county_id.is_not(None),
    )
    for sub_county_id, role in session.execute(query):
        roles[sub_county_id].add(role)
    query = select(SubCounty.id, SubCounty.name).where(SubCounty.id.in_(list(roles)))
    names = {sub_county_id: name for sub_county_id, name in session.execute(query)}
    return Directorate(user_id, {k: frozenset(v) for k, v in roles.items()}, names)


def load_overview(
    replica: Replica, user_id: str, now: dt.datetime, session_id: str | None = None
) -> Overview:
    """The sub-county(ies) the user directs, for `session_id` (default: the current one)."""
    with replica.read() as session:
        who = directorate_in(session, user_id)
        centres = _centres(session, who)
        station_ids = [c.station_id for c in centres]
        series = _current_series(session, station_ids, now.date())
        if series is None:
            return Overview(who, None, "", [], None, None, centres, [], {}, [])
        sessions = _sessions(session, series.id)
        index_of = {s.id: i for i, s in enumerate(sessions)}
        now_index, current = current_session(sessions, now, series)
        chosen = index_of.get(session_id, current) if session_id else current
        positions, required = _requirements(session, station_ids)
        shown = sessions[chosen].id if chosen is not None else None
        deployments, marks = _deployments(session, station_ids, series.id, index_of, shown)
        used = {code for _station, code in required} | {d.position_code for d in deployments}
        overview = Overview(
            who,
            series.id,
            series.name,
            sessions,
            chosen,
            now_index,
            centres,
            sorted((p for p in positions if p.code in used), key=lambda p: (p.rank, p.name)),
            required,
            deployments,
            marks,
        )
        if shown is not None:
            overview.signoffs = _signoffs(session, shown, station_ids)
        overview.waiting = set(
            session.scalars(
                select(OutboxEntry.row_id).where(OutboxEntry.table_name == "redeployment")
            )
        )
        return overview


def current_session(
    sessions: list[SessionInfo], now: dt.datetime, series: Series
) -> tuple[int | None, int | None]:
    """(the session being marked now or None, the session to show: now's, else the next,
    else the last)."""
    upcoming = None
    for i, s in enumerate(sessions):
        opens, closes = marking_window(s, series.mark_opens_min, series.mark_closes_min)
        if opens <= now <= closes:
            return i, i
        if upcoming is None and now < opens:
            upcoming = i
    if upcoming is not None:
        return None, upcoming
    return None, (len(sessions) - 1 if sessions else None)


def _centres(session: Session, who: Directorate) -> list[CentreInfo]:
    query = (
        select(
            Station.id,
            Station.code,
            Station.name,
            Station.sub_county_id,
            Station.candidates,
        )
        .where(
            Station.sub_county_id.in_(who.sub_county_ids),
            Station.kind == "exam_centre",
            Station.deleted.is_(False),
        )
        .order_by(Station.name)
    )
    return [
        CentreInfo(sid, code, name, sub, who.names.get(sub, ""), candidates or 0)
        for sid, code, name, sub, candidates in session.execute(query)
    ]


def _current_series(session: Session, station_ids: list[str], today: dt.date) -> Series | None:
    """The series running today in the sub-county, else the latest one deployed there."""
    candidates = session.scalars(
        select(Series).where(Series.deleted.is_(False)).order_by(Series.starts_on.desc())
    ).all()
    running = [s for s in candidates if s.starts_on <= today <= s.ends_on]
    for series in running + [s for s in candidates if s not in running]:
        deployed_here = session.scalar(
            select(Deployment.id)
            .where(
                Deployment.series_id == series.id,
                Deployment.station_id.in_(station_ids),
                Deployment.deleted.is_(False),
            )
            .limit(1)
        )
        if deployed_here is not None:
            return series
    return None


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
    query = (
        select(*cols)
        .where(ExamSession.series_id == series_id, ExamSession.deleted.is_(False))
        .order_by(ExamSession.day, ExamSession.starts_at)
    )
    return [SessionInfo(*r) for r in session.execute(query)]


def _requirements(
    session: Session, station_ids: list[str]
) -> tuple[list[PositionInfo], dict[tuple[str, str], int]]:
    """Every position, and (station, position code) -> officers required there."""
    positions, codes = [], {}
    query = select(Position.id, Position.code, Position.name, Position.rank).where(
        Position.deleted.is_(False)
    )
    for pid, code, name, rank in session.execute(query):
        positions.append(PositionInfo(code, name, rank))
        codes[pid] = code
    query = select(Requirement.station_id, Requirement.position_id, Requirement.required).where(
        Requirement.station_id.in_(station_ids), Requirement.deleted.is_(False)
    )
    required = {
        (station_id, codes[position_id]): count
        for station_id, position_id, count in session.execute(query)
        if position_id in codes
    }
    return positions, required


def _deployments(
    session: Session,
    station_ids: list[str],
    series_id: str,
    index_of: dict[str, int],
    shown: str | None,
) -> tuple[list[DeploymentLine], dict[str, Mark]]:
    """The deployments of the series at these centres, with their officers, and each one's
    mark for the session shown: one query (the mark by the attendance's natural key)."""
    query = (
        select(
            Deployment.id,
            Deployment.professional_id,
            Deployment.station_id,
            Position.code,
            Deployment.from_session_id,
            Deployment.until_session_id,
            Deployment.status,
            Professional.first_name,
            Professional.middle_name,
            Professional.last_name,
            Professional.national_id,
            Professional.tsc_number,
            Professional.phone,
            Attendance.status,
            type_coerce(Attendance.check_in, String),
        )
        .join(Professional, Professional.id == Deployment.professional_id)
        .join(Position, Position.id == Deployment.position_id)
        .outerjoin(
            Attendance,
            (Attendance.deployment_id == Deployment.id)
            & (Attendance.session_id == shown)
            & Attendance.deleted.is_(False),
        )
        .where(
            Deployment.station_id.in_(station_ids),
            Deployment.series_id == series_id,
            Deployment.deleted.is_(False),
        )
    )
    count = len(index_of)
    lines: list[DeploymentLine] = []
    marks: dict[str, Mark] = {}
    times: dict[str | None, dt.time | None] = {None: None}
    for r in session.connection().execute(query).all():
        dep_id, prof_id, station_id, code, from_id, until_id, status = r[:7]
        first, stop = span(from_id, until_id, status, index_of, count)
        name = " ".join(filter(None, r[7:10]))
        lines.append(
            DeploymentLine(
                dep_id,
                prof_id,
                name,
                r[10] or "",
                r[11] or "",
                r[12] or "",
                station_id,
                code,
                status,
                first,
                stop,
            )  # fmt: skip
        )
        mark, check_in = r[13], r[14]
        if mark is not None:
            if check_in not in times:  # a morning repeats the same few minutes: parse once
                times[check_in] = dt.time.fromisoformat(check_in)
            marks[dep_id] = Mark(mark, times[check_in])
    return lines, marks


def _signoffs(session: Session, session_id: str, station_ids: list[str]) -> dict[str, Signoff]:
    query = select(
        SessionSignoff.station_id,
        SessionSignoff.status,
        SessionSignoff.signed_at,
        SessionSignoff.reason,
    ).where(
        SessionSignoff.session_id == session_id,
        SessionSignoff.station_id.in_(station_ids),
        SessionSignoff.deleted.is_(False),
    )
    return {sid: Signoff(status, at, reason) for sid, status, at, reason in session.execute(query)}
