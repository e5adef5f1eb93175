"""The hub's own sign-off rules, its reopening record, and its word on a moved officer.

A sign-off is refused on the hub, as on the desktop, until the session has started and
every officer deployed to the centre for it has a mark, counting marks that arrive in the
same push or in a push committed with it. Re-signing leaves the director's reopening
record as it was. A mark refused because a director moved the officer says who moved
them, where and from which session. The device shows what the hub stamped after a sync.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from cp2desk.local_db import models as lm
from cp2desk.services import attendance as desk
from cp2desk.sync.clock import HybridClock
from cp2desk.sync.protocol import Change
from cp2desk.sync.records import natural_id
from cp2hub import models as hm
from cp2hub.push import Push, _apply_pushes
from cp2hub.rules.authorship import wall_clock
from cp2hub.rules.common import session_label
from cp2hub.scope import scope_of
from tests.sync import roles
from tests.sync.conftest import Device
from tests.sync.invariants import principal_of
from tests.sync.roles import sign_in, stored, wire

CLOCK = HybridClock()
hub_db, world, hub, users = roles.hub_db, roles.world, roles.hub, roles.users


def label(db, session_id: str) -> str:
    with db.read() as s:
        return session_label(s, session_id)


def mark_row(world, device_id: str, centre: str, k: int, session: int) -> dict:
    dep, sitting = world.deployments[centre][k], world.sessions[session]
    return {
        "id": natural_id("attendance", dep, sitting), "hlc": CLOCK.now(), "origin": device_id,
        "deleted": False, "seq": None, "deployment_id": dep, "session_id": sitting,
        "station_id": world.centres[centre], "professional_id": world.officers[dep],
        "status": "present", "check_in": "07:45:00", "marked_by": None,
    }  # fmt: skip


def signoff_row(world, device_id: str, centre: str, session: int, status="signed", **more):
    station, sitting = world.centres[centre], world.sessions[session]
    return {
        "id": natural_id("session_signoff", station, sitting), "hlc": CLOCK.now(),
        "origin": device_id, "deleted": False, "seq": None, "station_id": station,
        "session_id": sitting, "status": status, "signed_by": None, "signed_at": None,
        "reopened_by": None, "reopened_at": None, "reason": "",
    } | more  # fmt: skip


@pytest.fixture(scope="module")
def beta(hub, world):
    return sign_in(hub, world, "manager_beta", "centre_manager")


def test_a_signoff_is_refused_until_everyone_is_marked_and_marks_in_its_push_count(
    hub_db, world, beta
):
    marks = [("attendance", mark_row(world, beta.device_id, "beta", k, 1), None) for k in (0, 1, 2)]
    sign = ("session_signoff", signoff_row(world, beta.device_id, "beta", 1), None)
    answers = beta.push_many([*marks, sign])
    assert [a["outcome"] for a in answers] == ["applied"] * 3 + ["refused"]
    assert answers[-1]["reason"] == (
        f"3 officers still have no mark for {label(hub_db, world.sessions[1])}: "
        "Officer3 Beta, Officer4 Beta, Officer5 Beta. Mark them present, absent or late, "
        "then sign off."
    )
    assert stored(hub_db, "session_signoff", sign[1]["id"]) is None
    rest = [("attendance", mark_row(world, beta.device_id, "beta", k, 1), None) for k in (3, 4, 5)]
    sign = ("session_signoff", signoff_row(world, beta.device_id, "beta", 1), None)
    answers = beta.push_many([*rest, sign])
    assert [a["outcome"] for a in answers] == ["applied"] * 4
    signed = stored(hub_db, "session_signoff", sign[1]["id"])
    assert (signed["status"], signed["signed_by"]) == ("signed", beta.user_id)


def test_a_signed_session_is_not_signed_again_so_its_signer_stays(hub_db, world, users):
    manager, director = users["centre_manager"], users["tsc_director"]
    marks = [("attendance", mark_row(world, manager.device_id, "alpha", k, 1), None)
             for k in range(6)]  # fmt: skip
    sign = ("session_signoff", signoff_row(world, manager.device_id, "alpha", 1), None)
    assert {a["outcome"] for a in manager.push_many([*marks, sign])} == {"applied"}
    first = stored(hub_db, "session_signoff", sign[1]["id"])
    again = signoff_row(world, director.device_id, "alpha", 1)
    answer = director.push("session_signoff", again, first["hlc"])
    assert answer["outcome"] == "refused"
    assert answer["reason"] == (
        f"{label(hub_db, world.sessions[1])} at Alpha Secondary School is already signed off "
        "by Officer0 Alpha; nothing was changed."
    )
    assert stored(hub_db, "session_signoff", again["id"]) == first


def test_marks_committed_in_the_same_group_as_the_signoff_count(hub_db, world):
    """Two devices' pushes applied as one (group commit): one marks, the other signs off."""
    user = natural_id("user", world.users["manager_beta"])
    marker, signer = principal_of(hub_db, user, "desk-a"), principal_of(hub_db, user, "desk-b")

    def group(officers: range) -> list[list]:
        marks = [
            Change(
                key=str(uuid.uuid4()),
                table="attendance",
                row=mark_row(world, "desk-a", "beta", k, 0),
            )
            for k in officers
        ]
        sign = Change(key=str(uuid.uuid4()), table="session_signoff",
                      row=signoff_row(world, "desk-b", "beta", 0))  # fmt: skip
        pushes = [Push(p, scope_of(p), c) for p, c in ((marker, marks), (signer, [sign]))]
        with hub_db.write() as s:
            return _apply_pushes(s, pushes)

    answers = group(range(5))
    assert [a.outcome for a in answers[0]] == ["applied"] * 5
    assert answers[1][0].outcome == "refused"
    assert "1 officer still has no mark for" in answers[1][0].reason
    assert answers[1][0].reason.endswith(": Officer5 Beta. Mark them present, absent or late, "
                                         "then sign off.")  # fmt: skip
    answers = group(range(5, 6))
    assert [a.outcome for a in answers[0]] == ["applied"]
    assert answers[1][0].outcome == "applied", answers[1][0].reason


def test_a_signoff_before_the_session_starts_is_refused(hub_db, world, beta):
    last = world.sessions[-1]
    answer = beta.push("session_signoff", signoff_row(world, beta.device_id, "beta", -1))
    assert answer["outcome"] == "refused"
    assert answer["reason"] == (
        f"The {label(hub_db, last)} session has not started yet. "
        "You can sign it off once it starts at 14:00."
    )


def test_a_resign_leaves_the_reopening_record_and_the_device_shows_the_hubs_stamps(
    hub_db, world, hub, users, tmp_path_factory
):
    station, sitting = world.centres["alpha"], world.sessions[0]
    row_id = natural_id("session_signoff", station, sitting)
    manager_id = natural_id("user", world.users["manager_alpha"])
    device = Device(tmp_path_factory.mktemp("desk") / "alpha.sqlite3", hub.url,
                    world.users["manager_alpha"])  # fmt: skip
    try:
        device.sync()
        with device.replica.read() as s:
            start = dt.datetime.combine(s.get(lm.ExamSession, sitting).day, dt.time(8))
        desk.mark_all_present(device.replica, manager_id, station, sitting, start)
        desk.sign_off_session(device.replica, manager_id, station, sitting, start)
        before, report = wall_clock(), device.sync()
        assert report.pushed == 7 and not report.issues, report.issues
        signed = stored(hub_db, "session_signoff", row_id)
        assert signed["signed_by"] == manager_id and signed["signed_at"] >= before
        with device.replica.read() as s:  # the device's own time gave way to the hub's
            assert s.get(lm.SessionSignoff, row_id).signed_at == signed["signed_at"]

        director = users["tsc_director"]
        reopen = signoff_row(world, director.device_id, "alpha", 0, "reopened",
                             reason="Officer2 was marked present but had left")  # fmt: skip
        assert director.push("session_signoff", reopen, signed["hlc"])["outcome"] == "applied"
        reopened = stored(hub_db, "session_signoff", row_id)
        assert reopened["reopened_by"] == director.user_id

        forged = wire(reopened) | {
            "hlc": CLOCK.now(), "origin": device.replica.device_id, "status": "signed",
            "reopened_by": manager_id, "reopened_at": "2001-01-01T09:00:00",
            "reason": "Nobody reopened this", "signed_at": "2001-01-01T09:00:00",
        }  # fmt: skip
        manager = sign_in(hub, world, "manager_alpha")
        forged["origin"] = manager.device_id
        assert manager.push("session_signoff", forged, reopened["hlc"])["outcome"] == "applied"
        again = stored(hub_db, "session_signoff", row_id)
        kept = ("reopened_by", "reopened_at", "reason")
        assert {k: again[k] for k in kept} == {k: reopened[k] for k in kept}
        assert again["status"] == "signed" and again["signed_at"] >= before

        device.sync()
        with device.replica.read() as s:
            mine = s.get(lm.SessionSignoff, row_id)
            assert (mine.status, mine.reopened_by, mine.reason) == (
                "signed",
                director.user_id,
                "Officer2 was marked present but had left",
            )
    finally:
        device.replica.dispose()


def test_a_mark_refused_for_a_moved_officer_says_who_moved_them_where_and_from_when(
    hub_db, world, users
):
    director, manager = users["tsc_director"], users["centre_manager"]
    dep = world.deployments["alpha"][5]
    with hub_db.read() as s:
        old = s.get(hm.Deployment, dep)
        base = old.hlc
    move = {
        "id": str(uuid.uuid4()), "hlc": CLOCK.now(), "origin": director.device_id,
        "deleted": False, "seq": None, "professional_id": world.officers[dep],
        "from_deployment_id": dep, "to_deployment_id": str(uuid.uuid4()),
        "from_station_id": world.centres["alpha"], "to_station_id": world.centres["beta"],
        "from_session_id": world.sessions[-2], "reason": "Beta is short", "by_user_id": None,
        "at": None,
    }  # fmt: skip
    assert director.push("redeployment", move, base)["outcome"] == "applied"
    with hub_db.read() as s:
        at = s.scalar(select(hm.Redeployment.at).where(hm.Redeployment.id == move["id"]))
    answer = manager.push("attendance", mark_row(world, manager.device_id, "alpha", 5, -1))
    assert answer["outcome"] == "refused"
    assert answer["reason"] == (
        f"Officer5 Alpha was not deployed to this centre for "
        f"{label(hub_db, world.sessions[-1])}: moved to Beta Secondary School by Grace "
        f"Director at {at:%H:%M on %d %b}, from {label(hub_db, world.sessions[-2])}."
    )
