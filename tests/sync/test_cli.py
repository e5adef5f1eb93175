"""`cp2desk sync` and `cp2desk export` against a real hub."""

from __future__ import annotations

import json
import os
import re
import sqlite3

import pytest

from cp2desk import cli, paths
from cp2desk.services import account as accounts
from cp2hub import auth as hub_auth
from tests.sync.scenario import PASSWORD
from tests.sync.test_roundtrip import mark


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch, test_keyring):
    monkeypatch.setenv("CP2DESK_HOME", str(tmp_path / "home"))


def test_sync_command_prints_summary(hub, world, capsys):
    code = cli.main(
        ["sync", "--hub", hub.url, "--phone", world.users["manager_alpha"], "--password", PASSWORD]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Sync finished: pushed 0, pulled" in out and "conflicts 0, refused 0" in out


def test_sync_command_wrong_password(hub, world, capsys):
    code = cli.main(
        ["sync", "--hub", hub.url, "--phone", world.users["manager_alpha"], "--password", "bad"]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "password is not correct" in err
    assert re.search(r"^Reference: [0-9a-f]{8} \(for the help desk\)$", err, re.MULTILINE), err


def test_revoked_device_exports_its_unsynced_changes(hub, world, tmp_path, capsys):
    acc = accounts.sign_in(hub.url, world.users["manager_alpha"], PASSWORD)
    acc.engine.sync()

    class Dev:  # the roundtrip helper wants .replica
        replica = acc.replica

    dep = world.deployments["alpha"][1]
    mark(Dev, dep, world.sessions[2], "late", world.centres["alpha"], world.officers[dep])
    with hub.db.write() as s:
        hub_auth.revoke(s, acc.replica.device_id)
    acc.replica.dispose()
    code = cli.main(
        ["sync", "--hub", hub.url, "--phone", world.users["manager_alpha"], "--password", PASSWORD]
    )
    assert code == 1 and "revoked" in capsys.readouterr().err
    out = tmp_path / "unsynced.json"
    assert (
        cli.main(
            ["export", "--hub", hub.url, "--phone", world.users["manager_alpha"], "--out", str(out)]
        )
        == 0
    )
    saved = json.loads(out.read_text())
    assert [c["row"]["status"] for c in saved["changes"]] == ["late"]


def test_no_screen_is_said_plainly(monkeypatch, capsys):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(cli.sys, "platform", "linux")
    assert cli.main(["demo"]) == 2
    assert "needs a screen" in capsys.readouterr().err


def damage(path, how: str) -> None:
    """Leave at `path` a replica file CP2 Desk must refuse: random bytes, or a real replica
    whose schema revision is from a newer app."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if how == "damaged":
        path.write_bytes(os.urandom(8192))
        return
    from cp2desk.local_db.replica import Replica

    Replica(path).dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    connection.close()


@pytest.mark.parametrize(
    ("how", "way_out"),
    [("damaged", "Move it aside (rename it)"), ("newer", "Update CP2 Desk to the latest")],
)
@pytest.mark.parametrize("command", ["sync", "export"])
def test_a_damaged_replica_is_one_line_not_a_traceback(
    hub, world, tmp_path, capsys, how, way_out, command
):
    phone = world.users["manager_alpha"]
    path = paths.replica_path(hub.url, phone)
    damage(path, how)
    before = path.read_bytes()
    rest = ["--password", PASSWORD] if command == "sync" else ["--out", str(tmp_path / "x.json")]
    code = cli.main([command, "--hub", hub.url, "--phone", phone, *rest])
    out, err = capsys.readouterr()
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"cannot open its local data file {path}" in err and way_out in err
    assert path.read_bytes() == before
    assert not (tmp_path / "x.json").exists()
