"""Custody of exam materials at a distribution centre ("container"): the clerk's log.

For every session each exam centre served by the container collects its papers and,
after the session, returns its scripts. The clerk logs each handover: who (the centre's
deployed centre manager, identified by national ID number), when, and the numbers on
the packets' seals. One collection and one return per centre per session: the row's id
is natural, so logging a handover again corrects it.

Seals: the scripts go back in the packets issued with the papers, resealed with the
seals issued to the centre, so a return must show the same seal numbers as the
collection; any seal missing or unknown is a mismatch the log highlights.

Every write is one `replica.write()` transaction (row + outbox entry), and works offline.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2desk.local_db.models import (
    County,
    Deployment,
    ExamSession,
    MaterialMovement,
    Position,
    Professional,
    RoleGrant,
    Series,
    Station,
    SubCounty,
)
from cp2desk.local_db.replica import Replica
from cp2desk.services.errors import NotAllowed, NotFound, ServiceError
from cp2desk.services.timetable import SessionInfo, span
from cp2desk.sync.records import natural_id

KINDS = ("collect", "return")
STATE_TEXT = {
    "waiting": "Not collected yet",
    "not_collected": "Not collected",
    "out": "Out: scripts due back",
    "outstanding": "Return outstanding",
    "seals_differ": "Seals differ",
    "returned": "Returned",
}
SEAL = re.compile(r"^[A-Z0-9][A-Z0-9/-]{1,19}$")
NATIONAL_ID = re.compile(r"^[0-9A-Z]{5,12}$")


class NotTheCentreManager(ServiceError):
    """The person handing over is not the centre's deployed centre manager for the session."""


class AlreadyLogged(ServiceError):
    """That handover is logged already; logging it again would replace it."""


class NotCollected(ServiceError):
    """A return for materials that were never logged as collected."""


class InvalidHandover(ServiceError):
    """Seal numbers, ID number or time that cannot be right."""


# --- what the screens show -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DistributionCentre:
    station_id: str
    code: str
    name: str
    sub_county: str
    county: str


@dataclass(frozen=True, slots=True)
class ExamCentre:
    station_id: str
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Person:
    professional_id: str | None
    name: str
    national_id: str


@dataclass(frozen=True, slots=True)
class Handover:
    id: str
    kind: str
    at: dt.datetime
    person: Person
    seals: tuple[str, ...]
    by_manager: bool


@dataclass(frozen=True, slots=True)
class CustodyLine:
    """One centre at one session: its collection and its return."""

    session: SessionInfo
    centre: ExamCentre
    manager: Person | None
    collected: Handover | None
    returned: Handover | None
    session_over: bool

    @property
    def missing_seals(self) -> tuple[str, ...]:
        """Seals issued at collection that did not come back."""
        if self.collected is None or self.returned is None:
            return ()
        back = set(self.returned.seals)
        return tuple(s for s in self.collected.seals if s not in back)

    @property
    def unknown_seals(self) -> tuple[str, ...]:
        """Seals on the returned scripts that were not issued with the papers."""
        if self.collected is None or self.returned is None:
            return ()
        issued = set(self.collected.seals)
        return tuple(s for s in self.returned.seals if s not in issued)

    @property
    def state(self) -> str:
        """waiting, not_collected, out, outstanding, seals_differ or returned."""
        if self.collected is None:
            return "not_collected" if self.session_over else "waiting"
        if self.returned is None:
            return "outstanding" if self.session_over else "out"
        return "seals_differ" if self.missing_seals or self.unknown_seals else "returned"

    @property
    def state_text(self) -> str:
        return STATE_TEXT[self.state]

    @property
    def flags(self) -> list[str]:
        """What needs the clerk's attention on this line, in words."""
        out = []
        if self.state == "outstanding":
            out.append("Scripts not returned")
        if self.missing_seals:
            out.append(f"Seals not returned: {', '.join(self.missing_seals)}")
        if self.unknown_seals:
            out.append(f"Seals not issued: {', '.join(self.unknown_seals)}")
        for handover in (self.collected, self.returned):
            if handover is not None and not handover.by_manager:
                word = "Collected" if handover.kind == "collect" else "Returned"
                out.append(f"{word} by {handover.person.name}, not the centre manager")
        return out

    @property
    def needs_attention(self) -> bool:
        return bool(self.flags)


@dataclass(slots=True)
class CustodyLog:
    centre: DistributionCentre
    series_code: str
    series_name: str
    sessions: list[SessionInfo]
    centres: list[ExamCentre]
    lines: list[CustodyLine] = field(default_factory=list)

    def outstanding(self) -> list[CustodyLine]:
        """Materials collected whose scripts have not come back, oldest first."""
        return [line for line in self.lines if line.state in ("outstanding", "out")]

    def mismatched(self) -> list[CustodyLine]:
        return [line for line in self.lines if line.state == "seals_differ"]


@dataclass(frozen=True, slots=True)
class MovementResult:
    movement_id: str
    kind: str
    at: dt.datetime
    by_manager: bool
    summary: str


# --- queries ---------------------------------------------------------------------


def movement_id(centre_id: str, session_id: str, kind: str) -> str:
    return natural_id("material_movement", centre_id, session_id, kind)


def clerk_centres(replica: Replica, user_id: str) -> list[DistributionCentre]:
    """The distribution centres this user keeps as KNEC clerk, from their role grants."""
    with replica.read() as session:
        ids = session.scalars(
            select(RoleGrant.station_id).where(
                RoleGrant.user_id == user_id,
                RoleGrant.role == "knec_clerk",
                RoleGrant.deleted.is_(False),
                RoleGrant.station_id.is_not(None),
            )
        ).all()
        found = [_distribution_centre(session, i) for i in ids]
        return [c for c in found if c is not None]


def custody_log(
    replica: Replica, station_id: str, now: dt.datetime | None = None
) -> CustodyLog | None:
    """Every session x served centre of the current series, with its handovers."""
    now = now or dt.datetime.now()
    with replica.read() as session:
        dc = _distribution_centre(session, station_id)
        centres = _served(session, station_id)
        series = _current_series(session, [station_id, *(c.station_id for c in centres)], now)
        if dc is None or series is None:
            return None
        sessions = _sessions(session, series.id)
        log = CustodyLog(dc, series.code, series.name, sessions, centres)
        log.lines = _lines(session, centres, sessions, now)
        return log


def centre_materials(
    replica: Replica, centre_id: str, now: dt.datetime | None = None
) -> list[CustodyLine]:
    """A centre manager's view: their centre's collections and returns, session by session."""
    now = now or dt.datetime.now()
    with replica.read() as session:
        station = session.get(Station, centre_id)
        series = _current_series(session, [centre_id], now)
        if station is None or series is None:
            return []
        centre = ExamCentre(station.id, station.code, station.name)
        return _lines(session, [centre], _sessions(session, series.id), now)


def deployed_manager(replica: Replica, centre_id: str, session_id: str) -> Person | None:
    """The centre manager deployed to a centre for a session (whom the clerk expects)."""
    with replica.read() as session:
        exam = _session(session, session_id)
        return _manager(session, centre_id, exam)


# --- writes ----------------------------------------------------------------------


def log_collection(
    replica: Replica,
    user_id: str,
    centre_id: str,
    session_id: str,
    national_id: str,
    seals: str,
    now: dt.datetime | None = None,
    allow_other: bool = False,
    replace: bool = False,
) -> MovementResult:
    """Log that a centre collected its papers for a session, with the seals issued.

    Raises `NotTheCentreManager` when the ID number is not the deployed centre
    manager's (pass `allow_other` once the clerk has confirmed who it is), and
    `AlreadyLogged` when the collection is logged already (pass `replace` to correct it).
    """
    return _log(
        replica, user_id, centre_id, session_id, "collect", national_id, seals, now,
        allow_other, replace,
    )  # fmt: skip


def log_return(
    replica: Replica,
    user_id: str,
    centre_id: str,
    session_id: str,
    national_id: str,
    seals: str,
    now: dt.datetime | None = None,
    allow_other: bool = False,
    replace: bool = False,
) -> MovementResult:
    """Log that a centre returned its scripts for a session, with the seals on them.

    Raises `NotCollected` if no collection is logged for that centre and session.
    """
    return _log(
        replica, user_id, centre_id, session_id, "return", national_id, seals, now,
        allow_other, replace,
    )  # fmt: skip


def _log(
    replica: Replica,
    user_id: str,
    centre_id: str,
    session_id: str,
    kind: str,
    national_id: str,
    seals_text: str,
    now: dt.datetime | None,
    allow_other: bool,
    replace: bool,
) -> MovementResult:
    now = (now or dt.datetime.now()).replace(second=0, microsecond=0)
    person_id = normalise_national_id(national_id)
    seals = parse_seals(seals_text)
    with replica.write() as session:
        centre = session.get(Station, centre_id)
        if centre is None or centre.deleted:
            raise NotFound("That examination centre is not on this device. Sync, then try again.")
        dc_id = centre.distribution_centre_id
        if dc_id is None or not _is_clerk(session, user_id, dc_id):
            raise NotAllowed(
                f"{centre.name} does not collect its materials from your distribution centre, "
                "so you cannot log its handovers."
            )
        exam = _session(session, session_id)
        what = f"{centre.name} for {exam.label}"
        if now < dt.datetime.combine(exam.day, dt.time(0)):
            raise InvalidHandover(
                f"The materials of {exam.label} are handed over on {exam.day:%a} {exam.day.day} "
                f"{exam.day:%b}, not before. Check the session you chose."
            )
        collected = _movement(session, centre_id, session_id, "collect")
        if kind == "return":
            if collected is None:
                raise NotCollected(
                    f"No collection is logged for {what}. Log the collection first "
                    "(with the seals issued), then the return."
                )
            if now < collected.at:
                raise InvalidHandover(
                    f"The scripts of {what} cannot come back at {now:%H:%M}, before the papers "
                    f"were collected at {collected.at:%H:%M}."
                )
        existing = _movement(session, centre_id, session_id, kind)
        if existing is not None and not replace:
            word = "collection" if kind == "collect" else "return"
            raise AlreadyLogged(
                f"The {word} of {what} is already logged: {existing.at:%H:%M}, seals "
                f"{existing.seals or 'none'}. Log it again only to correct it."
            )
        manager = _manager(session, centre_id, exam)
        by_manager = manager is not None and manager.national_id == person_id
        if not by_manager and not allow_other:
            raise NotTheCentreManager(_not_manager_message(manager, person_id, centre.name, exam))
        person = _person_by_id(session, person_id)
        row = existing or MaterialMovement(
            id=movement_id(centre_id, session_id, kind),
            station_id=dc_id,
            centre_id=centre_id,
            session_id=session_id,
            kind=kind,
        )
        row.person_national_id = person_id
        row.professional_id = person.professional_id if person else None
        row.at, row.seals, row.recorded_by, row.deleted = now, ", ".join(seals), user_id, False
        name = person.name if person else f"ID {person_id}"
        verb = "collected the papers of" if kind == "collect" else "returned the scripts of"
        summary = f"{name} {verb} {what} at {now:%H:%M}, seals {row.seals}"
        if not by_manager:
            summary += " (not the centre manager)"
        fields = ["person_national_id", "professional_id", "at", "seals", "recorded_by"]
        replica.record(session, row, fields, summary)
        return MovementResult(row.id, kind, now, by_manager, summary)


def parse_seals(text: str) -> list[str]:
    """Seal numbers as typed (commas, spaces or new lines between), upper-cased, once each."""
    seals = list(dict.fromkeys(s for s in re.split(r"[\s,;]+", text.upper()) if s))
    if not seals:
        raise InvalidHandover(
            "Type the number of every seal on the packets, e.g. KN0412783, KN0412784."
        )
    bad = [s for s in seals if not SEAL.match(s)]
    if bad:
        raise InvalidHandover(
            f"“{bad[0]}” does not look like a seal number: letters, digits, / and - only, "
            "2 to 20 characters. Separate seals with commas."
        )
    return seals


def normalise_national_id(text: str) -> str:
    value = re.sub(r"[\s-]+", "", text or "").upper()
    if not NATIONAL_ID.match(value):
        raise InvalidHandover(
            "Type the national ID number of the person handing over (5 to 12 digits), "
            "as on their ID card."
        )
    return value


# --- lookups ---------------------------------------------------------------------


def _is_clerk(session: Session, user_id: str, station_id: str) -> bool:
    return (
        session.scalar(
            select(RoleGrant.id)
            .where(
                RoleGrant.user_id == user_id,
                RoleGrant.role == "knec_clerk",
                RoleGrant.station_id == station_id,
                RoleGrant.deleted.is_(False),
            )
            .limit(1)
        )
        is not None
    )


def _distribution_centre(session: Session, station_id: str) -> DistributionCentre | None:
    found = session.execute(
        select(Station, SubCounty.name, County.name)
        .join(SubCounty, SubCounty.id == Station.sub_county_id, isouter=True)
        .join(County, County.id == Station.county_id, isouter=True)
        .where(Station.id == station_id, Station.deleted.is_(False))
    ).first()
    if found is None:
        return None
    station, sub_county, county = found
    return DistributionCentre(
        station.id, station.code, station.name, sub_county or "", county or ""
    )


def _served(session: Session, station_id: str) -> list[ExamCentre]:
    return [
        ExamCentre(*row)
        for row in session.execute(
            select(Station.id, Station.code, Station.name)
            .where(
                Station.distribution_centre_id == station_id,
                Station.kind == "exam_centre",
                Station.deleted.is_(False),
            )
            .order_by(Station.code)
        )
    ]


def _current_series(session: Session, station_ids: list[str], now: dt.datetime) -> Series | None:
    """The series running today at these stations, else the latest one deployed there."""
    candidates = session.scalars(
        select(Series)
        .where(
            Series.id.in_(
                select(Deployment.series_id).where(Deployment.station_id.in_(station_ids))
            ),
            Series.deleted.is_(False),
        )
        .order_by(Series.starts_on.desc())
    ).all()
    running = [s for s in candidates if s.starts_on <= now.date() <= s.ends_on]
    return (running or candidates or [None])[0]


def _sessions(session: Session, series_id: str) -> list[SessionInfo]:
    rows = session.scalars(
        select(ExamSession)
        .where(ExamSession.series_id == series_id, ExamSession.deleted.is_(False))
        .order_by(ExamSession.day, ExamSession.starts_at)
    ).all()
    return [_info(r) for r in rows]


def _info(row: ExamSession) -> SessionInfo:
    return SessionInfo(
        row.id, row.series_id, row.day, row.slot, row.starts_at, row.ends_at, row.papers
    )


def _session(session: Session, session_id: str) -> SessionInfo:
    row = session.get(ExamSession, session_id)
    if row is None or row.deleted:
        raise NotFound("This session is not in the timetable on this device. Sync, then try again.")
    return _info(row)


def _movement(session: Session, centre_id: str, session_id: str, kind: str):
    row = session.get(MaterialMovement, movement_id(centre_id, session_id, kind))
    return row if row is not None and not row.deleted else None


def _person_by_id(session: Session, national_id: str) -> Person | None:
    found = session.scalars(
        select(Professional).where(
            Professional.national_id == national_id, Professional.deleted.is_(False)
        )
    ).first()
    return Person(found.id, found.full_name, national_id) if found else None


def _managers_by_session(
    session: Session, centre_ids: list[str], sessions: list[SessionInfo]
) -> dict[tuple[str, int], Person]:
    """(centre, session index) -> the centre manager deployed there then."""
    if not sessions:
        return {}
    index_of = {s.id: i for i, s in enumerate(sessions)}
    rows = session.execute(
        select(
            Deployment.station_id,
            Deployment.from_session_id,
            Deployment.until_session_id,
            Deployment.status,
            Professional,
        )
        .join(Position, Position.id == Deployment.position_id)
        .join(Professional, Professional.id == Deployment.professional_id)
        .where(
            Deployment.station_id.in_(centre_ids),
            Deployment.series_id == sessions[0].series_id,
            Deployment.deleted.is_(False),
            Position.code == "centre_manager",
        )
    ).all()
    found: dict[tuple[str, int], Person] = {}
    for station_id, first_id, until_id, status, officer in rows:
        first, stop = span(first_id, until_id, status, index_of, len(sessions))
        person = Person(officer.id, officer.full_name, (officer.national_id or "").upper())
        for index in range(first, stop):
            found[(station_id, index)] = person
    return found


def _manager(session: Session, centre_id: str, exam: SessionInfo) -> Person | None:
    sessions = _sessions(session, exam.series_id)
    index = next((i for i, s in enumerate(sessions) if s.id == exam.id), None)
    return _managers_by_session(session, [centre_id], sessions).get((centre_id, index))


def _lines(
    session: Session, centres: list[ExamCentre], sessions: list[SessionInfo], now: dt.datetime
) -> list[CustodyLine]:
    ids = [c.station_id for c in centres]
    session_ids = {s.id for s in sessions}
    managers = _managers_by_session(session, ids, sessions)
    names = {}
    handovers: dict[tuple[str, str, str], MaterialMovement] = {}
    for row in session.scalars(
        select(MaterialMovement).where(
            MaterialMovement.centre_id.in_(ids), MaterialMovement.deleted.is_(False)
        )
    ):
        if row.session_id in session_ids:
            handovers[(row.centre_id, row.session_id, row.kind)] = row
    wanted = {m.professional_id for m in handovers.values() if m.professional_id}
    if wanted:
        for officer in session.scalars(select(Professional).where(Professional.id.in_(wanted))):
            names[officer.id] = officer.full_name
    lines = []
    for index, exam in enumerate(sessions):
        over = now > dt.datetime.combine(exam.day, exam.ends_at)
        for centre in centres:
            manager = managers.get((centre.station_id, index))

            def handover(kind: str, centre=centre, exam=exam, manager=manager) -> Handover | None:
                row = handovers.get((centre.station_id, exam.id, kind))
                if row is None:
                    return None
                name = names.get(row.professional_id or "", f"ID {row.person_national_id}")
                person = Person(row.professional_id, name, row.person_national_id)
                seals = tuple(s for s in re.split(r"[\s,;]+", row.seals or "") if s)
                by_manager = manager is not None and manager.national_id == row.person_national_id
                return Handover(row.id, kind, row.at, person, seals, by_manager)

            lines.append(
                CustodyLine(exam, centre, manager, handover("collect"), handover("return"), over)
            )
    return lines


def _not_manager_message(
    manager: Person | None, national_id: str, centre: str, exam: SessionInfo
) -> str:
    if manager is None:
        return (
            f"No centre manager is deployed to {centre} for {exam.label} on this device, so "
            f"ID {national_id} cannot be checked. Sync to receive the deployment list, or "
            "confirm that you are handing over to someone else."
        )
    return (
        f"ID {national_id} is not the centre manager of {centre} for {exam.label}: that is "
        f"{manager.name} (ID ending {manager.national_id[-3:]}). Hand the materials only to "
        "the centre manager, or confirm who this is and that the sub-county director agreed."
    )
