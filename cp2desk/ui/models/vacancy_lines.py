"""The vacancy search results as a list: one wrapped line per vacancy, with my standing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from cp2desk.sync.portal import VacancyLine
from cp2desk.ui import theme

Index = QModelIndex | QPersistentModelIndex
STANDING = {
    "submitted": "You have applied.",
    "selected": "You have been selected.",
    "withdrawn": "You withdrew your application; you can apply again.",
    "refused": "Your application was not accepted.",
    "pending": "Your application is saved on this computer and sent at the next sync.",
}


def standing(line: VacancyLine) -> str:
    if line.application is not None:
        return STANDING.get(line.application.status, line.application.status)
    return "" if line.eligible else f"Not open to you: {line.not_eligible}"


class VacancyLinesModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.lines: list[VacancyLine] = []

    def set_lines(self, lines: list[VacancyLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            note = standing(line)
            return f"{line.line}\n{note}" if note else line.line
        if role == Qt.ItemDataRole.DecorationRole:
            status = line.application.status if line.application else None
            if status in ("submitted", "selected"):
                return theme.icon("success")
            if status == "pending":
                return theme.icon("sync")
            return theme.icon("search" if line.eligible else "lock")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{line.county}, {line.sub_county}"
        return None

    def row_of(self, vacancy_id: str) -> int:
        return next((i for i, x in enumerate(self.lines) if x.id == vacancy_id), -1)
