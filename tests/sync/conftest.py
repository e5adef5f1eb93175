"""A real hub on loopback over a real database, and device replicas on temporary files."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import pytest
import uvicorn

from cp2desk.local_db.replica import Replica
from cp2desk.sync.client import HubClient
from cp2desk.sync.engine import SyncEngine
from cp2hub.app import create_app
from cp2hub.db import Database
from cp2hub.schema import upgrade
from cp2hub.settings import Settings
from tests.conftest import scratch_database
from tests.sync.scenario import PASSWORD, build_world


class HubServer:
    """uvicorn serving the hub app in a thread, on a free loopback port."""

    def __init__(self, db: Database, settings: Settings | None = None) -> None:
        self.db = db
        app = create_app(db, settings or Settings(max_failed_logins=3))
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> HubServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("hub did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


PG_URL = os.environ.get("CP2HUB_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@contextmanager
def migrated_database(backend: str, folder) -> Iterator[Database]:
    """A hub database at the newest schema: a SQLite file in `folder`, or a scratch
    PostgreSQL database dropped afterwards."""
    where = nullcontext(f"sqlite:///{folder / 'hub.sqlite3'}")
    with where if backend == "sqlite" else scratch_database(PG_URL) as url:
        db = Database(url)
        try:
            upgrade(db)
            yield db
        finally:
            db.dispose()


@pytest.fixture(params=BACKENDS)
def hub_db(request, tmp_path):
    """The hub's database: SQLite always, PostgreSQL too when CI provides one."""
    with migrated_database(request.param, tmp_path) as db:
        yield db


@pytest.fixture
def world(hub_db):
    return build_world(hub_db)


@pytest.fixture
def hub(hub_db, world):
    with HubServer(hub_db) as server:
        yield server


class Device:
    """One simulated device: its replica file, a client and an engine."""

    def __init__(self, path, hub_url: str, phone: str, password: str = PASSWORD) -> None:
        self.replica = Replica(path)
        self.client = HubClient(hub_url)
        self.client.login(phone, password, self.replica.device_id, "test device")
        self.engine = SyncEngine(self.replica, self.client)
        self.user_id = None

    def sync(self):
        return self.engine.sync()


@pytest.fixture
def device(tmp_path, hub):
    made = []

    def make(phone: str, name: str | None = None) -> Device:
        made.append(Device(tmp_path / f"{name or phone}-{len(made)}.sqlite3", hub.url, phone))
        return made[-1]

    yield make
    for d in made:
        d.replica.dispose()
