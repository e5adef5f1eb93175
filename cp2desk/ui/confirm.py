"""Confirmation dialogs that do not block the event loop (opened, not exec'd)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm(
    parent: QWidget,
    title: str,
    text: str,
    accept: str,
    on_accept: Callable[[], None],
    reject: str = "Cancel",
) -> QMessageBox:
    """Ask once, window-modal; `on_accept` runs only if the user chose `accept`."""
    box = QMessageBox(parent)
    box.setObjectName("ConfirmBox")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    yes = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(reject, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes)

    def finished() -> None:
        if box.clickedButton() is yes:
            on_accept()
        box.deleteLater()

    box.finished.connect(finished)
    box.open()
    return box
