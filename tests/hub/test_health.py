"""`/health/live` and `/health/ready` of a real hub over HTTP, on SQLite and PostgreSQL:
ready only when the database answers and is at the newest migration."""

from __future__ import annotations

import logging
import shutil

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from cp2desk.sync.protocol import PROTOCOL_VERSION
from cp2hub.db import Database
from cp2hub.schema import alembic_config, head_revision, upgrade
from tests.sync.conftest import HubServer


def previous_revision() -> str:
    """The migration before the newest: a database one migration behind."""
    scripts = ScriptDirectory.from_config(alembic_config())
    down = scripts.get_revision(head_revision()).down_revision
    assert isinstance(down, str), down
    return down


def get(server: HubServer, path: str) -> httpx.Response:
    return httpx.get(server.url + path, timeout=10)


def test_live_answers_without_a_token_or_the_database(empty_database_url):
    db = Database(empty_database_url)  # never migrated: live does not look at it
    try:
        with HubServer(db) as server:
            response = get(server, "/health/live")
    finally:
        db.dispose()
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "protocol": PROTOCOL_VERSION}
    assert response.headers["cache-control"] == "no-store"


def test_ready_on_a_migrated_database(hub_database, empty_database_url):
    with HubServer(hub_database) as server:
        response = get(server, "/health/ready")
        old = get(server, "/health")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ok",
        "database": make_url(empty_database_url).get_backend_name(),
        "revision": head_revision(),
    }
    assert old.status_code == 200 and old.json()["status"] == "ok"  # devices still ask this


def test_not_ready_one_migration_behind_says_to_migrate(empty_database_url, caplog):
    behind = previous_revision()
    db = Database(empty_database_url)
    try:
        upgrade(db, behind)
        with HubServer(db) as server, caplog.at_level(logging.WARNING, "cp2hub.api.health"):
            response = get(server, "/health/ready")
            live = get(server, "/health/live")
            upgrade(db)
            after = get(server, "/health/ready")
    finally:
        db.dispose()
    assert response.status_code == 503
    assert response.json() == {
        "code": "not_ready",
        "message": f"The database is at revision {behind}; this hub needs {head_revision()}: "
        "run cp2hub migrate.",
    }
    assert live.status_code == 200  # alive: restarting it would not migrate anything
    assert after.status_code == 200  # ready once migrated, without a restart
    assert f"revision {behind}" in caplog.text


def test_not_ready_on_a_database_with_no_schema(empty_database_url):
    db = Database(empty_database_url)
    try:
        with db.engine.connect():  # the SQLite file exists, with no table in it
            pass
        with HubServer(db) as server:
            response = get(server, "/health/ready")
    finally:
        db.dispose()
    assert response.status_code == 503
    assert "no schema" in response.json()["message"]
    assert "cp2hub migrate" in response.json()["message"]


def test_not_ready_on_a_database_newer_than_the_hub(hub_database):
    with hub_database.write() as session:
        session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with HubServer(hub_database) as server:
        response = get(server, "/health/ready")
    assert response.status_code == 503
    assert "revision 9999, newer than this hub knows" in response.json()["message"]


def test_not_ready_when_the_postgresql_database_does_not_exist(
    backend, postgres_module_url, caplog
):
    if backend != "postgresql":
        pytest.skip("a PostgreSQL server to ask for a database it does not have")
    url = make_url(postgres_module_url).set(
        database="cp2hub_no_such_database", password="pw-never-shown"
    )
    db = Database(url.render_as_string(hide_password=False))
    try:
        with HubServer(db) as server, caplog.at_level(logging.INFO, "cp2hub.api.health"):
            response = get(server, "/health/ready")
            live = get(server, "/health/live")
    finally:
        db.dispose()
    assert response.status_code == 503
    assert response.json() == {
        "code": "not_ready",
        "message": "The hub cannot reach its database (the hub's log says why).",
    }
    assert live.status_code == 200
    assert "cp2hub_no_such_database" in caplog.text  # the operator learns why
    assert "pw-never-shown" not in caplog.text + response.text


def test_not_ready_when_the_sqlite_folder_is_gone(backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("a SQLite file")
    folder = tmp_path / "data"
    folder.mkdir()
    db = Database(f"sqlite:///{folder / 'hub.sqlite3'}")
    try:
        upgrade(db)
        db.dispose()  # nothing open: the next probe opens the file anew
        shutil.rmtree(folder)
        with HubServer(db) as server:
            response = get(server, "/health/ready")
    finally:
        db.dispose()
    assert response.status_code == 503
    assert response.json()["code"] == "not_ready"
    assert "hub.sqlite3 is gone" in response.json()["message"]


def test_not_ready_when_the_sqlite_file_is_deleted_under_a_running_hub(backend, tmp_path):
    """Connections the hub opened before keep working on the deleted file, so the query
    alone would say ready while every write goes to a file nobody can open again."""
    if backend != "sqlite":
        pytest.skip("a SQLite file")
    path = tmp_path / "hub.sqlite3"
    db = Database(f"sqlite:///{path}")
    try:
        upgrade(db)
        with HubServer(db) as server:
            before = get(server, "/health/ready")
            path.unlink()
            response = get(server, "/health/ready")
    finally:
        db.dispose()
    assert before.status_code == 200
    assert response.status_code == 503
    assert "hub.sqlite3 is gone" in response.json()["message"]


def test_health_answers_are_described(hub_database):
    with HubServer(hub_database) as server:
        spec = get(server, "/openapi.json").json()
    ready = spec["paths"]["/health/ready"]["get"]["responses"]
    assert ready["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Ready")
    assert ready["503"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProblemDetail")
    live = spec["paths"]["/health/live"]["get"]["responses"]
    assert live["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Live")
    for path in ("/health", "/health/live", "/health/ready"):
        assert "security" not in spec["paths"][path]["get"]
