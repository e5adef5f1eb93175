"""Add or edit one work experience or qualification.

The dialog collects the values and emits `submitted`; the workspace saves them as an
operation and either closes the dialog or shows the refusal in it (`show_error`), so
nothing typed is lost to a mistake.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.profile import QUALIFICATION_LEVELS, QualificationItem, WorkItem
from cp2desk.ui import theme

NOT_SET = QDate(1900, 1, 1)


def date_edit(empty_text: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("MMM yyyy")
    edit.setMinimumDate(NOT_SET)
    edit.setSpecialValueText(empty_text)
    edit.setDate(NOT_SET)
    return edit


def date_of(edit: QDateEdit) -> dt.date | None:
    date = edit.date()
    return None if date == NOT_SET else dt.date(date.year(), date.month(), date.day())


class _EntryDialog(QDialog):
    submitted = Signal(object)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(20, 16, 20, 16)
        heading = QLabel(title)
        heading.setObjectName("CardTitle")
        self.layout_.addWidget(heading)
        self.form = QFormLayout()
        self.form.setSpacing(8)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.layout_.addLayout(self.form)
        self.error = QLabel()
        self.error.setObjectName("FieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.layout_.addWidget(self.error)
        self.buttons = QDialogButtonBox()
        self.save = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save.setProperty("primary", True)
        self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addWidget(self.buttons)
        self.widgets: dict[str, QWidget] = {}

    def show_error(self, field: str, message: str) -> None:
        self.save.setEnabled(True)
        self.error.setText(message)
        self.error.show()
        for name, widget in self.widgets.items():
            widget.setProperty("invalid", name == field)
            theme.repolish(widget)
        if field in self.widgets:
            self.widgets[field].setFocus()

    def _submit(self) -> None:
        self.save.setEnabled(False)  # until the workspace answers
        self.submitted.emit(self.item())

    def item(self):  # pragma: no cover - overridden
        raise NotImplementedError


class WorkDialog(_EntryDialog):
    def __init__(self, item: WorkItem | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Edit work experience" if item else "Add work experience", parent)
        self.item_id = item.id if item else None
        self.employer = QLineEdit(item.employer if item else "")
        self.employer.setPlaceholderText("e.g. Kangemi Primary School")
        self.title = QLineEdit(item.title if item else "")
        self.title.setPlaceholderText("e.g. Senior Teacher")
        self.start = date_edit("Not set")
        self.end = date_edit("To date")
        if item and item.start_on:
            self.start.setDate(QDate(item.start_on))
        if item and item.end_on:
            self.end.setDate(QDate(item.end_on))
        self.widgets = {
            "employer": self.employer,
            "title": self.title,
            "start_on": self.start,
            "end_on": self.end,
        }
        self.form.addRow("Employer", self.employer)
        self.form.addRow("Job title", self.title)
        self.form.addRow("From", self.start)
        self.form.addRow("To", self.end)

    def item(self) -> WorkItem:
        return WorkItem(
            self.item_id,
            self.employer.text(),
            self.title.text(),
            date_of(self.start),
            date_of(self.end),
        )


class QualificationDialog(_EntryDialog):
    def __init__(
        self, item: QualificationItem | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Edit qualification" if item else "Add qualification", parent)
        self.item_id = item.id if item else None
        self.level = QComboBox()
        self.level.addItems(QUALIFICATION_LEVELS)
        if item:
            self.level.setCurrentText(item.level)
        self.title = QLineEdit(item.title if item else "")
        self.title.setPlaceholderText("e.g. Diploma in Primary Teacher Education")
        self.institution = QLineEdit(item.institution if item else "")
        self.institution.setPlaceholderText("e.g. Kenyatta University")
        self.year = QSpinBox()
        self.year.setRange(1949, dt.date.today().year)
        self.year.setSpecialValueText("Not set")
        self.year.setValue(item.year if item and item.year else 1949)
        self.widgets = {
            "level": self.level,
            "title": self.title,
            "institution": self.institution,
            "year": self.year,
        }
        self.form.addRow("Level", self.level)
        self.form.addRow("Title", self.title)
        self.form.addRow("Institution", self.institution)
        self.form.addRow("Year", self.year)

    def item(self) -> QualificationItem:
        year = self.year.value()
        return QualificationItem(
            self.item_id,
            self.level.currentText(),
            self.title.text(),
            self.institution.text(),
            None if year == self.year.minimum() else year,
        )
