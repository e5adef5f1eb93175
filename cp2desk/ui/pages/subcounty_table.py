"""What every sub-county page is built from: a sortable table of plain lines, and a row
of figures (a big number over its caption)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cp2desk.ui.models.subcounty_models import LinesFilter


class LinesTable(QTableView):
    """Rows selectable one at a time, sortable by clicking a header, read-only."""

    def __init__(self, proxy: LinesFilter, widths: Sequence[int] = (), parent=None) -> None:
        super().__init__(parent)
        self.proxy = proxy
        self.setModel(proxy)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(30)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.widths = list(widths)
        self.apply_widths()

    def apply_widths(self, widths: Sequence[int] | None = None) -> None:
        """Column widths, each at least wide enough for its header and sort arrow."""
        if widths is not None:
            self.widths = list(widths)
        metrics = self.horizontalHeader().fontMetrics()
        for column, width in enumerate(self.widths):
            title = str(self.model().headerData(column, Qt.Orientation.Horizontal) or "")
            widest = max(metrics.horizontalAdvance(line) for line in title.split("\n"))
            self.setColumnWidth(column, max(width, widest + 36))

    def current_line(self) -> Any | None:
        index = self.currentIndex()
        return self.proxy.line_at(index.row()) if index.isValid() else None

    def select_first(self) -> None:
        if self.proxy.rowCount():
            self.selectRow(0)


class Figures(QFrame):
    """A card of a few big numbers, each over its caption; tones colour the number."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(16, 10, 16, 10)
        self.row.setSpacing(24)
        self.numbers: dict[str, QLabel] = {}

    def set_figures(self, figures: Sequence[tuple[str, str, str]]) -> None:
        """(caption, value, tone) in order; tone is '', 'absent', 'late' or 'present'."""
        if list(self.numbers) != [caption for caption, _v, _t in figures]:
            while self.row.count():
                item = self.row.takeAt(0)
                if item.widget():
                    item.widget().deleteLater()
            self.numbers = {}
            for caption, _value, _tone in figures:
                cell = QVBoxLayout()
                cell.setSpacing(0)
                number = QLabel()
                number.setObjectName("BigNumber")
                text = QLabel(caption)
                text.setObjectName("Muted")
                cell.addWidget(number)
                cell.addWidget(text)
                holder = QWidget()
                holder.setLayout(cell)
                self.row.addWidget(holder)
                self.numbers[caption] = number
            self.row.addStretch(1)
        for caption, value, tone in figures:
            number = self.numbers[caption]
            number.setText(value)
            number.setProperty("tone", tone)
            number.setAccessibleName(f"{caption}: {value}")
            number.style().unpolish(number)
            number.style().polish(number)
