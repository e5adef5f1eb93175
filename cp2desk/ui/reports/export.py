"""The "Export" button the report pages share: CSV for a spreadsheet, PDF for printing.

The report's rows are gathered off the UI thread (an operation over the replica); the
user then picks where to save, and the file is written: CSV in plain Python, the PDF
with Qt's PDF writer (painting belongs on the UI thread). Success and failure are told
in the page's message bar, never as a dialog that blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMenu, QPushButton, QWidget

from cp2desk.reports.table import Report, write_csv
from cp2desk.ui import theme
from cp2desk.ui.context import DeskContext
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.operation import user_message
from cp2desk.ui.reports.pdf import write_pdf

FORMATS = {
    "pdf": ("Save as PDF for printing…", "PDF document (*.pdf)"),
    "csv": ("Save as CSV for a spreadsheet…", "CSV spreadsheet (*.csv)"),
}


def ask_path(parent: QWidget, kind: str, suggested: str) -> str:
    """Where to save; '' if the user cancelled. Tests replace this."""
    path, _ = QFileDialog.getSaveFileName(parent, "Save report", suggested, FORMATS[kind][1])
    return path


class ExportButton(QPushButton):
    """A button with a menu: each report as PDF or CSV. A report's `build()` runs off the
    UI thread and returns the `Report`, or None when there is nothing to export yet."""

    def __init__(
        self,
        context: DeskContext,
        reports: list[tuple[str, Callable[[], Report | None]]],
        messages: MessageBar,
        text: str = "Export",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(theme.icon("export"), text, parent)
        self.context, self.reports, self.messages = context, reports, messages
        self.setObjectName("ExportButton")
        self.setAccessibleName(f"{text}: save as PDF or CSV")
        self.setToolTip("Save as PDF for printing, or as CSV for a spreadsheet")
        menu = QMenu(self)
        for number, (name, _build) in enumerate(reports):
            if number:
                menu.addSeparator()
            for kind, (label, _filter) in FORMATS.items():
                shown = f"{name}: {label[0].lower()}{label[1:]}" if len(reports) > 1 else label
                menu.addAction(
                    theme.icon("export"), shown, lambda n=number, k=kind: self.export(k, n)
                )
        self.setMenu(menu)
        self.last_path: Path | None = None

    def export(self, kind: str, which: int = 0) -> None:
        build = self.reports[which][1]
        self.context.runner.run(build, lambda report: self._save(kind, report), self._failed)

    def _save(self, kind: str, report: Report | None) -> None:
        if report is None:
            self.messages.show_message("There is nothing to export yet: sync first.", "info")
            return
        folder = Path.home() / "Documents"
        folder = folder if folder.is_dir() else Path.home()
        path = ask_path(self.window(), kind, str(folder / f"{report.file_stem()}.{kind}"))
        if not path:
            return
        target = Path(path).with_suffix(f".{kind}")
        try:
            (write_pdf if kind == "pdf" else write_csv)(report, target)
        except OSError as error:
            self.messages.error(f"The report could not be saved to {target}: {error.strerror}.")
            return
        self.last_path = target
        self.messages.success(f"Saved the {report.title.lower()} to {target}.")

    def _failed(self, error: BaseException) -> None:
        self.messages.error(user_message(error))
