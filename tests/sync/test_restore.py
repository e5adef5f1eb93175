"""A device and a hub whose history changed: what is offered again, in which order, and
what is not (the drill itself is `test_restore_drill.py`).

A restore is played here by taking rows off the hub and giving its history a new
identity, as `cp2hub restored` does after a restore the hub cannot see for itself.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from cp2desk.local_db import models as lm
from cp2desk.services.attendance import sign_off_session
from cp2desk.sync.records import natural_id
from cp2hub import history
from cp2hub import models as hm
from cp2hub.cli import main
from tests.sync.invariants import check_converged
from tests.sync.marks import mark


@pytest.fixture(autouse=True)
def identity_read_every_time(monkeypatch):
    monkeypatch.setattr(history, "FRESH_SECONDS", 0)


def user_of(world, name: str) -> str:
    return natural_id("user", world.users[name])


def mark_centre(device, world, centre: str, session: int, status: str = "present") -> list:
    return [
        mark(device.replica, dep, world.sessions[session], status, world.centres[centre],
             world.officers[dep])
        for dep in world.deployments[centre]
    ]  # fmt: skip


def restore_without(hub_db, *models) -> None:
    """The hub as a backup taken before these rows would be, with a new identity."""
    with hub_db.write() as s:
        for model in models:
            s.execute(delete(model))
        s.execute(delete(hm.AppliedEntry))
        history.new_seed(s)


def state(device, name: str) -> str | None:
    with device.replica.read() as s:
        return device.replica.get_state(s, name)


def issues(device) -> list[lm.SyncIssue]:
    with device.replica.read() as s:
        return list(s.scalars(select(lm.SyncIssue)))


def test_pages_carry_the_history_and_the_device_keeps_it(device, world, hub, hub_db):
    alpha = device(world.users["manager_alpha"], "alpha")
    alpha.sync()
    assert state(alpha, "history_id") == history.identity(hub_db)
    assert len(history.identity(hub_db)) == 32


def test_a_cursor_past_the_feed_in_the_same_history_pulls_again_and_offers_nothing(
    device, world, hub, hub_db
):
    alpha = device(world.users["manager_alpha"], "alpha")
    alpha.sync()
    mark_centre(alpha, world, "alpha", 0)
    assert alpha.sync().pushed == len(world.deployments["alpha"])
    with alpha.replica.write() as s:
        alpha.replica.set_state(s, "cursor", str(10**9))
    report = alpha.sync()
    assert (report.restored, report.reoffered, report.pushed) == (False, 0, 0)
    assert report.pulled > 0  # answered `reset`: pulled its scope again
    assert issues(alpha) == []
    check_converged(hub_db, alpha.replica, user_of(world, "manager_alpha"))


def test_a_new_history_that_lost_nothing_is_offered_nothing(device, world, hub, hub_db, capsys):
    alpha = device(world.users["manager_alpha"], "alpha")
    alpha.sync()
    mark_centre(alpha, world, "alpha", 0)
    alpha.sync()
    before = history.identity(hub_db)
    assert main(["restored", "--database-url", hub_db.url]) == 0
    assert history.identity(hub_db) != before
    assert history.identity(hub_db) in capsys.readouterr().out
    report = alpha.sync()
    assert report.restored and (report.reoffered, report.pushed) == (0, 0)
    assert state(alpha, "history_id") == history.identity(hub_db)
    assert issues(alpha) == []
    check_converged(hub_db, alpha.replica, user_of(world, "manager_alpha"))


def test_marks_the_restored_hub_lacks_go_before_the_sign_off_that_waited(
    device, world, hub, hub_db
):
    """The sign-off made while the hub was down needs the marks the restore lost: the hub
    answers nothing to a push from the old history, and the marks are offered first."""
    alpha = device(world.users["manager_alpha"], "alpha")
    alpha.sync()
    marks = mark_centre(alpha, world, "alpha", 0, "late")
    alpha.sync()
    restore_without(hub_db, hm.Attendance)
    sign_off_session(
        alpha.replica, user_of(world, "manager_alpha"), world.centres["alpha"], world.sessions[0]
    )
    report = alpha.sync()
    assert report.restored and report.reoffered == len(marks)
    assert report.pushed == len(marks) + 1 and issues(alpha) == []
    with hub_db.read() as s:
        assert {a.id: a.status for a in s.scalars(select(hm.Attendance))} == {
            m.row_id: "late" for m in marks
        }
        signoff = s.get(
            hm.SessionSignoff,
            natural_id("session_signoff", world.centres["alpha"], world.sessions[0]),
        )
        assert signoff.status == "signed"
        assert signoff.signed_by == user_of(world, "manager_alpha")  # the token's user
    check_converged(hub_db, alpha.replica, user_of(world, "manager_alpha"))


def test_a_mark_the_restored_hub_refuses_now_is_a_sync_issue(device, world, hub, hub_db):
    alpha = device(world.users["manager_alpha"], "alpha")
    alpha.sync()
    made = mark_centre(alpha, world, "alpha", 0)
    alpha.sync()
    removed = world.deployments["alpha"][2]
    restore_without(hub_db, hm.Attendance)
    with hub_db.write() as s:  # the backup predates the officer's deployment
        s.get(hm.Deployment, removed).deleted = True
    report = alpha.sync()
    assert report.restored and report.refused == 1
    [issue] = issues(alpha)
    assert issue.kind == "refused" and "not on the deployment list" in issue.reason
    assert json.loads(issue.local_json)["deployment_id"] == removed
    assert issue.summary == "An attendance mark sent again after the hub was restored from a backup"
    assert alpha.replica.pending_count() == 0
    with hub_db.read() as s:
        assert len(s.scalars(select(hm.Attendance)).all()) == len(made) - 1
    check_converged(hub_db, alpha.replica, user_of(world, "manager_alpha"))


def test_only_what_this_device_made_is_offered(device, world, hub, hub_db):
    """The director's device holds alpha's marks too; it offers none of them."""
    alpha = device(world.users["manager_alpha"], "alpha")
    director = device(world.users["director"], "director")
    alpha.sync()
    mark_centre(alpha, world, "alpha", 0)
    alpha.sync()
    director.sync()
    restore_without(hub_db, hm.Attendance)
    report = director.sync()
    assert report.restored and (report.reoffered, report.pushed) == (0, 0)
    with director.replica.read() as s:
        assert s.scalars(select(lm.Attendance)).all() == []  # the hub has none now
    assert alpha.sync().reoffered == len(world.deployments["alpha"])
    director.sync()
    check_converged(hub_db, director.replica, user_of(world, "director"))


def test_a_pull_cut_off_after_the_restore_was_noticed_still_offers_first(
    device, world, hub, hub_db
):
    """The link drops right after the device noticed the restore: at the next sync the
    outbox still waits until the pull from the start has queued what the hub lacks."""
    alpha = device(world.users["manager_alpha"], "alpha")
    alpha.sync()
    marks = mark_centre(alpha, world, "alpha", 0)
    alpha.sync()
    restore_without(hub_db, hm.Attendance)
    sign_off_session(
        alpha.replica, user_of(world, "manager_alpha"), world.centres["alpha"], world.sessions[0]
    )
    pull, calls = alpha.client.pull, []

    def dropping(*args, **kwargs):
        calls.append(args)
        if len(calls) > 1:
            raise ConnectionError("the link dropped")
        return pull(*args, **kwargs)

    alpha.client.pull = dropping
    with pytest.raises(ConnectionError):
        alpha.sync()
    alpha.client.pull = pull
    report = alpha.sync()
    assert report.reoffered == len(marks) and report.pushed == len(marks) + 1
    assert issues(alpha) == []
    check_converged(hub_db, alpha.replica, user_of(world, "manager_alpha"))
