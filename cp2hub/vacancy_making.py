"""KNEC administrators make vacancies: an exam's activity, a kind of duty station, a
position, where (a county, a sub-county, or the whole country), how many, until when.

The one place a vacancy is made (the back office's form calls it): every value is
checked against the hub's rows and a refusal names the field, so a form can show it
again with the error beside it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2hub.errors import HubError
from cp2hub.models import County, Position, Series, SubCounty, Vacancy
from cp2hub.vacancies import STATION_KINDS

MAX_POSITIONS = 100_000


class VacancyRefused(HubError):
    code = "vacancy_refused"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def create(
    session: Session,
    *,
    series_id: str,
    activity: str,
    station_kind: str,
    position_id: str,
    county_id: str | None,
    sub_county_id: str | None,
    positions: int,
    deadline: dt.date,
    today: dt.date,
) -> Vacancy:
    """A new open vacancy; VacancyRefused(field, why) when a value cannot be."""
    series = session.get(Series, series_id) if series_id else None
    if series is None or series.deleted:
        raise VacancyRefused("series", "Choose the examination series.")
    if not activity.strip() or len(activity.strip()) > 60:
        raise VacancyRefused("activity", "Name the activity (at most 60 characters).")
    if station_kind not in STATION_KINDS:
        raise VacancyRefused("station_kind", "Choose the kind of duty station.")
    if not position_id or session.get(Position, position_id) is None:
        raise VacancyRefused("position", "Choose the position.")
    if county_id and session.get(County, county_id) is None:
        raise VacancyRefused("county", "Choose a county from the list.")
    if sub_county_id:
        sub = session.get(SubCounty, sub_county_id)
        if sub is None or (county_id and sub.county_id != county_id):
            raise VacancyRefused("sub_county", "Choose a sub-county of the chosen county.")
        county_id = sub.county_id
    if not 1 <= positions <= MAX_POSITIONS:
        raise VacancyRefused("positions", f"Positions: a whole number from 1 to {MAX_POSITIONS:,}.")
    if deadline < today:
        raise VacancyRefused("deadline", "The deadline cannot be in the past.")
    if deadline > series.ends_on:
        raise VacancyRefused(
            "deadline", f"The deadline must be before the series ends ({series.ends_on:%d %b %Y})."
        )
    vacancy = Vacancy(
        series_id=series.id, position_id=position_id, activity=activity.strip(),
        station_kind=station_kind, county_id=county_id or None,
        sub_county_id=sub_county_id or None, deadline=deadline, positions=positions,
        status="open",
    )  # fmt: skip
    session.add(vacancy)
    session.flush()
    return vacancy


def choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    """The form's lists: series, positions (by rank) and the activities already used."""
    return {
        "series": [
            (s.id, s.name)
            for s in session.scalars(
                select(Series).where(Series.deleted.is_(False)).order_by(Series.starts_on.desc())
            )
        ],
        "positions": [
            (p.id, p.name) for p in session.scalars(select(Position).order_by(Position.rank))
        ],
        "station_kinds": list(STATION_KINDS.items()),
        "activities": [
            (a, a)
            for a in session.scalars(select(Vacancy.activity).distinct().order_by(Vacancy.activity))
        ],
    }
