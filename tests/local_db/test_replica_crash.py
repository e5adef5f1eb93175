"""Crash atomicity: a writer killed at any instant leaves each change with its outbox entry,
or neither (DESIGN.md, sync contract 2)."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from cp2desk.local_db.models import REPLICATED
from cp2desk.local_db.replica import Replica

WRITER = """
import itertools, sys, uuid
from cp2desk.local_db.models import Attendance, Professional
from cp2desk.local_db.replica import Replica

replica = Replica(sys.argv[1])
print("ready", flush=True)
for batch in itertools.count():
    with replica.write() as session:
        for _ in range(1 + batch % 40):  # transactions of 1 to 40 changes
            tag = uuid.uuid4().hex
            replica.record(session, Professional(phone=tag[:12], last_name="Wanjiru"))
            replica.record(
                session,
                Attendance(
                    deployment_id=str(uuid.uuid4()), session_id=str(uuid.uuid4()),
                    station_id="centre-1", professional_id=tag, status="present",
                ),
                summary="present",
            )
"""


def _run_and_kill(path: Path, delay: float) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(delay)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()


def _changed_rows(connection: sqlite3.Connection, device: str) -> dict[tuple[str, str], int]:
    rows = {}
    for model in REPLICATED:
        table = model.__tablename__
        for row_id, hlc in connection.execute(
            f"SELECT id, hlc FROM {table} WHERE origin = ?", (device,)
        ):
            rows[(table, row_id)] = hlc
    return rows


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_a_writer_killed_at_random_leaves_rows_and_outbox_together(tmp_path: Path):
    path = tmp_path / "replica.sqlite3"
    delays = [round(random.uniform(0.05, 0.6), 3) for _ in range(5)]
    for delay in delays:
        _run_and_kill(path, delay)

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        device = connection.execute(
            "SELECT value FROM sync_state WHERE name = 'device_id'"
        ).fetchone()[0]
        changed = _changed_rows(connection, device)
        entries = connection.execute("SELECT table_name, row_id, row_json FROM outbox").fetchall()
    connection.close()

    queued = Counter((table, row_id) for table, row_id, _ in entries)
    assert changed, f"the writer saved nothing before being killed (delays {delays})"
    assert set(queued) == set(changed), f"row without outbox entry or vice versa ({delays})"
    assert set(queued.values()) == {1}
    for table, row_id, row_json in entries:
        assert json.loads(row_json)["hlc"] == changed[(table, row_id)]

    replica = Replica(path)
    try:
        assert replica.device_id == device
        assert replica.pending_count() == len(entries)
    finally:
        replica.dispose()


def test_a_saved_change_is_on_disk_before_the_user_is_told(tmp_path):
    """A process killed loses nothing committed (above); a power cut must not either, so
    every connection of the replica syncs the log at each commit (FULL = 2)."""
    replica = Replica(tmp_path / "replica.sqlite3")
    try:
        with replica.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    finally:
        replica.dispose()
