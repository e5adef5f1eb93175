"""The main window's sync status, background sync, and the conflicts panel."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from PySide6.QtCore import Qt, QTimer

from cp2desk.local_db.models import SyncIssue
from cp2desk.services.attendance import mark_attendance
from cp2desk.ui.main_window import MainWindow


class Report:
    def __init__(self, pushed=0, pulled=0, conflicts=0, refused=0) -> None:
        self.pushed, self.pulled, self.conflicts, self.refused = pushed, pulled, conflicts, refused


class Unreachable(Exception):
    code = "unreachable"
    message = "Cannot reach the hub. Check the network; your work is safe on this computer."


@pytest.fixture
def open_window(qtbot, context, settle):
    windows = []

    def make(**kwargs) -> MainWindow:
        window = MainWindow(context, **kwargs)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitUntil(lambda: bool(window.workspaces))
        settle()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()


def test_status_bar_before_any_sync(open_window, replica, centre):
    mark_attendance(
        replica,
        centre.user_id,
        centre.deployments["jane"],
        centre.sessions["mon_am"],
        "present",
        centre.now,
    )
    window = open_window(sync=lambda progress: Report())
    assert window.status.pending.text() == "1 change waiting to sync"
    assert window.status.last.text() == "Never synced on this computer"
    assert window.status.state.text() == "Not synced yet this session"
    assert window.status.sync_button.isEnabled()


def test_sync_now_shows_progress_then_the_result(
    qtbot, open_window, replica, centre, settle, shoot
):
    mark_attendance(
        replica,
        centre.user_id,
        centre.deployments["jane"],
        centre.sessions["mon_am"],
        "present",
        centre.now,
    )
    release = threading.Event()

    def sync(progress):
        progress("push", 1, 1)
        release.wait(5)
        with replica.write() as session:
            replica.set_state(session, "last_sync_at", dt.datetime(2026, 11, 9, 9, 41).isoformat())
            from cp2desk.local_db.models import OutboxEntry

            session.query(OutboxEntry).delete()
        return Report(pushed=1, pulled=4)

    window = open_window(sync=sync)
    qtbot.mouseClick(window.status.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.status.progress.isVisible())
    assert window.status.sync_button.text() == "Syncing…"
    shoot(window, "14_main_syncing")
    release.set()
    qtbot.waitUntil(lambda: not window.sync.running)
    settle()
    assert window.status.state.text() == "Online"
    assert window.status.pending.text() == "All changes sent"
    assert window.status.last.text() == "Last sync 09:41"
    assert not window.status.progress.isVisible()
    assert "Synced: 1 change sent, 4 received." in window.messages.text


def test_the_event_loop_keeps_turning_during_a_slow_sync(qtbot, open_window):
    """A sync that takes a second must not stop the window: a 20 ms timer keeps ticking."""
    ticks = []

    def slow_sync(progress):
        for step in range(10):
            time.sleep(0.1)
            progress("pull", step + 1, 10)
        return Report(pulled=10)

    window = open_window(sync=slow_sync)
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    started = time.monotonic()
    assert window.sync.sync_now()
    assert not window.sync.sync_now(), "one sync at a time"
    qtbot.waitUntil(lambda: not window.sync.running, timeout=5000)
    elapsed = time.monotonic() - started
    timer.stop()
    assert elapsed >= 1.0
    during = [t for t in ticks if t - started < 1.0]
    assert len(during) >= 20, f"only {len(during)} ticks in the first second of the sync"
    assert max(b - a for a, b in zip(during, during[1:], strict=False)) < 0.25


def test_offline_sync_says_work_is_safe(qtbot, open_window, settle):
    def sync(_progress):
        raise Unreachable()

    window = open_window(sync=sync)
    window.sync_now()
    qtbot.waitUntil(lambda: not window.sync.running)
    settle()
    assert window.status.state.text() == "Offline: your work is kept on this computer"
    assert window.messages.kind == "warning"
    assert "Cannot reach the hub" in window.messages.text


def test_keyboard_and_timer_start_a_sync(qtbot, open_window):
    calls = []
    window = open_window(sync=lambda progress: calls.append(1) or Report())
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: len(calls) == 1 and not window.sync.running)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(calls) == 2 and not window.sync.running)
    # A timer slow enough that the window is seen idle between its syncs (settle waits for
    # that), yet fires well within the wait below.
    timed = open_window(sync=lambda progress: calls.append(2) or Report(), sync_interval_ms=400)
    qtbot.waitUntil(lambda: 2 in calls, timeout=5000)
    timed.shutdown()


def test_without_a_hub_connection_sync_is_explained(qtbot, open_window):
    window = open_window(sync=None)
    assert not window.status.sync_button.isEnabled()
    assert window.status.state.text() == "Offline mode: no hub connection this session"
    window.sync_now()
    assert "Sign in again with the network on to sync" in window.messages.text


def test_a_conflict_after_sync_is_listed_with_what_to_do(
    qtbot, open_window, replica, centre, settle, shoot
):
    def sync(_progress):
        with replica.write() as session:
            session.add(
                SyncIssue(
                    kind="conflict",
                    table_name="attendance",
                    row_id="x",
                    summary="Marked Jane Wanjiku Kamau present for Mon 9 Nov morning",
                    reason="Joseph Njenga (sub-county director) marked her absent at 09:52.",
                    at=dt.datetime(2026, 11, 9, 10, 5),
                )
            )
            session.add(
                SyncIssue(
                    kind="refused",
                    table_name="session_signoff",
                    row_id="y",
                    summary="Signed off Fri 6 Nov afternoon",
                    reason="The session was reopened by the sub-county director.",
                    at=dt.datetime(2026, 11, 9, 10, 5),
                )
            )
        return Report(pushed=3, conflicts=1, refused=1)

    window = open_window(sync=sync)
    window.sync_now()
    qtbot.waitUntil(lambda: not window.sync.running)
    settle()
    assert window.issues.isVisible()
    texts = [window.issues.model.index(i).data() for i in range(window.issues.model.rowCount())]
    assert len(texts) == 2
    conflict = next(t for t in texts if t.startswith("Someone else changed the same record"))
    assert "“Marked Jane Wanjiku Kamau present for Mon 9 Nov morning”" in conflict
    assert "Joseph Njenga (sub-county director) marked her absent at 09:52." in conflict
    assert "What you can do: Check this officer in the register" in conflict
    assert window.status.issues_button.text() == "2 need attention"
    assert "2 changes need your attention" in window.messages.text
    shoot(window, "15_main_conflicts_panel")
    qtbot.mouseClick(window.issues.dismiss_all_button, Qt.MouseButton.LeftButton)
    settle()
    assert window.issues.model.rowCount() == 0
    assert not window.status.issues_button.isVisible()
