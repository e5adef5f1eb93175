"""The redeploy dialog: choose the centre and the first session at it, say why.

As the director chooses, the workspace asks `check_redeploy` (off the UI thread) and the
dialog lists, in plain words, every rule the move would break, and the shortfall it
would leave behind. Redeploy is enabled only when no rule is broken and a reason is
given; a shortfall is confirmed by the workspace before the move is written.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.redeploy import RedeployCheck
from cp2desk.services.subcounty import Overview
from cp2desk.services.subcounty_summary import OfficerLine, deployed_counts
from cp2desk.ui import theme


class Notice(QFrame):
    """A list of sentences with an icon, coloured like the message bar (error, warning)."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.setProperty("kind", kind)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 8)
        row.setSpacing(8)
        icon = QLabel()
        icon.setPixmap(theme.icon("error" if kind == "error" else "warning").pixmap(20, 20))
        self.label = QLabel()
        self.label.setObjectName("MessageText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.label, 1)
        self.hide()

    def set_lines(self, lines: list[str]) -> None:
        self.label.setText("\n".join(lines))
        self.setVisible(bool(lines))

    @property
    def text(self) -> str:
        return self.label.text() if not self.isHidden() else ""


class RedeployDialog(QDialog):
    check_requested = Signal(str, str, str)  # to station, from session, reason
    redeploy_requested = Signal(str, str, str)

    def __init__(
        self,
        officer: OfficerLine,
        overview: Overview,
        now: dt.datetime,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RedeployDialog")
        self.setWindowTitle("Redeploy an officer")
        self.setMinimumWidth(640)
        self.officer, self.overview, self.now = officer, overview, now
        self.check: RedeployCheck | None = None
        self.reason_touched = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self._ask)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        title = QLabel(f"Redeploy {officer.name}")
        title.setObjectName("PageTitle")
        facts = [f"{officer.position} at {officer.centre}", officer.phone]
        if officer.tsc_number:
            facts.append(f"TSC {officer.tsc_number}")
        subtitle = QLabel("   ·   ".join(f for f in facts if f))
        subtitle.setObjectName("PageSubtitle")
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addLayout(self._form())
        self.status = QLabel("Checking the rules…")
        self.status.setObjectName("Muted")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.problems = Notice("error")
        self.warnings = Notice("warning")
        self.error = Notice("error")
        for notice in (self.problems, self.warnings, self.error):
            layout.addWidget(notice)
        layout.addLayout(self._buttons())
        self._fill_sessions()
        self._fill_centres()
        self._changed()

    # --- building -----------------------------------------------------------------

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        self.target = QComboBox()
        self.target.setAccessibleName("Move to centre")
        self.target.setMinimumWidth(420)
        self.target.currentIndexChanged.connect(self._changed)
        self.session = QComboBox()
        self.session.setAccessibleName("From session")
        self.session.currentIndexChanged.connect(self._on_session)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText(
            "Why is the officer moved? For example: Parklands is two invigilators short."
        )
        self.reason.setFixedHeight(72)
        self.reason.setTabChangesFocus(True)
        self.reason.textChanged.connect(self._on_reason)
        form.addRow("Move to", self.target)
        form.addRow("From session", self.session)
        form.addRow("Reason", self.reason)
        return form

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.redeploy_button = QPushButton(theme.icon("redeploy", "#ffffff"), "Redeploy")
        self.redeploy_button.setProperty("primary", True)
        self.redeploy_button.setEnabled(False)
        self.redeploy_button.clicked.connect(self._redeploy)
        row.addWidget(self.cancel_button)
        row.addWidget(self.redeploy_button)
        return row

    def _fill_sessions(self) -> None:
        """Every session of the series; chosen: the first not started that the officer
        serves where they are now. Started and earlier ones stay listed, so that choosing
        one shows the rule it breaks."""
        line = next(
            (d for d in self.overview.deployments if d.deployment_id == self.officer.deployment_id),
            None,
        )
        first = line.first if line is not None else 0
        chosen = None
        for i, s in enumerate(self.overview.sessions):
            started = dt.datetime.combine(s.day, s.starts_at) <= self.now
            text = f"{s.label}, {s.starts_at:%H:%M}" + ("  ·  already started" if started else "")
            self.session.addItem(text, s.id)
            if not started and chosen is None and i >= first:
                chosen = i
        self.session.setCurrentIndex(chosen if chosen is not None else self.session.count() - 1)

    def _fill_centres(self) -> None:
        """Exam centres of the sub-county but this one, each with its count of the officer's
        role at the chosen session, shortest first."""
        chosen = self.target.currentData()
        index = self._session_index()
        counts = deployed_counts(self.overview, index)
        code = self.officer.position_code
        position = self.overview.position(code)
        plural = position.plural if position else "officers"
        options = []
        for c in self.overview.centres:
            if c.station_id == self.officer.station_id:
                continue
            have = counts.get((c.station_id, code), 0)
            need = self.overview.required.get((c.station_id, code), 0)
            options.append((have - need, c.name, f"{c.name}   ·   {plural}: {have} of {need}", c))
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem("Choose a centre…", "")
        for _gap, _name, text, centre in sorted(options, key=lambda o: (o[0], o[1])):
            self.target.addItem(text, centre.station_id)
        self.target.setCurrentIndex(max(0, self.target.findData(chosen or "")))
        self.target.blockSignals(False)

    def _session_index(self) -> int | None:
        session_id = self.session.currentData()
        return next((i for i, s in enumerate(self.overview.sessions) if s.id == session_id), None)

    # --- asking -------------------------------------------------------------------

    def _on_session(self) -> None:
        self._fill_centres()
        self._changed()

    def _on_reason(self) -> None:
        self.reason_touched = True
        self._changed()

    def _changed(self) -> None:
        self.redeploy_button.setEnabled(False)
        self.error.set_lines([])
        self._timer.start()

    def _ask(self) -> None:
        self.check_requested.emit(*self.choice())

    def choice(self) -> tuple[str, str, str]:
        return (
            self.target.currentData() or "",
            self.session.currentData() or "",
            self.reason.toPlainText(),
        )

    def show_check(self, check: RedeployCheck, choice: tuple[str, str, str]) -> None:
        """The rules' answer for `choice`; ignored if the director has changed it since."""
        if choice != self.choice():
            return
        self.check = check
        shown = [
            p.message
            for p in check.problems
            if (p.rule != "reason" or self.reason_touched)
            and not (p.rule == "target" and not choice[0])
        ]
        self.problems.set_lines(shown)
        self.warnings.set_lines(check.warnings)
        ready = check.allowed
        self.redeploy_button.setEnabled(ready)
        if ready:
            self.status.setText(
                "The move keeps every rule. It is saved on this computer and "
                "sent to the hub with the next sync."
            )
        elif not choice[0]:
            self.status.setText("Choose the centre the officer moves to.")
        elif not choice[2].strip() and len(shown) == 0:
            self.status.setText("Say why the officer is moved.")
        else:
            self.status.setText("This move cannot be made as it is:")

    def show_error(self, message: str) -> None:
        self.error.set_lines([message])
        self.redeploy_button.setEnabled(True)

    def _redeploy(self) -> None:
        if self.check is not None and self.check.allowed:
            self.redeploy_button.setEnabled(False)
            self.redeploy_requested.emit(*self.choice())
