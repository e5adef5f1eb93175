"""Work experience and qualifications: two lists, each with Add, Edit and Remove.

Adding and editing open a dialog (`dialogs.history_item`); removing asks first. The
page emits what the user asked for; the workspace saves it as an operation.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.profile import QualificationItem, WorkItem
from cp2desk.ui.confirm import confirm
from cp2desk.ui.models.rows_model import Column, RowsModel
from cp2desk.ui.pages.profile import card
from cp2desk.ui.rows_table import rows_table

WORK_COLUMNS: list[Column[WorkItem]] = [
    Column("Employer", lambda w: w.employer, 320),
    Column("Job title", lambda w: w.title, 220),
    Column("From", lambda w: f"{w.start_on:%b %Y}" if w.start_on else "—", 110),
    Column("To", lambda w: f"{w.end_on:%b %Y}" if w.end_on else "To date", 110),
]
QUALIFICATION_COLUMNS: list[Column[QualificationItem]] = [
    Column("Level", lambda q: q.level, 150),
    Column("Title", lambda q: q.title, 360),
    Column("Institution", lambda q: q.institution, 260),
    Column("Year", lambda q: str(q.year) if q.year else "—", 70),
]


class EntryList(QWidget):
    """A titled table of one kind of entry with Add, Edit and Remove."""

    add_requested = Signal()
    edit_requested = Signal(object)
    remove_requested = Signal(object)

    def __init__(self, title: str, what: str, columns, empty: str, parent=None) -> None:
        super().__init__(parent)
        self.what = what
        frame, layout = card("")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        head = QHBoxLayout()
        heading = QLabel(title)
        heading.setObjectName("CardTitle")
        self.add = QPushButton(f"Add {what}")
        self.add.setProperty("primary", True)
        self.edit = QPushButton("Edit")
        self.remove = QPushButton("Remove")
        head.addWidget(heading, 1)
        for button in (self.edit, self.remove, self.add):
            head.addWidget(button)
        layout.addLayout(head)
        self.model = RowsModel(columns, self)
        self.view = rows_table(self.model, columns)
        self.view.setAccessibleName(title)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        layout.addWidget(self.view, 1)
        self.empty = QLabel(empty)
        self.empty.setObjectName("Muted")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)
        self.add.clicked.connect(self.add_requested)
        self.edit.clicked.connect(
            lambda: self._selected() and self.edit_requested.emit(self._selected())
        )
        self.remove.clicked.connect(self._ask_remove)
        self.view.doubleClicked.connect(lambda _i: self.edit_requested.emit(self._selected()))
        self.view.selectionModel().selectionChanged.connect(self._enable)
        self._enable()

    def set_rows(self, rows) -> None:
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self._enable()

    def select(self, row: int) -> None:
        self.view.selectRow(row)

    def _selected(self):
        rows = self.view.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _enable(self, *_args) -> None:
        chosen = self._selected() is not None
        self.edit.setEnabled(chosen)
        self.remove.setEnabled(chosen)

    def _ask_remove(self) -> None:
        item = self._selected()
        if item is None:
            return
        name = getattr(item, "employer", None) or getattr(item, "title", "")
        self.confirm_box = confirm(
            self,
            f"Remove {self.what}",
            f"Remove “{name}” from your profile?",
            "Remove",
            lambda: self.remove_requested.emit(item),
        )


class HistoryPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(12)
        self.work = EntryList(
            "Work experience",
            "work experience",
            WORK_COLUMNS,
            "No work experience yet. Add where you have worked, most recent first.",
        )
        self.qualifications = EntryList(
            "Qualifications",
            "qualification",
            QUALIFICATION_COLUMNS,
            "No qualifications yet. Add your certificates, diplomas and degrees.",
        )
        layout.addWidget(self.work, 1)
        layout.addWidget(self.qualifications, 1)

    def set_entries(self, work: list[WorkItem], qualifications: list[QualificationItem]) -> None:
        self.work.set_rows(work)
        self.qualifications.set_rows(qualifications)
