"""Models given the same lines again (a reload after a sync) update in place: the view
keeps its selection, scroll and sort; other lines reset it as before."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QTableView

from cp2desk.ui.models.rows_model import Column, RowsModel


@dataclass(frozen=True)
class Line:
    station_id: str
    present: int


def test_same_lines_update_in_place_and_others_reset(qtbot):
    model = RowsModel(
        [Column("Centre", lambda r: r.station_id), Column("Present", lambda r: str(r.present))]
    )
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    qtbot.addWidget(view)
    view.resize(300, 200)
    view.show()
    model.set_rows([Line(f"C{i:03d}", i) for i in range(200)])
    view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    view.setCurrentIndex(proxy.index(120, 0))
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    chosen, scrolled = proxy.index(120, 0).data(), view.verticalScrollBar().value()
    resets = []
    model.modelReset.connect(lambda: resets.append(1))

    model.set_rows([Line(f"C{i:03d}", i + 1) for i in range(200)])  # new values, same lines
    assert resets == []
    assert proxy.index(view.currentIndex().row(), 0).data() == chosen
    assert view.verticalScrollBar().value() == scrolled
    assert view.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    row = next(r for r in range(200) if proxy.index(r, 0).data() == "C010")
    assert proxy.index(row, 1).data() == "11"

    model.set_rows([Line(f"D{i:03d}", i) for i in range(5)])  # other lines: a reset
    assert resets == [1]
