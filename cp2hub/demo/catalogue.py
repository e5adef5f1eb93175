"""Demo positions, daily rates, series and their timetables.

The KCSE series is placed around `today` so that today has sessions (a centre manager
signing in to the demo has something to mark) and the days before have attendance.
The second series (KPSEA) lies ahead, with open vacancies.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from cp2desk.sync.records import natural_id
from cp2hub.demo.reference import KPSEA_PAPERS

POSITIONS: tuple[tuple[str, str], ...] = (
    ("centre_manager", "Centre Manager"),
    ("supervisor", "Supervisor"),
    ("invigilator", "Invigilator"),
    ("security_officer", "Security Officer"),
    ("clerk", "Clerk"),
    ("driver", "Driver"),
)

DAILY_RATES: dict[str, int] = {
    "centre_manager": 550,  # 2025 figures reported for KCSE and KPSEA
    "supervisor": 680,
    "invigilator": 550,
    "security_officer": 500,  # plausible: not in the 2025 reports
    "clerk": 500,
    "driver": 450,
}

KCSE_DAYS = 17
THREE_SESSION_DAYS = 4
TIMES = {  # (slot, start, end): a sitting's slot is its order in the day
    2: (("morning", "08:00", "10:30"), ("afternoon", "14:00", "16:30")),
    3: (
        ("morning", "08:00", "10:30"),
        ("afternoon", "11:00", "13:30"),
        ("evening", "14:00", "16:30"),
    ),
}
CONCURRENT = ({"121", "122"}, {"313", "314"}, {"501", "502", "503"}, {"902", "904"})
"""Subjects whose papers are alternatives, sat at the same time."""


@dataclass(frozen=True)
class Session:
    id: str
    day: dt.date
    slot: str
    starts_at: dt.time
    ends_at: dt.time


def position_id(code: str) -> str:
    return natural_id("position", code)


def position_rows() -> list[dict]:
    return [
        {"id": position_id(code), "code": code, "name": name, "rank": rank}
        for rank, (code, name) in enumerate(POSITIONS, start=1)
    ]


def rate_rows(series_id: str) -> list[dict]:
    return [
        {
            "id": natural_id("rate", series_id, code, "standard"),
            "series_id": series_id,
            "position_id": position_id(code),
            "region": "standard",
            "daily_rate": DAILY_RATES[code],
        }
        for code, _name in POSITIONS
    ]


def series_row(exam: str, title: str, days: list[dt.date]) -> dict:
    year = days[0].year
    code = f"{exam}-{year}"
    return {
        "id": natural_id("series", code),
        "code": code,
        "exam": exam,
        "name": f"{title} {year}",
        "year": year,
        "starts_on": days[0],
        "ends_on": days[-1],
    }


def kcse_days(rng: random.Random, today: dt.date) -> list[dt.date]:
    """About three weeks of weekdays with `today` (even a weekend) somewhere in the middle."""
    before = rng.randint(6, 10)
    days = [today]
    day = today
    while len(days) <= before:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            days.insert(0, day)
    day = today
    while len(days) < KCSE_DAYS:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def kpsea_days(today: dt.date) -> list[dt.date]:
    """Three consecutive weekdays about two months ahead (applications are open now)."""
    day = today + dt.timedelta(days=60)
    while day.weekday() > 2:  # start Monday to Wednesday so three weekdays follow
        day += dt.timedelta(days=1)
    return [day + dt.timedelta(days=i) for i in range(3)]


def timetable(
    rng: random.Random, series: dict, days: list[dt.date], papers: tuple[tuple[str, str], ...]
) -> tuple[list[dict], list[Session]]:
    """Session rows (with their papers) and the matching Session values, in time order."""
    long_days = set(rng.sample(range(len(days)), THREE_SESSION_DAYS)) if len(days) > 5 else set()
    slots = [
        (day, slot)
        for index, day in enumerate(days)
        for slot in TIMES[3 if index in long_days else 2]
    ]
    groups = _paper_groups(papers)
    per_slot = _spread(len(groups), len(slots))
    rows, sessions, taken = [], [], 0
    for (day, (slot, start, end)), count in zip(slots, per_slot, strict=True):
        session = Session(
            id=natural_id("exam_session", series["code"], day.isoformat(), slot),
            day=day,
            slot=slot,
            starts_at=dt.time.fromisoformat(start),
            ends_at=dt.time.fromisoformat(end),
        )
        chosen = [p for group in groups[taken : taken + count] for p in group]
        taken += count
        sessions.append(session)
        rows.append(
            {
                "id": session.id,
                "series_id": series["id"],
                "day": day,
                "slot": slot,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "papers": "; ".join(f"{code} {name}" for code, name in chosen),
            }
        )
    return rows, sessions


def kpsea_timetable(series: dict, days: list[dt.date]) -> tuple[list[dict], list[Session]]:
    """KPSEA's five sittings: mornings and afternoons, the last day morning only."""
    rows, sessions = timetable(random.Random(0), series, days, KPSEA_PAPERS)
    keep = [i for i, row in enumerate(rows) if row["papers"]]
    return [rows[i] for i in keep], [sessions[i] for i in keep]


def _paper_groups(papers: tuple[tuple[str, str], ...]) -> list[list[tuple[str, str]]]:
    """Papers in timetable order; alternative subjects' same-numbered papers grouped.

    Projects are assessed during the year, not sat, so they have no sitting.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name in papers:
        if "(Project)" in name:
            continue
        subject, _, number = code.partition("/")
        family = next((min(f) for f in CONCURRENT if subject in f), subject)
        groups.setdefault(f"{family}/{number}", []).append((code, name))
    return list(groups.values())


def _spread(items: int, slots: int) -> list[int]:
    """How many of `items` go into each of `slots`, as evenly as possible, none left over."""
    if items <= slots:
        return [1] * items + [0] * (slots - items)
    base, extra = divmod(items, slots)
    step = slots / extra if extra else 0
    bumped = {int(i * step) for i in range(extra)}
    return [base + (1 if i in bumped else 0) for i in range(slots)]
