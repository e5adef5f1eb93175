"""The custody log over real HTTP: logged offline at the container, synced, seen by the centre."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from cp2desk.local_db import models as lm
from cp2desk.services import custody
from cp2desk.sync.records import natural_id
from cp2hub import models as hm
from tests.sync.scenario import PASSWORD

CLERK_PHONE = "254744000001"


@pytest.fixture
def clerk(hub_db, world):
    """A KNEC clerk deployed at the Westlands container, which serves Alpha and Beta."""
    from cp2hub.passwords import hash_password

    container = natural_id("station", "DC1")
    with hub_db.write() as s:
        position = hm.Position(id=natural_id("position", "clerk"), code="clerk", name="Clerk")
        person = hm.Professional(
            id=natural_id("prof", "clerk"), phone=CLERK_PHONE, national_id="26789012",
            first_name="Wycliffe", last_name="Barasa",
        )  # fmt: skip
        s.add_all([position, person])
        s.flush()
        s.add(hm.Deployment(
            id=natural_id("dep", "clerk"), series_id=world.series, professional_id=person.id,
            station_id=container, position_id=position.id,
        ))  # fmt: skip
        user = hm.AppUser(
            id=natural_id("user", CLERK_PHONE), phone=CLERK_PHONE, professional_id=person.id,
            display_name="Wycliffe Barasa", password_hash=hash_password(PASSWORD),
        )  # fmt: skip
        s.add(user)
        s.flush()
        for role, station in (("professional", None), ("knec_clerk", container)):
            s.add(hm.RoleGrant(
                id=natural_id("grant", user.id, role), user_id=user.id, role=role,
                station_id=station,
            ))  # fmt: skip
    return container


def manager_id_number(world, centre: str) -> str:
    """The national ID of the centre manager of a scenario centre (officer 0 there)."""
    return world.users[f"manager_{centre}"][-8:]


def today_at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(dt.date.today(), dt.time(hour, minute))


def today_morning(world) -> str:
    return world.sessions[2]  # sessions start yesterday: index 2 is today's morning


def test_logged_offline_then_synced_to_the_hub_and_the_centre(device, world, clerk, hub_db):
    desk = device(CLERK_PHONE, "clerk")
    desk.sync()
    user_id = natural_id("user", CLERK_PHONE)
    with desk.replica.read() as s:
        served = {st.name for st in s.scalars(select(lm.Station))}
    assert served == {"Westlands Container", "Alpha Secondary School", "Beta Secondary School"}

    alpha, morning = world.centres["alpha"], today_morning(world)
    grace = manager_id_number(world, "alpha")
    custody.log_collection(
        desk.replica, user_id, alpha, morning, grace, "KN100, KN101", today_at(6, 50)
    )
    log = custody.custody_log(desk.replica, clerk, today_at(11, 0))
    line = next(x for x in log.lines if (x.centre.station_id, x.session.id) == (alpha, morning))
    assert line.state == "outstanding" and line.collected.by_manager
    assert desk.replica.pending_count() == 1, "offline: waiting in the outbox"

    report = desk.sync()
    assert (report.pushed, report.refused, report.conflicts) == (1, 0, 0)
    movement_id = custody.movement_id(alpha, morning, "collect")
    with hub_db.read() as s:
        stored = s.get(hm.MaterialMovement, movement_id)
        assert (stored.station_id, stored.kind, stored.seals) == (clerk, "collect", "KN100, KN101")
        assert stored.person_national_id == grace and stored.seq

    custody.log_return(desk.replica, user_id, alpha, morning, grace, "KN100", today_at(10, 55))
    assert desk.sync().pushed == 1

    manager = device(world.users["manager_alpha"], "alpha")
    manager.sync()
    lines = custody.centre_materials(manager.replica, alpha, today_at(11, 0))
    mine = next(x for x in lines if x.session.id == morning)
    assert mine.state == "seals_differ" and mine.missing_seals == ("KN101",)
    assert mine.collected.person.name == "Officer0 Alpha" and mine.collected.by_manager

    other = device(world.users["manager_beta"], "beta")
    other.sync()
    with other.replica.read() as s:
        assert s.scalars(select(lm.MaterialMovement)).all() == []


def test_the_hub_refuses_a_movement_outside_the_clerks_container(device, world, clerk):
    desk = device(CLERK_PHONE, "clerk")
    manager = device(world.users["manager_alpha"], "alpha")
    desk.sync()
    manager.sync()
    gamma, morning = world.centres["gamma"], today_morning(world)
    forged = [
        (desk, clerk, gamma, "KN1", "does not collect from this distribution centre"),
        (manager, clerk, world.centres["alpha"], "KN1", "Only the clerk of this distribution"),
        (desk, clerk, world.centres["alpha"], "KN1 " * 600, "Too many seal numbers"),
    ]
    for who, station, centre, seals, reason in forged:
        with who.replica.write() as s:
            row = lm.MaterialMovement(
                id=custody.movement_id(centre, morning, "collect"), station_id=station,
                centre_id=centre, session_id=morning, kind="collect",
                person_national_id="12345678", at=today_at(7), seals=seals,
            )  # fmt: skip
            who.replica.record(s, row, summary="forged")
        report = who.sync()
        assert report.refused == 1 and reason in report.issues[0]
        with who.replica.read() as s:
            assert s.get(lm.MaterialMovement, row.id) is None, "the refused row is withdrawn"


def test_two_corrections_cross_and_the_later_one_stands(device, world, clerk):
    first, second = device(CLERK_PHONE, "clerk-a"), device(CLERK_PHONE, "clerk-b")
    first.sync()
    second.sync()
    user_id = natural_id("user", CLERK_PHONE)
    alpha, morning = world.centres["alpha"], today_morning(world)
    grace = manager_id_number(world, "alpha")
    custody.log_collection(first.replica, user_id, alpha, morning, grace, "KN1", today_at(7))
    custody.log_collection(second.replica, user_id, alpha, morning, grace, "KN2", today_at(7, 5))
    assert second.sync().pushed == 1
    report = first.sync()
    assert report.conflicts == 1 and "that later entry stands" in report.issues[0]
    movement_id = custody.movement_id(alpha, morning, "collect")
    with first.replica.read() as s:
        assert s.get(lm.MaterialMovement, movement_id).seals == "KN2"
        issue = s.scalars(select(lm.SyncIssue)).one()
        assert json.loads(issue.local_json)["seals"] == "KN1", "the losing entry is kept"
