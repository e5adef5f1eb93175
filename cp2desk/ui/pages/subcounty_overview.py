"""The sub-county at a glance: every exam centre, deployed against required per role.

Shortfalls are red and surpluses amber; any column sorts (a role's column by its gap,
so the centres shortest of that role come first). Double-click a centre for its
redeployments.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.subcounty import Overview
from cp2desk.services.subcounty_summary import CentreStaffing, staffing, staffing_totals
from cp2desk.ui import theme
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.models.subcounty_models import LinesFilter, StaffingModel
from cp2desk.ui.pages.subcounty_table import Figures, LinesTable

CENTRE_WIDTH, CODE_WIDTH, NUMBER_WIDTH, ROLE_WIDTH = 236, 84, 92, 96


class OverviewPage(QWidget):
    export_requested = Signal()
    centre_history_requested = Signal(str)  # station id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = StaffingModel(self)
        self.proxy = LinesFilter(lambda s: f"{s.centre.name}\n{s.centre.code}".casefold(), self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        self.figures = Figures()
        layout.addWidget(self.figures)
        layout.addLayout(self._filters())
        self.view = LinesTable(self.proxy)
        self.view.doubleClicked.connect(self._history)
        self.empty = EmptyState(
            "No exam centres on this computer yet",
            "The centres of your sub-county, their requirements and deployments arrive with "
            "the next sync. Press F5 to sync now.",
            "subcounty",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        self.legend = QLabel()
        self.legend.setObjectName("Muted")
        self.legend.setWordWrap(True)
        layout.addWidget(self.legend)

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a centre by name or code")
        self.search.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_search)
        self.only_short = QCheckBox("Only centres short of officers")
        self.only_short.toggled.connect(
            lambda on: self.proxy.set_only((lambda s: s.shortfall > 0) if on else None)
        )
        self.export_button = QPushButton(theme.icon("export"), "Export deployment list…")
        self.export_button.setToolTip("Save every deployment of the sub-county as a CSV file")
        self.export_button.clicked.connect(self.export_requested)
        row.addWidget(self.search, 2)
        row.addWidget(self.only_short)
        row.addStretch(1)
        row.addWidget(self.export_button)
        return row

    def set_overview(self, overview: Overview | None) -> None:
        lines = staffing(overview) if overview else []
        label = overview.session.label if overview and overview.session else ""
        positions = overview.positions if overview else []
        self.model.set_staffing(lines, positions, label)
        widths = [CENTRE_WIDTH, CODE_WIDTH, NUMBER_WIDTH]
        self.view.apply_widths(widths + [ROLE_WIDTH] * len(positions) + [70, 70])
        totals = staffing_totals(lines)
        self.figures.set_figures(
            [
                ("Exam centres", str(totals.centres), ""),
                (
                    "Centres short of officers",
                    str(totals.centres_short),
                    _tone(totals.centres_short, "absent"),
                ),
                (
                    "Officers short",
                    str(totals.officers_short),
                    _tone(totals.officers_short, "absent"),
                ),
                (
                    "Officers over requirement",
                    str(totals.officers_over),
                    _tone(totals.officers_over, "late"),
                ),
                ("Deployed of required", f"{totals.deployed} / {totals.required}", ""),
            ]
        )
        self.legend.setText(
            f"Officers deployed / required at {label}. Red: fewer than required; amber: more "
            "than required. Click a column to sort; double-click a centre for its redeployments."
            if label
            else ""
        )
        self.stack.setCurrentWidget(self.view if lines else self.empty)

    def line_of(self, centre_name: str) -> CentreStaffing | None:
        return next((s for s in self.model.lines if s.centre.name == centre_name), None)

    def _history(self, index) -> None:
        line = self.proxy.line_at(index.row())
        if line is not None:
            self.centre_history_requested.emit(line.centre.station_id)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()


def _tone(value: int, tone: str) -> str:
    return tone if value else "present"
