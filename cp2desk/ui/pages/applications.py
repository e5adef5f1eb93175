"""My applications: every application with its status, waiting ones marked, refusals with
their reason; Withdraw Application (red) and Apply again for the chosen one."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.vacancies import MyApplication
from cp2desk.ui import theme
from cp2desk.ui.confirm import confirm
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.models.rows_model import Column, RowsModel
from cp2desk.ui.pages.vacancies import CONFIRMATION
from cp2desk.ui.rows_table import rows_table

ICONS = {"submitted": "success", "selected": "success", "withdrawn": "info", "refused": "error"}


def _icon(a: MyApplication):
    return theme.icon("sync" if a.pending else ICONS.get(a.status, "info"))


def _note(a: MyApplication) -> str:
    if a.pending:
        return "Saved on this computer; it is sent at the next sync."
    if a.status == "refused":
        return a.reason
    if a.status == "selected":
        return "You will find your deployment after the next sync."
    if a.status == "withdrawn" and a.can_apply_again:
        return f"You can apply again until {a.deadline:%d %b %Y}."
    return ""


COLUMNS: list[Column[MyApplication]] = [
    Column("Vacancy", lambda a: a.title, 360),
    Column("Apply by", lambda a: f"{a.deadline:%d %b %Y}" if a.deadline else "—", 100),
    Column("Submitted", lambda a: f"{a.submitted_at:%d %b %H:%M}" if a.submitted_at else "—", 110),
    Column("Status", lambda a: a.status_text, 210, icon=_icon),
    Column("What it means", _note, 200, tooltip=_note),
]


class ApplicationsPage(QWidget):
    withdraw_requested = Signal(str)
    apply_again_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        self.model: RowsModel[MyApplication] = RowsModel(COLUMNS, self)
        self.view = rows_table(self.model, COLUMNS, row_height=40)
        self.view.setAccessibleName("My applications")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setWordWrap(True)
        self.empty = EmptyState(
            "No applications yet",
            "Search for vacancies, choose one, tick the confirmation box and submit your "
            "application. It shows here with its status.",
            "search",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        buttons = QHBoxLayout()
        self.hint = QLabel("Choose an application to withdraw it or apply again.")
        self.hint.setObjectName("Muted")
        self.withdraw = QPushButton("Withdraw Application")
        self.withdraw.setProperty("tone", "danger")
        self.again = QPushButton("Apply again")
        self.again.setProperty("primary", True)
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.withdraw)
        buttons.addWidget(self.again)
        layout.addLayout(buttons)
        self.view.selectionModel().selectionChanged.connect(self._enable)
        self.withdraw.clicked.connect(self._withdraw)
        self.again.clicked.connect(self._ask_again)
        self._enable()

    def set_rows(self, rows: list[MyApplication]) -> None:
        chosen = self.selected()
        self.model.set_rows(rows)
        self.stack.setCurrentWidget(self.view if rows else self.empty)
        if chosen is not None:
            self.select(chosen.id)
        self._enable()

    def select(self, application_id: str) -> None:
        for row, found in enumerate(self.model.rows):
            if found.id == application_id:
                self.view.selectRow(row)

    def selected(self) -> MyApplication | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _enable(self, *_args) -> None:
        found = self.selected()
        self.withdraw.setEnabled(bool(found and found.can_withdraw))
        self.again.setEnabled(bool(found and found.can_apply_again))

    def _withdraw(self) -> None:
        found = self.selected()
        if found is not None:
            self.withdraw_requested.emit(found.id)

    def _ask_again(self) -> None:
        found = self.selected()
        if found is None:
            return
        self.confirm_box = confirm(
            self,
            "Apply again",
            f"Apply again to be {found.title}?\n\n{CONFIRMATION}",
            "Submit Application",
            lambda: self.apply_again_requested.emit(found),
        )
