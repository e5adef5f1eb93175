"""The dialog a clerk logs one handover in: which session and centre, who, seals, when.

It knows the custody log already on screen, so it names the centre manager the clerk
should see for that centre and session, and says at once whether the ID number typed
is theirs. The service checks again when the handover is saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.custody import CustodyLine, CustodyLog
from cp2desk.ui import theme

GOOD, WARN = "#15803d", "#b45309"
WORDS = {
    "collect": (
        "Log a collection",
        "Record the papers a centre manager collects for a session. Check their national "
        "ID card, and type the number of every seal on the packets handed over.",
        "Log collection",
    ),
    "return": (
        "Log a return",
        "Record the scripts a centre manager brings back after the session, with the "
        "numbers of the seals on the packets. They should be the seals issued.",
        "Log return",
    ),
}


@dataclass(frozen=True, slots=True)
class HandoverForm:
    kind: str
    centre_id: str
    session_id: str
    national_id: str
    seals: str
    at: dt.datetime
    allow_other: bool = False
    replace: bool = False


class HandoverDialog(QDialog):
    submitted = Signal(object)  # HandoverForm

    def __init__(
        self,
        kind: str,
        log: CustodyLog,
        now: dt.datetime,
        line: CustodyLine | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind, self.log, self.now = kind, log, now
        title, intro, action = WORDS[kind]
        self.setWindowTitle(title)
        self.setObjectName("HandoverDialog")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(12)
        heading = QLabel(title)
        heading.setObjectName("CardTitle")
        text = QLabel(intro)
        text.setObjectName("Muted")
        text.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(text)
        form = QFormLayout()
        form.setSpacing(8)
        self.session = QComboBox()
        for s in log.sessions:
            self.session.addItem(f"{s.label}  {s.starts_at:%H:%M}–{s.ends_at:%H:%M}", s.id)
        self.centre = QComboBox()
        for c in log.centres:
            self.centre.addItem(f"{c.name} ({c.code})", c.station_id)
        self.expected = QLabel()
        self.expected.setObjectName("Muted")
        self.expected.setWordWrap(True)
        self.national_id = QLineEdit()
        self.national_id.setPlaceholderText("National ID number, as on the ID card")
        self.national_id.setMaxLength(14)
        self.check = QLabel()
        self.check.setWordWrap(True)
        self.seals = QLineEdit()
        self.seals.setPlaceholderText("Seal numbers, separated by commas")
        seal_row = QHBoxLayout()
        seal_row.addWidget(self.seals, 1)
        self.same_seals = QPushButton("Same as issued")
        self.same_seals.setToolTip("Fill in the seals issued when the papers were collected")
        self.same_seals.clicked.connect(self._fill_issued)
        self.same_seals.setVisible(kind == "return")
        seal_row.addWidget(self.same_seals)
        self.issued = QLabel()
        self.issued.setObjectName("Muted")
        self.time = QTimeEdit(QTime(now.hour, now.minute))
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName("Time of the handover")
        form.addRow("Session", self.session)
        form.addRow("Centre", self.centre)
        form.addRow("", self.expected)
        form.addRow("ID number", self.national_id)
        form.addRow("", self.check)
        form.addRow("Seals", seal_row)
        if kind == "return":
            form.addRow("", self.issued)
        form.addRow("Time", self.time)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setProperty("primary", True)
        self.ok.setIcon(theme.icon("collect" if kind == "collect" else "return"))
        buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._choose(line)
        self.session.currentIndexChanged.connect(self._update)
        self.centre.currentIndexChanged.connect(self._update)
        self.national_id.textChanged.connect(self._update_check)
        self._update()

    # --- state --------------------------------------------------------------------

    def _choose(self, line: CustodyLine | None) -> None:
        """The line the clerk pointed at, else the session under way (or next) today."""
        if line is not None:
            self.session.setCurrentIndex(self.session.findData(line.session.id))
            self.centre.setCurrentIndex(self.centre.findData(line.centre.station_id))
            return
        upcoming = [
            i
            for i, s in enumerate(self.log.sessions)
            if dt.datetime.combine(s.day, s.ends_at) >= self.now
        ]
        if upcoming:
            self.session.setCurrentIndex(upcoming[0])

    def line(self) -> CustodyLine | None:
        key = (self.session.currentData(), self.centre.currentData())
        return next((x for x in self.log.lines if (x.session.id, x.centre.station_id) == key), None)

    def _update(self) -> None:
        line = self.line()
        manager = line.manager if line else None
        if manager is None:
            self.expected.setText(
                "No centre manager is deployed to this centre for this session on this "
                "computer. Sync, or confirm who is handing over when you save."
            )
        else:
            ending = manager.national_id[-3:] if manager.national_id else "?"
            self.expected.setText(f"Centre manager: {manager.name} (ID number ending {ending})")
        issued = line.collected.seals if line and line.collected else ()
        if self.kind == "return":
            self.issued.setText(
                f"Issued at collection: {', '.join(issued)}"
                if issued
                else "No collection is logged for this centre and session yet."
            )
        self.same_seals.setEnabled(bool(issued))
        self._update_check()

    def _update_check(self) -> None:
        line = self.line()
        typed = "".join(self.national_id.text().split()).upper()
        manager = line.manager if line else None
        if not typed:
            self.check.setText("")
            return
        if manager is not None and typed == manager.national_id:
            self.check.setText(f"✓ {manager.name}, the centre manager")
            self.check.setStyleSheet(f"color: {GOOD}; font-weight: bold;")
        else:
            self.check.setText("Not the centre manager's ID number: check the ID card.")
            self.check.setStyleSheet(f"color: {WARN}; font-weight: bold;")

    def _fill_issued(self) -> None:
        line = self.line()
        if line and line.collected:
            self.seals.setText(", ".join(line.collected.seals))

    def form(self) -> HandoverForm:
        day = next(s.day for s in self.log.sessions if s.id == self.session.currentData())
        time = self.time.time()
        return HandoverForm(
            self.kind,
            self.centre.currentData(),
            self.session.currentData(),
            self.national_id.text(),
            self.seals.text(),
            dt.datetime.combine(day, dt.time(time.hour(), time.minute())),
        )

    def _submit(self) -> None:
        self.submitted.emit(self.form())
        self.accept()
