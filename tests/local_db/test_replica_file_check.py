"""Files the replica must refuse, untouched: not SQLite, damaged, foreign, or from a newer app."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from cp2desk.local_db import file_check
from cp2desk.local_db.errors import ReplicaFromNewerApp, ReplicaUnreadable
from cp2desk.local_db.models import Professional
from cp2desk.local_db.replica import Replica

WAY_OUT = "move it aside (rename it) and sign in again to resync from the hub"


def _filled_replica(path: Path, rows: int = 600) -> bytes:
    """A real replica with `rows` professionals, closed cleanly; returns its bytes."""
    replica = Replica(path)
    with replica.write() as session:
        for number in range(rows):
            replica.record(session, Professional(phone=f"2547{number:08d}", last_name="Otieno"))
    replica.dispose()
    return path.read_bytes()


def _refused(path: Path, error: type[ReplicaUnreadable] = ReplicaUnreadable) -> str:
    """Open `path`, expect `error`, check the file is byte for byte as before; the message."""
    before = path.read_bytes()
    with pytest.raises(error) as raised:
        Replica(path)
    assert path.read_bytes() == before
    message = str(raised.value)
    assert str(path) in message
    assert raised.value.path == path
    return message


def test_random_bytes_are_refused(tmp_path: Path):
    path = tmp_path / "replica.sqlite3"
    path.write_bytes(os.urandom(8192))
    message = _refused(path)
    assert "not an SQLite database" in message
    assert WAY_OUT in message.lower()


def test_a_truncated_replica_is_refused(tmp_path: Path):
    path = tmp_path / "replica.sqlite3"
    whole = _filled_replica(path)
    path.write_bytes(whole[: len(whole) // 2])
    message = _refused(path)
    assert "truncated" in message
    assert WAY_OUT in message.lower()


def test_a_replica_damaged_inside_is_refused(tmp_path: Path):
    path = tmp_path / "replica.sqlite3"
    whole = bytearray(_filled_replica(path))
    page = int.from_bytes(whole[16:18], "big")
    pages = len(whole) // page
    for number in range(pages - 8, pages - 2):  # data pages written last, not the schema
        whole[number * page : (number + 1) * page] = b"\xa5" * page
    path.write_bytes(bytes(whole))
    message = _refused(path)
    assert "damaged" in message
    assert WAY_OUT in message.lower()


def test_damage_in_a_large_file_is_found_by_verify(tmp_path: Path, monkeypatch):
    """Opening skips the page-by-page check on large files; `verify` runs it."""
    path = tmp_path / "replica.sqlite3"
    whole = bytearray(_filled_replica(path))
    page = int.from_bytes(whole[16:18], "big")
    last = len(whole) // page - 3
    whole[last * page : (last + 1) * page] = b"\xa5" * page
    path.write_bytes(bytes(whole))
    monkeypatch.setattr(file_check, "QUICK_CHECK_MAX_BYTES", 0)
    replica = Replica(path)
    try:
        with pytest.raises(ReplicaUnreadable, match="damaged"):
            replica.verify()
    finally:
        replica.dispose()


def test_another_applications_sqlite_file_is_refused(tmp_path: Path):
    path = tmp_path / "replica.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        connection.execute("INSERT INTO moz_places (url) VALUES ('https://www.knec.ac.ke')")
    connection.close()
    message = _refused(path)
    assert "another application" in message
    assert WAY_OUT in message.lower()


def test_a_file_from_a_newer_app_asks_for_an_update(tmp_path: Path):
    path = tmp_path / "replica.sqlite3"
    _filled_replica(path, rows=10)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    connection.close()
    message = _refused(path, ReplicaFromNewerApp)
    assert "newer version of CP2 Desk" in message
    assert "Update CP2 Desk" in message
    assert WAY_OUT in message.lower()


def test_an_empty_file_becomes_a_new_replica(tmp_path: Path):
    path = tmp_path / "replica.sqlite3"
    path.touch()
    replica = Replica(path)
    try:
        assert replica.pending_count() == 0
    finally:
        replica.dispose()


def test_a_healthy_replica_reopens_with_its_identity(tmp_path: Path, officer):
    path = tmp_path / "replica.sqlite3"
    first = Replica(path)
    device = first.device_id
    with first.write() as session:
        first.record(session, officer(1))
    first.dispose()
    again = Replica(path)
    try:
        assert again.device_id == device
        assert again.pending_count() == 1
        again.verify()
    finally:
        again.dispose()
