"""The identity of the hub's history: the same for every process on one database, new
after a restore (automatic) or `cp2hub restored` (by hand)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy.engine import make_url

from cp2hub import history
from cp2hub.db import Database
from cp2hub.schema import clear, upgrade
from tests.conftest import PG_URL, scratch_database


def read(url: str) -> str:
    db = Database(url)
    try:
        with db.read() as session:
            return history.read_identity(session)
    finally:
        db.dispose()


def test_every_process_on_one_database_sees_one_identity(hub_database):
    first = history.identity(hub_database)
    assert read(hub_database.url) == first == history.identity(hub_database)


def test_a_new_seed_is_a_new_identity_and_a_reseed_keeps_it(hub_database):
    before = history.identity(hub_database)
    clear(hub_database)
    assert read(hub_database.url) == before
    with hub_database.write() as session:
        after = history.new_seed(session)
    assert after != before and read(hub_database.url) == after


def test_a_sqlite_backup_copied_to_a_new_file_is_another_history(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    shutil.copyfile(tmp_path / "hub.sqlite3", tmp_path / "restored.sqlite3")
    assert read(f"sqlite:///{tmp_path / 'restored.sqlite3'}") != read(url)


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="CP2HUB_TEST_DATABASE_URL is not set")
def test_pg_restore_over_the_same_database_is_another_history(tmp_path):
    with scratch_database(PG_URL, "history") as url:
        upgrade(url)
        before = read(url)
        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        dump = tmp_path / "hub.dump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), "--dbname", libpq], check=True)
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--dbname", libpq, str(dump)],
            check=True,
        )
        assert read(url) != before
