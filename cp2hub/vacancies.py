"""Vacancies as professionals search them: six filters, one readable line per result.

A line reads like KNEC's portal: "Invigilator: Exam 2026/3 Kenya Certificate of
Secondary Education, Activity: Supervision & Invigilation, Duty Station: Examination
Centre, Deadline 31 Oct 2026, 83 positions", where the positions are those still
free (positions less the applications that hold one: submitted or selected).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cp2desk.sync.portal import (
    ApplicationView,
    CountyOption,
    Option,
    VacancyFilters,
    VacancyLine,
    VacancySearch,
)
from cp2hub.applications import (
    HOLDS_A_POSITION,
    active_applications,
    eligibility,
    mine_by_vacancy,
    open_problem,
    positions_left,
)
from cp2hub.errors import HubError
from cp2hub.models import (
    Application,
    County,
    Position,
    Professional,
    Rate,
    Series,
    SubCounty,
    Vacancy,
)
from cp2hub.push import as_wire
from cp2hub.series import exam_title, series_label

STATION_KINDS = {"exam_centre": "Examination Centre", "distribution_centre": "Distribution Centre"}
MAX_RESULTS = 200


class BadFilter(HubError):
    code = "bad_filter"


@dataclass(frozen=True)
class Criteria:
    exam: str = ""
    activity: str = ""
    station_kind: str = ""
    position: str = ""
    county: str = ""
    sub_county: str = ""


def filters(session: Session) -> VacancyFilters:
    open_series = select(Vacancy.series_id).where(Vacancy.status == "open")
    exams = session.scalars(
        select(Series).where(Series.id.in_(open_series)).order_by(Series.exam, Series.starts_on)
    ).all()
    activities = session.scalars(
        select(Vacancy.activity)
        .where(Vacancy.status == "open")
        .distinct()
        .order_by(Vacancy.activity)
    ).all()
    positions = session.scalars(select(Position).order_by(Position.rank, Position.name)).all()
    counties = session.scalars(select(County).order_by(County.name)).all()
    subs: dict[str, list[Option]] = {}
    for sub in session.scalars(select(SubCounty).order_by(SubCounty.name)):
        subs.setdefault(sub.county_id, []).append(Option(value=sub.id, label=sub.name))
    seen: dict[str, Option] = {}
    for series in exams:
        seen.setdefault(series.exam, Option(value=series.exam, label=exam_title(series)))
    return VacancyFilters(
        exams=list(seen.values()),
        activities=[Option(value=a, label=a) for a in activities],
        station_kinds=[Option(value=k, label=v) for k, v in STATION_KINDS.items()],
        positions=[Option(value=p.code, label=p.name) for p in positions],
        counties=[
            CountyOption(value=c.id, label=c.name, sub_counties=subs.get(c.id, []))
            for c in counties
        ],
    )


def search(
    session: Session,
    person: Professional | None,
    criteria: Criteria,
    today: dt.date,
    limit: int = MAX_RESULTS,
) -> VacancySearch:
    """Open vacancies whose deadline has not passed, by deadline, matching every filter given."""
    where = [Vacancy.status == "open", Vacancy.deadline >= today, *_conditions(session, criteria)]
    query = (
        select(Vacancy, Series, Position)
        .join(Series, Series.id == Vacancy.series_id)
        .join(Position, Position.id == Vacancy.position_id)
        .where(*where)
    )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    found = session.execute(
        query.order_by(Vacancy.deadline, Position.rank, Vacancy.id).limit(limit)
    ).all()
    return VacancySearch(lines=lines(session, person, found, today), total=total or 0)


def _conditions(session: Session, c: Criteria) -> list:
    out = []
    if c.exam:
        out.append(Series.exam == c.exam)
    if c.activity:
        out.append(Vacancy.activity == c.activity)
    if c.station_kind:
        if c.station_kind not in STATION_KINDS:
            raise BadFilter("Choose the duty station from the list.")
        out.append(Vacancy.station_kind == c.station_kind)
    if c.position:
        out.append(Position.code == c.position)
    county = c.county
    if c.sub_county:
        sub = session.get(SubCounty, c.sub_county)
        if sub is None:
            raise BadFilter("Choose the sub-county from the list.")
        if county and sub.county_id != county:
            raise BadFilter("That sub-county is not in the chosen county. Choose the county first.")
        county = sub.county_id
        out.append(or_(Vacancy.sub_county_id == sub.id, Vacancy.sub_county_id.is_(None)))
    if county:
        if session.get(County, county) is None:
            raise BadFilter("Choose the county from the list.")
        out.append(or_(Vacancy.county_id == county, Vacancy.county_id.is_(None)))
    return out


def lines(
    session: Session, person: Professional | None, found, today: dt.date
) -> list[VacancyLine]:
    """Result lines for (vacancy, series, position) rows, with this person's standing."""
    ids = [v.id for v, _s, _p in found]
    held = positions_left(session, ids)
    mine = mine_by_vacancy(session, person.id, ids) if person else {}
    active = active_applications(session, person.id) if person else []
    places = _place_names(session, found)
    labels: dict[str, str] = {}
    rates = _daily_rates(session, {s.id for _v, s, _p in found})
    out = []
    for vacancy, series, position in found:
        if series.id not in labels:
            labels[series.id] = series_label(session, series)
        remaining = max(0, vacancy.positions - held.get(vacancy.id, 0))
        application = mine.get(vacancy.id)
        problem = None
        if person is not None:
            problem = eligibility(session, person, vacancy, position, series, active)
            holds = application is not None and application.status in HOLDS_A_POSITION
            if problem is None and not holds:
                problem = open_problem(vacancy, today, remaining)
        out.append(
            VacancyLine(
                id=vacancy.id,
                line=line_text(position.name, labels[series.id], vacancy, remaining),
                position=position.name,
                position_code=position.code,
                exam=series.exam,
                series_name=series.name,
                series_label=labels[series.id],
                activity=vacancy.activity,
                duty_station=STATION_KINDS.get(vacancy.station_kind, vacancy.station_kind),
                county=places.get(vacancy.county_id, "Any county"),
                sub_county=places.get(vacancy.sub_county_id, "Any sub-county"),
                deadline=vacancy.deadline,
                positions=vacancy.positions,
                remaining=remaining,
                status=vacancy.status,
                starts_on=series.starts_on,
                ends_on=series.ends_on,
                daily_rate=rates.get((series.id, position.id)),
                eligible=problem is None,
                not_eligible=problem or "",
                application=_view(application),
                vacancy=as_wire(vacancy),
            )
        )
    return out


def line_text(position: str, label: str, vacancy: Vacancy, remaining: int) -> str:
    kind = STATION_KINDS.get(vacancy.station_kind, vacancy.station_kind)
    left = (
        f"{remaining} position{'s' if remaining != 1 else ''}" if remaining else "no positions left"
    )
    return (
        f"{position}: Exam {label}, Activity: {vacancy.activity}, Duty Station: {kind}, "
        f"Deadline {vacancy.deadline:%d %b %Y}, {left}"
    )


def line_of(
    session: Session, person: Professional | None, vacancy: Vacancy, today: dt.date
) -> VacancyLine:
    series = session.get(Series, vacancy.series_id)
    position = session.get(Position, vacancy.position_id)
    return lines(session, person, [(vacancy, series, position)], today)[0]


def _view(application: Application | None) -> ApplicationView | None:
    if application is None:
        return None
    return ApplicationView(
        id=application.id,
        status=application.status,
        reason=application.reason or "",
        submitted_at=application.submitted_at,
    )


def _place_names(session: Session, found) -> dict[str, str]:
    counties = {v.county_id for v, _s, _p in found if v.county_id}
    subs = {v.sub_county_id for v, _s, _p in found if v.sub_county_id}
    names = dict(
        session.execute(select(County.id, County.name).where(County.id.in_(counties))).all()
    )
    names.update(
        session.execute(select(SubCounty.id, SubCounty.name).where(SubCounty.id.in_(subs))).all()
    )
    return names


def _daily_rates(session: Session, series_ids: set[str]) -> dict[tuple[str, str], int]:
    """The standard daily rate of each (series, position)."""
    rows = session.execute(
        select(Rate.series_id, Rate.position_id, Rate.daily_rate).where(
            Rate.series_id.in_(series_ids), Rate.region == "standard"
        )
    ).all()
    return {(s, p): rate for s, p, rate in rows}


def listing(session: Session, status: str, today: dt.date) -> list[VacancyLine]:
    """Every vacancy with `status` ('open', 'closed' or 'all'), for administrators."""
    query = (
        select(Vacancy, Series, Position)
        .join(Series, Series.id == Vacancy.series_id)
        .join(Position, Position.id == Vacancy.position_id)
        .order_by(Series.starts_on, Vacancy.deadline, Position.rank, Vacancy.id)
    )
    if status != "all":
        query = query.where(Vacancy.status == status)
    return lines(session, None, session.execute(query).all(), today)
