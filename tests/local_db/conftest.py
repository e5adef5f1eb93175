"""A replica on a temporary file, and small helpers to fill one."""

from __future__ import annotations

from pathlib import Path

import pytest

from cp2desk.local_db.models import Professional
from cp2desk.local_db.replica import Replica


def professional(number: int) -> Professional:
    """A professional whose phone is derived from `number` (unique per number)."""
    return Professional(phone=f"2547{number:08d}", first_name="Test", last_name=f"Officer{number}")


@pytest.fixture
def officer():
    """The `professional` factory, for tests that fill a replica."""
    return professional


@pytest.fixture
def replica_path(tmp_path: Path) -> Path:
    return tmp_path / "replicas" / "hub-254711000001.sqlite3"


@pytest.fixture
def replica(replica_path: Path):
    opened = Replica(replica_path)
    yield opened
    opened.dispose()
