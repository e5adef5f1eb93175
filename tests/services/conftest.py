"""A real replica on a temporary file, filled with the demo centre."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cp2desk.local_db.replica import Replica  # noqa: E402
from tests.services.fixtures import DemoCentre, build_centre  # noqa: E402


@pytest.fixture
def replica(tmp_path: Path):
    found = Replica(tmp_path / "replica.sqlite3")
    yield found
    found.dispose()


@pytest.fixture
def centre(replica: Replica) -> DemoCentre:
    return build_centre(replica)
