"""The custody log on paper: each centre's collection and return for each session, with
seals, and the lines that need attention (outstanding returns, seals that differ)."""

from __future__ import annotations

import datetime as dt

from cp2desk.local_db.replica import Replica
from cp2desk.reports.table import Column, Report
from cp2desk.services.custody import CustodyLine, CustodyLog, Handover, custody_log

TONES = {"outstanding": "warning", "seals_differ": "error"}


def custody_report(
    replica: Replica, station_id: str, now: dt.datetime | None = None,
    day: dt.date | None = None,
) -> Report | None:  # fmt: skip
    """The log of the current series, or of one day, up to now."""
    now = now or dt.datetime.now()
    log = custody_log(replica, station_id, now)
    return build(log, now, day) if log else None


def build(log: CustodyLog, now: dt.datetime, day: dt.date | None = None) -> Report:
    dc = log.centre
    lines = [x for x in log.lines if (day is None or x.session.day == day)]
    lines = [x for x in lines if x.collected or x.returned or x.session.day <= now.date()]
    title = "Custody log" + (f", {day:%a} {day.day} {day:%b %Y}" if day else "")
    report = Report(
        title,
        log.series_name,
        "Distribution centre",
        f"{dc.name} ({dc.code}), {dc.sub_county}, {dc.county}".strip(", "),
        now,
        [
            Column("Session", 1.9),
            Column("Centre", 2.3),
            Column("Collected", 1.05, "center"),
            Column("By", 2.0),
            Column("Seals issued", 1.8),
            Column("Returned", 1.05, "center"),
            Column("By", 2.0),
            Column("Seals returned", 1.8),
            Column("Status", 2.4),
        ],
        keep=0,
    )
    for line in lines:
        report.add(_cells(line), TONES.get(line.state, "" if line.collected else "muted"))
    report.totals = [
        ("Collections", str(sum(1 for x in lines if x.collected))),
        ("Returns", str(sum(1 for x in lines if x.returned))),
        ("Returns outstanding", str(sum(1 for x in lines if x.state == "outstanding"))),
        ("Seals differ", str(sum(1 for x in lines if x.state == "seals_differ"))),
    ]
    report.notes = ["Shaded: returns outstanding after the session, and seals that differ."]
    report.signatures = ["KNEC clerk", "Sub-county director"]
    return report


def _cells(line: CustodyLine) -> list[str]:
    def who(h: Handover | None) -> str:
        if h is None:
            return ""
        return f"{h.person.name} (ID {h.person.national_id})"

    def when(h: Handover | None) -> str:
        return f"{h.at:%H:%M}" if h else ""

    def seals(h: Handover | None) -> str:
        return ", ".join(h.seals) if h else ""

    status = "; ".join(line.flags) if line.flags else line.state_text
    return [
        line.session.label,
        line.centre.name,
        when(line.collected),
        who(line.collected),
        seals(line.collected),
        when(line.returned),
        who(line.returned),
        seals(line.returned),
        status,
    ]
