"""The main window: workspaces by role on the left, sync status below, issues on the right.

The window reads nothing itself: workspaces and sync facts arrive from operations
run off the UI thread. Shortcuts: Ctrl+F search, Ctrl+S or F5 sync now. A computer the
hub has revoked stops syncing, says why, and offers to export what it could not send. A
version the hub finds too old stops syncing too, and offers the update and the export;
updates are looked for when the window opens and after each sync (`update_prompt`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services import sync_issues
from cp2desk.services.glance import display_name
from cp2desk.ui import theme
from cp2desk.ui.context import DeskContext
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.issues_panel import IssuesPanel
from cp2desk.ui.live_sync import LiveSync
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.operation import reference, user_message
from cp2desk.ui.sync_status import SyncCallable, SyncController, SyncStatus
from cp2desk.ui.unsynced_export import ACTION, export_unsynced
from cp2desk.ui.update_prompt import UpdatePrompt
from cp2desk.ui.workspaces import WorkspaceEntry, available

DAYS_WORK = ("centre", "distribution", "subcounty")
"""Workspaces of the day's work: the window opens on one of them rather than My CP2."""


class MainWindow(QMainWindow):
    def __init__(
        self,
        context: DeskContext,
        sync: SyncCallable | None = None,
        sync_interval_ms: int = 5 * 60_000,
        online: bool | None = None,
        sync_on_open: bool = False,
        live: LiveSync | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("CP2 Desk")
        self.setMinimumSize(QSize(1024, 640))
        self.workspaces: list[QWidget] = []
        self.revoked: str | None = None
        """The hub's message once it has refused this computer as revoked."""
        self.too_old: str | None = None
        """The hub's message once it has refused this version of the app as too old."""
        self.updates: UpdatePrompt | None = None
        self.sync = SyncController(sync, sync_interval_ms, self)
        self.sync.online = online
        self.live = live
        self.announce = False
        """The user asked for the sync running now: say how it went, even if all went well."""
        self.chosen = False
        """The user picked a workspace in the side list: a sync never moves them away."""
        self._build()
        self._shortcuts()
        self.sync.started.connect(lambda: self.status.set_syncing(True))
        self.sync.progressed.connect(self.status.set_progress)
        self.sync.first_screens.connect(self._first_screens)
        self.sync.succeeded.connect(self._synced)
        self.sync.failed.connect(self._sync_failed)
        self.sync.finished.connect(lambda: self.status.set_syncing(False))
        self.status.sync_requested.connect(self.sync_now)
        self.status.issues_requested.connect(self.toggle_issues)
        self.status.export_requested.connect(self.export_unsynced)
        self.issues.dismiss_requested.connect(self._dismiss)
        self.issues.close_requested.connect(lambda: self.issues.setVisible(False))
        self.status.set_online(online, self.sync.available)
        self.find_workspaces()
        self.refresh_sync_facts()
        self.sync.start()
        if sync_on_open:
            QTimer.singleShot(0, self.sync_now)
        if live is not None:
            live.setParent(self)
            live.changed.connect(self.sync.sync_now)
            live.state.connect(self._live_state)
            self.sync.finished.connect(live.synced)
            live.start()

    # --- building -----------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        side = QWidget()
        side.setObjectName("SideBar")
        side.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        side.setFixedWidth(230)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(0)
        self.user_label = user = QLabel(self.context.display_name or "Signed in")
        user.setObjectName("SideNavUser")
        user.setWordWrap(True)
        self.nav = QListWidget()
        self.nav.setObjectName("SideNav")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setAccessibleName("Workspaces")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.nav.currentRowChanged.connect(self._on_nav)
        self.nav.itemClicked.connect(lambda _item: setattr(self, "chosen", True))
        side_layout.addWidget(user)
        side_layout.addWidget(self.nav, 1)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(12, 8, 12, 0)
        body_layout.setSpacing(0)
        self.messages = MessageBar()
        body_layout.addWidget(self.messages)
        self.stack = QStackedWidget()
        self.loading = EmptyState("Opening your workspaces…", "", "sync")
        self.no_workspace = EmptyState(
            "No workspace for your account on this computer yet",
            "Your roles decide what you see here. If you were just appointed centre manager, "
            "sync (F5) to receive your centre; otherwise ask your sub-county office to check "
            "your role.",
            "person",
        )
        self.stack.addWidget(self.loading)
        self.stack.addWidget(self.no_workspace)
        body_layout.addWidget(self.stack, 1)
        self.issues = IssuesPanel()
        self.issues.hide()
        row.addWidget(side)
        row.addWidget(body, 1)
        row.addWidget(self.issues)
        self.setCentralWidget(central)
        self.status = SyncStatus()
        self.statusBar().addPermanentWidget(self.status, 1)
        self.statusBar().setSizeGripEnabled(False)

    def _shortcuts(self) -> None:
        for keys in (QKeySequence.StandardKey.Find,):
            QShortcut(QKeySequence(keys), self, self.focus_search)
        for keys in ("Ctrl+S", "F5"):
            QShortcut(QKeySequence(keys), self, self.sync_now)

    # --- workspaces ---------------------------------------------------------------

    def find_workspaces(self) -> None:
        """Ask which workspaces the role grants give; a sync may bring new grants."""
        replica, user_id = self.context.replica, self.context.user_id
        self.context.runner.run(
            lambda: (available(replica, user_id), display_name(replica, user_id)),
            self._show_workspaces,
            self._failed,
        )

    def _show_workspaces(self, found: tuple[list[WorkspaceEntry], str]) -> None:
        entries, name = found
        if name:
            self.context.display_name = name
            self.user_label.setText(name)
        order = {e.key: i for i, e in enumerate(entries)}
        known = {self.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.nav.count())}
        entries = [e for e in entries if e.key not in known]
        for entry in entries:
            page = entry.build(self.context, None)
            if hasattr(page, "changed"):
                page.changed.connect(self.refresh_sync_facts)
                page.changed.connect(self.sync.push_soon)
            if hasattr(page, "send_now"):
                page.send_now.connect(self.sync.sync_now)
            # In the order `available` gives, whichever arrived first (a first sync brings
            # the user's own record before their centre's).
            keys = [
                self.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.nav.count())
            ]
            row = sum(1 for k in keys if order.get(k, -1) < order[entry.key])
            self.workspaces.insert(row, page)
            self.stack.addWidget(page)
            item = QListWidgetItem(theme.icon(entry.icon, "#ccfbf1"), entry.title)
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            item.setToolTip(entry.title)
            self.nav.insertItem(row, item)
        day = next((e for e in entries if e.key.split(":")[0] in DAYS_WORK), None)
        if day is not None and not self.chosen:  # the day's work first, not My CP2
            keys = [
                self.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.nav.count())
            ]
            self.nav.setCurrentRow(keys.index(day.key))
        elif self.workspaces and self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)
        elif not self.workspaces:
            self.stack.setCurrentWidget(self.no_workspace)

    def _on_nav(self, row: int) -> None:
        if 0 <= row < len(self.workspaces):
            self.stack.setCurrentWidget(self.workspaces[row])

    def current_workspace(self) -> QWidget | None:
        page = self.stack.currentWidget()
        return page if page in self.workspaces else None

    def focus_search(self) -> None:
        page = self.current_workspace()
        if page is not None and hasattr(page, "focus_search"):
            page.focus_search()

    def attach_updates(self, updates: UpdatePrompt) -> None:
        """Look for updates now and after each sync, through `updates`."""
        self.updates = updates
        updates.check()

    # --- sync ---------------------------------------------------------------------

    def sync_now(self) -> None:
        if self.revoked is not None:
            self._show_revoked()
            return
        if self.too_old is not None:
            self._show_too_old()
            return
        if not self.sync.available:
            self.messages.show_message(
                "This session was opened offline. Sign in again with the network on to sync.",
                "info",
            )
            return
        self.announce = True
        self.sync.sync_now()

    def refresh_sync_facts(self) -> None:
        replica = self.context.replica
        self.context.runner.run(lambda: sync_issues.sync_facts(replica), self._show_facts)

    def _show_facts(self, facts: sync_issues.SyncFacts) -> None:
        self.status.set_pending(facts.pending)
        self.status.set_last_sync(facts.last_sync or self.sync.last_success, self.context.today())
        self.status.set_issues(len(facts.issues))
        self.issues.set_issues(facts.issues)
        if not facts.issues:
            self.issues.hide()

    def _synced(self, report) -> None:
        self.status.set_online(True, True)
        attention = getattr(report, "conflicts", 0) + getattr(report, "refused", 0)
        if attention:
            self.messages.show_message(
                f"Synced, but {attention} change{'s need' if attention != 1 else ' needs'} your "
                "attention: see the panel on the right.",
                "warning",
            )
            self.issues.show()
        elif self.announce:
            sent, got = getattr(report, "pushed", 0), getattr(report, "pulled", 0)
            self.messages.show_message(
                f"Synced: {sent} change{'s' if sent != 1 else ''} sent, {got} received.",
                "success",
                5000,
            )
        self.announce = False
        self.refresh_sync_facts()
        if getattr(report, "pulled", 1) or attention or getattr(report, "restored", False):
            for page in self.workspaces:  # in place: selection, scroll and sort are kept
                if hasattr(page, "reload"):
                    page.reload()
            self.find_workspaces()
        if self.updates is not None:
            self.updates.check()

    def _live_state(self, up: bool) -> None:
        """The channel came up or went down. Up after the hub was out of reach: it is
        reachable again, so what was made meanwhile is sent now, not at the next timer."""
        if up and self.sync.online is False:
            self.sync.online = True
            self.status.set_online(True, self.sync.available)
            self.sync.sync_now()
        self.status.set_live(up)

    def _first_screens(self) -> None:
        """Mid-way through a first sync: open what can be opened already."""
        for page in self.workspaces:
            if hasattr(page, "reload"):
                page.reload()
        self.find_workspaces()

    def _sync_failed(self, error: BaseException) -> None:
        announced, self.announce = self.announce, False
        code = getattr(error, "code", "")
        if code in ("update_required", "device_revoked"):  # refused for good: stop asking
            self.sync.halt()
            if self.live is not None:
                self.live.stop()
            if code == "update_required":
                self.too_old = user_message(error)
                self._show_too_old()
            else:
                self.revoked = user_message(error)
                self.status.set_revoked()
                self._show_revoked()
            self.refresh_sync_facts()
            return
        self.status.set_online(self.sync.online, True)
        kind = "warning" if self.sync.online is False else "error"
        if announced or kind == "error" or self.status.live:  # offline again: said once
            self.messages.show_message(user_message(error), kind, reference=reference(error))
        self.refresh_sync_facts()

    def _show_revoked(self) -> None:
        self.messages.show_message(
            self.revoked,
            "error",
            action=(ACTION, self.export_unsynced),
        )

    def _show_too_old(self) -> None:
        if self.updates is not None:
            self.updates.hub_too_old_for_us(self.too_old or "")
            return
        self.status.set_too_old()
        self.messages.show_message(
            f"{self.too_old} Until then you can export your unsynced changes.",
            "error",
            action=(ACTION, self.export_unsynced),
        )

    def export_unsynced(self, path: str | Path | None = None) -> None:
        """Save the changes waiting in the outbox to a file (asks where unless told)."""
        from cp2desk.sync.export import export_pending

        replica = self.context.replica
        export_unsynced(
            self,
            self.context.runner,
            self.messages,
            lambda target: export_pending(replica, target),
            path,
        )

    # --- issues -------------------------------------------------------------------

    def toggle_issues(self) -> None:
        self.issues.setVisible(not self.issues.isVisible())

    def _dismiss(self, ids: list[int]) -> None:
        replica = self.context.replica
        self.context.runner.run(
            lambda: sync_issues.dismiss(replica, ids), lambda _: self.refresh_sync_facts()
        )

    def _failed(self, error: BaseException) -> None:
        self.messages.error(user_message(error), reference(error))

    # --- closing ------------------------------------------------------------------

    def shutdown(self) -> None:
        """Let running operations finish so nothing is cut off mid-transaction."""
        if self.live is not None:
            self.live.stop()
        self.sync.stop()
        self.context.runner.wait()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
