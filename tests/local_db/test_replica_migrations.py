"""Replica schema migrations: applied at open, data kept, models and scripts agree."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.exc import OperationalError

from cp2desk.local_db import migrate
from cp2desk.local_db.models import Base, County, OutboxEntry
from cp2desk.local_db.replica import Replica


def _revision(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def _make_at(path: Path, revision: str) -> None:
    """A replica file at an older `revision`, as an earlier app version left it."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection), revision)
    engine.dispose()


def test_head_constant_is_the_scripts_head():
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert script.get_heads() == [migrate.HEAD]


def test_fresh_file_at_head_matches_the_models(replica: Replica):
    assert _revision(replica.path) == migrate.HEAD
    with replica.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_file_at_0001_is_upgraded_at_open_and_keeps_its_data(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    _make_at(path, "0001")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO county (id, code, name, hlc, origin, deleted) "
            "VALUES ('c1', '047', 'Nairobi', 5, 'hub', 0)"
        )
        connection.execute(
            "INSERT INTO outbox (key, table_name, row_id, row_json, fields, summary, "
            "created_at, attempts) VALUES ('k1', 'county', 'c1', '{}', '', 'pending', "
            "'2026-11-02 08:00:00', 0)"
        )
        connection.execute("INSERT INTO sync_state (name, value) VALUES ('device_id', 'dev-1')")
    assert _revision(path) == "0001"

    replica = Replica(path)
    try:
        assert _revision(path) == migrate.HEAD
        assert replica.device_id == "dev-1"
        assert replica.pending_count() == 1
        with replica.read() as session:
            assert session.scalar(select(County.name).where(County.id == "c1")) == "Nairobi"
            assert session.scalar(select(OutboxEntry.row_id)) == "c1"
        indexes = {i["name"] for i in inspect(replica.engine).get_indexes("attendance")}
        assert "ix_attendance_session_station" in indexes
        with replica.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        replica.dispose()


def test_a_failing_upgrade_leaves_the_file_at_its_old_revision(tmp_path: Path):
    """The upgrade is one transaction: a failure half way changes nothing."""
    path = tmp_path / "old.sqlite3"
    _make_at(path, "0001")
    with sqlite3.connect(path) as connection:
        # 0002 drops ix_outbox_row_id first, then fails on this name clash.
        connection.execute("CREATE INDEX ix_outbox_row ON outbox (key)")
    with pytest.raises(OperationalError, match="ix_outbox_row"):
        Replica(path)
    assert _revision(path) == "0001"
    with sqlite3.connect(path) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_schema")}
    assert "ix_outbox_row_id" in names


def test_opening_a_file_at_head_does_not_load_alembic_and_is_fast(replica_path: Path):
    Replica(replica_path).dispose()
    probe = (
        "import sys, time; from cp2desk.local_db.replica import Replica; "
        "t = time.perf_counter(); r = Replica(sys.argv[1]); t = time.perf_counter() - t; "
        "print('alembic' in sys.modules, t)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe, str(replica_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    whole_process = time.perf_counter() - started
    loaded_alembic, open_seconds = done.stdout.split()
    assert loaded_alembic == "False"
    assert float(open_seconds) < 0.5
    assert whole_process < 5  # generous: a loaded CI box; the budget itself is in bench/


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (
            "SELECT id FROM attendance WHERE session_id = 's' AND station_id = 'c'",
            "ix_attendance_session_station",
        ),
        (
            "SELECT id FROM deployment WHERE station_id = 'c' AND status = 'active'",
            "ix_deployment_station_status",
        ),
        ("SELECT position FROM outbox WHERE row_id = 'r' LIMIT 1", "ix_outbox_row"),
    ],
)
def test_the_register_queries_use_the_0002_indexes(replica: Replica, query: str, index: str):
    with sqlite3.connect(replica.path) as connection:
        plan = " ".join(row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {query}"))
    assert index in plan
