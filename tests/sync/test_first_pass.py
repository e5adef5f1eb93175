"""A first sync on a slow link brings today's and the coming sessions' rows first: the
register can open before the attendance of past sessions arrives, and nothing is lost."""

from __future__ import annotations

from sqlalchemy import func, select

from cp2desk.local_db import models as lm
from cp2desk.sync.engine import SyncEngine, SyncReport
from cp2hub import models as hm
from tests.sync.test_roundtrip import mark


def test_first_pass_then_everything(device, world, hub, hub_db):
    alpha = device(world.users["manager_alpha"])
    alpha.sync()
    past, today = world.sessions[0], world.sessions[2]
    for k in (1, 2, 3):
        for session in (past, today):
            dep = world.deployments["alpha"][k]
            mark(alpha, dep, session, "present", world.centres["alpha"], world.officers[dep])
    alpha.sync()
    with hub_db.read() as s:
        day = s.get(hm.ExamSession, today).day
        assert s.get(hm.ExamSession, past).day < day

    fresh = device(world.users["manager_alpha"], "fresh")
    fresh.engine = SyncEngine(fresh.replica, fresh.client, first_screens=lambda: day)
    stages = []
    fresh.engine.first_pass(SyncReport(), lambda stage, done, _total: stages.append(stage))
    assert stages[-1] == "ready"
    with fresh.replica.read() as s:
        assert s.scalar(select(func.count()).select_from(lm.Deployment)) == 6
        assert s.scalar(select(func.count()).select_from(lm.Professional)) == 6
        sessions = set(s.scalars(select(lm.Attendance.session_id)))
        assert sessions == {today}  # the past session's marks wait for the pull
        assert fresh.engine.cursor() == 0

    fresh.sync()  # the ordinary pull follows: everything, once more
    with fresh.replica.read() as s:
        sessions = set(s.scalars(select(lm.Attendance.session_id)))
        assert sessions == {past, today}
        assert s.scalar(select(func.count()).select_from(lm.Attendance)) == 6
    assert fresh.engine.cursor() > 0
    fresh.engine.first_pass(SyncReport(), lambda *_: stages.append("again"))
    assert "again" not in stages  # only ever on a first sync
