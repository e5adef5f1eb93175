"""Rows replaced in place: when a reload (after a sync) brings the same lines in the same
order, the model says its cells changed instead of resetting, so the view keeps its
selection, current cell, scroll position and sort, and an open dialog its row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel

KEY_FIELDS = ("deployment_id", "station_id", "professional_id", "id", "key")


def line_key(line: Any) -> Any:
    """What identifies a line: its first id field, or its centre's; None when it has none."""
    for name in KEY_FIELDS:
        value = getattr(line, name, None)
        if value is not None:
            return value
    centre = getattr(line, "centre", None)
    return getattr(centre, "station_id", None) if centre is not None else None


def same_lines(
    old: Sequence[Any], new: Sequence[Any], key: Callable[[Any], Any] = line_key
) -> bool:
    """Whether `new` is `old` with (perhaps) other values: same keys, same order."""
    if len(old) != len(new) or not old:
        return False
    keys = [key(line) for line in old]
    return None not in keys and keys == [key(line) for line in new]


def cells_changed(model: QAbstractItemModel) -> None:
    """Tell the views every cell may have changed; rows and columns are as they were."""
    rows, columns = model.rowCount(), model.columnCount()
    if rows and columns:
        model.dataChanged.emit(model.index(0, 0), model.index(rows - 1, columns - 1))
