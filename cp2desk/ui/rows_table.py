"""The house table: read-only, whole rows selected, no row numbers, columns at the
widths their `Column`s give, headers left-aligned; pages add what is theirs (sorting,
single selection, word wrap, alternating rows)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from cp2desk.ui.models.rows_model import Column


def rows_table(
    model: QAbstractItemModel, columns: Sequence[Column], row_height: int = 30
) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(row_height)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for i, column in enumerate(columns):
        view.setColumnWidth(i, column.width)
    return view
