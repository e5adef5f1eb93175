"""The sub-county director's workspace: overview, attendance, officers, redeployments.

It loads the overview of one session (off the UI thread) and hands plain rows to its
pages; choosing another session reloads. Redeploying and reopening run as operations
through their dialogs, exports write CSV files; refusals land in the dialog or the
message bar. A sync reloads everything, so a move the hub refused disappears from the
overview (and appears in the issues panel) without the director doing anything.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services import redeploy as moves
from cp2desk.services import reopen, subcounty_csv
from cp2desk.services.redeploy_history import MoveLine, history
from cp2desk.services.subcounty import Directorate, Overview, load_overview
from cp2desk.services.subcounty_summary import OfficerLine
from cp2desk.ui import theme
from cp2desk.ui.confirm import confirm
from cp2desk.ui.context import DeskContext
from cp2desk.ui.lazy_tabs import LazyTabs
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.operation import user_message
from cp2desk.ui.pages.subcounty_attendance import AttendancePage
from cp2desk.ui.pages.subcounty_claims import SubCountyClaimsPage
from cp2desk.ui.pages.subcounty_history import HistoryPage
from cp2desk.ui.pages.subcounty_officers import OfficersPage
from cp2desk.ui.pages.subcounty_overview import OverviewPage
from cp2desk.ui.pages.subcounty_redeploy import RedeployDialog
from cp2desk.ui.pages.subcounty_reopen import ReopenDialog

PAGES = (
    ("overview", "subcounty", "Overview"),
    ("attendance", "register", "Attendance"),
    ("officers", "officers", "Officers"),
    ("history", "history", "Redeployments"),
    ("claims", "claim", "Claims"),
)


class SubcountyWorkspace(QWidget):
    changed = Signal()
    """A write was committed here: the main window refreshes the pending count."""
    loaded = Signal()

    def __init__(
        self, context: DeskContext, who: Directorate, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.context, self.who = context, who
        self.overview: Overview | None = None
        self.moves: list[MoveLine] = []
        self.redeploy_dialog: RedeployDialog | None = None
        self.reopen_dialog: ReopenDialog | None = None
        self._stale: set[str] = set()
        """Pages whose rows are older than the overview in memory."""
        self._load(None)  # reads the replica on the runner's thread while the pages are built
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(8)
        top = QHBoxLayout()
        self.title = QLabel(f"{who.title} sub-county")
        self.title.setObjectName("PageTitle")
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Session"))
        self.session_combo = QComboBox()
        self.session_combo.setAccessibleName("Session shown")
        self.session_combo.setMinimumWidth(250)
        self.session_combo.currentIndexChanged.connect(self._on_session)
        self.badge = QLabel()
        self.badge.setObjectName("Badge")
        self.badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        top.addWidget(self.session_combo)
        top.addWidget(self.badge)
        layout.addLayout(top)
        self.subtitle = QLabel(who.role_titles)
        self.subtitle.setObjectName("PageSubtitle")
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.subtitle)
        self.messages = MessageBar()
        layout.addWidget(self.messages)
        self.tabs = LazyTabs()
        self.tabs.page_built.connect(self._page_built)
        for key, icon, title in PAGES:
            self.tabs.add_page(key, theme.icon(icon), title, getattr(self, f"_build_{key}"))
        self.tabs.currentChanged.connect(lambda _index: self._fill_current())
        layout.addWidget(self.tabs, 1)
        self.tabs.page("claims")  # loads its claims with the workspace (after the overview)

    # --- pages: built when first shown (LazyTabs), filled from the overview in memory ---

    @property
    def overview_page(self) -> OverviewPage:
        return self.tabs.page("overview")

    @property
    def attendance(self) -> AttendancePage:
        return self.tabs.page("attendance")

    @property
    def officers(self) -> OfficersPage:
        return self.tabs.page("officers")

    @property
    def history_page(self) -> HistoryPage:
        return self.tabs.page("history")

    @property
    def claims(self) -> SubCountyClaimsPage:
        return self.tabs.page("claims")

    def _build_overview(self) -> OverviewPage:
        page = OverviewPage()
        page.export_requested.connect(lambda: self.export_deployments())
        page.centre_history_requested.connect(self.show_centre_history)
        return page

    def _build_attendance(self) -> AttendancePage:
        page = AttendancePage()
        page.export_requested.connect(lambda: self.export_attendance())
        page.reopen_requested.connect(self.open_reopen)
        return page

    def _build_officers(self) -> OfficersPage:
        page = OfficersPage()
        page.redeploy_requested.connect(self.open_redeploy)
        return page

    def _build_history(self) -> HistoryPage:
        return HistoryPage()

    def _build_claims(self) -> SubCountyClaimsPage:
        page = SubCountyClaimsPage(self.context, self.who.sub_county_ids, self.messages)
        page.set_sub_county_names(self.who.names)
        page.reload()
        return page

    def _page_built(self, key: str, _page: QWidget) -> None:
        if key in self._stale:
            self._fill(key)

    def _fill_current(self) -> None:
        key = self.tabs.current_key()
        if key in self._stale and self.tabs.built(key) is not None:
            self._fill(key)

    def _fill(self, key: str) -> None:
        overview = self.overview
        if overview is None:
            return
        self._stale.discard(key)
        if key == "overview":
            self.overview_page.set_overview(overview)
        elif key == "attendance":
            marking = (
                overview.now_index is not None and overview.now_index == overview.session_index
            )
            self.attendance.set_overview(overview, "marking is open now" if marking else "")
        elif key == "officers":
            self.officers.set_overview(overview, self.moves)
        elif key == "history":
            self.history_page.set_moves(self.moves, overview.centres)

    # --- loading ------------------------------------------------------------------

    def reload(self, keep_message: bool = False) -> None:
        """Load again (after a sync, a change, another session chosen). A reload from
        outside (a sync) clears a success message that the sync may have overtaken."""
        if not keep_message and self.messages.kind == "success":
            self.messages.clear()
        self._load(self.session_combo.currentData())
        claims = self.tabs.built("claims")
        if claims is not None:
            claims.reload()

    def _load(self, session_id: str | None) -> None:
        replica, user_id, now = self.context.replica, self.context.user_id, self.context.now()

        def load() -> tuple[Overview, list[MoveLine]]:
            return load_overview(replica, user_id, now, session_id), history(replica, user_id)

        self.context.runner.run(load, self._loaded, self._failed)

    def _loaded(self, result: tuple[Overview, list[MoveLine]]) -> None:
        self.overview, self.moves = result
        overview = self.overview
        self._fill_sessions(overview)
        officers = len({d.professional_id for d in overview.deployments})
        parts = [
            overview.directorate.role_titles,
            overview.series_name,
            f"{len(overview.centres)} exam centres",
            f"{officers} officers",
        ]
        self.subtitle.setText("   ·   ".join(p for p in parts if p))
        self._badge(overview)
        # Only the page in view is filled now; the others when they are next shown, so a
        # sub-county of 5,000 officers opens on its overview without building the rest.
        self._stale = {"overview", "attendance", "officers", "history"}
        self._fill_current()
        self.loaded.emit()

    def _fill_sessions(self, overview: Overview) -> None:
        self.session_combo.blockSignals(True)
        self.session_combo.clear()
        for s in overview.sessions:
            self.session_combo.addItem(f"{s.label}, {s.starts_at:%H:%M}", s.id)
        if overview.session_index is not None:
            self.session_combo.setCurrentIndex(overview.session_index)
        self.session_combo.blockSignals(False)

    def _badge(self, overview: Overview) -> None:
        session, now = overview.session, self.context.now()
        if session is None:
            tone, text = "waiting", "No sessions"
        elif overview.now_index == overview.session_index:
            tone, text = "open", "Marking now"
        elif dt.datetime.combine(session.day, session.starts_at) > now:
            tone, text = "waiting", "Not started yet"
        else:
            tone, text = "signed", "Past session"
        self.badge.setText(text)
        self.badge.setProperty("tone", tone)
        theme.repolish(self.badge)

    def _on_session(self) -> None:
        self.reload(keep_message=True)

    def _failed(self, error: BaseException) -> None:
        self.messages.error(user_message(error))

    # --- redeploying --------------------------------------------------------------

    def open_redeploy(self, officer: OfficerLine) -> RedeployDialog | None:
        if self.overview is None:
            return None
        dialog = RedeployDialog(officer, self.overview, self.context.now(), self)
        dialog.check_requested.connect(lambda *choice: self._check(dialog, officer, choice))
        dialog.redeploy_requested.connect(lambda *choice: self._confirm(dialog, officer, choice))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self.redeploy_dialog = dialog
        dialog.open()
        return dialog

    def _check(self, dialog: RedeployDialog, officer: OfficerLine, choice: tuple) -> None:
        replica, user_id, now = self.context.replica, self.context.user_id, self.context.now()
        to, from_session, reason = choice

        def done(check: moves.RedeployCheck) -> None:
            if dialog is self.redeploy_dialog:
                dialog.show_check(check, choice)

        self.context.runner.run(
            lambda: moves.check_redeploy(
                replica, user_id, officer.deployment_id, to, from_session, reason, now
            ),
            done,
            self._failed,
        )

    def _confirm(self, dialog: RedeployDialog, officer: OfficerLine, choice: tuple) -> None:
        warnings = dialog.check.warnings if dialog.check else []
        if not warnings:
            self._redeploy(dialog, officer, choice)
            return
        box = confirm(
            dialog,
            "Leave a centre short?",
            "\n\n".join(warnings) + "\n\nRedeploy anyway?",
            "Redeploy anyway",
            lambda: self._redeploy(dialog, officer, choice),
        )
        box.rejected.connect(lambda: dialog.show_check(dialog.check, dialog.choice()))

    def _redeploy(self, dialog: RedeployDialog, officer: OfficerLine, choice: tuple) -> None:
        replica, user_id, now = self.context.replica, self.context.user_id, self.context.now()
        to, from_session, reason = choice

        def done(result: moves.RedeployResult) -> None:
            if dialog is self.redeploy_dialog:
                dialog.accept()
            self.messages.success(
                f"{result.summary}. Saved on this computer; it goes to the hub with the next sync."
            )
            self.changed.emit()
            self.reload(keep_message=True)

        def failed(error: BaseException) -> None:
            if dialog is self.redeploy_dialog:
                dialog.show_error(user_message(error))
            else:
                self._failed(error)

        self.context.runner.run(
            lambda: moves.redeploy(
                replica, user_id, officer.deployment_id, to, from_session, reason, now
            ),
            done,
            failed,
        )

    def _closed(self, dialog: QWidget) -> None:
        if dialog is self.redeploy_dialog:
            self.redeploy_dialog = None
        if dialog is self.reopen_dialog:
            self.reopen_dialog = None
        dialog.deleteLater()

    # --- reopening ----------------------------------------------------------------

    def open_reopen(self, station_id: str) -> None:
        session = self.overview.session if self.overview else None
        if session is None:
            return
        replica = self.context.replica
        self.context.runner.run(
            lambda: reopen.signoff_facts(replica, station_id, session.id),
            self._show_reopen,
            self._failed,
        )

    def _show_reopen(self, facts: reopen.SignoffFacts | None) -> None:
        if facts is None or not facts.can_reopen:
            self.messages.show_message("That session is not signed off there any more.", "info")
            return
        dialog = ReopenDialog(facts, self)
        dialog.reopen_requested.connect(lambda reason: self._reopen(dialog, reason))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self.reopen_dialog = dialog
        dialog.open()

    def _reopen(self, dialog: ReopenDialog, reason: str) -> None:
        replica, user_id, now = self.context.replica, self.context.user_id, self.context.now()
        facts = dialog.facts

        def done(result: reopen.ReopenResult) -> None:
            if dialog is self.reopen_dialog:
                dialog.accept()
            self.messages.success(
                f"{result.summary}. The centre manager can correct the marks after the next sync."
            )
            self.changed.emit()
            self.reload(keep_message=True)

        def failed(error: BaseException) -> None:
            if dialog is self.reopen_dialog:
                dialog.show_error(user_message(error))

        self.context.runner.run(
            lambda: reopen.reopen_session(
                replica, user_id, facts.station_id, facts.session_id, reason, now
            ),
            done,
            failed,
        )

    # --- exporting ----------------------------------------------------------------

    def export_deployments(self, path: str | Path | None = None) -> None:
        self._export(
            "deployments", "Export the deployment list", subcounty_csv.export_deployments, path
        )

    def export_attendance(self, path: str | Path | None = None) -> None:
        self._export(
            "attendance", "Export the attendance summary", subcounty_csv.export_attendance, path
        )

    def _export(self, what: str, title: str, write, path: str | Path | None) -> None:
        """Ask where (unless told), then write the file off the UI thread."""
        if path is None:
            name = f"{what}-{self.who.title.lower().replace(' ', '-')}-{self.context.today()}.csv"
            path, _filter = QFileDialog.getSaveFileName(
                self, title, str(Path.home() / name), "CSV files (*.csv)"
            )
            if not path:
                return
        replica, user_id, now = self.context.replica, self.context.user_id, self.context.now()
        target = Path(path)
        noun = "deployment lines" if what == "deployments" else "centre sessions"
        self.context.runner.run(
            lambda: write(replica, user_id, target, now),
            lambda count: self.messages.success(f"Saved {count} {noun} to {target}."),
            self._failed,
        )

    # --- navigation ---------------------------------------------------------------

    def show_centre_history(self, station_id: str) -> None:
        self.tabs.setCurrentWidget(self.history_page)
        self.history_page.show_centre(station_id)

    def focus_search(self) -> None:
        page = self.tabs.currentWidget()
        if hasattr(page, "focus_search"):
            page.focus_search()
