"""Push batches as the hub applies them: new marks in bulk, a mark changed twice in one
batch, a batch whose redeployment bounds its own marks, and many devices at once through
several hub worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests
from sqlalchemy import func, select

from cp2desk.services.redeploy import redeploy
from cp2desk.sync.clock import HybridClock
from cp2desk.sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, Change
from cp2desk.sync.records import natural_id
from cp2hub import models as hm
from cp2hub.push import apply_batch
from cp2hub.rules.attendance import history
from tests.hub.test_serve import free_port
from tests.sync.conftest import Device
from tests.sync.invariants import principal_of
from tests.sync.marks import mark


def mark_change(world, device_id: str, dep: str, sitting: str, status: str, hlc: int) -> Change:
    station, person = world.centres["alpha"], world.officers[dep]
    row = {
        "id": natural_id("attendance", dep, sitting), "hlc": hlc, "origin": device_id,
        "deleted": False, "seq": None, "deployment_id": dep, "session_id": sitting,
        "station_id": station, "professional_id": person, "status": status,
        "check_in": "07:45:00" if status != "absent" else None, "marked_by": None,
    }  # fmt: skip
    return Change(key=str(uuid.uuid4()), table="attendance", row=row, fields=["status", "check_in"])


def manager(hub_db, world):
    return principal_of(hub_db, natural_id("user", world.users["manager_alpha"]), "device-a")


def test_new_marks_are_stored_with_their_device_clock_and_a_sequence_each(hub_db, world):
    clock, principal = HybridClock(), manager(hub_db, world)
    deps = world.deployments["alpha"][:4]
    changes = [mark_change(world, "device-a", d, world.sessions[3], "present", clock.now())
               for d in deps]  # fmt: skip
    answers = apply_batch(hub_db, principal, changes)
    assert [a.outcome for a in answers] == ["applied"] * 4
    seqs = [a.seq for a in answers]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    with hub_db.read() as s:
        for change, seq in zip(changes, seqs, strict=True):
            row = s.get(hm.Attendance, change.row["id"])
            assert (row.seq, row.hlc, row.status_hlc, row.origin) == (
                seq, change.row["hlc"], change.row["hlc"], "device-a"
            )
            assert row.marked_by == principal.user_id  # who is signed in, not what was sent
    again = apply_batch(hub_db, principal, changes)  # delivered twice: the same answers
    assert [a.seq for a in again] == seqs


def test_a_mark_changed_twice_in_one_batch_keeps_the_later_and_the_earlier_in_history(
    hub_db, world
):
    clock, principal = HybridClock(), manager(hub_db, world)
    dep, sitting = world.deployments["alpha"][1], world.sessions[3]
    first = mark_change(world, "device-a", dep, sitting, "present", clock.now())
    second = mark_change(world, "device-a", dep, sitting, "absent", clock.now())
    answers = apply_batch(hub_db, principal, [first, second])
    assert [a.outcome for a in answers] == ["applied", "applied"]
    with hub_db.read() as s:
        row = s.get(hm.Attendance, first.row["id"])
        assert (row.status, row.status_hlc, row.check_in) == ("absent", second.row["hlc"], None)
        assert answers[1].seq == row.seq
        assert ("status", "present") in {(h.field, h.value) for h in history(s, row.id)}


def test_a_mark_after_the_batch_moved_the_officer_away_is_refused(device, world, hub, hub_db):
    director = device(world.users["director"], "director")
    director.sync()
    dep, tomorrow = world.deployments["alpha"][3], world.sessions[4]
    redeploy(
        director.replica, natural_id("user", world.users["director"]), dep,
        world.centres["beta"], tomorrow, "Beta is short",
    )  # fmt: skip
    # An app that skipped the checks marks the officer at the old centre in the same batch.
    mark(director.replica, dep, world.sessions[5], "present", world.centres["alpha"],
         world.officers[dep])  # fmt: skip
    report = director.sync()
    assert (report.pushed, report.refused) == (1, 1)
    assert "was not deployed to this centre" in report.issues[0]
    with hub_db.read() as s:
        assert s.get(hm.Attendance, natural_id("attendance", dep, world.sessions[5])) is None


@pytest.fixture
def hub_file(tmp_path):
    """A SQLite hub file with the test world, for a hub served by separate processes."""
    from cp2hub.db import Database
    from cp2hub.schema import upgrade
    from tests.sync.scenario import build_world

    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    db = Database(url)
    upgrade(db)
    world = build_world(db)
    yield url, db, world
    db.dispose()


def test_two_worker_processes_take_every_mark_of_many_devices_at_once(hub_file, tmp_path):
    url, db, world = hub_file
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CP2HUB_")}
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "cp2hub.cli", "serve", "--port", str(port), "--database-url",
         url, "--workers", "2"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        devices = [
            Device(tmp_path / f"d{n}.sqlite3", base, world.users["manager_alpha"])
            for n in range(6)
        ]
        clock = HybridClock()
        bodies = []
        for n, d in enumerate(devices):
            dep = world.deployments["alpha"][n]
            changes = [
                mark_change(world, d.replica.device_id, dep, sitting, "present", clock.now())
                for sitting in world.sessions[2:8]
            ]
            bodies.append((d, {"changes": [c.model_dump(mode="json") for c in changes]}))
        answers: list[list[dict]] = []

        def push(d, body) -> None:
            headers = {"Authorization": f"Bearer {d.client.access_token}",
                       PROTOCOL_HEADER: str(PROTOCOL_VERSION)}  # fmt: skip
            response = requests.post(base + "/sync/push", json=body, headers=headers, timeout=60)
            answers.append(response.json()["answers"])

        threads = [threading.Thread(target=push, args=b) for b in bodies]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(a["outcome"] for batch in answers for a in batch) == ["applied"] * 36
        seqs = [a["seq"] for batch in answers for a in batch]
        assert len(set(seqs)) == 36  # one sequence a mark, across both processes
        with db.read() as s:
            stored = s.scalar(
                select(func.count()).select_from(hm.Attendance).where(hm.Attendance.seq.in_(seqs))
            )
        assert stored == 36
        for d in devices:
            d.replica.dispose()
    finally:
        process.terminate()
        process.wait(15)
        log.close()


def test_batches_applied_together_merge_one_mark_and_answer_a_redelivery_once(hub_db, world):
    from cp2hub.push import Push, _apply_pushes
    from cp2hub.scope import scope_of

    user = natural_id("user", world.users["manager_alpha"])
    a, b = (principal_of(hub_db, user, d) for d in ("device-a", "device-b"))
    clock = HybridClock()
    dep, sitting = world.deployments["alpha"][2], world.sessions[3]
    first = mark_change(world, "device-a", dep, sitting, "present", clock.now())
    stale = mark_change(world, "device-a", dep, sitting, "late", clock.now())
    later = mark_change(world, "device-b", dep, sitting, "absent", clock.now())
    with hub_db.write() as session:  # three batches, one transaction
        answers = _apply_pushes(
            session,
            [
                Push(a, scope_of(a), [first]),
                Push(b, scope_of(b), [later]),  # the same mark from another device
                Push(a, scope_of(a), [first]),  # the first batch, delivered again
            ],
        )
    assert [x[0].outcome for x in answers] == ["applied", "applied", "applied"]
    assert answers[2][0] == answers[0][0]  # a redelivery gets the first answer
    with hub_db.write() as session:  # a mark made before the later one arrives after it
        (lost,) = _apply_pushes(session, [Push(a, scope_of(a), [stale])])[0]
    assert lost.outcome == "conflict" and lost.row["status"] == "absent"
    with hub_db.read() as s:
        row = s.get(hm.Attendance, first.row["id"])
        assert (row.status, row.origin, row.status_hlc) == ("absent", "device-b", later.row["hlc"])
        kept = {(h.field, h.value) for h in history(s, row.id)}
        assert {("status", "present"), ("status", "late")} <= kept
        stored = s.scalars(
            select(hm.AppliedEntry.key).where(
                hm.AppliedEntry.key.in_([first.key, later.key, stale.key])
            )
        ).all()
        assert sorted(stored) == sorted([first.key, later.key, stale.key])  # once each


def test_a_key_another_device_used_is_refused_and_reveals_nothing(hub_db, world):
    """A key is answered again only to the device that first sent it: another device's
    answer may carry rows outside the asker's scope, and its change is not applied."""
    from cp2hub.push import Push, _apply_pushes
    from cp2hub.scope import scope_of

    alpha = principal_of(hub_db, natural_id("user", world.users["manager_alpha"]), "device-a")
    beta = principal_of(hub_db, natural_id("user", world.users["manager_beta"]), "device-b")
    clock = HybridClock()
    taken = mark_change(world, "device-a", world.deployments["alpha"][3], world.sessions[4],
                        "late", clock.now())  # fmt: skip
    (first,) = apply_batch(hub_db, alpha, [taken])
    assert first.outcome == "applied"
    dep = world.deployments["beta"][0]
    row = {**taken.row, "id": natural_id("attendance", dep, world.sessions[4]),
           "deployment_id": dep, "station_id": world.centres["beta"],
           "professional_id": world.officers[dep], "origin": "device-b", "hlc": clock.now()}
    reused = Change(key=taken.key, table="attendance", row=row, fields=["status"])
    (answer,) = apply_batch(hub_db, beta, [reused])  # in a later batch
    assert answer.outcome == "refused" and "another device" in answer.reason
    assert answer.seq is None and answer.row is None
    fresh = mark_change(world, "device-a", world.deployments["alpha"][4], world.sessions[4],
                        "present", clock.now())  # fmt: skip
    twin = Change(key=fresh.key, table="attendance", row={**row, "hlc": clock.now()},
                  fields=["status"])  # fmt: skip
    with hub_db.write() as session:  # in the same group as the first use
        answers = _apply_pushes(
            session, [Push(alpha, scope_of(alpha), [fresh]), Push(beta, scope_of(beta), [twin])]
        )
    assert answers[0][0].outcome == "applied"
    assert answers[1][0].outcome == "refused" and "another device" in answers[1][0].reason
    assert apply_batch(hub_db, alpha, [taken]) == [first]  # its own device: the first answer
    with hub_db.read() as s:
        assert s.get(hm.Attendance, row["id"]) is None  # beta's mark was never applied
        owners = dict(s.execute(select(hm.AppliedEntry.key, hm.AppliedEntry.device_id).where(
            hm.AppliedEntry.key.in_([taken.key, fresh.key]))).all())  # fmt: skip
    assert owners == {taken.key: "device-a", fresh.key: "device-a"}
