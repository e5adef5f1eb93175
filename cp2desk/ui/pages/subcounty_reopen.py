"""The reopen dialog: a signed-off session at a centre, reopened for correction with a
reason that is recorded and that the centre manager sees."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.reopen import SignoffFacts
from cp2desk.ui import theme
from cp2desk.ui.pages.subcounty_redeploy import Notice


class ReopenDialog(QDialog):
    reopen_requested = Signal(str)  # reason

    def __init__(self, facts: SignoffFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReopenDialog")
        self.setWindowTitle("Reopen a signed-off session")
        self.setMinimumWidth(560)
        self.facts = facts
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        title = QLabel(f"Reopen {facts.session} at {facts.centre}")
        title.setObjectName("PageTitle")
        title.setWordWrap(True)
        when = (
            f" at {facts.signed_at:%H:%M} on {facts.signed_at:%a} {facts.signed_at.day} "
            f"{facts.signed_at:%b}"
            if facts.signed_at
            else ""
        )
        text = QLabel(
            f"Signed off by {facts.signed_by}{when}. Reopening unlocks its marks so the "
            "centre manager can correct them and sign off again. Your name, the time and "
            "your reason are recorded with the session."
        )
        text.setWordWrap(True)
        text.setObjectName("Muted")
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText(
            "Why is the session reopened? For example: Mary Odhiambo was present, "
            "marked absent by mistake."
        )
        self.reason.setFixedHeight(80)
        self.reason.setTabChangesFocus(True)
        self.reason.textChanged.connect(self._changed)
        self.error = Notice("error")
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addWidget(QLabel("Reason"))
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        self.reopen_button = QPushButton(theme.icon("reopen", "#ffffff"), "Reopen session")
        self.reopen_button.setProperty("primary", True)
        self.reopen_button.setEnabled(False)
        self.reopen_button.clicked.connect(self._reopen)
        row.addWidget(cancel)
        row.addWidget(self.reopen_button)
        layout.addLayout(row)

    def _changed(self) -> None:
        self.reopen_button.setEnabled(bool(self.reason.toPlainText().strip()))

    def _reopen(self) -> None:
        self.reopen_button.setEnabled(False)
        self.reopen_requested.emit(self.reason.toPlainText())

    def show_error(self, message: str) -> None:
        self.error.set_lines([message])
        self._changed()
