"""The message bar: errors and confirmations shown inside the window, never as a crash.

An error the hub answered with shows its reference below the words, in small print, for
the user to read to the help desk (`SyncError.reference`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cp2desk.ui import theme

ICONS = {"error": "error", "warning": "warning", "success": "success", "info": "info"}


class MessageBar(QFrame):
    """One line of plain words with an icon, and at most one action offered with it (the
    way out the message speaks of); successes fade after a few seconds."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.kind = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(8)
        self.icon = QLabel()
        self.icon.setFixedSize(20, 20)
        self.label = QLabel()
        self.label.setObjectName("MessageText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reference = QLabel()
        self.reference.setObjectName("Reference")
        self.reference.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reference.hide()
        self.action = QPushButton()
        self.action.clicked.connect(self._act)
        self.action.hide()
        self._on_action: Callable[[], None] | None = None
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAccessibleName("Dismiss message")
        close.clicked.connect(self.clear)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.setSpacing(8)
        words.addWidget(self.label)
        words.addWidget(self.reference)
        words.addWidget(self.action, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(words, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._fade = QTimer(self)
        self._fade.setSingleShot(True)
        self._fade.timeout.connect(self.clear)
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget()) else ""

    def show_message(
        self,
        text: str,
        kind: str = "info",
        timeout_ms: int = 0,
        action: tuple[str, Callable[[], None]] | None = None,
        reference: str | None = None,
    ) -> None:
        """`action`: (button text, what it does), shown beside the message until it goes;
        `reference`: the hub's reference of the request the message is about."""
        self.kind = kind
        self._on_action = action[1] if action else None
        self.action.setText(action[0] if action else "")
        self.action.setVisible(action is not None)
        self.setProperty("kind", kind)
        theme.repolish(self)
        self.icon.setPixmap(theme.icon(ICONS.get(kind, "info")).pixmap(20, 20))
        self.label.setText(text)
        self.reference.setText(f"Reference: {reference}" if reference else "")
        self.reference.setVisible(bool(reference))
        self.show()
        if timeout_ms:
            self._fade.start(timeout_ms)
        else:
            self._fade.stop()

    def error(self, text: str, reference: str | None = None) -> None:
        self.show_message(text, "error", reference=reference)

    def success(self, text: str) -> None:
        self.show_message(text, "success", 6000)

    def clear(self) -> None:
        self._fade.stop()
        self.kind = ""
        self.label.clear()
        self.reference.clear()
        self.reference.hide()
        self._on_action = None
        self.action.hide()
        self.hide()

    def _act(self) -> None:
        if self._on_action is not None:
            self._on_action()
