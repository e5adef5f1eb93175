"""My CP2: every professional's own workspace (centre managers and directors are
professionals too): profile, work and qualifications, vacancies, applications, account.

Profile edits are replica operations on the context's runner (saved here, sent at the
next sync). What needs the hub (search, apply, withdraw, password) runs on this
workspace's own runner, so a slow or cut network never holds up a centre's marks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from cp2desk.services import credentials, vacancies
from cp2desk.services import profile as profiles
from cp2desk.services.profile import CountyChoice, Profile
from cp2desk.sync.portal import ApplicationView, VacancyLine, VacancySearch
from cp2desk.ui import theme
from cp2desk.ui.confirm import confirm
from cp2desk.ui.context import DeskContext
from cp2desk.ui.dialogs.history_item import QualificationDialog, WorkDialog
from cp2desk.ui.empty_state import EmptyState
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.operation import OperationRunner, user_message
from cp2desk.ui.pages.account import AccountPage
from cp2desk.ui.pages.applications import ApplicationsPage
from cp2desk.ui.pages.claim import ClaimPage
from cp2desk.ui.pages.history import HistoryPage
from cp2desk.ui.pages.profile import ProfilePage, local_phone
from cp2desk.ui.pages.vacancies import VacanciesPage

SAVED = "Saved on this computer. It is sent to KNEC at the next sync."


class MyCp2Workspace(QWidget):
    changed = Signal()
    """A write was committed here: the main window refreshes the pending count."""
    loaded = Signal()

    def __init__(self, context: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.context = context
        self.online = OperationRunner(1, self)
        self.profile: Profile | None = None
        self.counties: list[CountyChoice] | None = None
        self.criteria = vacancies.Criteria()
        self.filters_loaded = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(8)
        self.title = QLabel("My CP2")
        self.title.setObjectName("PageTitle")
        self.subtitle = QLabel(context.display_name)
        self.subtitle.setObjectName("PageSubtitle")
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        self.messages = MessageBar()
        layout.addWidget(self.messages)
        self.tabs = QTabWidget()
        self.profile_page = ProfilePage()
        self.history = HistoryPage()
        self.vacancies = VacanciesPage()
        self.applications = ApplicationsPage()
        self.account = AccountPage()
        self.claim = ClaimPage(context)
        self.not_yet = EmptyState(
            "Your profile is not on this computer yet",
            "It arrives with the first sync. Press F5 to sync now.",
            "sync",
        )
        for page, icon, title in (
            (self.profile_page, "person", "Profile"),
            (self.history, "register", "Work && qualifications"),
            (self.vacancies, "search", "Vacancies"),
            (self.applications, "present", "My applications"),
            (self.claim, "claim", "My claim"),
            (self.account, "key", "Account"),
        ):
            self.tabs.addTab(page, theme.icon(icon), title)
        self.body = QStackedWidget()
        self.body.addWidget(self.tabs)
        self.body.addWidget(self.not_yet)
        layout.addWidget(self.body, 1)
        self._connect()
        self.reload()

    def _connect(self) -> None:
        self.profile_page.save_requested.connect(self.save_personal)
        self.history.work.add_requested.connect(lambda: self.edit_work(None))
        self.history.work.edit_requested.connect(self.edit_work)
        self.history.work.remove_requested.connect(
            lambda item: self._write(profiles.remove_work, item.id, "Removed from your profile.")
        )
        self.history.qualifications.add_requested.connect(lambda: self.edit_qualification(None))
        self.history.qualifications.edit_requested.connect(self.edit_qualification)
        self.history.qualifications.remove_requested.connect(
            lambda item: self._write(
                profiles.remove_qualification, item.id, "Removed from your profile."
            )
        )
        self.vacancies.search_requested.connect(self.search)
        self.vacancies.apply_requested.connect(self.apply)
        self.vacancies.withdraw_requested.connect(self.ask_withdraw)
        self.applications.withdraw_requested.connect(self.ask_withdraw)
        self.applications.apply_again_requested.connect(self.apply_again)
        self.account.change_requested.connect(self.change_password)
        self.account.sign_out_requested.connect(self.ask_sign_out)
        self.tabs.currentChanged.connect(self._tab_shown)

    # --- loading ------------------------------------------------------------------

    def reload(self) -> None:
        """Profile and applications from the replica (after a sync, and on opening)."""
        replica, user_id = self.context.replica, self.context.user_id
        need_counties = self.counties is None

        def load():
            return (
                profiles.load_profile(replica, user_id),
                vacancies.my_applications(replica, user_id),
                profiles.counties(replica) if need_counties else None,
            )

        self.context.runner.run(load, self._loaded, self._failed)
        self.claim.reload()

    def _loaded(self, found) -> None:
        profile, applications, counties = found
        if counties is not None:
            self.counties = counties
            self.profile_page.set_counties(counties)
        if profile is not None:
            self._show_profile(profile, keep_edits=True)
        self.body.setCurrentWidget(self.tabs if profile is not None else self.not_yet)
        self.applications.set_rows(applications)
        self.loaded.emit()

    def _show_profile(self, profile: Profile, keep_edits: bool = False) -> None:
        self.profile = profile
        name = profile.full_name or "Your name is not in your profile yet"
        self.subtitle.setText(
            f"{name}   ·   {local_phone(profile.phone)}   ·   Contracted professional"
        )
        self.profile_page.set_profile(profile, keep_edits=keep_edits)
        self.history.set_entries(profile.work, profile.qualifications)
        self.account.set_phone(profile.phone)

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.vacancies and not self.filters_loaded:
            self.load_filters()

    def load_filters(self) -> None:
        """The choices this computer knows at once, then the hub's (with its activities)."""
        self.filters_loaded = True
        replica, client = self.context.replica, self.context.client
        self.context.runner.run(
            lambda: vacancies.local_filters(replica), self._local_filters, self._failed
        )
        if client is not None:
            self.online.run(
                lambda: vacancies.filters(client),
                self.vacancies.set_filters,
                lambda _error: None,  # offline: the local choices stay; Search says so
            )

    def _local_filters(self, filters) -> None:
        if self.vacancies.filters is None:
            self.vacancies.set_filters(filters)

    # --- profile ------------------------------------------------------------------

    def save_personal(self, values: dict[str, Any]) -> None:
        replica, user_id = self.context.replica, self.context.user_id
        self.context.runner.run(
            lambda: profiles.save_personal(replica, user_id, values),
            lambda profile: self._saved(profile, SAVED),
            self._profile_refused,
        )

    def _profile_refused(self, error: BaseException) -> None:
        self.messages.error(user_message(error))
        self.profile_page.mark_invalid(getattr(error, "field", None))

    def _saved(self, profile: Profile, message: str) -> None:
        self._show_profile(profile)
        self.messages.success(message)
        self.changed.emit()

    def edit_work(self, item) -> None:
        dialog = WorkDialog(item, self)
        dialog.submitted.connect(lambda entry: self._save_entry(dialog, profiles.save_work, entry))
        dialog.open()
        self.dialog = dialog

    def edit_qualification(self, item) -> None:
        dialog = QualificationDialog(item, self)
        dialog.submitted.connect(
            lambda entry: self._save_entry(dialog, profiles.save_qualification, entry)
        )
        dialog.open()
        self.dialog = dialog

    def _save_entry(self, dialog, save: Callable, entry) -> None:
        replica, user_id = self.context.replica, self.context.user_id

        def saved(profile: Profile) -> None:
            dialog.accept()
            self._saved(profile, SAVED)

        def refused(error: BaseException) -> None:
            dialog.show_error(getattr(error, "field", ""), user_message(error))

        self.context.runner.run(lambda: save(replica, user_id, entry), saved, refused)

    def _write(self, write: Callable, item_id: str, message: str) -> None:
        replica, user_id = self.context.replica, self.context.user_id
        self.context.runner.run(
            lambda: write(replica, user_id, item_id),
            lambda profile: self._saved(profile, f"{message} {SAVED}"),
            self._failed,
        )

    # --- vacancies and applications -----------------------------------------------

    def search(self, criteria: vacancies.Criteria) -> None:
        self.criteria = criteria
        client, replica = self.context.client, self.context.replica
        if client is None:
            self.vacancies.set_offline(vacancies.OFFLINE_SEARCH)
            return
        if not self.filters_loaded:
            self.load_filters()
        self.vacancies.set_searching(True)
        self.online.run(
            lambda: vacancies.search(client, replica, criteria),
            self._found,
            self._search_failed,
        )

    def _found(self, found: VacancySearch) -> None:
        self.vacancies.set_searching(False)
        self.vacancies.set_results(found)

    def _search_failed(self, error: BaseException) -> None:
        self.vacancies.set_searching(False)
        if isinstance(error, vacancies.OfflineSearch):
            self.vacancies.set_offline(error.message)
        else:
            self.vacancies.messages.error(user_message(error))

    def apply(self, line: VacancyLine) -> None:
        confirmed = self.vacancies.details.confirm.isChecked()
        self.vacancies.details.set_busy(True)
        self._applying(line, confirmed, lambda outcome: self._applied(line, outcome))

    def apply_again(self, found: vacancies.MyApplication) -> None:
        self._applying(found, True, self._done_in_applications)

    def _applying(self, what, confirmed: bool, done: Callable) -> None:
        replica, client, user_id = self.context.replica, self.context.client, self.context.user_id
        self.online.run(
            lambda: vacancies.apply(
                replica, client, user_id, what, confirmed, self.context.today()
            ),
            done,
            self._decision_failed,
        )

    def _applied(self, line: VacancyLine, outcome: vacancies.Outcome) -> None:
        status = "pending" if outcome.queued else "submitted"
        view = ApplicationView(id=outcome.application_id, status=status)
        self.vacancies.details.set_busy(False)
        self.vacancies.update_line(
            line.model_copy(update={"application": view}),
            outcome.message,
            "info" if outcome.queued else "success",
        )
        self._after_decision(outcome)

    def ask_withdraw(self, application_id: str) -> None:
        self.confirm_box = confirm(
            self,
            "Withdraw application",
            "Withdraw this application?\n\nThe position goes back to others. You can apply "
            "again until the deadline, if positions are left.",
            "Withdraw Application",
            lambda: self.withdraw(application_id),
        )

    def withdraw(self, application_id: str) -> None:
        replica, client, user_id = self.context.replica, self.context.client, self.context.user_id
        line = self.vacancies.details.line
        self.vacancies.details.set_busy(True)

        def done(outcome: vacancies.Outcome) -> None:
            self.vacancies.details.set_busy(False)
            if line is not None and line.application and line.application.id == application_id:
                view = ApplicationView(id=application_id, status="withdrawn")
                kind = "info" if outcome.queued else "success"
                self.vacancies.update_line(
                    line.model_copy(update={"application": view}), outcome.message, kind
                )
            if self.tabs.currentWidget() is self.applications:
                self.messages.show_message(outcome.message, "info" if outcome.queued else "success")
            self._after_decision(outcome)

        self.online.run(
            lambda: vacancies.withdraw(replica, client, user_id, application_id),
            done,
            self._decision_failed,
        )

    def _done_in_applications(self, outcome: vacancies.Outcome) -> None:
        self.messages.show_message(outcome.message, "info" if outcome.queued else "success")
        self._after_decision(outcome)

    def _after_decision(self, outcome: vacancies.Outcome) -> None:
        if outcome.queued:
            self.changed.emit()
        self.reload()
        if not outcome.queued and self.vacancies.model.lines:
            self.search(self.criteria)  # positions left changed

    def _decision_failed(self, error: BaseException) -> None:
        self.vacancies.details.set_busy(False)
        if self.tabs.currentWidget() is self.vacancies:
            self.vacancies.details.outcome.error(user_message(error))
        else:
            self.messages.error(user_message(error))

    # --- account ------------------------------------------------------------------

    def change_password(self, old: str, new: str, again: str) -> None:
        client = self.context.client
        if client is None:
            self.account.refused("Changing your password needs the network.", None)
            return
        replica, user_id = self.context.replica, self.context.user_id
        self.account.set_busy(True)

        def done(message: str) -> None:
            self.account.set_busy(False)
            self.account.changed(message)

        def refused(error: BaseException) -> None:
            self.account.set_busy(False)
            field = getattr(error, "field", None)
            if getattr(error, "code", "") == "wrong_password":
                field = "old"
            self.account.refused(user_message(error), field)

        self.online.run(
            lambda: credentials.change_password(replica, client, user_id, old, new, again),
            done,
            refused,
        )

    def ask_sign_out(self) -> None:
        self.context.runner.run(self.context.replica.pending_count, self._confirm_sign_out)

    def _confirm_sign_out(self, waiting: int) -> None:
        many = waiting != 1
        note = (
            f"\n\n{waiting} change{'s' if many else ''} made here "
            f"{'have' if many else 'has'} not reached KNEC yet. "
            f"{'They stay' if many else 'It stays'} on this computer and "
            f"{'are' if many else 'is'} sent the next time you sign in."
            if waiting
            else ""
        )
        self.confirm_box = confirm(
            self,
            "Log out",
            "Log out of CP2 Desk on this computer?" + note,
            "Log out",
            self.sign_out,
        )

    def sign_out(self) -> None:
        if self.context.sign_out is not None:
            self.account.sign_out.setEnabled(False)
            self.context.sign_out()

    # --- the main window's hooks --------------------------------------------------

    def focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.vacancies)
        self.vacancies.focus_search()

    def _failed(self, error: BaseException) -> None:
        self.messages.error(user_message(error))
