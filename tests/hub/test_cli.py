"""`cp2hub` commands, called in-process through main(argv)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cp2hub import models as m
from cp2hub.cli import main
from cp2hub.db import Database
from cp2hub.demo.accounts import DEMO_ACCOUNTS
from cp2hub.schema import current_revision, head_revision

UNREACHABLE = "postgresql+psycopg://u:secret@127.0.0.1:1/x"


def professionals(url: str) -> int:
    db = Database(url)
    try:
        with db.read() as session:
            return session.scalar(select(func.count()).select_from(m.Professional))
    finally:
        db.dispose()


@pytest.mark.parametrize("command", ["migrate", "seed-demo", "serve"])
def test_unreachable_database_is_one_line_without_the_password(command, capsys):
    assert main([command, "--database-url", UNREACHABLE]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "secret" not in err and "Traceback" not in err
    assert "postgresql+psycopg://u:***@127.0.0.1:1/x" in err


def test_unusable_url_is_one_line_too(capsys):
    assert main(["migrate", "--database-url", "nosuchdb://u:secret@host/x"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "secret" not in err


def test_migrate_brings_an_empty_database_to_head(empty_database_url, capsys):
    assert main(["migrate", "--database-url", empty_database_url]) == 0
    db = Database(empty_database_url)
    try:
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()
    assert head_revision() in capsys.readouterr().out


def test_database_url_from_the_environment(empty_database_url, monkeypatch, capsys):
    monkeypatch.setenv("CP2HUB_DATABASE_URL", empty_database_url)
    assert main(["migrate"]) == 0


def test_seed_refuses_a_non_empty_database_unless_reset(empty_database_url, capsys):
    url = empty_database_url
    assert main(["seed-demo", "--database-url", url, "--seed", "3", "--today", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert all(phone in out for phone in DEMO_ACCOUNTS.values()) and "demo1234" in out
    seeded = professionals(url)

    assert main(["seed-demo", "--database-url", url, "--seed", "4"]) == 2
    err = capsys.readouterr().err
    assert "--reset" in err and len(err.strip().splitlines()) == 1
    assert professionals(url) == seeded  # untouched

    assert (
        main(["seed-demo", "--database-url", url, "--seed", "4", "--reset", "--size", "small"]) == 0
    )
    assert professionals(url) > 0


def test_bad_date_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["seed-demo", "--today", "22/11/2026"])
    assert exit.value.code == 2
