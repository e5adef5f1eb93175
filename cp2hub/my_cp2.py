"""What a professional sees of their own CP2 record online: applications, deployments,
attendance and claims (the portal's My pages). Reads only; each list is the person's
own, found by their professional id, never by an id from the request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2desk.sync.portal import VacancyLine
from cp2hub import vacancies
from cp2hub.models import (
    Application,
    Attendance,
    Claim,
    County,
    Deployment,
    ExamSession,
    Position,
    Professional,
    Series,
    Station,
    SubCounty,
    Vacancy,
)


@dataclass(frozen=True)
class MyApplication:
    id: str
    status: str
    reason: str
    submitted_at: dt.datetime | None
    vacancy: VacancyLine

    @property
    def can_withdraw(self) -> bool:
        return self.status == "submitted"

    @property
    def can_apply_again(self) -> bool:
        return self.status in ("withdrawn", "refused") and self.vacancy.eligible


@dataclass(frozen=True)
class Mark:
    day: dt.date
    slot: str
    status: str
    check_in: dt.time | None


@dataclass(frozen=True)
class MyDeployment:
    id: str
    series: str
    position: str
    station: str
    station_code: str
    place: str
    status: str
    marks: list[Mark]


@dataclass(frozen=True)
class MyClaim:
    series: str
    days: int
    sessions: int
    amount: int
    status: str
    blocked: list[str]
    paid_amount: int = 0
    paid_ref: str | None = None
    paid_at: dt.datetime | None = None


def applications(session: Session, person: Professional, today: dt.date) -> list[MyApplication]:
    """Every application of the person, newest first, each with its vacancy's line."""
    mine = session.scalars(
        select(Application)
        .where(Application.professional_id == person.id)
        .order_by(Application.submitted_at.desc(), Application.id)
    ).all()
    if not mine:
        return []
    found = session.execute(
        select(Vacancy, Series, Position)
        .join(Series, Series.id == Vacancy.series_id)
        .join(Position, Position.id == Vacancy.position_id)
        .where(Vacancy.id.in_([a.vacancy_id for a in mine]))
    ).all()
    by_vacancy = {line.id: line for line in vacancies.lines(session, person, found, today)}
    return [
        MyApplication(a.id, a.status, a.reason or "", a.submitted_at, by_vacancy[a.vacancy_id])
        for a in mine
        if a.vacancy_id in by_vacancy
    ]


def deployments(session: Session, professional_id: str) -> list[MyDeployment]:
    """The person's deployments, latest series first, each with its attendance marks."""
    rows = session.execute(
        select(Deployment, Series, Position, Station)
        .join(Series, Series.id == Deployment.series_id)
        .join(Position, Position.id == Deployment.position_id)
        .join(Station, Station.id == Deployment.station_id)
        .where(Deployment.professional_id == professional_id, Deployment.deleted.is_(False))
        .order_by(Series.starts_on.desc(), Deployment.id)
    ).all()
    if not rows:
        return []
    ids = [d.id for d, *_ in rows]
    marks: dict[str, list[Mark]] = {}
    for mark, sitting in session.execute(
        select(Attendance, ExamSession)
        .join(ExamSession, ExamSession.id == Attendance.session_id)
        .where(Attendance.deployment_id.in_(ids), Attendance.deleted.is_(False))
        .order_by(ExamSession.day, ExamSession.starts_at)
    ):
        marks.setdefault(mark.deployment_id, []).append(
            Mark(sitting.day, sitting.slot, mark.status, mark.check_in)
        )
    places = _places(session, {s.sub_county_id for *_, s in rows})
    return [
        MyDeployment(
            id=d.id,
            series=series.name,
            position=position.name,
            station=station.name,
            station_code=station.code,
            place=places.get(station.sub_county_id, ""),
            status=d.status,
            marks=marks.get(d.id, []),
        )
        for d, series, position, station in rows
    ]


def claims(session: Session, professional_id: str) -> list[MyClaim]:
    """The person's claims, latest series first, with what blocks each in KNEC's words."""
    rows = session.execute(
        select(Claim, Series)
        .join(Series, Series.id == Claim.series_id)
        .where(Claim.professional_id == professional_id, Claim.deleted.is_(False))
        .order_by(Series.starts_on.desc())
    ).all()
    return [
        MyClaim(
            series=series.name,
            days=claim.days,
            sessions=claim.sessions,
            amount=claim.amount,
            status=claim.status,
            blocked=[line.partition(": ")[2] or line for line in claim.blocked.splitlines()]
            if claim.status != "paid"
            else [],
            paid_amount=claim.paid_amount or 0,
            paid_ref=claim.paid_ref,
            paid_at=claim.paid_at,
        )
        for claim, series in rows
    ]


def _places(session: Session, sub_county_ids: set[str]) -> dict[str, str]:
    rows = session.execute(
        select(SubCounty.id, SubCounty.name, County.name)
        .join(County, County.id == SubCounty.county_id)
        .where(SubCounty.id.in_(sub_county_ids))
    ).all()
    return {sid: f"{sub}, {county}" for sid, sub, county in rows}
