"""The sub-county's claims: every officer's days, rate and amount, what is held up and why.

Self-contained, so the sub-county workspace (or the small Claims workspace) only adds
it: give it the context and the sub-counties the user directs, call `reload()` after a
sync. Totals say what is payable and what is blocked; a blocked line names KNEC's
reasons, and the panel under the table says what the officer must do.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cp2desk.reports.claims import claims_report
from cp2desk.services.claims import ClaimLine, SubCountyClaims, sub_county_claims
from cp2desk.ui import theme
from cp2desk.ui.context import DeskContext
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.models.rows_model import Column, RowsModel
from cp2desk.ui.operation import user_message
from cp2desk.ui.reports.export import ExportButton

BLOCKED_BACKGROUND = QColor("#fee2e2")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def _money(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _status(line: ClaimLine) -> str:
    if line.status == "paid":
        return "Paid"
    return f"Blocked: {line.reason_titles}" if line.blocked else "Payable"


COLUMNS: list[Column[ClaimLine]] = [
    Column("Officer", lambda x: x.name, 180),
    Column("ID number", lambda x: x.national_id or "—", 94),
    Column("Centre", lambda x: x.centre, 170, tooltip=lambda x: x.centre),
    Column("Role", lambda x: x.position, 116),
    Column("Sessions", lambda x: str(x.sessions), 86),
    Column("Days", lambda x: str(x.days), 56),
    Column("Rate", lambda x: _money(x.daily_rate), 60),
    Column("Amount", lambda x: _money(x.amount), 84),
    Column(
        "Status",
        _status,
        180,
        icon=lambda x: theme.icon("error" if x.blocked else "success"),
        tooltip=_status,
    ),
]
SORT_KEYS = {4: "sessions", 5: "days", 6: "daily_rate", 7: "amount"}
NUMERIC = (4, 5, 6, 7)


class ClaimsModel(RowsModel[ClaimLine]):
    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self.rows[index.row()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return BLOCKED_BACKGROUND if line.blocked else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == SORT_ROLE:
            key = SORT_KEYS.get(index.column())
            return (getattr(line, key) or 0) if key else self.columns[index.column()].text(line)
        return super().data(index, role)


class ClaimsFilter(QSortFilterProxyModel):
    """Search by name, ID, TSC number, centre or role; show all, payable or blocked."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.words: list[str] = []
        self.status = ""
        self.setSortRole(SORT_ROLE)

    def set_search(self, text: str) -> None:
        self._change(lambda: setattr(self, "words", text.casefold().split()))

    def set_status(self, status: str) -> None:
        self._change(lambda: setattr(self, "status", status))

    def _change(self, apply) -> None:
        """Qt 6.9+ wants begin/endFilterChange around the change; older Qt, invalidate after."""
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            apply()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            apply()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        line: ClaimLine = self.sourceModel().rows[row]
        if self.status == "blocked" and not line.blocked:
            return False
        if self.status == "payable" and line.blocked:
            return False
        text = f"{line.name} {line.national_id} {line.tsc_number} {line.centre} {line.position}"
        return all(w in text.casefold() for w in self.words)


class TotalCard(QFrame):
    def __init__(self, title: str, tone: str = "") -> None:
        super().__init__()
        self.setObjectName("Card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(2)
        self.value = QLabel("—")
        self.value.setObjectName("BigNumber")
        if tone:
            self.value.setProperty("tone", tone)
        self.caption = QLabel(title)
        self.caption.setObjectName("Muted")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set(self, value: str, caption: str) -> None:
        self.value.setText(value)
        self.caption.setText(caption)


class SubCountyClaimsPage(QWidget):
    loaded = Signal()

    def __init__(
        self,
        context: DeskContext,
        sub_county_ids: list[str],
        messages: MessageBar | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context, self.sub_county_ids = context, list(sub_county_ids)
        self.claims: SubCountyClaims | None = None
        self.messages = messages or MessageBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        if messages is None:
            layout.addWidget(self.messages)
        layout.addLayout(self._toolbar())
        totals = QHBoxLayout()
        totals.setSpacing(12)
        self.officers_card = TotalCard("officers with a claim")
        self.payable_card = TotalCard("payable", "present")
        self.blocked_card = TotalCard("blocked", "absent")
        self.total_card = TotalCard("in all")
        for card in (self.officers_card, self.payable_card, self.blocked_card, self.total_card):
            totals.addWidget(card, 1)
        layout.addLayout(totals)
        self.model = ClaimsModel(COLUMNS, self)
        self.proxy = ClaimsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = self._table()
        self.empty = EmptyState(
            "No claims yet",
            "KNEC computes claims from the attendance synced from the centres. They appear "
            "here after they are computed and you sync (F5).",
            "claim",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self.stack.setCurrentWidget(self.empty)
        layout.addWidget(self.stack, 1)
        self.detail = QLabel()
        self.detail.setObjectName("Muted")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        self.reload()

    def _toolbar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.sub_county = QComboBox()
        self.sub_county.setAccessibleName("Sub-county")
        self.sub_county.setVisible(len(self.sub_county_ids) > 1)
        self.sub_county.currentIndexChanged.connect(lambda: self.reload(keep_series=False))
        self.series = QComboBox()
        self.series.setAccessibleName("Series")
        self.series.setMinimumWidth(260)
        self.series.activated.connect(lambda: self.reload())
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search officer, ID or TSC number, centre or role")
        self.search.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self.status = QComboBox()
        self.status.setAccessibleName("Claims shown")
        for text, value in (("All claims", ""), ("Payable", "payable"), ("Blocked", "blocked")):
            self.status.addItem(text, value)
        self.status.currentIndexChanged.connect(
            lambda: self._on_filter(self.status.currentData() or "")
        )
        self.export = ExportButton(self.context, [("Claims", self._report)], self.messages)
        row.addWidget(self.sub_county)
        row.addWidget(self.series)
        row.addWidget(self.search, 1)
        row.addWidget(self.status)
        row.addWidget(self.export)
        return row

    def _table(self) -> QTableView:
        view = QTableView()
        view.setObjectName("ClaimsView")
        view.setModel(self.proxy)
        view.setSortingEnabled(True)
        view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(30)
        header = view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, column in enumerate(COLUMNS):
            view.setColumnWidth(i, column.width)
        view.selectionModel().currentRowChanged.connect(self._on_current)
        return view

    # --- loading ------------------------------------------------------------------

    def current_sub_county(self) -> str | None:
        if len(self.sub_county_ids) > 1 and self.sub_county.currentData():
            return self.sub_county.currentData()
        return self.sub_county_ids[0] if self.sub_county_ids else None

    def reload(self, keep_series: bool = True) -> None:
        replica, sub_county = self.context.replica, self.current_sub_county()
        series = self.series.currentData() if keep_series else None
        if sub_county is None:
            self.set_claims(None)
            return
        self.context.runner.run(
            lambda: sub_county_claims(replica, sub_county, series), self.set_claims, self._failed
        )

    def set_claims(self, claims: SubCountyClaims | None) -> None:
        self.claims = claims
        self.series.blockSignals(True)
        self.series.clear()
        for series_id, name in claims.series_choices if claims else []:
            self.series.addItem(name, series_id)
        if claims:
            self.series.setCurrentIndex(max(0, self.series.findData(claims.series_id)))
        self.series.blockSignals(False)
        self.series.setEnabled(bool(claims))
        self.model.set_rows(claims.lines if claims else [])
        self._totals()
        self.stack.setCurrentWidget(self.view if claims else self.empty)
        self.detail.setText(
            "Select a blocked claim to see what the officer must do." if claims else ""
        )
        self.loaded.emit()

    def set_sub_county_names(self, names: dict[str, str]) -> None:
        """Label the sub-county chooser (shown when the user directs more than one)."""
        self.sub_county.blockSignals(True)
        self.sub_county.clear()
        for sub_id in self.sub_county_ids:
            self.sub_county.addItem(names.get(sub_id, sub_id), sub_id)
        self.sub_county.blockSignals(False)

    def _totals(self) -> None:
        t = self.claims.totals if self.claims else None
        if t is None:
            for card in (self.officers_card, self.payable_card, self.blocked_card, self.total_card):
                card.set("—", card.caption.text())
            return
        self.officers_card.set(f"{t.officers:,}", f"officers with a claim, {t.days:,} days")
        self.payable_card.set(f"KSh {t.amount_payable:,}", f"payable to {t.payable:,} officers")
        self.blocked_card.set(f"KSh {t.amount_blocked:,}", f"blocked for {t.blocked:,} officers")
        self.total_card.set(f"KSh {t.amount:,}", "in all, for the series so far")

    def _report(self):
        sub_county = self.current_sub_county()
        series = self.claims.series_id if self.claims else None
        if sub_county is None:
            return None
        return claims_report(self.context.replica, sub_county, series, self.context.now())

    # --- reactions ----------------------------------------------------------------

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)

    def _on_filter(self, status: str) -> None:
        self.proxy.set_status(status)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        line: ClaimLine = self.model.rows[self.proxy.mapToSource(current).row()]
        if not line.reasons:
            self.detail.setText(f"{line.name}: payable, KSh {line.amount:,}. Nothing is missing.")
            return
        parts = [f"<b>{line.name}</b> is blocked, KSh {line.amount:,} held up:"]
        parts += [f"<b>{r.title}</b>: {r.text}" for r in line.reasons]
        parts.append("Once the profile or the record is corrected, the claim is recomputed.")
        self.detail.setText("<br>".join(parts))

    def _failed(self, error: BaseException) -> None:
        self.messages.error(user_message(error))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
