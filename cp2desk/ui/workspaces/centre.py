"""The centre manager's workspace: today at a glance, the register, officers, own line.

It loads the register once (off the UI thread), hands plain rows to its pages, and
runs their requests as operations. A mark updates its one cell in place; mark all
present, sign-off and a sync reload the register. Refusals land in the message bar.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from cp2desk.reports.register import register_report
from cp2desk.services import attendance
from cp2desk.services.glance import (
    glance,
    marking_state,
    officers,
    own_attendance,
    professional_of,
)
from cp2desk.services.register import Centre, Register, load_register
from cp2desk.ui import theme
from cp2desk.ui.confirm import confirm
from cp2desk.ui.context import DeskContext
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.operation import user_message
from cp2desk.ui.pages.materials import MaterialsPage
from cp2desk.ui.pages.officers import OfficersPage
from cp2desk.ui.pages.own_attendance import OwnAttendancePage
from cp2desk.ui.pages.register import RegisterPage
from cp2desk.ui.pages.today import TodayPage
from cp2desk.ui.reports.export import ExportButton


class CentreWorkspace(QWidget):
    changed = Signal()
    """A write was committed here: the main window refreshes the pending count."""
    send_now = Signal()
    """A session was signed off: the director should see it now, not in two seconds."""
    loaded = Signal()

    def __init__(self, context: DeskContext, centre: Centre, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.context, self.centre = context, centre
        self.register: Register | None = None
        self.professional_id: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(8)
        self.title = QLabel(centre.name)
        self.title.setObjectName("PageTitle")
        self.subtitle = QLabel(self._subtitle(""))
        self.subtitle.setObjectName("PageSubtitle")
        self.messages = MessageBar()
        self.export = ExportButton(
            context, [("Attendance register", self._register_report)], self.messages
        )
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.export)
        layout.addLayout(top)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.messages)
        self.tabs = QTabWidget()
        self.today = TodayPage()
        self.register_page = RegisterPage()
        self.officers = OfficersPage()
        self.own = OwnAttendancePage()
        self.tabs.addTab(self.today, theme.icon("today"), "Today")
        self.tabs.addTab(self.register_page, theme.icon("register"), "Register")
        self.tabs.addTab(self.officers, theme.icon("officers"), "Officers")
        self.tabs.addTab(self.own, theme.icon("person"), "My attendance")
        self.materials = MaterialsPage(context, centre.station_id)
        self.tabs.addTab(self.materials, theme.icon("materials"), "Materials")
        layout.addWidget(self.tabs, 1)
        self.register_page.mark_requested.connect(self.mark)
        self.register_page.mark_all_requested.connect(self.mark_all_present)
        self.register_page.sign_off_requested.connect(self.ask_sign_off)
        self.today.open_session.connect(self.open_session)
        self.today.mark_self.connect(self.mark)
        self.reload()

    def _subtitle(self, series: str) -> str:
        c = self.centre
        parts = [
            f"Centre {c.code}",
            f"{c.sub_county}, {c.county}",
            series,
            f"{c.candidates} candidates",
        ]
        return "   ·   ".join(p for p in parts if p)

    # --- loading ------------------------------------------------------------------

    def reload(self) -> None:
        replica, user_id, station = (
            self.context.replica,
            self.context.user_id,
            self.centre.station_id,
        )
        today = self.context.today()

        def load() -> tuple[Register | None, str | None]:
            return load_register(replica, station, today), professional_of(replica, user_id)

        self.context.runner.run(load, self._loaded, self._failed)
        self.materials.reload()

    def _register_report(self):
        return register_report(self.context.replica, self.centre.station_id, self.context.now())

    def _loaded(self, result: tuple[Register | None, str | None]) -> None:
        self.register, self.professional_id = result
        self.subtitle.setText(self._subtitle(self.register.series_name if self.register else ""))
        self.register_page.set_register(self.register, self.context.now())
        self._refresh_summaries()
        self.officers.set_officers(officers(self.register) if self.register else [])
        self.loaded.emit()

    def _refresh_summaries(self) -> None:
        """Today, own attendance and the register's counts, from the register in memory."""
        now = self.context.now()
        register = self.register
        if register is None:
            self.today.set_glance(None, [], [], "")
            self.own.set_rows([])
            return
        found = glance(register, now.date())
        states = [
            marking_state(register, register.index_of(c.session.id), now) for c in found.sessions
        ]
        own = own_attendance(register, self.professional_id)
        upcoming = [s for s in register.sessions if s.day > now.date()]
        next_text = (
            f"The next session is {upcoming[0].label} at {upcoming[0].starts_at:%H:%M}: "
            f"{'; '.join(upcoming[0].paper_list)}."
            if upcoming
            else ""
        )
        self.today.set_glance(
            found, states, [o for o in own if o.session.day == now.date()], next_text
        )
        self.own.set_rows(own)
        self.register_page.now = now
        self.register_page.refresh_state()

    # --- operations ---------------------------------------------------------------

    def mark(self, deployment_id: str, session_id: str, status: str) -> None:
        replica, user_id, now = self.context.replica, self.context.user_id, self.context.now()
        self.context.runner.run(
            lambda: attendance.mark_attendance(
                replica, user_id, deployment_id, session_id, status, now
            ),
            self._marked,
            self._failed,
        )

    def _marked(self, result: attendance.MarkResult) -> None:
        self.register_page.model.update_mark(
            result.deployment_id, result.session_id, result.status, result.check_in
        )
        self._refresh_summaries()
        self.messages.success(f"{result.summary}. Saved on this computer.")
        self.changed.emit()

    def mark_all_present(self, session_id: str) -> None:
        replica, user_id, now = self.context.replica, self.context.user_id, self.context.now()
        station = self.centre.station_id
        label = self._label(session_id)
        self.context.runner.run(
            lambda: attendance.mark_all_present(replica, user_id, station, session_id, now),
            lambda count: self._after_bulk(
                f"Marked {count} officer{'s' if count != 1 else ''} present for {label}. "
                "Now mark the exceptions: select an officer and press A (absent) or L (late)."
                if count
                else f"Everyone deployed for {label} already has a mark."
            ),
            self._failed,
        )

    def ask_sign_off(self, session_id: str) -> None:
        label = self._label(session_id)
        confirm(
            self,
            "Sign off session",
            f"Sign off {label}?\n\nThe marks of this session will be locked. Only the "
            "sub-county director can reopen it to correct a mark.",
            "Sign off",
            lambda: self.sign_off(session_id),
        )

    def sign_off(self, session_id: str) -> None:
        replica, user_id, now = self.context.replica, self.context.user_id, self.context.now()
        station = self.centre.station_id
        self.context.runner.run(
            lambda: attendance.sign_off_session(replica, user_id, station, session_id, now),
            lambda result: self._signed_off(f"{result.summary}. Its marks are now locked."),
            self._failed,
        )

    def _signed_off(self, message: str) -> None:
        self._after_bulk(message)
        self.send_now.emit()

    def _after_bulk(self, message: str) -> None:
        self.messages.success(message)
        self.changed.emit()
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self.messages.error(user_message(error))

    # --- navigation ---------------------------------------------------------------

    def open_session(self, session_id: str) -> None:
        self.tabs.setCurrentWidget(self.register_page)
        self.register_page.choose_session(session_id)

    def focus_search(self) -> None:
        if self.tabs.currentWidget() is self.officers:
            self.officers.focus_search()
            return
        self.tabs.setCurrentWidget(self.register_page)
        self.register_page.focus_search()

    def _label(self, session_id: str) -> str:
        if self.register is None:
            return "this session"
        return self.register.sessions[self.register.index_of(session_id)].label
