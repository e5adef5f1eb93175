"""The KNEC clerk's workspace at a distribution centre ("container").

Two tabs: the custody log of exam materials (who collected and returned what, when,
with which seals) and the attendance of the container's own staff, which is the centre
manager's workspace reused whole (today, register, officers, own attendance): the
clerk marks the container's staff exactly as a centre manager marks a centre.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from cp2desk.reports.custody import custody_report
from cp2desk.reports.register import register_report
from cp2desk.services.custody import CustodyLog, DistributionCentre
from cp2desk.services.register import Centre
from cp2desk.ui import theme
from cp2desk.ui.context import DeskContext
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.pages.custody import CustodyPage
from cp2desk.ui.reports.export import ExportButton
from cp2desk.ui.workspaces.centre import CentreWorkspace


class DistributionWorkspace(QWidget):
    changed = Signal()
    """A write was committed here: the main window refreshes the pending count."""

    def __init__(
        self, context: DeskContext, centre: DistributionCentre, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.context, self.centre = context, centre
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(8)
        self.title = QLabel(centre.name)
        self.title.setObjectName("PageTitle")
        self.messages = MessageBar()
        self.export = ExportButton(
            context,
            [("Custody log", self._custody_report), ("Staff register", self._staff_report)],
            self.messages,
        )
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.export)
        layout.addLayout(top)
        self.subtitle = QLabel(self._subtitle(None))
        self.subtitle.setObjectName("PageSubtitle")
        layout.addWidget(self.subtitle)
        layout.addWidget(self.messages)
        self.tabs = QTabWidget()
        self.custody = CustodyPage(context, centre.station_id, self.messages)
        self.staff = CentreWorkspace(context, self._as_centre(centre))
        self.staff.title.hide()
        self.staff.subtitle.hide()
        self.staff.layout().setContentsMargins(0, 4, 0, 0)
        # The container's own staff: no centre materials, and the export is up here.
        self.staff.tabs.removeTab(self.staff.tabs.indexOf(self.staff.materials))
        self.staff.export.hide()
        self.tabs.addTab(self.custody, theme.icon("materials"), "Materials")
        self.tabs.addTab(self.staff, theme.icon("register"), "Staff attendance")
        layout.addWidget(self.tabs, 1)
        self.custody.changed.connect(self.changed)
        self.staff.changed.connect(self.changed)
        self.custody.loaded.connect(lambda: self.subtitle.setText(self._subtitle(self.custody.log)))
        self.custody.reload()

    @staticmethod
    def _as_centre(dc: DistributionCentre) -> Centre:
        return Centre(dc.station_id, dc.code, dc.name, dc.sub_county, dc.county, 0)

    def _subtitle(self, log: CustodyLog | None) -> str:
        c = self.centre
        parts = [f"Distribution centre {c.code}", f"{c.sub_county}, {c.county}".strip(", ")]
        if log is not None:
            count = len(log.centres)
            parts += [log.series_name, f"serves {count} centre{'s' if count != 1 else ''}"]
        return "   ·   ".join(p for p in parts if p)

    def _custody_report(self):
        return custody_report(self.context.replica, self.centre.station_id, self.context.now())

    def _staff_report(self):
        return register_report(
            self.context.replica,
            self.centre.station_id,
            self.context.now(),
            "Staff attendance register",
            "Distribution centre",
        )

    def reload(self) -> None:
        self.custody.reload()
        self.staff.reload()

    def focus_search(self) -> None:
        if self.tabs.currentWidget() is self.custody:
            self.custody.focus_search()
        else:
            self.staff.focus_search()
