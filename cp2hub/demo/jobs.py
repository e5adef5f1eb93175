"""Demo vacancies for the coming series, and professionals' applications to them."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from cp2desk.sync.records import natural_id
from cp2hub.demo.geography import Station, SubCounty
from cp2hub.demo.people import Person
from cp2hub.demo.staffing import KIND_FOR_POSITION

ACTIVITY = {
    "exam_centre": "Examination administration",
    "distribution_centre": "Materials distribution",
}
POSITIONS_FOR_KIND = {
    kind: [p for p, k in KIND_FOR_POSITION.items() if k == kind]
    for kind in set(KIND_FOR_POSITION.values())
}


def vacancy_rows(
    rng: random.Random,
    series_id: str,
    sc: SubCounty,
    stations: list[Station],
    position_ids: dict[str, str],
    today: dt.date,
) -> dict[str, dict]:
    """One open vacancy per position and station kind in the sub-county, keyed by position.

    The number of positions is what the sub-county's stations require (KPSEA centres
    are more numerous than KCSE ones, hence the margin).
    """
    wanted: Counter[tuple[str, str]] = Counter()
    for station in stations:
        for position, count in station.required.items():
            wanted[(station.kind, position)] += count
    deadline = today + dt.timedelta(days=rng.randint(10, 24))
    vacancies = {}
    for (kind, position), count in sorted(wanted.items()):
        if position in vacancies:  # security at centres and at the container: one vacancy
            vacancies[position]["positions"] += count
            continue
        vacancies[position] = {
            "id": natural_id("vacancy", series_id, position, sc.id),
            "series_id": series_id,
            "position_id": position_ids[position],
            "activity": ACTIVITY[kind],
            "station_kind": kind,
            "county_id": sc.county_id,
            "sub_county_id": sc.id,
            "deadline": deadline,
            "positions": int(count * 1.5),
            "status": "open",
        }
    return vacancies


def application_rows(
    rng: random.Random,
    people: list[Person],
    vacancies: dict[str, dict],
    today: dt.date,
    share: float = 0.08,
) -> list[dict]:
    """About `share` of the people apply for a position of their kind; a few withdrew."""
    rows = []
    for person in people:
        if rng.random() >= share:
            continue
        vacancy = vacancies.get(rng.choice(POSITIONS_FOR_KIND[person.kind]))
        if vacancy is not None:
            rows.append(application(rng, vacancy, person, today, withdrawn=rng.random() < 0.05))
    return rows


def application(
    rng: random.Random, vacancy: dict, person: Person, today: dt.date, withdrawn: bool = False
) -> dict:
    day = today - dt.timedelta(days=rng.randint(1, 6))
    at = dt.datetime.combine(day, dt.time(rng.randint(6, 21), rng.randint(0, 59)))
    return {
        "id": natural_id("application", vacancy["id"], person.id),
        "vacancy_id": vacancy["id"],
        "professional_id": person.id,
        "status": "withdrawn" if withdrawn else "submitted",
        "submitted_at": at,
        "reason": "",
    }
