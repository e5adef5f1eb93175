"""The rules the database itself enforces, on every backend."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cp2desk.sync.records import natural_id
from cp2hub import models as m
from tests.hub.builders import add_officer, build_place, deploy


@pytest.fixture
def place(hub_database):
    return build_place(hub_database)


def mark(db, deployment: m.Deployment, session: m.ExamSession, status: str = "present") -> None:
    with db.write() as orm:
        orm.add(
            m.Attendance(
                id=natural_id("attendance", deployment.id, session.id),
                deployment_id=deployment.id,
                session_id=session.id,
                station_id=deployment.station_id,
                professional_id=deployment.professional_id,
                status=status,
                check_in=dt.time(7, 40),
            )
        )


def test_one_attendance_per_deployment_and_session(hub_database, place):
    officer = add_officer(hub_database, "254722000001")
    deployment = deploy(hub_database, place, officer)
    mark(hub_database, deployment, place.session)
    with hub_database.write() as orm:  # same deployment and session, another id
        orm.add(
            m.Attendance(
                deployment_id=deployment.id,
                session_id=place.session.id,
                station_id=deployment.station_id,
                professional_id=officer.id,
                status="late",
            )
        )
        with pytest.raises(IntegrityError):
            orm.flush()
        orm.rollback()


def test_attendance_must_match_its_deployment(hub_database, place):
    """The composite key: attendance names the deployment's own station and officer."""
    officer = add_officer(hub_database, "254722000002")
    someone_else = add_officer(hub_database, "254722000003")
    deployment = deploy(hub_database, place, officer)
    with pytest.raises(IntegrityError), hub_database.write() as orm:
        orm.add(
            m.Attendance(
                deployment_id=deployment.id,
                session_id=place.session.id,
                station_id=deployment.station_id,
                professional_id=someone_else.id,
                status="present",
            )
        )


def test_no_double_booking_in_a_series(hub_database, place):
    officer = add_officer(hub_database, "254722000004")
    deploy(hub_database, place, officer)
    with pytest.raises(IntegrityError):
        deploy(hub_database, place, officer)


def test_an_ended_deployment_does_not_block_the_next(hub_database, place):
    """The unique index is partial: a redeployed officer gets a new active deployment."""
    officer = add_officer(hub_database, "254722000005")
    deploy(hub_database, place, officer, status="redeployed")
    deploy(hub_database, place, officer, status="cancelled")
    deploy(hub_database, place, officer)
    with hub_database.read() as orm:
        statuses = orm.scalars(
            select(m.Deployment.status).where(m.Deployment.professional_id == officer.id)
        )
        assert sorted(statuses) == ["active", "cancelled", "redeployed"]


def test_station_sub_county_must_be_in_its_county(hub_database, place):
    with pytest.raises(IntegrityError), hub_database.write() as orm:
        orm.add(
            m.Station(
                code="22007001",
                name="Misplaced Secondary School",
                kind="exam_centre",
                county_id=place.other_county.id,  # Kiambu, but the sub-county is Nairobi's
                sub_county_id=place.sub_county.id,
            )
        )


def test_every_flushed_row_gets_a_sequence_and_clock(hub_database, place):
    with hub_database.read() as orm:
        rows = orm.scalars(select(m.Station)).all() + orm.scalars(select(m.County)).all()
    assert all(r.seq and r.hlc and r.origin == "hub" for r in rows)
    assert len({r.seq for r in rows}) == len(rows)
