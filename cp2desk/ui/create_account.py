"""Create an account: the mobile number twice; the hub sends the login details by SMS.

Shown inside the sign-in card. The registration function is passed in (the real one
is `services.credentials.create_account`), runs off the UI thread, and its answer is
handed back to the sign-in window, which says that the SMS was sent.
"""

from __future__ import annotations

from collections.abc import Callable

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

from cp2desk.ui import theme
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.operation import OperationRunner, user_message

Register = Callable[[str, str, str], str]
"""(hub address, phone, phone again) -> the hub's message."""


def create_account(hub: str, phone: str, phone_again: str) -> str:
    """The real registration, imported on first use (it pulls in the sync client)."""
    from cp2desk.services.credentials import create_account as register

    return register(hub, phone, phone_again)


class CreateAccountPanel(QWidget):
    created = Signal(str, str)
    """(the phone as typed, the hub's message)"""
    back = Signal()

    def __init__(
        self, register: Register, hub: Callable[[], str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._register, self._hub = register, hub
        self.runner = OperationRunner(1, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        title = QLabel("Create an account")
        title.setObjectName("CardTitle")
        text = QLabel(
            "Enter your mobile number twice. KNEC sends your username and password to it by "
            "SMS; you can change the password after you sign in."
        )
        text.setObjectName("Muted")
        text.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(text)
        self.messages = MessageBar()
        layout.addWidget(self.messages)
        form = QFormLayout()
        form.setSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("e.g. 0712 345 678")
        self.again = QLineEdit()
        self.again.setPlaceholderText("the same number again")
        self.phone.returnPressed.connect(self.again.setFocus)
        self.again.returnPressed.connect(self.submit)
        form.addRow("Mobile number", self.phone)
        form.addRow("Mobile number again", self.again)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Back to sign in")
        self.back_button.clicked.connect(self.back)
        self.create_button = QPushButton("Create account")
        self.create_button.setProperty("primary", True)
        self.create_button.clicked.connect(self.submit)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def start(self, phone: str = "") -> None:
        self.messages.clear()
        self.phone.setText(phone)
        self.again.clear()
        (self.again if phone else self.phone).setFocus()

    def submit(self) -> None:
        phone, again = self.phone.text().strip(), self.again.text().strip()
        if not phone:
            self._refused("Enter your mobile number.", self.phone)
            return
        if not again:
            self._refused(
                "Enter your mobile number a second time, to be sure it is right.", self.again
            )
            return
        self._busy(True)
        self.messages.clear()
        hub = self._hub()
        self.runner.run(
            lambda: self._register(hub, phone, again),
            lambda message: self._done(phone, message),
            self._failed,
        )

    def _done(self, phone: str, message: str) -> None:
        self._busy(False)
        self.created.emit(phone, message)

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        code = getattr(error, "code", "")
        if code == "already_registered":
            self.messages.show_message(user_message(error), "info")
            return
        box = self.again if getattr(error, "field", "") == "phone_again" else self.phone
        self._refused(user_message(error), box)

    def _refused(self, message: str, box: QLineEdit) -> None:
        self.messages.error(message)
        box.setFocus()
        box.selectAll()

    def _busy(self, busy: bool) -> None:
        self.create_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)
        self.create_button.setText("Creating…" if busy else "Create account")
        theme.repolish(self.create_button)
