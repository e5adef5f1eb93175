"""CSV exports of a sub-county: the deployment list and the attendance summary.

Written with the `csv` module as UTF-8 with a byte-order mark, which is what Excel
needs to show Kenyan names and dates correctly when the file is double-clicked. A
cell that starts like a formula (=, +, -, @) is prefixed with an apostrophe so a
spreadsheet shows it as text instead of running it.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import func, select

from cp2desk.local_db.models import Attendance, SessionSignoff
from cp2desk.local_db.replica import Replica
from cp2desk.services.subcounty import Overview, load_overview

DEPLOYMENT_HEADER = (
    "Sub-county",
    "Centre code",
    "Centre",
    "Role",
    "Officer",
    "ID number",
    "TSC number",
    "Phone",
    "First session",
    "Last session",
    "Status",
)
ATTENDANCE_HEADER = (
    "Sub-county",
    "Centre code",
    "Centre",
    "Date",
    "Session",
    "Expected",
    "Present",
    "Late",
    "Absent",
    "Not marked",
    "Sign-off",
)
STATUS_TEXT = {"active": "Active", "redeployed": "Redeployed", "cancelled": "Cancelled"}
SIGNOFF_TEXT = {"signed": "Signed off", "reopened": "Reopened"}


def export_deployments(
    replica: Replica, user_id: str, path: Path | str, now: dt.datetime | None = None
) -> int:
    """Every deployment of the current series in the director's sub-county(ies), ended
    ones included, centre by centre. Returns the number of officers' lines written."""
    overview = load_overview(replica, user_id, now or dt.datetime.now())
    rows = deployment_rows(overview)
    _write(path, DEPLOYMENT_HEADER, rows)
    return len(rows)


def deployment_rows(overview: Overview) -> list[tuple]:
    """Centre by centre, by role, officers by name; a redeployed officer's two lines
    (one at each centre) show which sessions each covered."""
    centres = {c.station_id: c for c in overview.centres}
    positions = {p.code: p for p in overview.positions}
    sessions = overview.sessions
    keyed = []
    for d in overview.deployments:
        centre = centres[d.station_id]
        position = positions.get(d.position_code)
        served = d.first < d.stop
        row = (
            centre.sub_county,
            centre.code,
            centre.name,
            position.name if position else d.position_code,
            d.name,
            d.national_id,
            d.tsc_number,
            d.phone,
            sessions[d.first].label if served else "",
            sessions[d.stop - 1].label if served else "",
            STATUS_TEXT.get(d.status, d.status),
        )
        rank = position.rank if position else 99
        keyed.append(((centre.sub_county, centre.name, rank, d.name.casefold(), d.first), row))
    keyed.sort(key=lambda pair: pair[0])
    return [row for _key, row in keyed]


def export_attendance(
    replica: Replica, user_id: str, path: Path | str, now: dt.datetime | None = None
) -> int:
    """Each centre's counts for every session that has started, with its sign-off.
    Returns the number of (centre, session) lines written."""
    now = now or dt.datetime.now()
    overview = load_overview(replica, user_id, now)
    rows = attendance_rows(replica, overview, now)
    _write(path, ATTENDANCE_HEADER, rows)
    return len(rows)


def attendance_rows(replica: Replica, overview: Overview, now: dt.datetime) -> list[tuple]:
    started = [
        (i, s)
        for i, s in enumerate(overview.sessions)
        if dt.datetime.combine(s.day, s.starts_at) <= now
    ]
    station_ids = [c.station_id for c in overview.centres]
    expected: dict[tuple[str, int], int] = Counter()
    for d in overview.deployments:
        for i, _s in started:
            if d.covers(i):
                expected[(d.station_id, i)] += 1
    marks, signoffs = _marks_and_signoffs(replica, station_ids, [s.id for _i, s in started])
    rows = []
    for centre in overview.centres:
        for i, s in started:
            counted = marks[(centre.station_id, s.id)]
            present, late, absent = counted["present"], counted["late"], counted["absent"]
            due = expected[(centre.station_id, i)]
            rows.append(
                (
                    centre.sub_county,
                    centre.code,
                    centre.name,
                    s.day.isoformat(),
                    s.slot,
                    due,
                    present,
                    late,
                    absent,
                    max(0, due - present - late - absent),
                    SIGNOFF_TEXT.get(signoffs.get((centre.station_id, s.id), ""), "Not signed off"),
                )
            )
    return rows


def _marks_and_signoffs(
    replica: Replica, station_ids: list[str], session_ids: list[str]
) -> tuple[dict[tuple[str, str], Counter], dict[tuple[str, str], str]]:
    marks: dict[tuple[str, str], Counter] = defaultdict(Counter)
    with replica.read() as session:
        query = (
            select(Attendance.station_id, Attendance.session_id, Attendance.status, func.count())
            .where(
                Attendance.station_id.in_(station_ids),
                Attendance.session_id.in_(session_ids),
                Attendance.deleted.is_(False),
            )
            .group_by(Attendance.station_id, Attendance.session_id, Attendance.status)
        )
        for station_id, session_id, status, count in session.execute(query):
            marks[(station_id, session_id)][status] += count
        signoffs = {
            (station_id, session_id): status
            for station_id, session_id, status in session.execute(
                select(
                    SessionSignoff.station_id, SessionSignoff.session_id, SessionSignoff.status
                ).where(
                    SessionSignoff.station_id.in_(station_ids),
                    SessionSignoff.deleted.is_(False),
                )
            )
        }
    return marks, signoffs


def _write(path: Path | str, header: tuple[str, ...], rows: list[tuple]) -> None:
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    with partial.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([_safe(v) for v in row] for row in rows)
    partial.replace(target)  # a half-written file never takes the name


def _safe(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
