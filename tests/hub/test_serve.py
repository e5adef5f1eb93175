"""`cp2hub serve` as a real process: it migrates, listens, and says which database it uses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
from sqlalchemy.engine import make_url

from cp2hub.db import Database
from cp2hub.schema import current_revision, head_revision


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen, seconds: float = 15) -> None:
    """End a served hub: SIGTERM (it finishes what it holds), then kill after `seconds`."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_hub_starts_and_reports_its_database(empty_database_url, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "CP2HUB_DATABASE_URL"}
    env["CP2HUB_MODE"] = "demo"  # the outbox serves on PostgreSQL only in demo mode
    log = (tmp_path / "serve.log").open("w")
    command = [
        sys.executable,
        "-m",
        "cp2hub.cli",
        "serve",
        "--port",
        str(port),
        "--database-url",
        empty_database_url,
    ]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                if response.status_code == 200:
                    body = response.json()
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert body is not None, (tmp_path / "serve.log").read_text()
        assert body["status"] == "ok"
        assert body["database"] == make_url(empty_database_url).get_backend_name()
        db = Database(empty_database_url)
        try:
            assert current_revision(db) == head_revision()  # serve migrated the empty database
        finally:
            db.dispose()
    finally:
        stop(process)
        log.close()


def test_a_served_app_keeps_its_start_up_heap_out_of_collections(tmp_path):
    import gc

    from cp2hub.app import create_app, settled
    from cp2hub.schema import upgrade
    from cp2hub.settings import Settings

    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    upgrade(db)
    try:
        app = create_app(db, Settings())
        assert settled(app) is app
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # modules, models, schemas: out of every later pass
    finally:
        gc.unfreeze()
        db.dispose()
    assert gc.get_freeze_count() == 0
