"""The sub-county workspace against a real hub on loopback, through a network that can be cut.

A director redeploys offline: the move waits in the outbox and is accepted when the
link returns. A move made offline before a session started reaches the hub after it
started and is refused; a move of an officer another director moved first is refused
as a conflict that says who moved whom and when. Each time the issues panel says so
and the overview returns to the hub's state.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from cp2desk.local_db import models as lm
from cp2desk.services.redeploy import redeploy
from cp2desk.services.subcounty_summary import find_officers
from cp2desk.sync.records import natural_id
from cp2desk.ui.context import DeskContext
from cp2desk.ui.main_window import MainWindow
from cp2desk.ui.operation import OperationRunner
from cp2hub.db import Database
from cp2hub.schema import upgrade
from tests.sync.conftest import Device, HubServer
from tests.sync.scenario import build_world


@pytest.fixture
def hub(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    upgrade(db)
    world = build_world(db)
    with HubServer(db) as server:
        server.world = world
        yield server
    db.dispose()


@pytest.fixture
def desk(qtbot, tmp_path, hub, network):
    world = hub.world
    device = Device(tmp_path / "director.sqlite3", network.url, world.users["director"])
    clock = {"now": dt.datetime.now()}
    runner = OperationRunner(1)
    context = DeskContext(
        device.replica,
        natural_id("user", world.users["director"]),
        runner,
        display_name="Grace Director",
        now=lambda: clock["now"],
    )
    window = MainWindow(context, sync=device.engine.sync, online=True, sync_on_open=True)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: bool(window.workspaces), timeout=30_000)
    workspace = window.workspaces[0]
    qtbot.waitUntil(lambda: workspace.overview is not None and bool(workspace.overview.centres))
    idle(qtbot, window)
    yield window, workspace, device, clock
    window.shutdown()
    device.replica.dispose()


def idle(qtbot, window) -> None:
    qtbot.waitUntil(
        lambda: not window.sync.running and not window.context.runner.busy, timeout=30_000
    )


def synced(qtbot, window) -> None:
    window.sync_now()
    qtbot.waitUntil(lambda: window.sync.running, timeout=5_000)
    idle(qtbot, window)


def move_in_dialog(qtbot, window, workspace, officer: str, session_id: str | None, reason: str):
    workspace.tabs.setCurrentWidget(workspace.officers)
    workspace.officers.search.setText(officer)
    assert workspace.officers.proxy.rowCount() == 1
    workspace.officers.view.selectRow(0)
    qtbot.mouseClick(workspace.officers.redeploy_button, Qt.MouseButton.LeftButton)
    dialog = workspace.redeploy_dialog
    dialog.target.setCurrentIndex(dialog.target.findText("Beta", Qt.MatchFlag.MatchStartsWith))
    if session_id is not None:
        dialog.session.setCurrentIndex(dialog.session.findData(session_id))
    dialog.reason.setPlainText(reason)
    qtbot.waitUntil(lambda: dialog.redeploy_button.isEnabled(), timeout=5_000)
    qtbot.mouseClick(dialog.redeploy_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.redeploy_dialog is None, timeout=5_000)
    idle(qtbot, window)


def issue_texts(window) -> list[str]:
    model = window.issues.model
    return [model.index(i).data() for i in range(model.rowCount())]


def test_offline_move_waits_then_is_accepted(qtbot, desk, network, hub, shoot):
    window, workspace, device, _clock = desk
    world = hub.world
    assert [c.name for c in workspace.overview.centres] == [
        "Alpha Secondary School",
        "Beta Secondary School",
    ]
    network.enabled = True  # the link goes down
    move_in_dialog(qtbot, window, workspace, "Officer3 Alpha", world.sessions[4], "Beta short")
    synced(qtbot, window)
    assert window.status.state.text() == "Offline: your work is kept on this computer"
    assert window.status.pending.text() == "1 change waiting to sync"
    assert workspace.officers.history_model.lines[0].waiting
    network.enabled = False  # and comes back
    synced(qtbot, window)
    assert window.status.pending.text() == "All changes sent"
    assert not window.issues.isVisible()
    workspace.tabs.setCurrentWidget(workspace.history_page)
    [move] = workspace.history_page.model.lines
    assert not move.waiting and move.to_centre == "Beta Secondary School"
    with device.replica.read() as s:
        assert s.get(lm.Deployment, world.deployments["alpha"][3]).status == "redeployed"
    shoot(window, "29_subcounty_move_accepted_after_reconnect")


def test_moves_the_hub_refuses_are_shown_and_undone(qtbot, desk, network, hub, shoot):
    window, workspace, device, clock = desk
    world = hub.world
    me = natural_id("user", world.users["director"])

    # Yesterday before 08:00, offline: a move from yesterday morning, which then started.
    clock["now"] = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(7, 0))
    network.enabled = True
    move_in_dialog(qtbot, window, workspace, "Officer2 Alpha", world.sessions[0], "Beta short")
    assert find_officers(workspace.overview, "Officer2")[0].centre == "Beta Secondary School"
    clock["now"] = dt.datetime.now()

    # Meanwhile another director's computer moves Officer4 first.
    other = Device(window.context.replica.path.with_name("other.sqlite3"), hub.url,
                   world.users["director"])  # fmt: skip
    other.sync()
    redeploy(other.replica, me, world.deployments["alpha"][4], world.centres["beta"],
             world.sessions[5], "Beta short in the afternoon")  # fmt: skip
    assert other.sync().pushed == 1
    other.replica.dispose()
    move_in_dialog(qtbot, window, workspace, "Officer4 Alpha", world.sessions[6], "Also Beta")

    network.enabled = False
    synced(qtbot, window)
    assert window.issues.isVisible()
    texts = issue_texts(window)
    assert len(texts) == 2
    refused = next(t for t in texts if "Officer2" in t)
    assert refused.startswith("The hub did not accept a change")
    assert "has already started; redeploy from a later session." in refused
    conflict = next(t for t in texts if "Officer4" in t)
    assert conflict.startswith("Someone else changed the same record")
    assert "Officer4 Alpha was already moved to Beta Secondary School by Grace Director at" in (
        conflict
    )
    # The overview is back to the hub's state: Officer2 never left, Officer4 left for Beta.
    qtbot.waitUntil(
        lambda: find_officers(workspace.overview, "Officer2")[0].centre == "Alpha Secondary School"
    )
    officer4 = find_officers(workspace.overview, "Officer4")[0]
    label = next(s.label for s in workspace.overview.sessions if s.id == world.sessions[5])
    assert officer4.note == f"Leaves from {label}"
    assert [m.reason for m in workspace.moves] == ["Beta short in the afternoon"]
    assert window.status.pending.text() == "All changes sent"
    workspace.tabs.setCurrentWidget(workspace.officers)
    shoot(window, "30_subcounty_refused_and_conflict_after_sync")
