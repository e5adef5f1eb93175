"""The officers deployed to the centre: role, phone, ID and TSC numbers, redeployments."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.glance import Officer
from cp2desk.ui import theme
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.models.rows_model import Column, RowsModel
from cp2desk.ui.rows_table import rows_table

COLUMNS: list[Column[Officer]] = [
    Column("Officer", lambda o: o.name, 230),
    Column("Role", lambda o: o.position, 140),
    Column("Phone", lambda o: o.phone, 130),
    Column("ID number", lambda o: o.national_id, 110),
    Column("TSC no.", lambda o: o.tsc_number or "—", 90),
    Column("Deployment", lambda o: o.note or "Whole series", 300),
]


class OfficersPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: RowsModel[Officer] = RowsModel(COLUMNS, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search officers by name, role, phone or number")
        self.search.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        layout.addWidget(self.search)
        self.view = rows_table(self.proxy, COLUMNS)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        self.empty = EmptyState(
            "No officers yet",
            "The officers deployed to this centre appear here after a sync.",
            "officers",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)

    def set_officers(self, officers: list[Officer]) -> None:
        self.model.set_rows(officers)
        self.stack.setCurrentWidget(self.view if officers else self.empty)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
