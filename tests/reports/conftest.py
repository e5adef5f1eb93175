"""A real replica on a temporary file holding the demo centre, its container and claims."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cp2desk.local_db.replica import Replica  # noqa: E402
from tests.services.claims_fixtures import add_claims  # noqa: E402
from tests.services.custody_fixtures import DemoContainer, build_container  # noqa: E402


@pytest.fixture
def replica(tmp_path: Path):
    found = Replica(tmp_path / "replica.sqlite3")
    yield found
    found.dispose()


@pytest.fixture
def dc(replica) -> DemoContainer:
    container = build_container(replica)
    add_claims(replica, container.centre)
    return container
