"""The attendance register page: search, filters, the officers x sessions grid, actions.

The page only shows and asks: it emits `mark_requested`, `mark_all_requested` and
`sign_off_requested`, and the workspace runs the operations. Keyboard alone is
enough: arrows move, P / A / L mark the selected cell.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.glance import count_session, default_session, marking_state
from cp2desk.services.register import Register
from cp2desk.ui import theme
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.models.register_model import (
    INFO_WIDTHS,
    NAME_WIDTH,
    ROW_ROLE,
    SESSION_WIDTH,
    RegisterFilter,
    RegisterModel,
)

KEYS = {Qt.Key.Key_P: "present", Qt.Key.Key_A: "absent", Qt.Key.Key_L: "late"}


class RegisterView(QTableView):
    """The grid; P, A and L mark the current cell."""

    mark_key = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.corner = QLabel("Officer", self)
        self.corner.setObjectName("RegisterCorner")

    def updateGeometries(self) -> None:
        """Keep the "Officer" caption over the names column (the corner has no text)."""
        super().updateGeometries()
        frame = self.frameWidth()
        self.corner.setGeometry(
            frame, frame, self.verticalHeader().width(), self.horizontalHeader().height()
        )
        self.corner.raise_()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        status = KEYS.get(Qt.Key(event.key()))
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.ShiftModifier,
        )
        if status and plain:
            self.mark_key.emit(status)
            event.accept()
            return
        super().keyPressEvent(event)


class RegisterPage(QWidget):
    mark_requested = Signal(str, str, str)  # deployment id, session id, status
    mark_all_requested = Signal(str)
    sign_off_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register: Register | None = None
        self.now = dt.datetime.now()
        self.model = RegisterModel(self)
        self.proxy = RegisterFilter(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(self._filters())
        layout.addLayout(self._actions())
        self.stack = QStackedWidget()
        self.view = self._table()
        self.no_officers = EmptyState(
            "No officers are deployed to this centre yet",
            "When KNEC publishes the deployment list, the officers appear here after the "
            "next sync. Press F5 to sync now.",
            "officers",
        )
        self.no_match = EmptyState("No officer matches", "", "search")
        for widget in (self.view, self.no_officers, self.no_match):
            self.stack.addWidget(widget)
        layout.addWidget(self.stack, 1)
        layout.addLayout(self._marking_bar())
        self.stack.setCurrentWidget(self.no_officers)

    # --- building -----------------------------------------------------------------

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.search = QLineEdit()
        self.search.setObjectName("RegisterSearch")
        self.search.setPlaceholderText("Search name, ID number, TSC number or phone   (Ctrl+F)")
        self.search.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self.role_filter = QComboBox()
        self.role_filter.setAccessibleName("Filter by role")
        self.role_filter.currentIndexChanged.connect(
            lambda: self._on_filter(
                lambda: self.proxy.set_role(self.role_filter.currentData() or "")
            )
        )
        self.day_filter = QComboBox()
        self.day_filter.setAccessibleName("Sessions shown")
        self.day_filter.setMinimumWidth(180)
        self.day_filter.currentIndexChanged.connect(
            lambda: self._on_filter(lambda: self.proxy.set_day(self.day_filter.currentData()))
        )
        row.addWidget(self.search, 3)
        row.addWidget(QLabel("Role"))
        row.addWidget(self.role_filter, 1)
        row.addWidget(QLabel("Show"))
        row.addWidget(self.day_filter, 1)
        return row

    def _actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.session_combo = QComboBox()
        self.session_combo.setAccessibleName("Session to mark")
        self.session_combo.setMinimumWidth(200)
        self.session_combo.currentIndexChanged.connect(self.refresh_state)
        self.state_badge = QLabel()
        self.state_badge.setObjectName("Badge")
        self.state_badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        row.addWidget(QLabel("Session"))
        row.addWidget(self.session_combo)
        row.addWidget(self.state_badge)
        row.addStretch(1)
        self.mark_all_button = QPushButton(theme.icon("mark_all"), "Mark all present")
        self.mark_all_button.setToolTip("Mark present everyone in this session who has no mark yet")
        self.mark_all_button.clicked.connect(self._mark_all)
        self.sign_off_button = QPushButton(theme.icon("lock"), "Sign off session…")
        self.sign_off_button.setProperty("primary", True)
        self.sign_off_button.clicked.connect(self._sign_off)
        row.addSpacing(8)
        row.addWidget(self.mark_all_button)
        row.addWidget(self.sign_off_button)
        return row

    def _marking_bar(self) -> QHBoxLayout:
        """Below the grid: the chosen session's counts, and the buttons for the selected cell.

        They sit under the grid, not in the toolbar, so the page still fits beside the
        issues panel on a 1366 px screen.
        """
        row = QHBoxLayout()
        row.setSpacing(8)
        self.footer = QLabel()
        self.footer.setObjectName("Muted")
        self.footer.setWordWrap(True)
        row.addWidget(self.footer, 1)
        self.buttons: dict[str, QPushButton] = {}
        for status, text in (
            ("present", "Present  P"),
            ("absent", "Absent  A"),
            ("late", "Late  L"),
        ):
            button = QPushButton(theme.icon(status), text)
            button.setProperty("tone", status)
            button.setToolTip(f"Mark the selected officer {status} (key {text[-1]})")
            button.clicked.connect(lambda _=False, s=status: self.mark_current(s))
            self.buttons[status] = button
            row.addWidget(button)
        return row

    def _table(self) -> RegisterView:
        view = RegisterView()
        view.setObjectName("RegisterView")
        view.setModel(self.proxy)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setCornerButtonEnabled(False)
        names = view.verticalHeader()
        names.setObjectName("OfficerNames")
        names.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        names.setDefaultSectionSize(30)
        names.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        names.setFixedWidth(NAME_WIDTH)
        names.setHighlightSections(True)
        header = view.horizontalHeader()
        header.setDefaultSectionSize(SESSION_WIDTH)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)
        view.mark_key.connect(lambda status: self.mark_current(status, advance=True))
        view.doubleClicked.connect(lambda _index: self.mark_current("present"))
        view.selectionModel().currentChanged.connect(self._on_current_changed)
        return view

    # --- loading ------------------------------------------------------------------

    def set_register(self, register: Register | None, now: dt.datetime) -> None:
        """Show a freshly loaded register, keeping the user's search, filters and place."""
        first_load = self.register is None
        kept_session = self._chosen_session_id()
        kept_cell = self._current_cell()
        self.register, self.now = register, now
        self.model.set_register(register)
        for column, width in enumerate(INFO_WIDTHS):
            self.view.setColumnWidth(column, width)
        self._fill_filters(register, now, first_load)
        self._fill_sessions(register, now, kept_session)
        self._update_stack()
        self._restore_cell(kept_cell)
        self.refresh_state()

    def _fill_filters(self, register: Register | None, now: dt.datetime, first_load: bool) -> None:
        role = self.role_filter.currentData()
        day = self.day_filter.currentData() if not first_load else now.date()
        positions = sorted(
            {(r.position_rank, r.position) for r in register.rows} if register else []
        )
        with _quiet(self.role_filter, self.day_filter):
            self.role_filter.clear()
            self.role_filter.addItem("All roles", "")
            for _rank, name in positions:
                self.role_filter.addItem(name, name)
            self.role_filter.setCurrentIndex(max(0, self.role_filter.findData(role or "")))
            self.day_filter.clear()
            days = sorted({s.day for s in register.sessions}) if register else []
            for d in days:
                label = f"{d:%a} {d.day} {d:%b}" + ("  (today)" if d == now.date() else "")
                self.day_filter.addItem(label, d)
            self.day_filter.addItem("All days", None)
            found = find_data(self.day_filter, day) if day in days else self.day_filter.count() - 1
            self.day_filter.setCurrentIndex(found)
        self.proxy.set_role(self.role_filter.currentData() or "")
        self.proxy.set_day(self.day_filter.currentData())

    def _fill_sessions(self, register: Register | None, now: dt.datetime, kept: str | None) -> None:
        with _quiet(self.session_combo):
            self.session_combo.clear()
            for i, s in enumerate(register.sessions if register else []):
                self.session_combo.addItem(s.label, i)
                if register.is_locked(s.id):
                    self.session_combo.setItemIcon(i, theme.icon("lock"))
            ids = [s.id for s in register.sessions] if register else []
            chosen = (
                ids.index(kept)
                if kept in ids
                else (default_session(register, now) if register else None)
            )
            if chosen is not None:
                self.session_combo.setCurrentIndex(chosen)

    def _update_stack(self) -> None:
        if self.register is None or not self.register.rows:
            self.stack.setCurrentWidget(self.no_officers)
        elif self.proxy.rowCount() == 0:
            self.no_match.set_text(
                f"No officer matches “{self.search.text().strip()}”",
                "Check the spelling or the number, or clear the search and the role filter "
                "to see everyone deployed here.",
            )
            self.stack.setCurrentWidget(self.no_match)
        else:
            self.stack.setCurrentWidget(self.view)

    # --- state --------------------------------------------------------------------

    def chosen_session(self) -> int | None:
        data = self.session_combo.currentData()
        return data if isinstance(data, int) else None

    def _chosen_session_id(self) -> str | None:
        index = self.chosen_session()
        return self.register.sessions[index].id if self.register and index is not None else None

    def choose_session(self, session_id: str) -> None:
        if self.register is None:
            return
        index = self.register.index_of(session_id)
        day = self.register.sessions[index].day
        found = find_data(self.day_filter, day)
        if self.day_filter.currentData() is not None and found >= 0:
            self.day_filter.setCurrentIndex(found)
        self.session_combo.setCurrentIndex(index)
        self.focus_cell(0, index)

    def refresh_state(self) -> None:
        """Badge, buttons and counts for the chosen session, from what is on screen."""
        index = self.chosen_session()
        if self.register is None or index is None:
            self.state_badge.setText("No sessions")
            self._enable(False)
            self.footer.setText("")
            return
        state = marking_state(self.register, index, self.now)
        self.state_badge.setText(state.text)
        self.state_badge.setProperty("tone", state.tone)
        theme.repolish(self.state_badge)
        count = count_session(self.register, index)
        self._enable(state.can_mark and count.unmarked == 0)
        self.footer.setText(
            f"{self.register.sessions[index].label}:  {count.expected} expected  ·  "
            f"{count.present} present  ·  {count.late} late  ·  {count.absent} absent  ·  "
            f"{count.unmarked} not yet marked"
        )

    def _enable(self, ready_to_sign: bool) -> None:
        """Buttons stay clickable while marking is closed so the user learns why, in words;
        sign-off is the highlighted action once everyone has a mark."""
        has_officers = bool(self.register and self.register.rows)
        for button in (*self.buttons.values(), self.mark_all_button, self.sign_off_button):
            button.setEnabled(has_officers)
        self.sign_off_button.setProperty("primary", ready_to_sign)
        theme.repolish(self.sign_off_button)

    # --- actions ------------------------------------------------------------------

    def mark_current(self, status: str, advance: bool = False) -> None:
        """Mark the current cell, or the chosen session of the current officer's row.

        With `advance` (a key press), the cursor steps down the column when the mark is
        expected to pass the guard rails, so a session is marked key by key; on a cell
        that will be refused it stays put, next to the message that explains why.
        """
        index = self.view.currentIndex()
        if self.register is None or not index.isValid():
            return
        source = self.proxy.mapToSource(index)
        session = self.model.session_of_column(source.column())
        if session is None:
            session = self.chosen_session()
        if session is None:
            return
        row = self.model.data(source, ROW_ROLE)
        deployment = row.deployment_at(session)
        self.mark_requested.emit(
            deployment or row.spans[0].deployment_id, self.register.sessions[session].id, status
        )
        expected = (
            deployment is not None and marking_state(self.register, session, self.now).can_mark
        )
        below = index.siblingAtRow(index.row() + 1)
        if advance and expected and below.isValid():
            self.view.setCurrentIndex(below)

    def _mark_all(self) -> None:
        session_id = self._chosen_session_id()
        if session_id:
            self.mark_all_requested.emit(session_id)

    def _sign_off(self) -> None:
        session_id = self._chosen_session_id()
        if session_id:
            self.sign_off_requested.emit(session_id)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def focus_cell(self, proxy_row: int, session_index: int) -> None:
        """Put the cursor on a session cell so arrows and P / A / L work at once."""
        source_column = self.model.column_of_session(session_index)
        column = self.proxy.mapFromSource(self.model.index(0, source_column)).column()
        if column < 0 or self.proxy.rowCount() == 0:
            return
        index = self.proxy.index(min(proxy_row, self.proxy.rowCount() - 1), column)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- reactions ----------------------------------------------------------------

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_stack()

    def _on_filter(self, apply) -> None:
        apply()
        self._update_stack()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        session = self.model.session_of_column(self.proxy.mapToSource(current).column())
        if session is not None and session != self.chosen_session():
            self.session_combo.setCurrentIndex(session)

    def _current_cell(self) -> tuple[str, int] | None:
        index = self.view.currentIndex()
        if not index.isValid() or self.register is None:
            return None
        source = self.proxy.mapToSource(index)
        return self.model.row_at(source.row()).professional_id, source.column()

    def _restore_cell(self, cell: tuple[str, int] | None) -> None:
        if self.register is None or not self.register.rows:
            return
        if cell is None:
            session = self.chosen_session()
            if session is not None:
                self.focus_cell(0, session)
            return
        officer, column = cell
        row = next((i for i, r in enumerate(self.register.rows) if r.professional_id == officer), 0)
        index = self.proxy.mapFromSource(self.model.index(row, column))
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)


def find_data(combo: QComboBox, value: object) -> int:
    """`QComboBox.findData` cannot match Python dates; compare in Python instead."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)


class _quiet:
    """Block the signals of some widgets while they are refilled."""

    def __init__(self, *widgets: QWidget) -> None:
        self.widgets = widgets

    def __enter__(self) -> None:
        for w in self.widgets:
            w.blockSignals(True)

    def __exit__(self, *exc: object) -> None:
        for w in self.widgets:
            w.blockSignals(False)
