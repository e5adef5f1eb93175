"""Redeployments in the sub-county, newest first: all, or one centre's moves in and out,
searchable by officer. Moves made on this computer and not yet accepted by the hub say so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.redeploy_history import MoveLine
from cp2desk.services.subcounty import CentreInfo
from cp2desk.ui import theme
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.models.subcounty_models import HistoryModel, LinesFilter
from cp2desk.ui.pages.subcounty_table import LinesTable


class HistoryPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HistoryModel(self)
        self.proxy = LinesFilter(
            lambda m: f"{m.officer}\n{m.from_centre}\n{m.to_centre}\n{m.reason}".casefold(), self
        )
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        row = QHBoxLayout()
        self.centre = QComboBox()
        self.centre.setAccessibleName("Centre")
        self.centre.setMinimumWidth(260)
        self.centre.currentIndexChanged.connect(self._on_centre)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find an officer, a centre or a reason")
        self.search.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        row.addWidget(QLabel("Centre"))
        row.addWidget(self.centre)
        row.addWidget(self.search, 1)
        layout.addLayout(row)
        self.view = LinesTable(self.proxy, HistoryModel.WIDTHS)
        self.empty = EmptyState(
            "No redeployments",
            "Moves you or another director make in the sub-county are listed here, with "
            "who made them, when and why.",
            "history",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        self.footer = QLabel()
        self.footer.setObjectName("Muted")
        layout.addWidget(self.footer)

    def set_moves(self, moves: list[MoveLine], centres: list[CentreInfo]) -> None:
        chosen = self.centre.currentData()
        self.centre.blockSignals(True)
        self.centre.clear()
        self.centre.addItem("All centres", "")
        for c in centres:
            self.centre.addItem(c.name, c.station_id)
        self.centre.setCurrentIndex(max(0, self.centre.findData(chosen or "")))
        self.centre.blockSignals(False)
        self.model.set_lines(moves)
        self._on_centre()

    def show_centre(self, station_id: str) -> None:
        self.centre.setCurrentIndex(max(0, self.centre.findData(station_id)))

    def _on_centre(self) -> None:
        station = self.centre.currentData() or ""
        self.proxy.set_only(
            (lambda m: station in (m.from_station_id, m.to_station_id)) if station else None
        )
        self._refresh()

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._refresh()

    def _refresh(self) -> None:
        shown = self.proxy.rowCount()
        self.stack.setCurrentWidget(self.view if shown else self.empty)
        waiting = sum(1 for m in self.model.lines if m.waiting)
        self.footer.setText(
            f"{shown} redeployment{'s' if shown != 1 else ''} shown"
            + (f"; {waiting} made here waiting to sync." if waiting else ".")
        )

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
