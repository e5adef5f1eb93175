"""The sign-in window: hub address (remembered), phone or username, password.

It takes the sign-in functions as arguments (`account.sign_in`, `unlock_offline`,
`can_unlock_offline` in the app; fakes in tests), runs them off the UI thread, and
turns each typed error into plain words. When the hub cannot be reached and this
user has signed in here before, it offers the offline unlock; when the hub says this
computer was revoked, it offers to export the changes that never reached the hub.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cp2desk.ui import theme
from cp2desk.ui.create_account import CreateAccountPanel, Register, create_account
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.operation import OperationRunner, reference, user_message
from cp2desk.ui.unsynced_export import ACTION, export_unsynced

SignIn = Callable[[str, str, str], Any]
"""(hub address, phone or username, password) -> the signed-in account."""
CanUnlock = Callable[[str, str], bool]
ExportFor = Callable[[str, str, Path], int]
"""(hub address, phone, file) -> how many unsynced changes were saved to the file."""

DEFAULT_HUB = "https://cp2.knec.ac.ke"
HINTS = {
    "unreachable": "You can still unlock offline with the password you used last time "
    "on this computer.",
    "update_required": "Unlock offline to keep working: the new version of CP2 Desk is then "
    "downloaded from the hub, and your unsynced changes can be exported meanwhile.",
    "device_revoked": "Call your sub-county office if you do not know why.",
}


class LoginWindow(QWidget):
    signed_in = Signal(object)

    def __init__(
        self,
        sign_in: SignIn,
        unlock: SignIn | None = None,
        can_unlock: CanUnlock | None = None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        register: Register | None = None,
        export: ExportFor | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LoginWindow")
        self.setWindowTitle("CP2 Desk · Sign in")
        self._sign_in, self._unlock, self._can_unlock = sign_in, unlock, can_unlock
        self._register = register or create_account
        self._export = export
        self.settings = settings or QSettings("KNEC", "CP2 Desk")
        self.runner = OperationRunner(1, self)
        self._build()
        self.hub.setText(str(self.settings.value("hub_url", DEFAULT_HUB)))
        self.phone.setText(str(self.settings.value("last_phone", "")))
        (self.password if self.phone.text() else self.phone).setFocus()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        card = QFrame()
        card.setObjectName("Card")
        card.setFixedWidth(460)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(12)
        logo = QLabel()
        logo.setPixmap(theme.icon("app").pixmap(40, 40))
        title = QLabel("CP2 Desk")
        title.setObjectName("PageTitle")
        subtitle = QLabel("KNEC Contracted Professionals · field officers")
        subtitle.setObjectName("PageSubtitle")
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(logo)
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(title)
        names.addWidget(subtitle)
        head.addLayout(names, 1)
        layout.addLayout(head)
        sign_in_page = QWidget()
        card_layout, layout = layout, QVBoxLayout(sign_in_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self.error = MessageBar()
        self.error.setObjectName("MessageBar")
        layout.addWidget(self.error)
        form = QFormLayout()
        form.setSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.hub = QLineEdit()
        self.hub.setPlaceholderText(DEFAULT_HUB)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("e.g. 0712 345 678")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.submit)
        self.phone.returnPressed.connect(self.password.setFocus)
        form.addRow("Hub address", self.hub)
        form.addRow("Phone or username", self.phone)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.unlock_button = QPushButton(theme.icon("key"), "Unlock offline")
        self.unlock_button.setToolTip(
            "Open CP2 Desk without the network, if you have signed in on this computer before"
        )
        self.unlock_button.clicked.connect(self.unlock)
        self.unlock_button.setEnabled(self._unlock is not None)
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setProperty("primary", True)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        buttons.addWidget(self.unlock_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        layout.addLayout(buttons)
        help_text = QLabel(
            "Your username is your phone number; the password came by SMS. Forgot it? "
            "Send PASSWORD by SMS to the KNEC short code."
        )
        help_text.setObjectName("Muted")
        help_text.setWordWrap(True)
        layout.addWidget(help_text)
        new_here = QHBoxLayout()
        new_here.addWidget(QLabel("No account yet?"))
        self.create_link = QPushButton("Create an account")
        self.create_link.setObjectName("LinkButton")
        self.create_link.setCursor(Qt.CursorShape.PointingHandCursor)
        self.create_link.clicked.connect(self.show_create_account)
        new_here.addWidget(self.create_link)
        new_here.addStretch(1)
        layout.addLayout(new_here)
        self.create = CreateAccountPanel(
            self._register, lambda: self.hub.text().strip() or DEFAULT_HUB
        )
        self.create.back.connect(self.show_sign_in)
        self.create.created.connect(self._account_created)
        self.pages = QStackedWidget()
        self.pages.addWidget(sign_in_page)
        self.pages.addWidget(self.create)
        card_layout.addWidget(self.pages)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(card)
        centred.addStretch(1)
        outer.addLayout(centred)
        outer.addStretch(2)

    # --- create an account --------------------------------------------------------

    def show_create_account(self) -> None:
        self.error.clear()
        self.pages.setCurrentWidget(self.create)
        self.create.start(self.phone.text().strip())

    def show_sign_in(self) -> None:
        self.pages.setCurrentIndex(0)
        self.phone.setFocus()

    def _account_created(self, phone: str, message: str) -> None:
        self.pages.setCurrentIndex(0)
        self.phone.setText(phone)
        self.password.clear()
        self.error.show_message(
            f"{message} Type the password from the SMS below to sign in.", "success"
        )
        self.password.setFocus()

    # --- actions ------------------------------------------------------------------

    def _fields(self) -> tuple[str, str, str] | None:
        hub = self.hub.text().strip() or DEFAULT_HUB
        phone, password = self.phone.text().strip(), self.password.text()
        if not phone:
            self.error.error("Enter your phone number or username.")
            self.phone.setFocus()
            return None
        if not password:
            self.error.error("Enter your password.")
            self.password.setFocus()
            return None
        return hub, phone, password

    def submit(self) -> None:
        fields = self._fields()
        if fields is not None:
            self._run(self._sign_in, fields, "Signing in…")

    def unlock(self) -> None:
        fields = self._fields()
        if fields is not None and self._unlock is not None:
            self._run(self._unlock, fields, "Unlocking…")

    def _run(self, fn: SignIn, fields: tuple[str, str, str], busy: str) -> None:
        self._busy(True, busy)
        self.error.clear()
        self.runner.run(
            lambda: fn(*fields), lambda account: self._done(fields, account), self._failed
        )

    def _done(self, fields: tuple[str, str, str], account: Any) -> None:
        self._busy(False)
        hub, phone, _password = fields
        self.settings.setValue("hub_url", hub)
        self.settings.setValue("last_phone", phone)
        self.password.clear()
        self.signed_in.emit(account)

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        code = getattr(error, "code", "")
        hint = HINTS.get(code, "")
        if code == "unreachable" and not self._offline_possible():
            hint = "Check the network and try again: the first sign-in on a computer needs it."
        message = f"{user_message(error)} {hint}".strip()
        exportable = code in ("device_revoked", "update_required")
        if exportable and self._export is not None and self._offline_possible():
            self.error.show_message(message, "error", action=(ACTION, self.export_unsynced))
        else:
            self.error.error(message, reference(error))
        if code in ("unreachable", "update_required") and self._offline_possible():
            self.unlock_button.setProperty("primary", True)
            theme.repolish(self.unlock_button)
            self.unlock_button.setFocus()
        else:
            self.password.selectAll()
            self.password.setFocus()

    def export_unsynced(self, path: str | Path | None = None) -> None:
        """Save this user's unsynced changes to a file (asks where unless told)."""
        if self._export is None:
            return
        export, hub = self._export, self.hub.text().strip() or DEFAULT_HUB
        phone = self.phone.text().strip()
        export_unsynced(
            self, self.runner, self.error, lambda target: export(hub, phone, target), path
        )

    def _offline_possible(self) -> bool:
        if self._unlock is None:
            return False
        if self._can_unlock is None:
            return True
        try:
            return bool(
                self._can_unlock(self.hub.text().strip() or DEFAULT_HUB, self.phone.text().strip())
            )
        except Exception:
            return False

    def _busy(self, busy: bool, text: str = "") -> None:
        self.sign_in_button.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy and self._unlock is not None)
        self.sign_in_button.setText(text if busy and "Sign" in text else "Sign in")
        self.unlock_button.setText(text if busy and "Unlock" in text else "Unlock offline")
