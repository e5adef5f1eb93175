"""The attendance register as a Qt table: officers down, sessions across.

The model wraps a `Register` (plain dataclasses) and derives each cell on demand, so
a centre of thousands of officers opens without building a grid of objects.
`RegisterFilter` searches by name, ID number, TSC number or phone, filters by role,
and shows the sessions of one day or all of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from cp2desk.services.register import Mark, Register, RegisterRow
from cp2desk.ui import theme
from cp2desk.ui.models.in_place import cells_changed

Index = QModelIndex | QPersistentModelIndex

INFO_COLUMNS = ("ID number", "TSC no.", "Role", "Phone")
INFO_WIDTHS = (96, 80, 130, 116)
NAME_WIDTH = 220
"""Officer names are the vertical header, so they stay in view while sessions scroll."""
SESSION_WIDTH = 148

SESSION_ROLE = Qt.ItemDataRole.UserRole + 1
DEPLOYMENT_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3
ROW_ROLE = Qt.ItemDataRole.UserRole + 4

STATUS_TEXT = {"present": "Present", "absent": "Absent", "late": "Late"}
STATUS_BACKGROUND = {
    "present": QColor("#dcfce7"),
    "absent": QColor("#fee2e2"),
    "late": QColor("#fef3c7"),
}
NOT_HERE_BACKGROUND = QColor("#f1f5f9")
NOT_HERE_TEXT = QColor("#94a3b8")
SORT_ORDER = {None: 0, "absent": 1, "late": 2, "present": 3}


def cell_text(mark: Mark | None) -> str:
    if mark is None:
        return ""
    text = STATUS_TEXT.get(mark.status, mark.status)
    return f"{text} {mark.check_in:%H:%M}" if mark.check_in else text


class RegisterModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.register: Register | None = None
        self._row_of_deployment: dict[str, int] = {}
        self._search: list[str] = []

    # --- loading ------------------------------------------------------------------

    def set_register(self, register: Register | None) -> None:
        """The register shown. The same officers and sessions with other marks (a reload
        after a sync) update in place: selection, scroll and sort stay."""
        in_place = _same_shape(self.register, register)
        if not in_place:
            self.beginResetModel()
        self.register = register
        rows = register.rows if register else []
        self._row_of_deployment = {s.deployment_id: i for i, r in enumerate(rows) for s in r.spans}
        self._search = [
            f"{r.name}\n{r.national_id}\n{r.tsc_number}\n{r.phone}".casefold() for r in rows
        ]
        if in_place:
            cells_changed(self)
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        else:
            self.endResetModel()

    def update_mark(
        self, deployment_id: str, session_id: str, status: str, check_in: dt.time | None
    ) -> None:
        """Show a mark the service just wrote, without reloading the register."""
        row = self._row_of_deployment.get(deployment_id)
        if self.register is None or row is None:
            return
        session = self.register.index_of(session_id)
        self.register.rows[row].marks[session] = Mark(status, check_in)
        cell = self.index(row, len(INFO_COLUMNS) + session)
        self.dataChanged.emit(cell, cell)

    # --- shape --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.register is None else len(self.register.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.register is None:
            return 0
        return len(INFO_COLUMNS) + len(self.register.sessions)

    def session_of_column(self, column: int) -> int | None:
        index = column - len(INFO_COLUMNS)
        return index if self.register and 0 <= index < len(self.register.sessions) else None

    def column_of_session(self, session_index: int) -> int:
        return len(INFO_COLUMNS) + session_index

    def row_at(self, row: int) -> RegisterRow:
        assert self.register is not None
        return self.register.rows[row]

    def search_key(self, row: int) -> str:
        return self._search[row]

    # --- data ---------------------------------------------------------------------

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.register is None:
            return None
        row = self.register.rows[index.row()]
        session = self.session_of_column(index.column())
        if role == ROW_ROLE:
            return row
        if session is None:
            return self._info(row, index.column(), role)
        return self._cell(row, session, role)

    def _info(self, row: RegisterRow, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return (row.national_id, row.tsc_number, row.position, row.phone)[column]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._info(row, column, Qt.ItemDataRole.DisplayRole)
        return None

    def _cell(self, row: RegisterRow, session: int, role: int) -> Any:
        deployment = row.deployment_at(session)
        mark = row.marks.get(session)
        if role == SESSION_ROLE:
            return session
        if role == DEPLOYMENT_ROLE:
            return deployment
        if role == STATUS_ROLE:
            return mark.status if mark else None
        if role == Qt.ItemDataRole.DisplayRole:
            return "—" if deployment is None and mark is None else cell_text(mark)
        if role == Qt.ItemDataRole.EditRole:
            return SORT_ORDER.get(mark.status if mark else None, 0)
        if role == Qt.ItemDataRole.DecorationRole and mark is not None:
            return theme.icon(mark.status)
        if role == Qt.ItemDataRole.BackgroundRole:
            if deployment is None:
                return QBrush(NOT_HERE_BACKGROUND)
            return QBrush(STATUS_BACKGROUND[mark.status]) if mark else None
        if role == Qt.ItemDataRole.ForegroundRole and deployment is None:
            return QBrush(NOT_HERE_TEXT)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._tooltip(row, session, deployment, mark)
        return None

    def _tooltip(self, row: RegisterRow, session: int, deployment, mark: Mark | None) -> str:
        assert self.register is not None
        label = self.register.sessions[session].label
        if deployment is None:
            return f"{row.name} is not deployed here for {label}."
        if mark is None:
            return f"{row.name} · {label}: not marked yet. Press P, A or L."
        when = f", in at {mark.check_in:%H:%M}" if mark.check_in else ""
        return f"{row.name} · {label}: {STATUS_TEXT.get(mark.status, mark.status)}{when}"

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self.register is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.register.rows[section].name
            if role == Qt.ItemDataRole.ToolTipRole:
                row = self.register.rows[section]
                return f"{row.name} · {row.position}"
            return None
        session = self.session_of_column(section)
        if session is None:
            return INFO_COLUMNS[section] if role == Qt.ItemDataRole.DisplayRole else None
        info = self.register.sessions[session]
        if role == Qt.ItemDataRole.DisplayRole:
            return info.short
        if role == Qt.ItemDataRole.ToolTipRole:
            locked = " · signed off" if self.register.is_locked(info.id) else ""
            return (
                f"{info.label} {info.starts_at:%H:%M}–{info.ends_at:%H:%M}{locked}\n"
                + "\n".join(info.paper_list)
            )
        if role == Qt.ItemDataRole.DecorationRole and self.register.is_locked(info.id):
            return theme.icon("lock")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RegisterFilter(QSortFilterProxyModel):
    """Search text, role and day; sorting by any column (sessions sort by status)."""

    ALL = ""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._text = ""
        self._role = self.ALL
        self._day: dt.date | None = None
        self.setSortRole(Qt.ItemDataRole.EditRole)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def register_model(self) -> RegisterModel:
        model = self.sourceModel()
        assert isinstance(model, RegisterModel)
        return model

    def set_search(self, text: str) -> None:
        text = text.strip().casefold()
        if text != self._text:
            self._change(lambda: setattr(self, "_text", text), rows=True)

    def set_role(self, role: str) -> None:
        """Filters are no-ops when unchanged: a reload must not re-filter 5,000 rows for nothing."""
        if role != self._role:
            self._change(lambda: setattr(self, "_role", role), rows=True)

    def set_day(self, day: dt.date | None) -> None:
        """Show the sessions of `day` only, or every session when None."""
        if day == self._day:
            return
        self._change(lambda: setattr(self, "_day", day), rows=False)

    def _change(self, apply, rows: bool) -> None:
        """Qt 6.9+ wants begin/endFilterChange around the change; older Qt, invalidate after."""
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            apply()
            direction = QSortFilterProxyModel.Direction
            self.endFilterChange(direction.Rows if rows else direction.Columns)
        else:
            apply()
            (self.invalidateRowsFilter if rows else self.invalidateColumnsFilter)()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.register_model()
        if self._text and self._text not in model.search_key(source_row):
            return False
        return not self._role or model.row_at(source_row).position == self._role

    def filterAcceptsColumn(self, source_column: int, source_parent: Index) -> bool:
        model = self.register_model()
        session = model.session_of_column(source_column)
        if session is None or self._day is None or model.register is None:
            return True
        return model.register.sessions[session].day == self._day


def _same_shape(old: Register | None, new: Register | None) -> bool:
    """The same officers (by their deployments) in the same order, the same sessions."""
    if old is None or new is None or not old.rows:
        return False

    def shape(register: Register) -> tuple:
        rows = tuple(tuple(s.deployment_id for s in r.spans) for r in register.rows)
        return rows, tuple(s.id for s in register.sessions)

    return shape(old) == shape(new)
