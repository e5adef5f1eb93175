"""Shared database fixtures: a migrated hub database on SQLite, and on PostgreSQL too
when CI provides one in CP2HUB_TEST_DATABASE_URL. And the run's scan of its own logs for
secrets (`tests/log_scan.py`): a secret in any line fails the run.

PostgreSQL isolation: each test module gets its own freshly created database
(dropped afterwards), and each test starts from an empty `public` schema in it.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from cp2desk.sync import tokens
from cp2hub.db import Database
from cp2hub.schema import upgrade
from tests import log_scan

PG_URL = os.environ.get("CP2HUB_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + ([pytest.param("postgresql", marks=pytest.mark.postgres)] if PG_URL else [])


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request) -> str:
    """'sqlite' or 'postgresql': every test using the fixtures below runs on each."""
    return request.param


@contextmanager
def scratch_database(base_url: str, label: str = "") -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of `base_url`, dropped afterwards."""
    base = make_url(base_url)
    name = f"cp2test_{label[:20]}{'_' if label else ''}{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="module")
def postgres_module_url(backend: str, request) -> Iterator[str | None]:
    """A PostgreSQL database created for this test module, dropped after it."""
    if backend != "postgresql":
        yield None
        return
    with scratch_database(PG_URL, request.module.__name__.rsplit(".", 1)[-1]) as url:
        yield url


@pytest.fixture
def empty_database_url(backend: str, postgres_module_url: str | None, tmp_path) -> str:
    """The URL of an empty database (no tables at all): a new SQLite file, or the
    module's PostgreSQL database with its public schema dropped and recreated."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    engine = create_engine(postgres_module_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return postgres_module_url


@pytest.fixture
def hub_database(empty_database_url: str) -> Iterator[Database]:
    """A hub database upgraded to the newest schema, with no data but the feed counter."""
    db = Database(empty_database_url)
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def test_keyring(tmp_path):
    """A real keyring backend (keyrings.alt's file backend) in a temporary folder, chosen
    for CP2 Desk's tokens explicitly: the app itself accepts only a keyring that protects
    secrets (`cp2desk.sync.tokens`). keyring's own calls use it too."""
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    tokens.choose_keyring(backend)
    yield backend
    tokens.choose_keyring(None)
    keyring.set_keyring(previous)


# --- no secret in any log line of the run (tests/log_scan.py) -----------------------

LOG_SCAN = pytest.StashKey[log_scan.LogScan]()
PATCHES = pytest.StashKey[pytest.MonkeyPatch]()


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    scan = log_scan.LogScan(config._tmp_path_factory.getbasetemp() / "log-records.jsonl")
    scan.attach("cp2hub", "cp2desk")
    config.stash[LOG_SCAN] = scan
    config.stash[PATCHES] = patches = pytest.MonkeyPatch()
    _record_secrets(scan, patches)


def _record_secrets(scan: log_scan.LogScan, patches: pytest.MonkeyPatch) -> None:
    """Wrap what makes or takes a secret, so the scan knows each one the run saw."""
    from argon2 import PasswordHasher

    from cp2desk.sync.client import HubClient
    from cp2hub import auth

    issue, take = auth._issue, HubClient._take
    hash_, verify = PasswordHasher.hash, PasswordHasher.verify

    def issued(*args, **kwargs):
        pair = issue(*args, **kwargs)
        scan.know(pair.access_token, "access token")
        scan.know(pair.refresh_token, "refresh token")
        return pair

    def taken(client, pair):
        scan.know(pair.access_token, "access token")
        scan.know(pair.refresh_token, "refresh token")
        return take(client, pair)

    def hashed(hasher, password, *args, **kwargs):
        scan.know(password if isinstance(password, str) else None, "a password")
        return hash_(hasher, password, *args, **kwargs)

    def verified(hasher, stored, password):
        # Known once it matched: a password that matched nothing is a guess, and the API
        # tests' generated guesses also come back as ids in paths, which are no secret.
        matched = verify(hasher, stored, password)
        scan.know(password if isinstance(password, str) else None, "a password")
        return matched

    patches.setattr(auth, "_issue", issued)
    patches.setattr(HubClient, "_take", taken)
    patches.setattr(PasswordHasher, "hash", hashed)
    patches.setattr(PasswordHasher, "verify", verified)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    from cp2hub.demo.accounts import DEMO_PASSWORD

    config = session.config
    scan = config.stash.get(LOG_SCAN, None)
    if scan is None:
        return
    scan.detach()
    config.stash[PATCHES].undo()
    scan.know(DEMO_PASSWORD, "the demo password")
    scan.know_constants()
    found = scan.findings(config._tmp_path_factory.getbasetemp().rglob("*.log"))
    if not found:
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"{len(found)} log line(s) of this run hold a secret (tests/log_scan.py):"]
    lines += [f"  {finding}" for finding in found[:20]]
    if reporter is not None:
        reporter.write_sep("=", "secrets in the logs", red=True)
        for line in lines:
            reporter.write_line(line)
    else:
        print("\n".join(lines), file=sys.stderr)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
