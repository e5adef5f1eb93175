"""Conflicts: attendance by field-level last-writer-wins, decisions by optimistic concurrency."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from cp2desk.local_db import models as lm
from cp2desk.sync.records import natural_id, new_id
from cp2hub import models as hm
from cp2hub.rules.attendance import history
from tests.sync.test_roundtrip import mark


def test_two_devices_mark_differently_offline(device, world, hub, hub_db):
    first = device(world.users["manager_alpha"], "first")
    second = device(world.users["manager_alpha"], "second")
    first.sync()
    second.sync()
    dep, sitting = world.deployments["alpha"][4], world.sessions[2]
    args = (world.centres["alpha"], world.officers[dep])
    mark(first, dep, sitting, "present", *args)
    mark(second, dep, sitting, "absent", *args)  # later clock: this one wins
    assert second.sync().pushed == 1
    report = first.sync()
    assert report.conflicts == 1 and "later than your mark" in report.issues[0]
    second.sync()
    row_id = natural_id("attendance", dep, sitting)
    for d in (first, second):
        with d.replica.read() as s:
            assert s.get(lm.Attendance, row_id).status == "absent"
    with first.replica.read() as s:
        issue = s.scalars(select(lm.SyncIssue)).one()
        assert issue.kind == "conflict" and '"present"' in issue.local_json
    with hub_db.read() as s:
        kept = history(s, row_id)
        assert {(h.field, h.value) for h in kept} >= {("status", "present")}


def test_signoff_refused_on_stale_base(device, world, hub):
    manager = device(world.users["manager_alpha"], "manager")
    director = device(world.users["director"], "director")
    manager.sync()
    station, sitting = world.centres["alpha"], world.sessions[1]
    signoff_id = natural_id("session_signoff", station, sitting)
    for dep in world.deployments["alpha"]:  # a session is signed off once everyone is marked
        mark(manager, dep, sitting, "present", station, world.officers[dep])
    with manager.replica.write() as s:
        row = lm.SessionSignoff(
            id=signoff_id,
            station_id=station,
            session_id=sitting,
            status="signed",
            signed_by=None,
            signed_at=dt.datetime.now(),
        )
        manager.replica.record(s, row, summary="signed off")
    manager.sync()
    director.sync()
    with director.replica.write() as s:  # the director reopens it
        row = s.get(lm.SessionSignoff, signoff_id)
        base = row.hlc
        row.status, row.reopened_at, row.reason = "reopened", dt.datetime.now(), "late arrival"
        director.replica.record(s, row, base_hlc=base, summary="reopened")
    with manager.replica.write() as s:  # meanwhile the manager edits on the old base
        row = s.get(lm.SessionSignoff, signoff_id)
        base = row.hlc
        row.reason = "signed again"
        manager.replica.record(s, row, base_hlc=base, summary="signed again")
    assert director.sync().pushed == 1
    report = manager.sync()
    assert report.conflicts == 1 and "reopened" in report.issues[0]
    with manager.replica.read() as s:
        assert s.get(lm.SessionSignoff, signoff_id).status == "reopened"


def redeploy(director, world, dep, to_centre, from_session, base_hlc=None):
    with director.replica.write() as s:
        old = s.get(lm.Deployment, dep)
        move = lm.Redeployment(
            professional_id=old.professional_id,
            from_deployment_id=dep,
            to_deployment_id=new_id(),
            from_station_id=old.station_id,
            to_station_id=world.centres[to_centre],
            from_session_id=from_session,
            reason="shortfall",
            by_user_id=natural_id("user", world.users["director"]),
            at=dt.datetime.now(),
        )
        director.replica.record(
            s, move, base_hlc=old.hlc if base_hlc is None else base_hlc, summary="moved"
        )
        return move.to_deployment_id


def test_redeployed_officer_enters_new_centre_and_leaves_old(device, world, hub):
    alpha = device(world.users["manager_alpha"], "alpha")
    beta = device(world.users["manager_beta"], "beta")
    director = device(world.users["director"], "director")
    for d in (alpha, beta, director):
        d.sync()
    dep = world.deployments["alpha"][3]
    officer = world.officers[dep]
    with beta.replica.read() as s:
        assert s.get(lm.Professional, officer) is None
    new_dep = redeploy(director, world, dep, "beta", world.sessions[-1])
    assert director.sync().pushed == 1
    beta.sync()
    with beta.replica.read() as s:
        assert s.get(lm.Professional, officer) is not None  # older than beta's cursor
        assert s.get(lm.Deployment, new_dep).station_id == world.centres["beta"]
    alpha.sync()
    with alpha.replica.read() as s:
        old = s.get(lm.Deployment, dep)
        assert old.status == "redeployed" and old.until_session_id == world.sessions[-1]
        assert s.get(lm.Professional, officer) is not None  # history kept


def test_second_move_of_same_officer_is_refused_with_who_and_when(device, world, hub):
    one = device(world.users["director"], "one")
    two = device(world.users["director"], "two")
    one.sync()
    two.sync()
    dep = world.deployments["alpha"][2]
    redeploy(one, world, dep, "beta", world.sessions[-1])
    lost = redeploy(two, world, dep, "beta", world.sessions[-2])
    assert one.sync().pushed == 1
    report = two.sync()
    assert report.conflicts == 1 and "already moved to Beta Secondary School" in report.issues[0]
    with two.replica.read() as s:
        assert s.get(lm.Deployment, dep).status == "redeployed"
        assert s.get(lm.Deployment, lost) is None


def test_grant_change_resets_scope(device, world, hub, hub_db):
    alpha = device(world.users["manager_alpha"])
    alpha.sync()
    with hub_db.write() as s:
        user = s.scalar(select(hm.AppUser).where(hm.AppUser.phone == world.users["manager_alpha"]))
        s.add(
            hm.RoleGrant(user_id=user.id, role="centre_manager", station_id=world.centres["gamma"])
        )
    alpha.sync()
    with alpha.replica.read() as s:
        stations = set(s.scalars(select(lm.Deployment.station_id)))
    assert stations == {world.centres["alpha"], world.centres["gamma"]}
