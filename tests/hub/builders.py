"""Minimal hub rows for constraint tests, written through the ORM (so the feed stamps them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cp2hub import models as m
from cp2hub.db import Database


@dataclass
class Place:
    county: m.County
    sub_county: m.SubCounty
    other_county: m.County
    centre: m.Station
    series: m.Series
    session: m.ExamSession
    invigilator: m.Position


def build_place(db: Database) -> Place:
    """Two counties, a sub-county of the first, an exam centre in it, a series and a session."""
    with db.write() as session:
        county = m.County(code="047", name="Nairobi")
        other = m.County(code="022", name="Kiambu")
        session.add_all([county, other])
        session.flush()
        sub_county = m.SubCounty(county_id=county.id, code="04707", name="Kasarani")
        series = m.Series(
            code="KCSE-2026",
            exam="KCSE",
            name="KCSE 2026",
            year=2026,
            starts_on=dt.date(2026, 11, 10),
            ends_on=dt.date(2026, 12, 3),
        )
        invigilator = m.Position(code="invigilator", name="Invigilator", rank=3)
        session.add_all([sub_county, series, invigilator])
        session.flush()
        centre = m.Station(
            code="47007001",
            name="Kasarani Boys High School",
            kind="exam_centre",
            county_id=county.id,
            sub_county_id=sub_county.id,
            candidates=120,
        )
        sitting = m.ExamSession(
            series_id=series.id,
            day=dt.date(2026, 11, 20),
            slot="morning",
            starts_at=dt.time(8),
            ends_at=dt.time(10, 30),
        )
        session.add_all([centre, sitting])
    return Place(county, sub_county, other, centre, series, sitting, invigilator)


def add_officer(db: Database, phone: str) -> m.Professional:
    with db.write() as session:
        officer = m.Professional(phone=phone, first_name="Jane", last_name="Wanjiru")
        session.add(officer)
    return officer


def deploy(
    db: Database, place: Place, officer: m.Professional, status: str = "active"
) -> m.Deployment:
    with db.write() as session:
        deployment = m.Deployment(
            series_id=place.series.id,
            professional_id=officer.id,
            station_id=place.centre.id,
            position_id=place.invigilator.id,
            status=status,
        )
        session.add(deployment)
    return deployment
