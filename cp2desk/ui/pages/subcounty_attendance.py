"""Attendance across the sub-county for one session: each centre's counts and state
(which have not marked yet), and who is absent, centre by centre.

A signed-off session can be reopened here for correction, and the summary of every
session so far exported as CSV.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.subcounty import Overview
from cp2desk.services.subcounty_summary import absent, attendance_by_centre, not_yet_marked
from cp2desk.ui import theme
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.models.subcounty_models import AbsentModel, AttendanceModel, LinesFilter
from cp2desk.ui.pages.subcounty_table import LinesTable


class AttendancePage(QWidget):
    reopen_requested = Signal(str)  # station id
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AttendanceModel(self)
        self.proxy = LinesFilter(lambda a: f"{a.centre.name}\n{a.centre.code}".casefold(), self)
        self.proxy.setSourceModel(self.model)
        self.absent_model = AbsentModel(self)
        self.absent_proxy = LinesFilter(lambda a: f"{a.name}\n{a.centre}".casefold(), self)
        self.absent_proxy.setSourceModel(self.absent_model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        self.headline = QLabel()
        self.headline.setObjectName("CardTitle")
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        layout.addLayout(self._filters())
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        self.view = LinesTable(self.proxy, (260, 80, 80, 64, 72, 96, 200))
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._selection())
        self.empty = EmptyState("No exam centres", "", "register")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        splitter.addWidget(self.stack)
        splitter.addWidget(self._absent_card())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([340, 220])
        layout.addWidget(splitter, 1)
        self.footer = QLabel()
        self.footer.setObjectName("Muted")
        self.footer.setWordWrap(True)
        layout.addWidget(self.footer)
        self._selection()

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a centre")
        self.search.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_search)
        self.only_waiting = QCheckBox("Only centres that have not marked yet")
        self.only_waiting.toggled.connect(
            lambda on: self.proxy.set_only((lambda a: a.state == "not_marked") if on else None)
        )
        self.reopen_button = QPushButton(theme.icon("reopen"), "Reopen session…")
        self.reopen_button.setToolTip("Reopen the selected centre's signed-off session")
        self.reopen_button.clicked.connect(self._reopen)
        self.export_button = QPushButton(theme.icon("export"), "Export attendance summary…")
        self.export_button.setToolTip("Save each centre's counts for every session so far as CSV")
        self.export_button.clicked.connect(self.export_requested)
        row.addWidget(self.search, 2)
        row.addWidget(self.only_waiting)
        row.addStretch(1)
        row.addWidget(self.reopen_button)
        row.addWidget(self.export_button)
        return row

    def _absent_card(self) -> QFrame:
        card = QFrame()
        card.setObjectName("Card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(6)
        self.absent_title = QLabel("Absent")
        self.absent_title.setObjectName("CardTitle")
        layout.addWidget(self.absent_title)
        self.absent_view = LinesTable(self.absent_proxy, (220, 130, 260, 130))
        self.absent_empty = EmptyState("Nobody is marked absent", "", "success")
        self.absent_stack = QStackedWidget()
        self.absent_stack.addWidget(self.absent_view)
        self.absent_stack.addWidget(self.absent_empty)
        layout.addWidget(self.absent_stack, 1)
        return card

    def set_overview(self, overview: Overview | None, now_text: str = "") -> None:
        lines = attendance_by_centre(overview) if overview else []
        self.model.set_lines(lines)
        missing = absent(overview) if overview else []
        self.absent_model.set_lines(missing)
        label = overview.session.label if overview and overview.session else "this session"
        waiting = not_yet_marked(lines)
        expected = [line for line in lines if line.expected]
        if not expected:
            self.headline.setText(f"No officers are deployed for {label}.")
        elif waiting:
            self.headline.setText(
                f"{len(waiting)} of {len(expected)} centres have not marked {label} yet"
                + (f"; {now_text}" if now_text else "")
            )
        else:
            self.headline.setText(f"Every centre has started marking {label}.")
        self.absent_title.setText(
            f"Absent at {label}: {len(missing)} officer{'s' if len(missing) != 1 else ''}"
        )
        self.absent_stack.setCurrentWidget(self.absent_view if missing else self.absent_empty)
        self.stack.setCurrentWidget(self.view if lines else self.empty)
        total = sum(line.expected for line in lines)
        marked = sum(line.marked for line in lines)
        self.footer.setText(
            f"{marked} of {total} officers marked for {label} across the sub-county. "
            "Select a signed-off centre to reopen its session for correction."
            if lines
            else ""
        )
        self._selection()

    def _selection(self) -> None:
        line = self.view.current_line()
        signed = line is not None and line.signoff is not None and line.signoff.status == "signed"
        self.reopen_button.setEnabled(signed)

    def _reopen(self) -> None:
        line = self.view.current_line()
        if line is not None:
            self.reopen_requested.emit(line.centre.station_id)

    def select_centre(self, station_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.line_at(row).centre.station_id == station_id:
                self.view.selectRow(row)
                return

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
