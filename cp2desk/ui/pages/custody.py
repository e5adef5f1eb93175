"""The clerk's custody log: each centre's collection and return for each session.

Self-contained: it loads the log off the UI thread, opens the handover dialog, runs the
log operations and asks before anything unusual (someone other than the centre manager,
a correction). Lines that need attention are tinted: scripts not back after the session
(amber), seals that differ (red), a handover by someone else (amber).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services import custody
from cp2desk.services.custody import (
    AlreadyLogged,
    CustodyLine,
    CustodyLog,
    Handover,
    NotTheCentreManager,
)
from cp2desk.ui import theme
from cp2desk.ui.confirm import confirm
from cp2desk.ui.context import DeskContext
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.models.rows_model import Column, RowsModel
from cp2desk.ui.operation import user_message
from cp2desk.ui.pages.handover_dialog import HandoverDialog, HandoverForm

BACKGROUND = {"warning": QColor("#fef3c7"), "error": QColor("#fee2e2")}
MUTED = QColor("#64748b")
STATE_ICON = {
    "outstanding": "warning",
    "seals_differ": "error",
    "returned": "success",
    "out": "collect",
}


def tone(line: CustodyLine) -> str:
    if line.state == "seals_differ":
        return "error"
    if line.needs_attention:
        return "warning"
    return ""


def who_text(h: Handover | None) -> str:
    return f"{h.person.name} (ID {h.person.national_id})" if h else ""


def handover_text(h: Handover | None) -> str:
    """'06:55  Grace Wanjiru Mwangi': when and who, the ID number in the tooltip."""
    return f"{h.at:%H:%M}  {h.person.name}" if h else ""


def time_text(h: Handover | None) -> str:
    return f"{h.at:%H:%M}" if h else ""


def seals_text(h: Handover | None) -> str:
    return ", ".join(h.seals) if h else ""


def status_text(line: CustodyLine) -> str:
    return "; ".join(line.flags) if line.flags else line.state_text


def status_icon(line: CustodyLine):
    return theme.icon(STATE_ICON[line.state]) if line.state in STATE_ICON else None


COLUMNS: list[Column[CustodyLine]] = [
    Column("Session", lambda x: x.session.short, 96, tooltip=lambda x: x.session.label),
    Column("Centre", lambda x: x.centre.name, 180, tooltip=lambda x: f"Centre {x.centre.code}"),
    Column("Status", status_text, 196, icon=status_icon, tooltip=status_text),
    Column("Collected", lambda x: handover_text(x.collected), 175,
           tooltip=lambda x: who_text(x.collected)),
    Column("Seals issued", lambda x: seals_text(x.collected), 110,
           tooltip=lambda x: seals_text(x.collected)),
    Column("Returned", lambda x: handover_text(x.returned), 175,
           tooltip=lambda x: who_text(x.returned)),
    Column("Seals returned", lambda x: seals_text(x.returned), 110,
           tooltip=lambda x: seals_text(x.returned)),
]  # fmt: skip


class CustodyModel(RowsModel[CustodyLine]):
    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.BackgroundRole:
            return BACKGROUND.get(tone(self.rows[index.row()]))
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            line = self.rows[index.row()]
            return MUTED if line.collected is None else None
        return super().data(index, role)


class CustodyPage(QWidget):
    changed = Signal()
    """A handover was saved on this computer (the outbox grew)."""
    loaded = Signal()

    def __init__(
        self,
        context: DeskContext,
        station_id: str,
        messages: MessageBar,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context, self.station_id, self.messages = context, station_id, messages
        self.log: CustodyLog | None = None
        self.dialog: HandoverDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(self._toolbar())
        self.summary = QLabel()
        self.summary.setObjectName("Muted")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = CustodyModel(COLUMNS, self)
        self.view = self._table()
        self.empty = EmptyState(
            "No custody log yet",
            "The centres this distribution centre serves, and the timetable, arrive with the "
            "next sync. Press F5 to sync now.",
            "materials",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self.stack.setCurrentWidget(self.empty)
        layout.addWidget(self.stack, 1)

    # --- building -----------------------------------------------------------------

    def _toolbar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.day = QComboBox()
        self.day.setAccessibleName("Day shown")
        self.day.setMinimumWidth(200)
        self.day.currentIndexChanged.connect(self._show)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search centre, name, ID or seal")
        self.search.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._show)
        self.attention = QCheckBox("Needs attention only")
        self.attention.toggled.connect(self._show)
        self.collect_button = QPushButton(theme.icon("collect"), "Log collection…")
        self.collect_button.setProperty("primary", True)
        self.collect_button.setToolTip("A centre manager collects the papers for a session")
        self.collect_button.clicked.connect(lambda: self.open_dialog("collect"))
        self.return_button = QPushButton(theme.icon("return"), "Log return…")
        self.return_button.setToolTip("A centre manager brings the scripts back")
        self.return_button.clicked.connect(lambda: self.open_dialog("return"))
        row.addWidget(QLabel("Show"))
        row.addWidget(self.day)
        row.addWidget(self.search, 1)
        row.addWidget(self.attention)
        row.addSpacing(8)
        row.addWidget(self.collect_button)
        row.addWidget(self.return_button)
        return row

    def _table(self) -> QTableView:
        view = QTableView()
        view.setObjectName("CustodyView")
        view.setModel(self.model)
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
        view.doubleClicked.connect(self._open_line)
        return view

    # --- loading ------------------------------------------------------------------

    def reload(self) -> None:
        replica, station, now = self.context.replica, self.station_id, self.context.now()
        self.context.runner.run(
            lambda: custody.custody_log(replica, station, now), self.set_log, self._failed
        )

    def set_log(self, log: CustodyLog | None) -> None:
        self.log = log
        kept = self.day.currentData() if self.day.count() else self.context.today()
        days = sorted({s.day for s in log.sessions}) if log else []
        self.day.blockSignals(True)
        self.day.clear()
        today = self.context.today()
        for day in days:
            self.day.addItem(f"{day:%a} {day.day} {day:%b}" + ("  (today)" * (day == today)), day)
        self.day.addItem("All days", None)
        found = next((i for i, d in enumerate(days) if d == kept), None)
        if found is None and kept is not None and days:
            before = [i for i, d in enumerate(days) if d <= kept]
            found = before[-1] if before else 0
        self.day.setCurrentIndex(found if found is not None else self.day.count() - 1)
        self.day.blockSignals(False)
        for button in (self.collect_button, self.return_button):
            button.setEnabled(log is not None and bool(log.centres))
        self._show()
        self.loaded.emit()

    def shown_lines(self) -> list[CustodyLine]:
        if self.log is None:
            return []
        day = self.day.currentData()
        words = self.search.text().casefold().split()
        lines = [x for x in self.log.lines if day is None or x.session.day == day]
        if day is None:  # the whole series: what happened, not every future session
            today = self.context.today()
            lines = [x for x in lines if x.collected or x.session.day <= today]
        if self.attention.isChecked():
            lines = [x for x in lines if x.needs_attention]
        if words:
            lines = [x for x in lines if all(w in _haystack(x) for w in words)]
        return lines

    def _show(self) -> None:
        lines = self.shown_lines()
        self.model.set_rows(lines)
        self.stack.setCurrentWidget(self.view if self.log else self.empty)
        self.summary.setText(self._summary())

    def _summary(self) -> str:
        if self.log is None:
            return ""
        day, today = self.day.currentData(), self.context.today()
        lines = [x for x in self.log.lines if day is None or x.session.day == day]
        if day is None:
            lines = [x for x in lines if x.collected or x.session.day <= today]
        where = f"{day:%a} {day.day} {day:%b}" if day else "This series so far"
        collected = sum(1 for x in lines if x.collected)
        returned = sum(1 for x in lines if x.returned)
        parts = [
            f"{where}: {collected} of {len(lines)} collections logged",
            f"{returned} return{'s' if returned != 1 else ''}",
        ]
        outstanding = sum(1 for x in lines if x.state == "outstanding")
        differ = sum(1 for x in lines if x.state == "seals_differ")
        others = sum(1 for x in lines if x.needs_attention and x.state not in ("outstanding",))
        if outstanding:
            parts.append(f"⚠ {outstanding} return{'s' if outstanding != 1 else ''} outstanding")
        if differ:
            parts.append(f"⚠ {differ} with seals that differ")
        elif others:
            parts.append(f"⚠ {others} to check")
        return "   ·   ".join(parts)

    # --- logging ------------------------------------------------------------------

    def _open_line(self, index: QModelIndex) -> None:
        line = self.model.rows[index.row()]
        self.open_dialog("collect" if line.collected is None else "return", line)

    def open_dialog(self, kind: str, line: CustodyLine | None = None) -> HandoverDialog | None:
        if self.log is None:
            return None
        if line is None:
            selected = self.view.selectionModel().selectedRows()
            line = self.model.rows[selected[0].row()] if selected else None
        self.dialog = HandoverDialog(kind, self.log, self.context.now(), line, self)
        self.dialog.submitted.connect(self.save)
        self.dialog.open()
        return self.dialog

    def save(self, form: HandoverForm) -> None:
        replica, user_id = self.context.replica, self.context.user_id
        log = custody.log_collection if form.kind == "collect" else custody.log_return

        def run():
            return log(
                replica, user_id, form.centre_id, form.session_id, form.national_id,
                form.seals, form.at, form.allow_other, form.replace,
            )  # fmt: skip

        self.context.runner.run(run, self._saved, lambda error: self._refused(form, error))

    def _saved(self, result: custody.MovementResult) -> None:
        self.messages.success(f"{result.summary}. Saved on this computer.")
        self.changed.emit()
        self.reload()

    def _refused(self, form: HandoverForm, error: BaseException) -> None:
        """Someone else, or a correction: say so and ask; anything else is just told."""
        if isinstance(error, NotTheCentreManager):
            again = HandoverForm(**{**_fields(form), "allow_other": True})
            confirm(
                self,
                "Not the centre manager",
                f"{error.message}\n\nLog this handover anyway? It will be marked as made "
                "to someone other than the centre manager.",
                "Log anyway",
                lambda: self.save(again),
            )
        elif isinstance(error, AlreadyLogged):
            again = HandoverForm(**{**_fields(form), "replace": True})
            confirm(self, "Correct the log", f"{error.message}\n\nReplace it with what you "
                    "entered now?", "Replace", lambda: self.save(again))  # fmt: skip
        else:
            self._failed(error)

    def _failed(self, error: BaseException) -> None:
        self.messages.error(user_message(error))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()


def _fields(form: HandoverForm) -> dict:
    return {name: getattr(form, name) for name in HandoverForm.__slots__}


def _haystack(line: CustodyLine) -> str:
    parts = [line.centre.name, line.centre.code, line.session.label]
    for h in (line.collected, line.returned):
        if h is not None:
            parts += [h.person.name, h.person.national_id, *h.seals]
    return " ".join(parts).casefold()
