"""Fixtures the hub's tests share."""

from __future__ import annotations

import pytest

from cp2hub.cli import main


@pytest.fixture
def run(hub_database, capsys):
    """`cp2hub ...` in-process against the test's database: (exit status, stdout, stderr)."""

    def call(*argv: str) -> tuple[int, str, str]:
        status = main([*argv, "--database-url", hub_database.url])
        out, err = capsys.readouterr()
        return status, out, err

    return call
