"""The window on the live channel: a mark made on another computer of the centre appears
in the open register within seconds, in place (same selection, scroll and sort), and the
status bar says Live; when the hub goes away the channel falls back to the timer."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from PySide6.QtCore import Qt

from cp2desk.sync.live import Backoff
from cp2desk.sync.records import natural_id
from cp2desk.ui.context import DeskContext
from cp2desk.ui.live_sync import LiveSync
from cp2desk.ui.main_window import MainWindow
from cp2desk.ui.operation import OperationRunner
from cp2hub.db import Database
from cp2hub.schema import upgrade
from cp2hub.settings import Settings
from tests.sync.conftest import Device, HubServer
from tests.sync.scenario import build_world
from tests.sync.test_roundtrip import mark


@pytest.fixture
def hub(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    upgrade(db)
    world = build_world(db, officers_per_centre=40)
    with HubServer(db, Settings(live_hold_seconds=3)) as server:
        server.world = world
        yield server
    db.dispose()


def open_window(qtbot, tmp_path, hub, phone: str, network_url: str | None = None):
    device = Device(tmp_path / "desk.sqlite3", network_url or hub.url, phone)
    context = DeskContext(
        device.replica, natural_id("user", phone), OperationRunner(1), now=dt.datetime.now
    )
    live = LiveSync(device.client, device.engine.cursor, Backoff(first=0.5, cap=1.0))
    window = MainWindow(context, sync=device.engine.sync, online=True, sync_on_open=True, live=live)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window, device


def test_a_mark_from_another_computer_appears_in_place(qtbot, tmp_path, hub):
    world = hub.world
    phone = world.users["manager_alpha"]
    window, device = open_window(qtbot, tmp_path, hub, phone)
    other = Device(tmp_path / "other.sqlite3", hub.url, phone)  # the centre's second laptop
    try:
        qtbot.waitUntil(lambda: hasattr(window.current_workspace(), "register"), timeout=30_000)
        workspace = window.current_workspace()
        qtbot.waitUntil(lambda: workspace.register is not None, timeout=30_000)
        qtbot.waitUntil(lambda: window.status.state.text() == "Live", timeout=15_000)
        other.sync()
        page = workspace.register_page
        view, model = page.view, page.model
        view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        view.setCurrentIndex(page.proxy.index(25, 2))
        view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
        kept = (view.currentIndex().row(), view.currentIndex().column())
        kept_scroll = view.verticalScrollBar().value()
        kept_name = page.proxy.index(kept[0], 0).data()
        resets = []
        model.modelReset.connect(lambda: resets.append(1))
        assert kept_scroll > 0

        dep = world.deployments["alpha"][7]
        session = world.sessions[0]
        column = model.column_of_session(0)
        row = model._row_of_deployment[dep]
        mark(other, dep, session, "late", world.centres["alpha"], world.officers[dep])
        other.sync()
        marked_at = time.monotonic()
        qtbot.waitUntil(lambda: "Late" in (model.index(row, column).data() or ""), timeout=10_000)
        assert time.monotonic() - marked_at < 5

        assert resets == []
        current = view.currentIndex()
        assert (current.row(), current.column()) == kept
        assert page.proxy.index(current.row(), 0).data() == kept_name
        assert view.verticalScrollBar().value() == kept_scroll
        assert view.horizontalHeader().sortIndicatorSection() == 0
        assert window.status.state.text() == "Live"
    finally:
        window.shutdown()
        device.replica.dispose()
        other.replica.dispose()


def test_the_channel_falls_back_to_the_timer_when_the_hub_goes(qtbot, tmp_path, hub, network):
    window, device = open_window(qtbot, tmp_path, hub, hub.world.users["director"], network.url)
    try:
        qtbot.waitUntil(lambda: window.status.state.text() == "Live", timeout=15_000)
        network.cut()
        qtbot.waitUntil(lambda: window.status.state.text() != "Live", timeout=10_000)
        listener = window.live.listener
        qtbot.waitUntil(lambda: listener.backoff.failures >= 2, timeout=10_000)  # retrying
        assert window.sync.timer.isActive()  # the timer still syncs meanwhile
        network.restore()
        qtbot.waitUntil(lambda: window.status.state.text() == "Live", timeout=15_000)
        assert listener.backoff.failures == 0
    finally:
        window.shutdown()
        device.replica.dispose()
