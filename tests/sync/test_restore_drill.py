"""The restore drill: back a hub up in the middle of a morning rush, restore the backup into
a new database, and every device converges on the restored hub with nothing lost.

Three centres of 20 officers mark in rounds, with their director. The backup is taken
while a round is being pushed (PostgreSQL: `pg_dump -Fc`, restored with `pg_restore`
into a new database; SQLite: the online backup API, copied back to a new file). After it
come more marks, corrections, sign-offs and a redeployment, all answered by the hub and
so gone from the devices' outboxes, and a sign-off still waiting in one outbox. The
restored hub lacks all of that; the devices notice from the identity of its history
(`cp2hub.history`), offer again what they made (`cp2desk.sync.restore`) and pull again.

The director's device syncs first after the restore: a mark for an officer the director
moved after the backup names the deployment the move creates, and the restored hub only
has it once the director's device has offered the move again (decision "A hub restored
from backup").
"""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from cp2desk.local_db import models as lm
from cp2desk.services.attendance import sign_off_session
from cp2desk.services.redeploy import redeploy
from cp2desk.sync.records import natural_id
from cp2hub import models as hm
from cp2hub.db import Database
from cp2hub.schema import upgrade
from tests.conftest import scratch_database
from tests.sync.conftest import PG_URL, Device, HubServer
from tests.sync.invariants import check_converged
from tests.sync.marks import mark
from tests.sync.scenario import build_world

OFFICERS = 20
STATUSES = ("present", "present", "present", "late", "absent")


class SqliteBackups:
    """The hub on a SQLite file; a backup with SQLite's online backup API, restored by
    copying it to a new file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def database(self, name: str):
        db = Database(f"sqlite:///{self.folder / f'{name}.sqlite3'}")
        yield db
        db.dispose()

    def back_up(self, db: Database) -> Path:
        target = self.folder / "backup.sqlite3"
        source = sqlite3.connect(make_url(db.url).database)
        with sqlite3.connect(target) as copy:
            source.backup(copy)
        source.close()
        return target

    @contextmanager
    def restored(self, backup: Path):
        shutil.copyfile(backup, self.folder / "restored.sqlite3")
        with self.database("restored") as db:
            yield db


class PostgresBackups:
    """The hub on PostgreSQL; `pg_dump -Fc` while it runs, `pg_restore` into a new database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def database(self, name: str):
        with scratch_database(PG_URL, name) as url:
            db = Database(url)
            yield db
            db.dispose()

    def back_up(self, db: Database) -> Path:
        with db.read() as session:
            server = int(session.execute(text("SHOW server_version_num")).scalar()) // 10000
        tool = subprocess.run(["pg_dump", "--version"], check=True, capture_output=True, text=True)
        major = int(re.search(r"(\d+)\.", tool.stdout).group(1))
        assert major >= server, f"pg_dump {major} cannot dump a PostgreSQL {server} server"
        target = self.folder / "hub.dump"
        subprocess.run(
            ["pg_dump", "-Fc", "-f", str(target), "--dbname", _libpq(db.url)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        return target

    @contextmanager
    def restored(self, backup: Path):
        with self.database("restored") as db:
            subprocess.run(
                ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq(db.url),
                 str(backup)],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
            yield db


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Rush:
    """The devices of the drill and a ledger of the last status each made per mark."""

    def __init__(self, world, hub_url: str, folder: Path) -> None:
        self.world = world
        self.rand = random.Random(18)
        self.devices = {
            name: Device(folder / f"{name}.sqlite3", hub_url, world.users[user])
            for name, user in (
                ("director", "director"),
                ("alpha", "manager_alpha"),
                ("beta", "manager_beta"),
                ("gamma", "manager_gamma"),
            )
        }
        self.last_status: dict[str, str] = {}
        self.moved: tuple[str, str] | None = None  # (officer's old deployment, new one)

    def user(self, name: str) -> str:
        return natural_id("user", self.world.users[name])

    def mark(self, centre: str, deployment_id: str, session: int) -> None:
        status = self.rand.choice(STATUSES)
        made = mark(
            self.devices[centre].replica, deployment_id, self.world.sessions[session], status,
            self.world.centres[centre], self.world.officers[deployment_id],
        )  # fmt: skip
        self.last_status[made.row_id] = status

    def mark_centre(self, centre: str, session: int, officers: range) -> None:
        for k in officers:
            self.mark(centre, self.world.deployments[centre][k], session)

    def sync_all(self, names=("director", "alpha", "beta", "gamma")) -> dict:
        """Every device syncs at once, as in a rush."""
        with ThreadPoolExecutor(len(names)) as pool:
            return dict(pool.map(lambda n: (n, self.devices[n].sync()), names))

    def sign_off(self, centre: str, session: int) -> None:
        sign_off_session(
            self.devices[centre].replica, self.user(f"manager_{centre}"),
            self.world.centres[centre], self.world.sessions[session],
        )  # fmt: skip

    def redeploy_one(self) -> None:
        old = self.world.deployments["alpha"][5]
        result = redeploy(
            self.devices["director"].replica, self.user("director"), old,
            self.world.centres["beta"], self.world.sessions[4], "Beta is one invigilator short",
        )  # fmt: skip
        self.moved = (old, result.to_deployment_id)
        self.world.officers[result.to_deployment_id] = self.world.officers[old]

    def close(self) -> None:
        for device in self.devices.values():
            device.replica.dispose()


def run_drill(backups, tmp_path: Path) -> None:
    centres = ("alpha", "beta", "gamma")
    with ExitStack() as stack:
        with backups.database("rush") as db:
            upgrade(db)
            world = build_world(db, officers_per_centre=OFFICERS)
            with HubServer(db) as hub:
                rush = Rush(world, hub.url, tmp_path)
                stack.callback(rush.close)
                rush.sync_all()

                # before the backup: yesterday morning in full, yesterday afternoon half
                for centre in centres:
                    rush.mark_centre(centre, 0, range(OFFICERS))
                    rush.mark_centre(centre, 1, range(OFFICERS // 2))
                rush.sync_all()

                # the backup is taken while the rest of yesterday afternoon is pushed
                for centre in centres:
                    rush.mark_centre(centre, 1, range(OFFICERS // 2, OFFICERS))
                    rush.mark_centre(centre, 0, range(0, OFFICERS, 4))  # corrections
                backup: list[Path] = []
                taking = threading.Thread(target=lambda: backup.append(backups.back_up(db)))
                taking.start()
                rush.sync_all()
                taking.join()
                assert backup, "the backup failed"

                # after it: sign-offs, a redeployment, this morning's marks, all answered
                for centre in centres:
                    rush.sign_off(centre, 0)
                rush.redeploy_one()
                rush.sync_all()
                for centre in centres:
                    rush.mark_centre(centre, 2, range(OFFICERS))
                rush.mark("beta", rush.moved[1], 4)
                rush.sync_all()
                assert sum(d.replica.pending_count() for d in rush.devices.values()) == 0
                rush.sign_off("alpha", 1)  # still in alpha's outbox when the hub goes down

        restored = stack.enter_context(backups.restored(backup[0]))
        upgrade(restored)  # what `cp2hub serve` does at start: nothing to do here
        hub = stack.enter_context(HubServer(restored))
        for device in rush.devices.values():  # the same devices, signed in, at its address
            device.client.base_url = hub.url
        reports = {"director": rush.devices["director"].sync()}
        reports |= rush.sync_all(centres)
        assert all(r.restored for r in reports.values()), reports
        assert sum(r.reoffered for r in reports.values()) > 0
        rush.sync_all()  # each device pulls what the others offered again
        check_restored(rush, restored)


def check_restored(rush: Rush, db: Database) -> None:
    world = rush.world
    with db.read() as s:
        marks = {a.id: a.status for a in s.scalars(select(hm.Attendance))}
        signed = {
            (o.station_id, o.session_id)
            for o in s.scalars(select(hm.SessionSignoff))
            if o.status == "signed"
        }
        move = s.scalars(select(hm.Redeployment)).all()
        arrived = s.get(hm.Deployment, rush.moved[1])
    lost = {k: v for k, v in rush.last_status.items() if marks.get(k) != v}
    assert not lost, f"{len(lost)} of {len(rush.last_status)} marks lost or stale on the hub"
    assert set(marks) == set(rush.last_status)
    expected = {(world.centres[c], world.sessions[0]) for c in ("alpha", "beta", "gamma")}
    expected.add((world.centres["alpha"], world.sessions[1]))
    assert signed == expected
    assert [m.from_deployment_id for m in move] == [rush.moved[0]]
    assert arrived is not None and arrived.station_id == world.centres["beta"]
    for name, device in rush.devices.items():
        assert device.replica.pending_count() == 0, f"{name}: outbox not empty"
        with device.replica.read() as s:
            issues = [(i.kind, i.reason) for i in s.scalars(select(lm.SyncIssue))]
            assert issues == [], f"{name}: {issues}"
            assert s.scalars(select(lm.Reoffer)).all() == []
        user = "director" if name == "director" else f"manager_{name}"
        check_converged(db, device.replica, rush.user(user))


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="CP2HUB_TEST_DATABASE_URL is not set")
def test_restore_drill_on_postgresql(tmp_path):
    run_drill(PostgresBackups(tmp_path), tmp_path)


def test_restore_drill_on_sqlite(tmp_path):
    run_drill(SqliteBackups(tmp_path), tmp_path)
