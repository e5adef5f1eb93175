"""Today at a glance: the centre's sessions and papers, and how many officers are in."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.glance import Glance, MarkingState, OwnMark, SessionCount
from cp2desk.ui import theme
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.models.register_model import cell_text


def _label(text: str, name: str = "", tone: str = "", wrap: bool = False) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    if tone:
        label.setProperty("tone", tone)
    label.setWordWrap(wrap)
    return label


class SessionCard(QFrame):
    """One session: time, papers, state, and the expected / present / late / absent counts."""

    def __init__(self, count: SessionCount, state: MarkingState, on_open) -> None:
        super().__init__()
        self.setObjectName("Card")
        s = count.session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(8)
        title = f"{s.slot.capitalize()}  {s.starts_at:%H:%M}–{s.ends_at:%H:%M}"
        layout.addWidget(_label(title, "CardTitle"))
        layout.addWidget(_label(state.text, "Badge", state.tone), 0, Qt.AlignmentFlag.AlignLeft)
        papers = _label("\n".join(s.paper_list) or "Papers not published yet", "Muted", wrap=True)
        layout.addWidget(papers)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        numbers = (
            ("Expected", count.expected, ""),
            ("Present", count.present, "present"),
            ("Late", count.late, "late"),
            ("Absent", count.absent, "absent"),
            ("Not marked", count.unmarked, "unmarked"),
        )
        for column, (title, value, tone) in enumerate(numbers):
            number = _label(str(value), "BigNumber", tone)
            number.setAccessibleName(f"{title}: {value}")
            grid.addWidget(number, 0, column)
            grid.addWidget(_label(title, "Muted"), 1, column)
        layout.addLayout(grid)
        layout.addStretch(1)
        button = QPushButton(theme.icon("register"), "Open in register")
        button.clicked.connect(lambda: on_open(s.id))
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)


class TodayPage(QWidget):
    open_session = Signal(str)
    mark_self = Signal(str, str, str)  # deployment id, session id, status

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 12, 0, 0)
        self.layout_.setSpacing(12)
        self.cards: list[SessionCard] = []

    def set_glance(
        self,
        found: Glance | None,
        states: list[MarkingState],
        own_today: list[OwnMark],
        next_session: str,
    ) -> None:
        _clear(self.layout_)
        self.cards = []
        if found is None or not found.sessions:
            day = found.today if found else dt.date.today()
            self.layout_.addWidget(
                EmptyState(
                    f"No exam sessions today, {day:%A} {day.day} {day:%B}",
                    next_session or "There are no more sessions in this series at this centre.",
                    "today",
                ),
                1,
            )
            return
        self.layout_.addWidget(
            _label(f"Today  ·  {found.today:%A} {found.today.day} {found.today:%B %Y}", "CardTitle")
        )
        row = QHBoxLayout()
        row.setSpacing(12)
        for count, state in zip(found.sessions, states, strict=True):
            card = SessionCard(count, state, self.open_session.emit)
            self.cards.append(card)
            row.addWidget(card, 1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self._own(own_today))
        self.layout_.addStretch(1)

    def _own(self, own_today: list[OwnMark]) -> QFrame:
        card = QFrame()
        card.setObjectName("Card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        layout.addWidget(_label("Your own attendance", "CardTitle"))
        if not own_today:
            layout.addWidget(
                _label("You are not on this centre's deployment list today.", "Muted", wrap=True)
            )
        for own in own_today:
            line = QHBoxLayout()
            if own.deployment_id is None:
                text = f"{own.session.label}: not deployed here"
            elif own.mark is None:
                text = f"{own.session.label}: not marked yet"
            else:
                text = f"{own.session.label}: {cell_text(own.mark)}"
            line.addWidget(_label(text), 1)
            if own.deployment_id and own.mark is None:
                button = QPushButton(theme.icon("present"), "Mark me present")
                button.clicked.connect(
                    lambda _=False, o=own: self.mark_self.emit(
                        o.deployment_id, o.session.id, "present"
                    )
                )
                line.addWidget(button)
            layout.addLayout(line)
        return card


def _clear(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget():
            item.widget().deleteLater()
        elif item.layout():
            _clear(item.layout())
