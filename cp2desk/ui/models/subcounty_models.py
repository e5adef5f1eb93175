"""Qt models of the sub-county screens: centres by staffing, centres by attendance, officers.

Each wraps plain rows from `services.subcounty_summary`; cells are derived on demand.
Numbers sort as numbers (EditRole), and a staffing cell sorts by its gap, so sorting a
role's column ascending brings the centres shortest of that role to the top.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from cp2desk.services.redeploy_history import MoveLine
from cp2desk.services.subcounty import PositionInfo
from cp2desk.services.subcounty_summary import (
    STATE_TEXT,
    AbsentOfficer,
    CentreAttendance,
    CentreStaffing,
    OfficerLine,
)
from cp2desk.ui.models.in_place import cells_changed, same_lines

Index = QModelIndex | QPersistentModelIndex
LINE_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's plain object (CentreStaffing, CentreAttendance or OfficerLine)."""

SHORT_BACKGROUND, SHORT_TEXT = QColor("#fee2e2"), QColor("#991b1b")
OVER_BACKGROUND, OVER_TEXT = QColor("#fef3c7"), QColor("#92400e")
DONE_BACKGROUND = QColor("#dcfce7")
MUTED_TEXT = QColor("#94a3b8")

Display = Qt.ItemDataRole.DisplayRole
Edit = Qt.ItemDataRole.EditRole


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class _LinesModel(QAbstractTableModel):
    """Rows of plain objects; subclasses say what each cell shows."""

    headers: list[str] = []

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.lines: list[Any] = []

    def set_lines(self, lines: list[Any]) -> None:
        """The lines shown; the same lines with new values update in place."""
        if same_lines(self.lines, lines):
            self.lines = list(lines)
            cells_changed(self)
            return
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Display) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Display:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Display) -> Any:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        if role == LINE_ROLE:
            return line
        if role == Qt.ItemDataRole.AccessibleTextRole:
            role = Display
        return self.cell(line, index.column(), role)

    def cell(self, line: Any, column: int, role: int) -> Any:
        raise NotImplementedError


class StaffingModel(_LinesModel):
    """Centres down; code, candidates, then deployed / required for each role, short, over."""

    FIXED = ["Centre", "Code", "Candidates"]
    TOTALS = ["Short", "Over"]

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.positions: list[PositionInfo] = []
        self.session_label = ""

    def set_staffing(
        self, lines: list[CentreStaffing], positions: list[PositionInfo], session_label: str
    ) -> None:
        if self.positions == list(positions) and same_lines(self.lines, lines):
            self.session_label, self.lines = session_label, list(lines)
            cells_changed(self)
            return
        self.beginResetModel()
        self.positions, self.session_label = list(positions), session_label
        # "Security\nOfficers": two-line headers keep every role in view on a laptop.
        self.headers = self.FIXED + [f"{p.name}s".replace(" ", "\n", 1) for p in positions]
        self.headers += self.TOTALS
        self.lines = list(lines)
        self.endResetModel()

    def position_at(self, column: int) -> PositionInfo | None:
        index = column - len(self.FIXED)
        return self.positions[index] if 0 <= index < len(self.positions) else None

    def cell(self, line: CentreStaffing, column: int, role: int) -> Any:
        position = self.position_at(column)
        if position is not None:
            return self._staff(line, position, role)
        if column < len(self.FIXED):
            values = (line.centre.name, line.centre.code, line.centre.candidates)
            if role == Edit:
                return values[column]
            return str(values[column]) if role == Display else None
        short = column == len(self.headers) - 2
        value = line.shortfall if short else line.surplus
        if role == Edit:
            return value
        if role == Display:
            return str(value) if value else "—"
        if role == Qt.ItemDataRole.ForegroundRole and value:
            return QBrush(SHORT_TEXT if short else OVER_TEXT)
        if role == Qt.ItemDataRole.FontRole and value:
            return _bold()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def _staff(self, line: CentreStaffing, position: PositionInfo, role: int) -> Any:
        staff = line.staff.get(position.code)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if staff is None:
            return "—" if role == Display else (0 if role == Edit else None)
        gap = staff.gap
        if role == Display:
            return f"{staff.deployed} / {staff.required}"
        if role == Edit:
            return gap
        if role == Qt.ItemDataRole.BackgroundRole and gap:
            return QBrush(SHORT_BACKGROUND if gap < 0 else OVER_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and gap:
            return QBrush(SHORT_TEXT if gap < 0 else OVER_TEXT)
        if role == Qt.ItemDataRole.ToolTipRole:
            need = f"{line.centre.name} needs {staff.required} {position.plural}"
            has = f"has {staff.deployed} at {self.session_label}"
            if gap < 0:
                return f"{need} and {has}: {-gap} short."
            if gap > 0:
                return f"{need} and {has}: {gap} more than required."
            return f"{need} and {has}."
        return None


class AttendanceModel(_LinesModel):
    headers = ["Centre", "Expected", "Present", "Late", "Absent", "Not marked", "State"]

    def cell(self, line: CentreAttendance, column: int, role: int) -> Any:
        numbers = (line.expected, line.present, line.late, line.absent, line.unmarked)
        if column == 0:
            return line.centre.name if role in (Display, Edit) else None
        if column == len(self.headers) - 1:
            return self._state(line, role)
        value = numbers[column - 1]
        if role == Edit:
            return value
        if role == Display:
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 4 and value:
                return QBrush(SHORT_TEXT)
            if column == 5 and value:
                return QBrush(OVER_TEXT)
            if not value:
                return QBrush(MUTED_TEXT)
        return None

    STATE_ORDER = {"not_marked": 0, "marking": 1, "done": 2, "reopened": 3, "signed": 4, "none": 5}

    def _state(self, line: CentreAttendance, role: int) -> Any:
        state = line.state
        if role == Display:
            return STATE_TEXT[state]
        if role == Edit:
            return self.STATE_ORDER[state]
        if role == Qt.ItemDataRole.BackgroundRole:
            tone = {
                "not_marked": SHORT_BACKGROUND,
                "marking": OVER_BACKGROUND,
                "signed": DONE_BACKGROUND,
            }.get(state)
            return QBrush(tone) if tone else None
        if role == Qt.ItemDataRole.ToolTipRole and line.signoff and line.signoff.reason:
            return f"Reopened: {line.signoff.reason}"
        return None


class OfficersModel(_LinesModel):
    headers = ["Officer", "Role", "Centre", "Phone", "ID number", "TSC no.", "Mark", "Deployment"]
    WIDTHS = (190, 100, 200, 110, 90, 72, 64, 180)

    def cell(self, line: OfficerLine, column: int, role: int) -> Any:
        if role not in (Display, Edit):
            if role == Qt.ItemDataRole.ForegroundRole and column == 6 and line.mark:
                return QBrush(SHORT_TEXT) if line.mark.status == "absent" else None
            return None
        mark = line.mark.status.capitalize() if line.mark else ""
        return (
            line.name,
            line.position,
            line.centre,
            line.phone,
            line.national_id,
            line.tsc_number or "—",
            mark,
            line.note,
        )[column]


class AbsentModel(_LinesModel):
    headers = ["Officer", "Role", "Centre", "Phone"]

    def cell(self, line: AbsentOfficer, column: int, role: int) -> Any:
        if role in (Display, Edit):
            return (line.name, line.position, line.centre, line.phone)[column]
        return None


class HistoryModel(_LinesModel):
    headers = ["When", "Officer", "From", "To", "From session", "By", "Sync", "Reason"]
    WIDTHS = (130, 150, 150, 150, 130, 60, 120, 160)
    OFFICER, SYNC, REASON = 1, 6, 7

    def cell(self, line: MoveLine, column: int, role: int) -> Any:
        if role == Edit and column == 0:
            return line.at.isoformat()
        if role == Qt.ItemDataRole.ForegroundRole and column == self.SYNC and line.waiting:
            return QBrush(OVER_TEXT)
        if role == Qt.ItemDataRole.ToolTipRole and column in (2, 3, self.REASON):
            return (line.from_centre, line.to_centre, line.reason)[
                (2, 3, self.REASON).index(column)
            ]
        if role not in (Display, Edit):
            return None
        return (
            f"{line.at:%a} {line.at.day} {line.at:%b %H:%M}",
            line.officer,
            line.from_centre,
            line.to_centre,
            line.from_session,
            line.by.capitalize() if line.by == "you" else line.by,
            "Waiting to sync" if line.waiting else "Accepted",
            line.reason,
        )[column]


class LinesFilter(QSortFilterProxyModel):
    """Search text against each line's key, plus one yes/no condition on the line."""

    def __init__(self, key: Callable[[Any], str], parent=None) -> None:
        super().__init__(parent)
        self.key = key
        self._text = ""
        self._only: Callable[[Any], bool] | None = None
        self.setSortRole(Edit)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_search(self, text: str) -> None:
        text = text.strip().casefold()
        if text != self._text:
            self._change(lambda: setattr(self, "_text", text))

    def set_only(self, only: Callable[[Any], bool] | None) -> None:
        self._change(lambda: setattr(self, "_only", only))

    def _change(self, apply) -> None:
        """Qt 6.9+ wants begin/endFilterChange around the change; older Qt, invalidate after."""
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            apply()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            apply()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        line = self.sourceModel().lines[source_row]
        if self._only is not None and not self._only(line):
            return False
        return not self._text or self._text in self.key(line)

    def line_at(self, proxy_row: int) -> Any:
        source = self.mapToSource(self.index(proxy_row, 0))
        return self.sourceModel().lines[source.row()] if source.isValid() else None
