"""Marking attendance and signing sessions off: the centre manager's writes.

Each operation is one `replica.write()` transaction: it validates, writes the row and
queues the outbox entry with `replica.record`, so a crash leaves both or neither.
Guard rails raise typed errors whose message tells the user what happened and what
they can do. `now` is injectable so tests can stand anywhere in the timetable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2desk.local_db.models import (
    Attendance,
    Deployment,
    ExamSession,
    Professional,
    RoleGrant,
    Series,
    SessionSignoff,
    Station,
)
from cp2desk.local_db.replica import Replica
from cp2desk.services.errors import (
    InvalidStatus,
    MarkingWindowClosed,
    NotAllowed,
    NotDeployedHere,
    NotFound,
    SessionIncomplete,
    SessionNotStarted,
    SessionSignedOff,
)
from cp2desk.services.timetable import SessionInfo, marking_window, span
from cp2desk.sync.records import natural_id

STATUSES = ("present", "absent", "late")


@dataclass(frozen=True, slots=True)
class MarkResult:
    attendance_id: str
    deployment_id: str
    session_id: str
    status: str
    check_in: dt.time | None
    summary: str


@dataclass(frozen=True, slots=True)
class SignoffResult:
    signoff_id: str
    session_id: str
    status: str
    at: dt.datetime
    summary: str


def attendance_id(deployment_id: str, session_id: str) -> str:
    return natural_id("attendance", deployment_id, session_id)


def signoff_id(station_id: str, session_id: str) -> str:
    return natural_id("session_signoff", station_id, session_id)


def mark_attendance(
    replica: Replica,
    user_id: str,
    deployment_id: str,
    session_id: str,
    status: str,
    now: dt.datetime | None = None,
) -> MarkResult:
    """Mark one officer present, absent or late for one session (check-in = now)."""
    if status not in STATUSES:
        raise InvalidStatus(f"“{status}” is not a mark. Use present, absent or late.")
    now = now or dt.datetime.now()
    with replica.write() as session:
        deployment = session.get(Deployment, deployment_id)
        if deployment is None or deployment.deleted:
            raise NotFound("This officer's deployment is not on this device. Sync, then try again.")
        _require_manager(session, user_id, deployment.station_id)
        exam, series = _session_and_series(session, session_id)
        name = _officer_name(session, deployment.professional_id)
        if not _covers(session, deployment, exam):
            raise NotDeployedHere(
                f"{name} is not deployed to this centre for the {exam.label} session, "
                "so they cannot be marked here. If they are here, ask the sub-county "
                "director to redeploy them to this centre."
            )
        _check_open(session, deployment.station_id, exam, series, now)
        return _write_mark(replica, session, user_id, deployment, exam, name, status, now)


def mark_all_present(
    replica: Replica,
    user_id: str,
    station_id: str,
    session_id: str,
    now: dt.datetime | None = None,
) -> int:
    """Mark present every officer deployed here for the session who has no mark yet.

    Officers already marked keep their mark, so this is safe to press after
    recording the exceptions too. Returns how many officers were marked.
    """
    now = now or dt.datetime.now()
    with replica.write() as session:
        _require_manager(session, user_id, station_id)
        exam, series = _session_and_series(session, session_id)
        _check_open(session, station_id, exam, series, now)
        marked = 0
        for deployment in _unmarked(session, station_id, exam):
            name = _officer_name(session, deployment.professional_id)
            _write_mark(replica, session, user_id, deployment, exam, name, "present", now)
            marked += 1
        return marked


def sign_off_session(
    replica: Replica,
    user_id: str,
    station_id: str,
    session_id: str,
    now: dt.datetime | None = None,
) -> SignoffResult:
    """Sign a session off at this centre; its marks are locked afterwards.

    base_hlc carries the clock of the sign-off row the user saw (a reopened one), so the
    hub refuses this sign-off if someone changed that row in the meantime.
    """
    now = now or dt.datetime.now()
    with replica.write() as session:
        _require_manager(session, user_id, station_id)
        exam, _series = _session_and_series(session, session_id)
        if now < dt.datetime.combine(exam.day, exam.starts_at):
            raise SessionNotStarted(
                f"The {exam.label} session has not started yet. "
                f"You can sign it off once it starts at {exam.starts_at:%H:%M}."
            )
        current = session.get(SessionSignoff, signoff_id(station_id, session_id))
        if current is not None and not current.deleted and current.status == "signed":
            raise SessionSignedOff(f"The {exam.label} session is already signed off.")
        missing = [
            _officer_name(session, d.professional_id) for d in _unmarked(session, station_id, exam)
        ]
        if missing:
            shown = ", ".join(missing[:3]) + (
                f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            )
            raise SessionIncomplete(
                f"{len(missing)} officer{'s' if len(missing) != 1 else ''} still "
                f"{'have' if len(missing) != 1 else 'has'} no mark for {exam.label}: {shown}. "
                "Mark them present, absent or late, then sign off."
            )
        base_hlc = current.hlc if current is not None else None
        row = current or SessionSignoff(
            id=signoff_id(station_id, session_id), station_id=station_id, session_id=session_id
        )
        row.status, row.signed_by, row.signed_at, row.deleted = "signed", user_id, now, False
        summary = f"Signed off {exam.label}"
        replica.record(session, row, ["status", "signed_by", "signed_at"], summary, base_hlc)
        return SignoffResult(row.id, session_id, "signed", now, summary)


def reopen_session(
    replica: Replica,
    user_id: str,
    station_id: str,
    session_id: str,
    reason: str,
    now: dt.datetime | None = None,
) -> SignoffResult:
    """The sub-county director reopens a signed-off session so its marks can be corrected."""
    now = now or dt.datetime.now()
    if not reason.strip():
        raise NotAllowed("Say why the session is reopened; the centre manager will see it.")
    with replica.write() as session:
        station = session.get(Station, station_id)
        if station is None or not _holds(
            session, user_id, "tsc_director", sub_county_id=station.sub_county_id
        ):
            raise NotAllowed(
                "Only the TSC sub-county director of this centre can reopen a session."
            )
        exam, _series = _session_and_series(session, session_id)
        current = session.get(SessionSignoff, signoff_id(station_id, session_id))
        if current is None or current.deleted or current.status != "signed":
            raise NotFound(f"The {exam.label} session is not signed off at {station.name}.")
        base_hlc = current.hlc
        current.status, current.reopened_by, current.reopened_at = "reopened", user_id, now
        current.reason = reason.strip()
        summary = f"Reopened {exam.label} at {station.name}"
        fields = ["status", "reopened_by", "reopened_at", "reason"]
        replica.record(session, current, fields, summary, base_hlc)
        return SignoffResult(current.id, session_id, "reopened", now, summary)


# --- guard rails ------------------------------------------------------------------


def _holds(session: Session, user_id: str, role: str, **scope: str) -> bool:
    query = select(RoleGrant.id).where(
        RoleGrant.user_id == user_id, RoleGrant.role == role, RoleGrant.deleted.is_(False)
    )
    for column, value in scope.items():
        query = query.where(getattr(RoleGrant, column) == value)
    return session.scalar(query.limit(1)) is not None


def _require_manager(session: Session, user_id: str, station_id: str) -> None:
    """The centre manager marks a centre; the KNEC clerk their distribution centre's staff."""
    for role in ("centre_manager", "knec_clerk"):
        if _holds(session, user_id, role, station_id=station_id):
            return
    if _holds(session, user_id, "centre_manager"):
        raise NotDeployedHere(
            "This officer is deployed to another centre, not yours, so you cannot mark them."
        )
    raise NotAllowed("Only the centre manager of this centre can mark attendance here.")


def _session_and_series(session: Session, session_id: str) -> tuple[SessionInfo, Series]:
    row = session.get(ExamSession, session_id)
    series = session.get(Series, row.series_id) if row is not None else None
    if row is None or row.deleted or series is None:
        raise NotFound("This session is not in the timetable on this device. Sync, then try again.")
    info = SessionInfo(
        row.id, row.series_id, row.day, row.slot, row.starts_at, row.ends_at, row.papers
    )
    return info, series


def _check_open(
    session: Session, station_id: str, exam: SessionInfo, series: Series, now: dt.datetime
) -> None:
    """Not before the window opens; not once signed off; not after it closes unless reopened."""
    opens, closes = marking_window(exam, series.mark_opens_min, series.mark_closes_min)
    if now < opens:
        raise SessionNotStarted(
            f"The {exam.label} session has not started yet. "
            f"Marking opens at {opens:%H:%M} on {opens:%a} {opens.day} {opens:%b}."
        )
    signoff = session.get(SessionSignoff, signoff_id(station_id, exam.id))
    if signoff is not None and not signoff.deleted and signoff.status == "signed":
        raise SessionSignedOff(
            f"The {exam.label} session is signed off, so its marks are locked. "
            "If a mark is wrong, ask the sub-county director to reopen the session."
        )
    reopened = signoff is not None and not signoff.deleted and signoff.status == "reopened"
    if now > closes and not reopened:
        raise MarkingWindowClosed(
            f"Marking for the {exam.label} session closed at {closes:%H:%M}. "
            "If a mark is missing or wrong, ask the sub-county director to reopen the session."
        )


def _series_order(session: Session, series_id: str) -> dict[str, int]:
    ids = session.scalars(
        select(ExamSession.id)
        .where(ExamSession.series_id == series_id, ExamSession.deleted.is_(False))
        .order_by(ExamSession.day, ExamSession.starts_at)
    ).all()
    return {sid: i for i, sid in enumerate(ids)}


def _covers(session: Session, deployment: Deployment, exam: SessionInfo) -> bool:
    if deployment.series_id != exam.series_id:
        return False
    index_of = _series_order(session, exam.series_id)
    first, stop = span(
        deployment.from_session_id,
        deployment.until_session_id,
        deployment.status,
        index_of,
        len(index_of),
    )
    return first <= index_of.get(exam.id, -1) < stop


def _unmarked(session: Session, station_id: str, exam: SessionInfo) -> list[Deployment]:
    marked = select(Attendance.deployment_id).where(
        Attendance.session_id == exam.id, Attendance.deleted.is_(False)
    )
    deployments = session.scalars(
        select(Deployment).where(
            Deployment.station_id == station_id,
            Deployment.series_id == exam.series_id,
            Deployment.deleted.is_(False),
            Deployment.id.not_in(marked),
        )
    ).all()
    return [d for d in deployments if _covers(session, d, exam)]


def _officer_name(session: Session, professional_id: str) -> str:
    officer = session.get(Professional, professional_id)
    return officer.full_name if officer is not None else "This officer"


def _write_mark(
    replica: Replica,
    session: Session,
    user_id: str,
    deployment: Deployment,
    exam: SessionInfo,
    name: str,
    status: str,
    now: dt.datetime,
) -> MarkResult:
    row_id = attendance_id(deployment.id, exam.id)
    row = session.get(Attendance, row_id)
    check_in = None if status == "absent" else now.time().replace(second=0, microsecond=0)
    summary = f"Marked {name} {status} for {exam.label}"
    if status == "late":
        summary += f", in at {check_in:%H:%M}"
    if row is not None and not row.deleted and row.status == status:
        return MarkResult(row.id, deployment.id, exam.id, row.status, row.check_in, summary)
    if row is None:
        row = Attendance(
            id=row_id,
            deployment_id=deployment.id,
            session_id=exam.id,
            station_id=deployment.station_id,
            professional_id=deployment.professional_id,
        )
    row.status, row.check_in, row.marked_by, row.deleted = status, check_in, user_id, False
    replica.record(session, row, ["status", "check_in"], summary)
    return MarkResult(row_id, deployment.id, exam.id, status, check_in, summary)
