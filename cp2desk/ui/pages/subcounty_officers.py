"""Every officer deployed in the sub-county, found by name, ID number, TSC number or
phone; where they serve at the session shown, their mark, and their redeployments.
The director redeploys the selected officer from here."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.redeploy_history import MoveLine
from cp2desk.services.subcounty import Overview
from cp2desk.services.subcounty_summary import OfficerLine, officers
from cp2desk.ui import theme
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.models.subcounty_models import HistoryModel, LinesFilter, OfficersModel
from cp2desk.ui.pages.subcounty_table import LinesTable


class OfficersPage(QWidget):
    redeploy_requested = Signal(object)  # OfficerLine

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.overview: Overview | None = None
        self.moves: list[MoveLine] = []
        self.model = OfficersModel(self)
        self.proxy = LinesFilter(lambda o: o.search_key, self)
        self.proxy.setSourceModel(self.model)
        self.history_model = HistoryModel(self)
        self.history_proxy = LinesFilter(lambda m: m.officer.casefold(), self)
        self.history_proxy.setSourceModel(self.history_model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find an officer by name, ID number, TSC number or phone")
        self.search.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self.count = QLabel()
        self.count.setObjectName("Muted")
        self.redeploy_button = QPushButton(theme.icon("redeploy"), "Redeploy…")
        self.redeploy_button.setProperty("primary", True)
        self.redeploy_button.setToolTip("Move the selected officer to another centre")
        self.redeploy_button.clicked.connect(self._redeploy)
        row.addWidget(self.search, 1)
        row.addWidget(self.count)
        row.addWidget(self.redeploy_button)
        layout.addLayout(row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        self.view = LinesTable(self.proxy, OfficersModel.WIDTHS)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._selection())
        self.view.doubleClicked.connect(lambda _index: self._redeploy())
        self.empty = EmptyState("No officer matches", "", "search")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        splitter.addWidget(self.stack)
        history = QWidget()
        history_layout = QVBoxLayout(history)
        history_layout.setContentsMargins(0, 4, 0, 0)
        self.history_title = QLabel("Redeployments")
        self.history_title.setObjectName("CardTitle")
        self.history_view = LinesTable(self.history_proxy, HistoryModel.WIDTHS)
        self.history_view.setColumnHidden(HistoryModel.OFFICER, True)  # it is the selected one
        history_layout.addWidget(self.history_title)
        history_layout.addWidget(self.history_view, 1)
        splitter.addWidget(history)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        self._selection()

    def set_overview(self, overview: Overview | None, moves: list[MoveLine]) -> None:
        chosen = self.view.current_line()
        self.overview, self.moves = overview, moves
        self.model.set_lines(officers(overview) if overview else [])
        self._show_count()
        if chosen is not None:
            self.select_officer(chosen.professional_id)
        self._selection()

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._show_count()
        if self.proxy.rowCount() == 1:
            self.view.selectRow(0)

    def _show_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(
            f"{shown} of {total} officers" if shown != total else f"{total} officers"
        )
        self.stack.setCurrentWidget(self.view if shown else self.empty)
        if not total:
            self.empty.set_text(
                "No officers on this computer yet",
                "The deployment lists of your centres arrive with the next sync (F5).",
            )
        else:
            self.empty.set_text("No officer matches", "Try part of a name, or all of a number.")

    def _selection(self) -> None:
        line: OfficerLine | None = self.view.current_line()
        movable = (
            line is not None
            and self.overview is not None
            and line.status == "active"
            and any(
                self.overview.directorate.may_move(line.position_code, c.sub_county_id)
                for c in self.overview.centres
                if c.station_id == line.station_id
            )
        )
        self.redeploy_button.setEnabled(line is not None)
        self.redeploy_button.setToolTip(
            "Move the selected officer to another centre"
            if movable or line is None
            else "Open to see why this officer cannot be moved by you"
        )
        own = [
            m for m in self.moves if line is not None and m.professional_id == line.professional_id
        ]
        self.history_model.set_lines(own)
        self.history_title.setText(
            "Select an officer to see their redeployments"
            if line is None
            else f"Redeployments of {line.name}: " + (f"{len(own)}" if own else "none")
        )

    def _redeploy(self) -> None:
        line = self.view.current_line()
        if line is not None:
            self.redeploy_requested.emit(line)

    def select_officer(self, professional_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.line_at(row).professional_id == professional_id:
                self.view.selectRow(row)
                self.view.scrollTo(self.proxy.index(row, 0))
                return

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
