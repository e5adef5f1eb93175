"""My account: the username, changing the password (online), and logging out."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cp2desk.sync.portal import MIN_PASSWORD_LENGTH
from cp2desk.ui import theme
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.pages.profile import card, local_phone


class AccountPage(QWidget):
    change_requested = Signal(str, str, str)
    """(current, new, new again)"""
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 0)
        outer.setSpacing(12)
        row = QHBoxLayout()
        row.setSpacing(12)
        outer.addLayout(row)
        outer.addStretch(1)

        frame, layout = card("Change your password")
        frame.setMaximumWidth(560)
        self.username = QLabel()
        self.username.setObjectName("Muted")
        layout.addWidget(self.username)
        form = QFormLayout()
        form.setSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.old = self._password("Current password")
        self.new = self._password(f"New password (at least {MIN_PASSWORD_LENGTH} characters)")
        self.again = self._password("New password again")
        self.boxes = {"old": self.old, "new": self.new, "again": self.again}
        form.addRow("Current password", self.old)
        form.addRow("New password", self.new)
        form.addRow("New password again", self.again)
        layout.addLayout(form)
        self.messages = MessageBar()
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.change = QPushButton(theme.icon("key", "#ffffff"), "Change password")
        self.change.setProperty("primary", True)
        buttons.addWidget(self.change)
        layout.addLayout(buttons)
        note = QLabel(
            "Changing the password needs the network. The new password also unlocks CP2 "
            "Desk on this computer when you are offline."
        )
        note.setObjectName("Muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        row.addWidget(frame, 1)

        leave, leave_layout = card("Log out")
        leave.setMaximumWidth(460)
        text = QLabel(
            "Logging out ends your session on this computer: the hub forgets this "
            "computer's sign-in and the saved sign-in is removed, so the next person "
            "needs their own password. Changes not yet sent stay on this computer and "
            "are sent the next time you sign in."
        )
        text.setWordWrap(True)
        leave_layout.addWidget(text)
        leave_buttons = QHBoxLayout()
        leave_buttons.addStretch(1)
        self.sign_out = QPushButton(theme.icon("lock"), "Log out")
        leave_buttons.addWidget(self.sign_out)
        leave_layout.addLayout(leave_buttons)
        leave_layout.addStretch(1)
        row.addWidget(leave, 1)

        self.change.clicked.connect(self.request_change)
        self.again.returnPressed.connect(self.request_change)
        self.sign_out.clicked.connect(self.sign_out_requested)

    @staticmethod
    def _password(hint: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setPlaceholderText(hint)
        return edit

    def set_phone(self, phone: str) -> None:
        self.username.setText(f"Your username is your phone number: {local_phone(phone)}")

    def request_change(self) -> None:
        self.mark_invalid(None)
        self.messages.clear()
        self.change_requested.emit(self.old.text(), self.new.text(), self.again.text())

    def set_busy(self, busy: bool) -> None:
        self.change.setEnabled(not busy)
        self.change.setText("Changing…" if busy else "Change password")

    def changed(self, message: str) -> None:
        for box in self.boxes.values():
            box.clear()
        self.messages.show_message(message, "success")

    def refused(self, message: str, field: str | None) -> None:
        self.messages.error(message)
        self.mark_invalid(field)

    def mark_invalid(self, field: str | None) -> None:
        for name, box in self.boxes.items():
            box.setProperty("invalid", name == field)
            theme.repolish(box)
        if field in self.boxes:
            self.boxes[field].setFocus()
            self.boxes[field].selectAll()
