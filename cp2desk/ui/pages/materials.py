"""A centre manager's view of their centre's exam materials: what the clerk logged.

Read-only: for each session, when the papers were collected and by whom, with which
seals, and when the scripts went back. It loads itself off the UI thread, so the
centre workspace only adds the tab and calls `reload()` with its own.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.custody import CustodyLine, centre_materials
from cp2desk.ui.context import DeskContext
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.models.rows_model import Column
from cp2desk.ui.pages.custody import (
    CustodyModel,
    handover_text,
    seals_text,
    status_icon,
    status_text,
    who_text,
)

COLUMNS: list[Column[CustodyLine]] = [
    Column("Session", lambda x: x.session.label, 160),
    Column("Status", status_text, 210, icon=status_icon, tooltip=status_text),
    Column("Papers collected", lambda x: handover_text(x.collected), 200,
           tooltip=lambda x: who_text(x.collected)),
    Column("Seals issued", lambda x: seals_text(x.collected), 150,
           tooltip=lambda x: seals_text(x.collected)),
    Column("Scripts returned", lambda x: handover_text(x.returned), 200,
           tooltip=lambda x: who_text(x.returned)),
    Column("Seals returned", lambda x: seals_text(x.returned), 150,
           tooltip=lambda x: seals_text(x.returned)),
]  # fmt: skip


class MaterialsPage(QWidget):
    def __init__(
        self, context: DeskContext, station_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context, self.station_id = context, station_id
        self.lines: list[CustodyLine] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(8)
        self.intro = QLabel(
            "Your centre's papers and scripts as the KNEC clerk logged them at the "
            "distribution centre. If something here is wrong, tell the clerk at once."
        )
        self.intro.setObjectName("Muted")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.model = CustodyModel(COLUMNS, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(30)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, column in enumerate(COLUMNS):
            self.view.setColumnWidth(i, column.width)
        self.empty = EmptyState(
            "Nothing logged yet",
            "When the KNEC clerk logs your collections and returns at the distribution "
            "centre, they appear here after a sync.",
            "materials",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self.stack.setCurrentWidget(self.empty)
        layout.addWidget(self.stack, 1)

    def reload(self) -> None:
        replica, station, now = self.context.replica, self.station_id, self.context.now()
        self.context.runner.run(lambda: centre_materials(replica, station, now), self.set_lines)

    def set_lines(self, lines: list[CustodyLine]) -> None:
        """Sessions up to today, and any later one already logged."""
        today = self.context.today()
        self.lines = [x for x in lines if x.session.day <= today or x.collected]
        self.model.set_rows(self.lines)
        logged = any(x.collected or x.returned for x in self.lines)
        self.stack.setCurrentWidget(self.view if logged else self.empty)
