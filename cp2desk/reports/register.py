"""A centre's attendance register on paper: officers down, sessions across, one mark a cell.

Cells read "P 07:30" (present, checked in at 07:30), "L 08:25" (late), "A" (absent),
blank (not marked) or "–" (not deployed here at that session: redeployed in or out).
"""

from __future__ import annotations

import datetime as dt

from cp2desk.local_db.replica import Replica
from cp2desk.reports.table import Column, Report
from cp2desk.services.register import Mark, Register, load_register
from cp2desk.services.timetable import SLOT_SHORT

LETTER = {"present": "P", "late": "L", "absent": "A"}
SESSIONS_PER_BAND = 8


def register_report(
    replica: Replica,
    station_id: str,
    now: dt.datetime | None = None,
    title: str = "",
    place_label: str = "Centre",
) -> Report | None:
    now = now or dt.datetime.now()
    register = load_register(replica, station_id, now.date())
    return build(register, now, title, place_label) if register else None


def build(
    register: Register, now: dt.datetime, title: str = "", place_label: str = "Centre"
) -> Report:
    c = register.centre
    sessions = register.sessions
    columns = [
        Column("No.", 0.45, "right"),
        Column("Officer", 2.6),
        Column("ID number", 1.1),
        Column("Role", 1.3),
    ]
    columns += [Column(_header(s), 1.0, "center") for s in sessions]
    columns.append(Column("Attended", 0.9, "right"))
    report = Report(
        title or "Attendance register",
        register.series_name,
        place_label,
        f"{c.name} ({c.code}), {c.sub_county}, {c.county}".replace(", , ", ", ").strip(", "),
        now,
        columns,
        keep=4,
        band=SESSIONS_PER_BAND,
        tail=1,
    )
    for number, row in enumerate(register.rows, start=1):
        cells = [str(number), row.name, row.national_id, row.position]
        attended = expected = 0
        for index, sitting in enumerate(sessions):
            here = row.deployment_at(index) is not None
            mark = row.marks.get(index)
            cells.append(_cell(mark) if here else "–")
            expected += here and dt.datetime.combine(sitting.day, sitting.starts_at) <= now
            attended += bool(here and mark and mark.status in ("present", "late"))
        cells.append(f"{attended}/{expected}" if expected else "–")
        report.add(cells)
    signed = [
        f"{s.label} ({register.signoffs[s.id].signed_at:%H:%M})"
        if register.signoffs[s.id].signed_at
        else s.label
        for s in sessions
        if register.is_locked(s.id)
    ]
    report.totals = [
        ("Officers", str(len(register.rows))),
        ("Sessions", str(len(sessions))),
        ("Signed off", ", ".join(signed) or "none yet"),
    ]
    report.notes = [
        "P present, L late (with check-in time), A absent, blank not marked, "
        "– not deployed here at that session. Attended: sessions marked present or late, "
        "of the sessions started so far."
    ]
    report.signatures = ["Centre manager"]
    return report


def _header(session) -> str:
    return f"{session.day:%a} {session.day.day} {session.day:%b} {SLOT_SHORT.get(session.slot, session.slot)}"


def _cell(mark: Mark | None) -> str:
    if mark is None:
        return ""
    letter = LETTER.get(mark.status, mark.status)
    return f"{letter} {mark.check_in:%H:%M}" if mark.check_in else letter
