"""What a sub-county director reads from an `Overview`: staffing against requirement,
attendance centre by centre, who is absent, and every officer, found by any number.

Pure functions of one loaded `Overview`, so a filter, a search or a sort never reads
the replica again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from cp2desk.services.register import Mark, Signoff
from cp2desk.services.subcounty import CentreInfo, DeploymentLine, Overview

# --- staffing: deployed against required ------------------------------------------


@dataclass(frozen=True, slots=True)
class Staff:
    required: int
    deployed: int

    @property
    def gap(self) -> int:
        """Negative: short of officers; positive: more than required."""
        return self.deployed - self.required


@dataclass(frozen=True, slots=True)
class CentreStaffing:
    centre: CentreInfo
    staff: dict[str, Staff]
    """position code -> deployed against required, at the session shown."""

    @property
    def shortfall(self) -> int:
        return sum(max(0, -s.gap) for s in self.staff.values())

    @property
    def surplus(self) -> int:
        return sum(max(0, s.gap) for s in self.staff.values())

    @property
    def deployed(self) -> int:
        return sum(s.deployed for s in self.staff.values())

    @property
    def required(self) -> int:
        return sum(s.required for s in self.staff.values())


def deployed_counts(overview: Overview, index: int | None) -> Counter:
    """(station_id, position code) -> officers deployed there at session `index`."""
    return Counter((d.station_id, d.position_code) for d in overview.deployments if d.covers(index))


def staffing(overview: Overview) -> list[CentreStaffing]:
    """Every centre, position by position, at the session shown."""
    counts = deployed_counts(overview, overview.session_index)
    lines = []
    for centre in overview.centres:
        staff = {}
        for p in overview.positions:
            key = (centre.station_id, p.code)
            required, deployed = overview.required.get(key, 0), counts.get(key, 0)
            if required or deployed:
                staff[p.code] = Staff(required, deployed)
        lines.append(CentreStaffing(centre, staff))
    return lines


@dataclass(frozen=True, slots=True)
class StaffingTotals:
    centres: int
    centres_short: int
    officers_short: int
    officers_over: int
    deployed: int
    required: int


def staffing_totals(lines: list[CentreStaffing]) -> StaffingTotals:
    return StaffingTotals(
        len(lines),
        sum(1 for line in lines if line.shortfall),
        sum(line.shortfall for line in lines),
        sum(line.surplus for line in lines),
        sum(line.deployed for line in lines),
        sum(line.required for line in lines),
    )


# --- attendance across centres ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class CentreAttendance:
    centre: CentreInfo
    expected: int
    present: int
    late: int
    absent: int
    signoff: Signoff | None

    @property
    def marked(self) -> int:
        return self.present + self.late + self.absent

    @property
    def unmarked(self) -> int:
        return self.expected - self.marked

    @property
    def state(self) -> str:
        """'signed', 'reopened', 'done' (all marked), 'marking', 'not_marked' or 'none'."""
        if self.signoff is not None and self.signoff.status in ("signed", "reopened"):
            return self.signoff.status
        if not self.expected:
            return "none"
        if not self.marked:
            return "not_marked"
        return "done" if not self.unmarked else "marking"


STATE_TEXT = {
    "signed": "Signed off",
    "reopened": "Reopened for correction",
    "done": "All marked, not signed off",
    "marking": "Marking",
    "not_marked": "Not marked yet",
    "none": "No officers deployed",
}


def attendance_by_centre(overview: Overview) -> list[CentreAttendance]:
    """Each centre's counts for the session shown."""
    index = overview.session_index
    counts: dict[str, Counter] = defaultdict(Counter)
    for d in overview.deployments:
        if not d.covers(index):
            continue
        tally = counts[d.station_id]
        tally["expected"] += 1
        mark = overview.marks.get(d.deployment_id)
        if mark is not None:
            tally[mark.status] += 1
    return [
        CentreAttendance(
            c,
            counts[c.station_id]["expected"],
            counts[c.station_id]["present"],
            counts[c.station_id]["late"],
            counts[c.station_id]["absent"],
            overview.signoffs.get(c.station_id),
        )
        for c in overview.centres
    ]


def not_yet_marked(lines: list[CentreAttendance]) -> list[CentreAttendance]:
    """Centres with officers expected and not a single mark yet."""
    return [line for line in lines if line.state == "not_marked"]


@dataclass(frozen=True, slots=True)
class OfficerLine:
    """An officer as the director looks them up: where they serve at the session shown."""

    professional_id: str
    deployment_id: str
    name: str
    national_id: str
    tsc_number: str
    phone: str
    position_code: str
    position: str
    station_id: str
    centre: str
    status: str
    note: str
    mark: Mark | None

    @property
    def search_key(self) -> str:
        return f"{self.name}\n{self.national_id}\n{self.tsc_number}\n{self.phone}".casefold()


def officers(overview: Overview) -> list[OfficerLine]:
    """One line per officer: the deployment in force at the session shown (else their
    latest one), sorted by name."""
    index = overview.session_index
    best: dict[str, DeploymentLine] = {}
    for d in overview.deployments:
        held = best.get(d.professional_id)
        if held is None or _rank(d, index) > _rank(held, index):
            best[d.professional_id] = d
    centres = {c.station_id: c.name for c in overview.centres}
    names = {p.code: p.name for p in overview.positions}
    lines = [
        OfficerLine(
            d.professional_id,
            d.deployment_id,
            d.name,
            d.national_id,
            d.tsc_number,
            d.phone,
            d.position_code,
            names.get(d.position_code, d.position_code),
            d.station_id,
            centres.get(d.station_id, ""),
            d.status,
            _note(overview, d),
            overview.marks.get(d.deployment_id) if d.covers(index) else None,
        )
        for d in best.values()
    ]
    return sorted(lines, key=lambda o: o.name.casefold())


def _rank(d: DeploymentLine, index: int | None) -> tuple[int, int, int]:
    return (d.covers(index), d.status == "active", d.first)


def _note(overview: Overview, d: DeploymentLine) -> str:
    sessions = overview.sessions
    if d.first >= d.stop:
        return "Deployment cancelled"
    if overview.session_index is not None and not d.covers(overview.session_index):
        if overview.session_index < d.first:
            return f"Starts here from {sessions[d.first].label}"
        return f"Left from {sessions[d.stop].label}" if d.stop < len(sessions) else "Left"
    parts = []
    if d.first > 0:
        parts.append(f"here from {sessions[d.first].label}")
    if d.stop < len(sessions):
        parts.append(f"leaves from {sessions[d.stop].label}")
    note = "; ".join(parts) or "whole series"
    return note[0].upper() + note[1:]


def find_officers(overview: Overview, text: str) -> list[OfficerLine]:
    """Officers whose name, ID number, TSC number or phone contains `text`."""
    wanted = text.strip().casefold()
    found = officers(overview)
    return [o for o in found if wanted in o.search_key] if wanted else found


@dataclass(frozen=True, slots=True)
class AbsentOfficer:
    name: str
    phone: str
    position: str
    centre: str
    station_id: str
    deployment_id: str


def absent(overview: Overview) -> list[AbsentOfficer]:
    """Officers marked absent for the session shown, centre by centre."""
    centres = {c.station_id: c.name for c in overview.centres}
    names = {p.code: p.name for p in overview.positions}
    found = [
        AbsentOfficer(
            d.name,
            d.phone,
            names.get(d.position_code, d.position_code),
            centres.get(d.station_id, ""),
            d.station_id,
            d.deployment_id,
        )
        for d in overview.deployments
        if d.covers(overview.session_index)
        and (mark := overview.marks.get(d.deployment_id)) is not None
        and mark.status == "absent"
    ]
    return sorted(found, key=lambda a: (a.centre, a.name))
