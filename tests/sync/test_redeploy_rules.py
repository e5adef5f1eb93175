"""Redeployment and reopening through the device's services, against a real hub over HTTP.

The device checks the rules first; the hub checks them again, because a move made
offline reaches it later (the session may have started, another director may have
moved the officer first) and because an older app might not check at all. Whatever
the hub refuses, the device returns to the hub's state and keeps the refusal for the
user: the old deployment active again, the local new deployment gone.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from cp2desk.local_db import models as lm
from cp2desk.services.attendance import mark_all_present, sign_off_session
from cp2desk.services.glance import officers
from cp2desk.services.redeploy import AlreadyMoved, redeploy
from cp2desk.services.register import load_register
from cp2desk.services.reopen import reopen_session
from cp2desk.services.subcounty import load_overview
from cp2desk.services.subcounty_summary import find_officers
from cp2desk.sync.records import natural_id, new_id
from cp2hub import models as hm


def user_of(world, name: str) -> str:
    return natural_id("user", world.users[name])


def deployment(device, dep_id: str) -> lm.Deployment | None:
    with device.replica.read() as s:
        return s.get(lm.Deployment, dep_id)


def issue(device) -> lm.SyncIssue:
    with device.replica.read() as s:
        return s.scalars(select(lm.SyncIssue)).one()


def unchecked_redeploy(device, world, dep, to_centre, from_session, reason="shortfall"):
    """What an app that skipped the checks would write: the same rows, no questions."""
    with device.replica.write() as s:
        old = s.get(lm.Deployment, dep)
        base = old.hlc
        started = lm.Deployment(
            id=new_id(), series_id=old.series_id, professional_id=old.professional_id,
            station_id=world.centres[to_centre], position_id=old.position_id,
            from_session_id=from_session, status="active",
        )  # fmt: skip
        old.status, old.until_session_id = "redeployed", from_session
        s.flush()
        s.add(started)
        move = lm.Redeployment(
            professional_id=old.professional_id, from_deployment_id=dep,
            to_deployment_id=started.id, from_station_id=old.station_id,
            to_station_id=world.centres[to_centre], from_session_id=from_session, reason=reason,
            by_user_id=user_of(world, "director"), at=dt.datetime.now(),
        )  # fmt: skip
        device.replica.record(s, move, base_hlc=base, summary="moved without checks")
        return started.id


def assert_returned(device, dep: str, started: str) -> None:
    old = deployment(device, dep)
    assert (old.status, old.until_session_id) == ("active", None)
    assert deployment(device, started) is None
    with device.replica.read() as s:
        assert s.scalars(select(lm.Redeployment)).all() == []


def test_after_a_move_syncs_the_old_and_new_centres_show_departure_and_arrival(device, world, hub):
    alpha = device(world.users["manager_alpha"], "alpha")
    beta = device(world.users["manager_beta"], "beta")
    director = device(world.users["director"], "director")
    for d in (alpha, beta, director):
        d.sync()
    dep = world.deployments["alpha"][3]
    tomorrow = world.sessions[4]
    result = redeploy(
        director.replica, user_of(world, "director"), dep, world.centres["beta"], tomorrow,
        "Beta is two invigilators short",
    )  # fmt: skip
    assert director.sync().pushed == 1
    assert (alpha.sync().pulled, beta.sync().pulled) > (0, 0)
    today = dt.date.today()
    left = {
        o.name: o.note
        for o in officers(load_register(alpha.replica, world.centres["alpha"], today))
    }
    arrived = {
        o.name: o.note for o in officers(load_register(beta.replica, world.centres["beta"], today))
    }
    label = next(
        s.label
        for s in load_register(beta.replica, world.centres["beta"], today).sessions
        if s.id == tomorrow
    )
    assert left["Officer3 Alpha"] == f"Redeployed out from {label}"
    assert arrived["Officer3 Alpha"] == f"Redeployed here from {label}"
    with beta.replica.read() as s:
        assert (
            s.get(lm.Redeployment, result.redeployment_id).reason
            == "Beta is two invigilators short"
        )
    with director.replica.read() as s:
        assert s.get(lm.Deployment, result.to_deployment_id).seq is not None  # the hub's row now


def test_offline_move_refused_because_the_session_started_returns_to_the_truth(device, world, hub):
    director = device(world.users["director"], "director")
    director.sync()
    dep, yesterday_morning = world.deployments["alpha"][2], world.sessions[0]
    made_offline = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(7, 0))
    result = redeploy(
        director.replica, user_of(world, "director"), dep, world.centres["beta"],
        yesterday_morning, "Beta short", made_offline,
    )  # fmt: skip
    assert deployment(director, dep).status == "redeployed"
    report = director.sync()
    assert report.refused == 1 and "has already started" in report.issues[0]
    assert_returned(director, dep, result.to_deployment_id)
    found = issue(director)
    assert found.kind == "refused" and found.summary == result.summary
    assert json.loads(found.local_json)["reason"] == "Beta short"  # nothing the user did is lost
    overview = load_overview(director.replica, user_of(world, "director"), dt.datetime.now())
    assert find_officers(overview, "Officer2 Alpha")[0].centre == "Alpha Secondary School"


def test_two_directors_move_the_same_officer_the_second_is_told_who_and_when(device, world, hub):
    first = device(world.users["director"], "first")
    second = device(world.users["director"], "second")
    first.sync()
    second.sync()
    dep, me = world.deployments["alpha"][4], user_of(world, "director")
    redeploy(first.replica, me, dep, world.centres["beta"], world.sessions[5], "Beta short")
    lost = redeploy(second.replica, me, dep, world.centres["beta"], world.sessions[6], "Also")
    assert first.sync().pushed == 1
    report = second.sync()
    assert report.conflicts == 1
    assert (
        "Officer4 Alpha was already moved to Beta Secondary School by Grace Director at"
        in (report.issues[0])
    )
    assert deployment(second, lost.to_deployment_id) is None
    old = deployment(second, dep)
    assert (old.status, old.until_session_id) == ("redeployed", world.sessions[5])
    with pytest.raises(AlreadyMoved):
        redeploy(second.replica, me, dep, world.centres["beta"], world.sessions[6], "Again")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("twice", "is already deployed to Alpha Secondary School for"),
        ("same_centre", "is already deployed to Alpha Secondary School."),
        ("before", "serves at Beta Secondary School only from"),
        ("own_school", "teaches at Beta Secondary School and cannot serve at their own school"),
        ("reason", "Say why the officer is moved"),
    ],
)
def test_hub_refuses_what_an_unchecked_app_sends_and_the_device_returns(
    device, world, hub, hub_db, case, message
):
    dep = world.deployments["alpha"][5]
    officer = world.officers[dep]
    with hub_db.write() as s:
        if case == "own_school":
            s.get(hm.Professional, officer).institution_code = "20400001"  # Beta's code
        if case in ("twice", "before"):  # already moving to Beta from the day after tomorrow
            old = s.get(hm.Deployment, dep)
            old.status, old.until_session_id = "redeployed", world.sessions[6]
            s.flush()
            s.add(hm.Deployment(
                id=natural_id("dep", "beta-from-6"), series_id=old.series_id,
                professional_id=officer, station_id=world.centres["beta"],
                position_id=old.position_id, from_session_id=world.sessions[6], status="active",
            ))  # fmt: skip
            if case == "before":
                old.status = "cancelled"
            dep = natural_id("dep", "beta-from-6")
    director = device(world.users["director"], "director")
    director.sync()
    target = {"twice": "alpha", "before": "alpha", "same_centre": "alpha"}.get(case, "beta")
    reason = "" if case == "reason" else "shortfall"
    started = unchecked_redeploy(director, world, dep, target, world.sessions[4], reason)
    report = director.sync()
    assert report.refused == 1 and message in report.issues[0]
    assert_returned(director, dep, started)


def test_a_director_reopens_a_signed_off_session_and_the_centre_sees_why(device, world, hub):
    manager = device(world.users["manager_alpha"], "manager")
    director = device(world.users["director"], "director")
    manager.sync()
    station, sitting = world.centres["alpha"], world.sessions[1]
    manager_id = user_of(world, "manager_alpha")
    during = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(14, 10))
    mark_all_present(manager.replica, manager_id, station, sitting, during)
    sign_off_session(manager.replica, manager_id, station, sitting, during)
    manager.sync()
    director.sync()
    reopen_session(
        director.replica, user_of(world, "director"), station, sitting, "Officer2 came late"
    )
    assert director.sync().pushed == 1
    manager.sync()
    with manager.replica.read() as s:
        row = s.get(lm.SessionSignoff, natural_id("session_signoff", station, sitting))
    assert (row.status, row.reopened_by, row.reason) == (
        "reopened",
        user_of(world, "director"),
        "Officer2 came late",
    )


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (None, "typo", "is not signed off, so there is nothing to reopen"),
        ("signed", " ", "Say why the session is reopened"),
    ],
)
def test_hub_refuses_a_reopening_of_nothing_or_without_a_reason(
    device, world, hub, hub_db, status, reason, message
):
    station, sitting = world.centres["alpha"], world.sessions[1]
    row_id = natural_id("session_signoff", station, sitting)
    if status:
        with hub_db.write() as s:
            s.add(
                hm.SessionSignoff(id=row_id, station_id=station, session_id=sitting, status=status)
            )
    director = device(world.users["director"], "director")
    director.sync()
    with director.replica.write() as s:
        row = s.get(lm.SessionSignoff, row_id) or lm.SessionSignoff(
            id=row_id, station_id=station, session_id=sitting
        )
        base = row.hlc
        row.status, row.reason = "reopened", reason
        row.reopened_by, row.reopened_at = user_of(world, "director"), dt.datetime.now()
        director.replica.record(s, row, base_hlc=base, summary="reopened")
    report = director.sync()
    assert report.refused == 1 and message in report.issues[0]
