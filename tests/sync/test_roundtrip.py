"""Push and pull over real HTTP: marks travel, scopes hold, answers are idempotent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from cp2desk.local_db import models as lm
from cp2desk.sync.records import natural_id
from cp2hub import models as hm


def mark(device, deployment_id, session_id, status, station_id, professional_id):
    replica = device.replica
    with replica.write() as s:
        row_id = natural_id("attendance", deployment_id, session_id)
        row = s.get(lm.Attendance, row_id) or lm.Attendance(
            id=row_id,
            deployment_id=deployment_id,
            session_id=session_id,
            station_id=station_id,
            professional_id=professional_id,
        )
        row.status = status
        row.check_in = dt.time(7, 45) if status != "absent" else None
        replica.record(s, row, ["status", "check_in"], f"marked {status}")


def test_bootstrap_pulls_only_the_centre(device, world, hub):
    alpha = device(world.users["manager_alpha"])
    report = alpha.sync()
    assert report.pulled > 0
    with alpha.replica.read() as s:
        stations = set(s.scalars(select(lm.Deployment.station_id)))
        assert stations == {world.centres["alpha"]}
        assert s.scalar(select(func.count()).select_from(lm.Professional)) == 6
        assert s.scalar(select(func.count()).select_from(lm.ExamSession)) == len(world.sessions)


def test_mark_reaches_hub_and_director(device, world, hub):
    alpha = device(world.users["manager_alpha"])
    director = device(world.users["director"])
    alpha.sync()
    dep = world.deployments["alpha"][2]
    mark(alpha, dep, world.sessions[2], "present", world.centres["alpha"], world.officers[dep])
    assert alpha.replica.pending_count() == 1
    report = alpha.sync()
    assert report.pushed == 1 and alpha.replica.pending_count() == 0
    with hub.db.read() as s:
        stored = s.get(hm.Attendance, natural_id("attendance", dep, world.sessions[2]))
        assert stored.status == "present" and stored.seq is not None
    director.sync()
    with director.replica.read() as s:
        assert s.get(lm.Attendance, stored.id).status == "present"


def test_other_centre_cannot_see_or_mark(device, world, hub):
    beta = device(world.users["manager_beta"])
    beta.sync()
    dep = world.deployments["alpha"][3]
    mark(beta, dep, world.sessions[2], "absent", world.centres["alpha"], world.officers[dep])
    report = beta.sync()
    assert report.refused == 1
    assert "outside the centres you are responsible for" in report.issues[0]
    with beta.replica.read() as s:
        assert s.get(lm.Attendance, natural_id("attendance", dep, world.sessions[2])) is None
        issue = s.scalars(select(lm.SyncIssue)).one()
        assert issue.kind == "refused" and issue.local_json
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(hm.Attendance)) == 0


def test_redelivered_entry_is_applied_once(device, world, hub):
    alpha = device(world.users["manager_alpha"])
    alpha.sync()
    dep = world.deployments["alpha"][1]
    mark(alpha, dep, world.sessions[3], "late", world.centres["alpha"], world.officers[dep])
    from cp2desk.sync.engine import _change

    with alpha.replica.read() as s:
        entry = s.scalars(select(lm.OutboxEntry)).one()
    first = alpha.client.push([_change(entry)])
    second = alpha.client.push([_change(entry)])
    assert first.answers[0].outcome == "applied"
    assert second.answers == first.answers
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(hm.AttendanceHistory)) == 0
        assert s.scalar(select(func.count()).select_from(hm.Attendance)) == 1
