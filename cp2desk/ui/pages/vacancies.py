"""Vacancies: six filters and Search, the results, and the chosen vacancy's details where
the professional ticks the confirmation box and submits, or withdraws (red) and can
apply again.

Searching and applying are the workspace's operations (they need the hub); the page
shows what comes back, including the thank-you message and a clear word when offline.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.vacancies import Criteria
from cp2desk.sync.portal import VacancyFilters, VacancyLine, VacancySearch
from cp2desk.ui import theme
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.models.vacancy_lines import VacancyLinesModel
from cp2desk.ui.pages.profile import card

CONFIRMATION = (
    "I confirm that the details in my profile are correct, that I am available for the "
    "whole examination, and that I will serve where KNEC deploys me."
)
FILTERS = (
    ("exam", "Exam", "Any exam"),
    ("activity", "Activity", "Any activity"),
    ("station_kind", "Duty station", "Any duty station"),
    ("position", "Position", "Any position"),
    ("county", "County", "Any county"),
    ("sub_county", "Sub-county", "Any sub-county"),
)
STATUS_WORDS = {
    "submitted": ("Submitted", "submitted"),
    "selected": ("Selected", "selected"),
    "withdrawn": ("Withdrawn", "waiting"),
    "refused": ("Not accepted", "refused"),
    "pending": ("Waiting to be sent", "pending"),
}
HOLDING = ("submitted", "selected", "pending")
"""Statuses that hold a position (pending: submitted here, not yet sent)."""


class TickLabel(QLabel):
    """The wrapped text of a check box (QCheckBox cannot wrap); clicking it ticks the box."""

    def __init__(self, text: str, box: QCheckBox) -> None:
        super().__init__(text)
        self.box = box
        self.setWordWrap(True)
        self.setBuddy(box)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.box.toggle()
        super().mousePressEvent(event)


class DetailsPanel(QFrame):
    """One vacancy: the facts, my standing, the tick, Submit or Withdraw."""

    apply_requested = Signal(object)
    withdraw_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.line: VacancyLine | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        self.title = QLabel()
        self.title.setObjectName("PageTitle")
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("PageSubtitle")
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        facts = QFormLayout()
        facts.setSpacing(6)
        self.facts: dict[str, QLabel] = {}
        for key, label in (
            ("activity", "Activity"),
            ("duty_station", "Duty station"),
            ("where", "Where"),
            ("dates", "Exam dates"),
            ("deadline", "Apply by"),
            ("positions", "Positions left"),
            ("rate", "Daily rate"),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts[key] = value
            facts.addRow(label, value)
        layout.addLayout(facts)
        standing = QHBoxLayout()
        standing_label = QLabel("Your application")
        standing_label.setObjectName("Muted")
        self.badge = QLabel()
        self.badge.setObjectName("Badge")
        standing.addWidget(standing_label)
        standing.addWidget(self.badge)
        standing.addStretch(1)
        layout.addLayout(standing)
        self.reason = QLabel()
        self.reason.setObjectName("Blocking")
        self.reason.setWordWrap(True)
        layout.addWidget(self.reason)
        self.confirm = QCheckBox()
        self.confirm.setAccessibleName(CONFIRMATION)
        self.confirm_text = TickLabel(CONFIRMATION, self.confirm)
        tick = QHBoxLayout()
        tick.addWidget(self.confirm, 0, Qt.AlignmentFlag.AlignTop)
        tick.addWidget(self.confirm_text, 1)
        layout.addLayout(tick)
        self.outcome = MessageBar()
        layout.addWidget(self.outcome)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.withdraw = QPushButton("Withdraw Application")
        self.withdraw.setProperty("tone", "danger")
        self.submit = QPushButton("Submit Application")
        self.submit.setProperty("primary", True)
        buttons.addWidget(self.withdraw)
        buttons.addWidget(self.submit)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.confirm.toggled.connect(self._enable)
        self.submit.clicked.connect(lambda: self.line and self.apply_requested.emit(self.line))
        self.withdraw.clicked.connect(self._withdraw)

    def show_line(self, line: VacancyLine, keep_outcome: bool = False) -> None:
        changed = self.line is None or self.line.id != line.id
        self.line = line
        self.title.setText(line.position)
        self.subtitle.setText(f"Exam {line.series_label}")
        self.facts["activity"].setText(line.activity)
        self.facts["duty_station"].setText(line.duty_station)
        self.facts["where"].setText(f"{line.sub_county}, {line.county}")
        self.facts["dates"].setText(f"{line.starts_on:%d %b} to {line.ends_on:%d %b %Y}")
        self.facts["deadline"].setText(f"{line.deadline:%A %d %B %Y}")
        self.facts["positions"].setText(
            f"{line.remaining} of {line.positions}"
            if line.remaining
            else f"None of {line.positions}"
        )
        self.facts["rate"].setText(f"KSh {line.daily_rate:,} a day" if line.daily_rate else "—")
        status = line.application.status if line.application else None
        text, tone = STATUS_WORDS.get(status, ("Not applied", "waiting"))
        self.badge.setText(text)
        self.badge.setProperty("tone", tone)
        theme.repolish(self.badge)
        reason = line.application.reason if line.application and status == "refused" else ""
        self.reason.setText(reason or ("" if line.eligible else line.not_eligible))
        self.reason.setVisible(bool(self.reason.text()))
        holds = status in HOLDING
        self.withdraw.setVisible(status in ("submitted", "pending"))
        self.submit.setVisible(not holds)
        self.confirm.setVisible(not holds)
        self.confirm_text.setVisible(not holds)
        if changed or holds:
            self.confirm.setChecked(False)
        if changed and not keep_outcome:  # what happened stays while it is the same vacancy
            self.outcome.clear()
        self._enable()

    def _enable(self, *_args) -> None:
        line = self.line
        self.submit.setEnabled(bool(line and line.eligible and self.confirm.isChecked()))

    def _withdraw(self) -> None:
        if self.line and self.line.application:
            self.withdraw_requested.emit(self.line.application.id)

    def set_busy(self, busy: bool) -> None:
        self.submit.setEnabled(
            not busy and bool(self.line and self.line.eligible and self.confirm.isChecked())
        )
        self.withdraw.setEnabled(not busy)


class VacanciesPage(QWidget):
    search_requested = Signal(object)
    apply_requested = Signal(object)
    withdraw_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filters: VacancyFilters | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        frame, box = card("")
        grid = QGridLayout()  # labels above the boxes, so the exam's full name fits
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        self.combos: dict[str, QComboBox] = {}
        for i, (key, label, any_text) in enumerate(FILTERS):
            combo = QComboBox()
            combo.addItem(any_text, "")
            combo.setAccessibleName(label)
            self.combos[key] = combo
            name = QLabel(label)
            name.setObjectName("Muted")
            name.setBuddy(combo)
            row, column = (i // 3) * 2, i % 3
            grid.addWidget(name, row, column)
            grid.addWidget(combo, row + 1, column)
        grid.setRowMinimumHeight(2, 24)
        self.combos["exam"].setMinimumWidth(330)
        self.combos["activity"].setMinimumWidth(280)
        for column, stretch in ((0, 4), (1, 3), (2, 3)):
            grid.setColumnStretch(column, stretch)
        self.search = QPushButton(theme.icon("search", "#ffffff"), "Search")
        self.search.setProperty("primary", True)
        self.search.setDefault(True)
        self.search.setMinimumWidth(110)
        grid.addWidget(self.search, 3, 3)
        box.addLayout(grid)
        layout.addWidget(frame)
        self.messages = MessageBar()
        layout.addWidget(self.messages)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.count = QLabel("Choose filters and press Search.")
        self.count.setObjectName("Muted")
        left_layout.addWidget(self.count)
        self.model = VacancyLinesModel(self)
        self.list = QListView()
        self.list.setObjectName("VacancyList")
        self.list.setModel(self.model)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setAccessibleName("Vacancies found")
        self.results = QStackedWidget()
        self.empty = EmptyState(
            "Search for vacancies",
            "Choose an exam, a position or where you want to serve, then press Search. "
            "Searching needs the network.",
            "search",
        )
        self.results.addWidget(self.empty)
        self.results.addWidget(self.list)
        left_layout.addWidget(self.results, 1)
        self.details = DetailsPanel()
        self.details.hide()
        self.no_details = EmptyState(
            "No vacancy chosen", "Click a vacancy to see its details.", "info"
        )
        right = QStackedWidget()
        right.addWidget(self.no_details)
        right.addWidget(self.details)
        self.right = right
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 4)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
        self.search.clicked.connect(self.request_search)
        self.combos["county"].currentIndexChanged.connect(self._county_chosen)
        self.list.selectionModel().currentChanged.connect(self._chosen)
        self.details.apply_requested.connect(self.apply_requested)
        self.details.withdraw_requested.connect(self.withdraw_requested)
        self._county_chosen()

    # --- filters ------------------------------------------------------------------

    def set_filters(self, filters: VacancyFilters) -> None:
        """Fill the choices, keeping what the user already chose where it still exists."""
        self.filters = filters
        chosen = self.criteria()
        options = {
            "exam": filters.exams,
            "activity": filters.activities,
            "station_kind": filters.station_kinds,
            "position": filters.positions,
            "county": filters.counties,
        }
        for key, items in options.items():
            combo = self.combos[key]
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for option in items:
                combo.addItem(option.label, option.value)
            combo.setCurrentIndex(max(0, combo.findData(getattr(chosen, key))))
            combo.blockSignals(False)
        self._county_chosen()
        sub = self.combos["sub_county"]
        sub.setCurrentIndex(max(0, sub.findData(chosen.sub_county)))

    def _county_chosen(self) -> None:
        county = self.combos["county"].currentData()
        combo = self.combos["sub_county"]
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        found = next(
            (c for c in (self.filters.counties if self.filters else []) if c.value == county), None
        )
        for sub in found.sub_counties if found else []:
            combo.addItem(sub.label, sub.value)
        combo.setEnabled(bool(county))
        combo.setToolTip("" if county else "Choose a county first")
        combo.blockSignals(False)

    def criteria(self) -> Criteria:
        return Criteria(**{key: combo.currentData() or "" for key, combo in self.combos.items()})

    def choose(self, **values: str) -> None:
        """Set filters by value (tests and shortcuts), county before its sub-county."""
        for key in ("exam", "activity", "station_kind", "position", "county", "sub_county"):
            if key in values:
                combo = self.combos[key]
                combo.setCurrentIndex(max(0, combo.findData(values[key])))

    def request_search(self) -> None:
        self.search_requested.emit(self.criteria())

    # --- results ------------------------------------------------------------------

    def set_searching(self, busy: bool) -> None:
        self.search.setEnabled(not busy)
        self.search.setText("Searching…" if busy else "Search")
        if busy:
            self.messages.clear()

    def set_results(self, found: VacancySearch) -> None:
        chosen = self.details.line.id if self.details.line else None
        self.model.set_lines(found.lines)
        shown = len(found.lines)
        more = f" (the first {shown} of {found.total})" if found.total > shown else ""
        self.count.setText(
            f"{found.total} vacanc{'ies' if found.total != 1 else 'y'} found{more}"
            if found.total
            else "No open vacancies match these filters."
        )
        self.results.setCurrentWidget(self.list if found.lines else self.empty)
        if not found.lines:
            self.empty.set_text(
                "No open vacancies match",
                "Try fewer filters: any exam, any position, or the whole county.",
            )
        row = self.model.row_of(chosen) if chosen else -1
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
            self.details.show_line(self.model.lines[row], keep_outcome=True)
        else:
            self.right.setCurrentWidget(self.no_details)
            self.details.line = None

    def set_offline(self, message: str) -> None:
        self.messages.show_message(message, "warning")
        if not self.model.lines:
            self.empty.set_text("You are offline", "Connect to the network, then press Search.")

    def _chosen(self, current, _previous) -> None:
        if current.isValid():
            self.details.show_line(self.model.lines[current.row()])
            self.details.show()
            self.right.setCurrentWidget(self.details)

    def select_vacancy(self, vacancy_id: str) -> None:
        row = self.model.row_of(vacancy_id)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))

    def update_line(self, line: VacancyLine, message: str, kind: str) -> None:
        """After an apply or withdrawal: the line's new state and what happened."""
        row = self.model.row_of(line.id)
        if row >= 0:
            self.model.lines[row] = line
            index = self.model.index(row)
            self.model.dataChanged.emit(index, index)
        self.details.show_line(line, keep_outcome=True)
        self.details.outcome.show_message(message, kind)

    def focus_search(self) -> None:
        self.combos["exam"].setFocus(Qt.FocusReason.ShortcutFocusReason)
