"""Sync in the background, on a timer and on demand, and the status bar that shows it.

`SyncController` runs the sync callable (`SyncEngine.sync(progress)`) on its own
one-thread pool, so a slow or stuck network never freezes the window and two syncs
never overlap. `SyncStatus` shows online/offline, changes waiting, the last successful
sync, a progress bar while syncing, and the Sync now button.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from cp2desk.ui import theme
from cp2desk.ui.operation import OperationRunner

SyncCallable = Callable[[Callable[..., None]], Any]
STAGES = {
    "push": "Sending your changes",
    "first": "Receiving today's and the coming sessions first",
    "ready": "Today's sessions are here; receiving the rest",
    "pull": "Receiving updates",
}


def is_offline(error: BaseException) -> bool:
    """The hub could not be reached (as opposed to reached and refusing)."""
    return getattr(error, "code", "") == "unreachable" or isinstance(error, OSError)


class SyncController(QObject):
    started = Signal()
    progressed = Signal(str, int, int)  # what, done, total (0: unknown)
    first_screens = Signal()
    """A first sync's first pass is in: the screens can open before the rest arrives."""
    succeeded = Signal(object)  # the engine's report
    failed = Signal(object)  # the error
    finished = Signal()

    PUSH_DELAY_MS = 2000
    """A change is sent this long after the last one: a burst of marks is one push."""

    def __init__(
        self,
        sync: SyncCallable | None,
        interval_ms: int = 5 * 60_000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.sync = sync
        self.runner = OperationRunner(1, self)
        self.running = False
        self.again = False
        """Asked to sync while one ran: one more when it ends."""
        self.halted = False
        """The hub refused this computer or this version for good: nothing syncs again."""
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(self.PUSH_DELAY_MS)
        self.soon.timeout.connect(self.sync_now)
        self.online: bool | None = None
        self.last_success: dt.datetime | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.sync_now)

    @property
    def available(self) -> bool:
        return self.sync is not None

    def start(self) -> None:
        if self.sync is not None:
            self.timer.start()

    def halt(self) -> None:
        """Start no sync again: not the timer's, a change's (`push_soon`) or one asked for
        while a sync ran."""
        self.halted = True
        self.timer.stop()
        self.soon.stop()
        self.again = False

    def stop(self) -> None:
        self.halt()
        self.runner.wait()

    def push_soon(self) -> None:
        """A local change was made: sync `PUSH_DELAY_MS` after the last of a burst, while
        the hub is (or may be) reachable; offline, the timer tries as usual."""
        if self.sync is not None and self.online is not False and not self.halted:
            self.soon.start()

    def sync_now(self) -> bool:
        """Start a sync unless one is running (then one more follows it); returns whether
        one started."""
        if self.sync is None or self.halted:
            return False
        if self.running:
            self.again = True
            return False
        self.soon.stop()
        self.running = True
        self.started.emit()
        sync = self.sync
        self.runner.run(lambda progress: sync(progress), self._done, self._failed, self._progress)
        return True

    def _progress(self, args: tuple) -> None:
        stage = next((a for a in args if isinstance(a, str)), "")
        if stage == "ready":
            self.first_screens.emit()
        numbers = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
        done, total = (numbers + [0, 0])[:2]
        self.progressed.emit(STAGES.get(stage, stage or "Syncing"), done, total)

    def _done(self, report: Any) -> None:
        self.running, self.online, self.last_success = False, True, dt.datetime.now()
        self.succeeded.emit(report)
        self._finish()

    def _failed(self, error: BaseException) -> None:
        self.running = False
        if is_offline(error):
            self.online = False
        self.failed.emit(error)
        self.again = self.again and not is_offline(error)
        self._finish()

    def _finish(self) -> None:
        self.finished.emit()
        if self.again:
            self.again = False
            self.sync_now()


class SyncStatus(QWidget):
    """The permanent right-hand part of the status bar."""

    sync_requested = Signal()
    issues_requested = Signal()
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(8)
        self.state_icon = QLabel()
        self.state = QLabel()
        self.state.setObjectName("SyncState")
        self.pending = QLabel()
        self.last = QLabel()
        self.last.setObjectName("Muted")
        self.session_only = QLabel()
        self.session_only.setObjectName("Muted")
        self.session_only.hide()
        self.update_note = QLabel()
        self.update_note.setObjectName("Muted")
        self.update_note.hide()
        self.activity = QLabel()
        self.activity.setObjectName("Muted")
        self.activity.hide()
        self.progress = QProgressBar()
        self.progress.setFixedWidth(140)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.issues_button = QPushButton(theme.icon("issues"), "")
        self.issues_button.setToolTip("Conflicts and refused changes")
        self.issues_button.clicked.connect(self.issues_requested)
        self.issues_button.hide()
        self.export_button = QPushButton(theme.icon("export"), "Export unsynced changes…")
        self.export_button.setToolTip(
            "Save the changes this computer could not send to a file for your KNEC office"
        )
        self.export_button.clicked.connect(self.export_requested)
        self.export_button.hide()
        self.sync_button = QPushButton(theme.icon("sync"), "Sync now")
        self.sync_button.setToolTip("Send your changes and receive updates (Ctrl+S or F5)")
        self.sync_button.clicked.connect(self.sync_requested)
        self.live = False
        for widget in (
            self.state_icon,
            self.state,
            self.pending,
            self.last,
            self.session_only,
            self.update_note,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.activity)
        layout.addWidget(self.progress)
        layout.addWidget(self.issues_button)
        layout.addWidget(self.export_button)
        layout.addWidget(self.sync_button)
        self.set_online(None, available=True)

    def set_live(self, live: bool) -> None:
        """The live channel is up: changes arrive as they are made ("Live")."""
        self.live = live
        self.set_online(self.online, self.available)

    def set_online(self, online: bool | None, available: bool) -> None:
        self.online, self.available = online, available
        if available and online is not False and self.live:
            state, text, icon = "live", "Live", "online"
        elif not available:
            state, text, icon = "offline", "Offline mode: no hub connection this session", "offline"
        elif online is None:
            state, text, icon = "unknown", "Not synced yet this session", "sync"
        elif online:
            state, text, icon = "online", "Online", "online"
        else:
            state, text, icon = "offline", "Offline: your work is kept on this computer", "offline"
        self.state.setText(text)
        self.state.setToolTip(
            "Connected to the hub: changes arrive as they are made" if state == "live" else ""
        )
        self.state.setProperty("state", state)
        theme.repolish(self.state)
        self.state_icon.setPixmap(theme.icon(icon).pixmap(18, 18))
        self.sync_button.setEnabled(available)

    def set_revoked(self) -> None:
        """This computer was revoked on the hub: no more syncing, its changes can be saved."""
        self.state.setText("This computer was revoked: it no longer syncs")
        self.state.setProperty("state", "revoked")
        theme.repolish(self.state)
        self.state_icon.setPixmap(theme.icon("error").pixmap(18, 18))
        self.sync_button.hide()
        self.export_button.show()

    def set_too_old(self) -> None:
        """The hub no longer speaks this version's protocol: no more syncing until the
        update; its changes can be saved."""
        self.state.setText("This version is too old for the hub: it no longer syncs")
        self.state.setProperty("state", "revoked")
        theme.repolish(self.state)
        self.state_icon.setPixmap(theme.icon("error").pixmap(18, 18))
        self.sync_button.hide()
        self.export_button.show()

    def set_update_ready(self, version: str, held_because: list[str]) -> None:
        """A downloaded version waits for the next start; `held_because`: why the app
        does not offer to restart now (shown on hover)."""
        self.update_note.setText(f"Version {version} ready: installed at the next start")
        self.update_note.setToolTip(
            "Not offered now: " + "; ".join(held_because) if held_because else ""
        )
        self.update_note.setVisible(True)

    def set_session_only(self, notice: str) -> None:
        """The sign-in is kept in memory only (no keyring protects it): say so, once, here."""
        self.session_only.setText("Signed in for this session only")
        self.session_only.setToolTip(notice)
        self.session_only.setVisible(True)

    def set_pending(self, count: int) -> None:
        if count == 0:
            self.pending.setText("All changes sent")
        else:
            self.pending.setText(f"{count} change{'s' if count != 1 else ''} waiting to sync")

    def set_last_sync(self, when: dt.datetime | None, today: dt.date) -> None:
        if when is None:
            self.last.setText("Never synced on this computer")
        elif when.date() == today:
            self.last.setText(f"Last sync {when:%H:%M}")
        else:
            self.last.setText(f"Last sync {when:%a %d %b %H:%M}")

    def set_issues(self, count: int) -> None:
        self.issues_button.setVisible(count > 0)
        self.issues_button.setText(f"{count} need{'s' if count == 1 else ''} attention")

    def set_syncing(self, syncing: bool) -> None:
        self.progress.setVisible(syncing)
        self.activity.setVisible(syncing)
        self.activity.setText("")
        self.progress.setRange(0, 0)
        self.sync_button.setEnabled(not syncing)
        self.sync_button.setText("Syncing…" if syncing else "Sync now")

    def set_progress(self, what: str, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        else:
            self.progress.setRange(0, 0)
        self.progress.setToolTip(f"{what}: {done} of {total}" if total else what)
        self.activity.setText(f"{what}: {done:,} received" if done and not total else what)
        self.activity.setVisible(not self.progress.isHidden())
