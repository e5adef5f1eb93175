""" "Export unsynced changes…": saving what this computer could not send to a file.

Offered where a revoked computer's user meets the news (the sign-in window, the main
window's message and status bar), since such a computer will never sync again: the
file (`cp2desk.sync.export`) goes to a KNEC office, which can read it or enter it again.
The file is written off the UI thread; the result is told in a message bar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.operation import OperationRunner, user_message

ACTION = "Export unsynced changes…"
Export = Callable[[Path], int]
"""Writes the waiting changes to the file given; returns how many."""


def suggested_path(today: dt.date) -> Path:
    folder = Path.home() / "Documents"
    folder = folder if folder.is_dir() else Path.home()
    return folder / f"cp2-unsynced-changes-{today:%Y-%m-%d}.json"


def ask_path(parent: QWidget, today: dt.date) -> str:
    """Where to save; '' if the user cancelled."""
    path, _filter = QFileDialog.getSaveFileName(
        parent, "Export unsynced changes", str(suggested_path(today)), "JSON file (*.json)"
    )
    return path


def export_unsynced(
    parent: QWidget,
    runner: OperationRunner,
    messages: MessageBar,
    export: Export,
    path: str | Path | None = None,
) -> None:
    """Ask where (unless told), write the file off the UI thread, and say how it went."""
    path = path or ask_path(parent, dt.date.today())
    if not path:
        return
    target = Path(path)

    def saved(count: int) -> None:
        if count == 0:
            messages.show_message(f"Every change was already sent: {target} lists none.", "success")
            return
        messages.show_message(
            f"Saved {count} unsynced change{'s' if count != 1 else ''} to {target}. Give this "
            "file to your KNEC office: nothing in it reached the hub.",
            "success",
        )

    def failed(error: BaseException) -> None:
        reason = error.strerror if isinstance(error, OSError) else None
        text = f"Cannot write {target}: {reason}." if reason else user_message(error)
        messages.error(text)

    runner.run(lambda: export(target), saved, failed)
