"""A professional's own claim: what KNEC will pay for each series, or exactly why not yet.

Self-contained, so any workspace can include it (My CP2, or the small Claims
workspace): give it the context, call `reload()` after a sync. Each series is a card
with the amount, the days and sessions it pays for, where and as what the officer
served, and, when the claim is blocked, every reason in KNEC's words with what to do.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cp2desk.services.claims import OwnClaim, own_claims
from cp2desk.ui import theme
from cp2desk.ui.context import DeskContext
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.operation import user_message


def _label(text: str, name: str = "", wrap: bool = False, tone: str = "") -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    if tone:
        label.setProperty("tone", tone)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ClaimCard(QFrame):
    """One series: amount, what it pays for, and the reasons it is held up, if any."""

    def __init__(self, claim: OwnClaim, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.claim = claim
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(_label(claim.series_name, "CardTitle"), 1)
        if claim.paid:
            badge, tone = "Paid", "signed"
        elif claim.blocked:
            badge, tone = "Blocked: not payable yet", "closed"
        else:
            badge, tone = "Payable", "signed"
        self.badge = _label(badge, "Badge", tone=tone)
        self.badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        top.addWidget(self.badge)
        layout.addLayout(top)
        shown = claim.paid_amount if claim.paid else claim.amount
        self.amount = _label(f"KSh {shown:,}", "BigNumber")
        self.amount.setProperty("tone", "absent" if claim.blocked else "present")
        layout.addWidget(self.amount)
        days = f"{claim.days} day{'s' if claim.days != 1 else ''}"
        sessions = f"{claim.sessions} session{'s' if claim.sessions != 1 else ''}"
        served = "; ".join(claim.positions) or "not on a deployment list"
        self.facts = _label(f"{days} attended ({sessions})  ·  {served}", "Muted", wrap=True)
        layout.addWidget(self.facts)
        if claim.paid:
            when = f" on {claim.paid_at:%d %b %Y}" if claim.paid_at else ""
            self.payment = _label(
                f"KNEC paid you KSh {claim.paid_amount:,}{when}, reference "
                f"<b>{html.escape(claim.paid_ref or '-')}</b>. Quote the reference if you ask KNEC about "
                "this payment.",
                wrap=True,
            )
            layout.addWidget(self.payment)
        elif claim.blocked:
            layout.addWidget(_label("Why it is held up, and what to do", "CardTitle"))
            for reason in claim.reasons:
                row = QHBoxLayout()
                row.setSpacing(10)
                icon = QLabel()
                icon.setPixmap(theme.icon("warning").pixmap(20, 20))
                row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
                text = QVBoxLayout()
                text.setSpacing(2)
                text.addWidget(_label(f"<b>{reason.title}</b>: {reason.text}", wrap=True))
                text.addWidget(_label(reason.what_to_do, "Muted", wrap=True))
                row.addLayout(text, 1)
                layout.addLayout(row)
        else:
            layout.addWidget(
                _label(
                    "Nothing is missing: KNEC pays this to your M-Pesa number or bank account "
                    "once the series' claims are approved.",
                    "Muted",
                    wrap=True,
                )
            )


class ClaimPage(QWidget):
    loaded = Signal()

    def __init__(self, context: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.claims: list[OwnClaim] = []
        self.cards: list[ClaimCard] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(8)
        self.intro = _label(
            "Your claim is the days you attended (marked present or late at one session or "
            "more) times the daily rate of your role. Absent sessions are not paid.",
            "Muted",
            wrap=True,
        )
        layout.addWidget(self.intro)
        self.error = _label("", wrap=True)
        self.error.hide()
        layout.addWidget(self.error)
        self.body = QWidget()
        self.cards_layout = QVBoxLayout(self.body)
        self.cards_layout.setContentsMargins(0, 0, 8, 0)
        self.cards_layout.setSpacing(12)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.body)
        scroll.viewport().setAutoFillBackground(False)
        self.body.setAutoFillBackground(False)
        layout.addWidget(scroll, 1)
        self.empty = EmptyState(
            "No claim yet",
            "KNEC computes claims from the attendance marked at your centre. Your claim "
            "appears here after it is computed and you sync (F5).",
            "claim",
        )
        self.reload()

    def reload(self) -> None:
        replica, user_id = self.context.replica, self.context.user_id
        self.context.runner.run(lambda: own_claims(replica, user_id), self.set_claims, self._failed)

    def set_claims(self, claims: list[OwnClaim]) -> None:
        self.claims = claims
        while self.cards_layout.count():
            item = self.cards_layout.takeAt(0)
            if item.widget() is not None and item.widget() is not self.empty:
                item.widget().deleteLater()
        self.cards = [ClaimCard(c) for c in claims]
        for card in self.cards:
            self.cards_layout.addWidget(card)
        if not claims:
            self.cards_layout.addWidget(self.empty)
        self.empty.setVisible(not claims)
        self.cards_layout.addStretch(1)
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.error.setText(user_message(error))
        self.error.show()
