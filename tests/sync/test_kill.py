"""Two client processes mark and sync against a real hub and are killed with SIGKILL at
random moments, again and again; restarted and synced to the end, nothing is lost,
nothing is applied twice, and both replicas equal the hub's view of their scope.

The children are forked from a forkserver that has already imported the app, so a
restart costs milliseconds, not an interpreter start: many kills fit in a few seconds.
"""

from __future__ import annotations

import multiprocessing
import random
import signal
import time

import pytest

from cp2desk.local_db.replica import Replica
from cp2desk.sync.client import HubClient
from cp2desk.sync.engine import SyncEngine
from cp2desk.sync.records import natural_id
from tests.sync import kill_child
from tests.sync.invariants import check_converged, check_marks
from tests.sync.marks import read_ledger
from tests.sync.scenario import PASSWORD

SEED = 7031
KILLS = 16


@pytest.fixture(scope="module")
def forkserver():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.sync.kill_child"])
    return ctx


def test_sigkill_at_random_moments(tmp_path, hub, world, forkserver):
    rng = random.Random(SEED)
    phone = world.users["manager_alpha"]
    paths = [str(tmp_path / "alpha-1.sqlite3"), str(tmp_path / "alpha-2.sqlite3")]
    starts = 0

    def start(path):
        nonlocal starts
        starts += 1
        ready = forkserver.Event()
        proc = forkserver.Process(
            target=kill_child.run, args=(hub.url, path, phone, PASSWORD, SEED + starts, ready),
            daemon=True,
        )
        proc.start()
        return proc, ready

    children = {path: start(path) for path in paths}
    kill_at = dict.fromkeys(paths)
    kills = 0
    deadline = time.monotonic() + 60
    try:
        while kills < KILLS:
            assert time.monotonic() < deadline, "the children did not get going"
            for path, (proc, ready) in children.items():
                assert proc.exitcode is None, f"a child died by itself ({proc.exitcode})"
                if kill_at[path] is None and ready.is_set():
                    kill_at[path] = time.monotonic() + rng.uniform(0.02, 0.6)
                elif kill_at[path] is not None and time.monotonic() >= kill_at[path]:
                    proc.kill()  # SIGKILL, wherever the child happens to be
                    proc.join(10)
                    assert proc.exitcode == -signal.SIGKILL
                    kills += 1
                    children[path], kill_at[path] = start(path), None
            time.sleep(0.005)
    finally:
        for proc, _ in children.values():
            proc.kill()
            proc.join(10)

    # restarted, the devices sync to the end (twice each, so each sees the other's marks)
    replicas = [Replica(p) for p in paths]
    engines = []
    for replica in replicas:
        client = HubClient(hub.url)
        client.login(phone, PASSWORD, replica.device_id, "after the kills")
        engines.append(SyncEngine(replica, client))
    for _ in range(2):
        for engine in engines:
            engine.sync()
    marks = [m for r in replicas for m in read_ledger(r)]
    assert len(marks) > 30
    outcomes = check_marks(hub.db, marks, replicas)
    assert outcomes["applied"] > 0
    for replica in replicas:
        check_converged(hub.db, replica, natural_id("user", phone))
        replica.dispose()
