"""My CP2 against a real hub on loopback: profile, work and qualifications, vacancies
(search, tick, submit, withdraw, apply again, offline), applications, password, log out,
and creating an account from the sign-in window. Screenshots of each screen."""

from __future__ import annotations

import datetime as dt

import keyring
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from sqlalchemy import select

from cp2desk.local_db import models as local
from cp2desk.local_db.replica import Replica
from cp2desk.services import vacancies as vacancy_service
from cp2desk.sync.client import HubClient
from cp2desk.sync.engine import SyncEngine
from cp2desk.sync.errors import SessionExpired
from cp2desk.ui import app
from cp2desk.ui.context import DeskContext
from cp2desk.ui.login import LoginWindow
from cp2desk.ui.main_window import MainWindow
from cp2desk.ui.operation import OperationRunner
from cp2desk.ui.workspaces.my_cp2 import MyCp2Workspace
from cp2hub import models as m
from cp2hub.db import Database
from cp2hub.schema import upgrade
from cp2hub.settings import Settings
from tests.hub.portal_world import PASSWORD, build_portal_world, outbox, sent_password
from tests.sync.conftest import HubServer

NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def hub_db(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def world(hub_db):
    return build_portal_world(hub_db)


@pytest.fixture
def hub(hub_db, world):
    with HubServer(hub_db, Settings(max_failed_logins=3, mode="demo")) as server:
        yield server


class Desk:
    def __init__(self, qtbot, tmp_path, url: str, phone: str, name: str) -> None:
        self.url = url
        self.replica = Replica(tmp_path / f"{phone}.sqlite3")
        self.client = HubClient(url)
        pair = self.client.login(phone, PASSWORD, self.replica.device_id, "ui test")
        self.engine = SyncEngine(self.replica, self.client)
        self.engine.sync()
        self.context = DeskContext(
            self.replica, pair.user_id, OperationRunner(1), display_name=name, client=self.client
        )
        self.window = MainWindow(self.context, sync=self.engine.sync, online=True)
        qtbot.addWidget(self.window)
        self.window.resize(1366, 768)
        self.window.show()
        qtbot.waitUntil(lambda: self.workspace is not None, timeout=10_000)
        self.qtbot = qtbot
        self.settle()

    @property
    def workspace(self) -> MyCp2Workspace | None:
        return next((w for w in self.window.workspaces if isinstance(w, MyCp2Workspace)), None)

    def settle(self) -> None:
        ws = self.workspace
        self.qtbot.waitUntil(
            lambda: not self.context.runner.busy and not (ws and ws.online.busy), timeout=15_000
        )

    def offline(self) -> None:
        self.client.base_url = NOWHERE

    def online(self) -> None:
        self.client.base_url = self.url

    def show(self, tab) -> MyCp2Workspace:
        ws = self.workspace
        self.window.nav.setCurrentRow(self.window.workspaces.index(ws))
        ws.tabs.setCurrentWidget(tab(ws))
        self.settle()
        return ws

    def close(self) -> None:
        self.window.shutdown()
        self.workspace.online.wait()
        self.replica.dispose()


@pytest.fixture
def desk(qtbot, tmp_path, hub, world):
    made = []

    def make(name: str = "jane", full: str = "Jane Wanjiku") -> Desk:
        made.append(Desk(qtbot, tmp_path, hub.url, world.phones[name], full))
        return made[-1]

    yield make
    for d in made:
        d.close()


def click(qtbot, button) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def confirm_button(parent, text: str) -> QPushButton:
    box = parent.findChild(QMessageBox, "ConfirmBox")
    assert box is not None, "a confirmation was expected"
    return next(b for b in box.findChildren(QPushButton) if b.text() == text)


# --- profile ----------------------------------------------------------------------------


def test_every_professional_has_my_cp2_and_sees_what_blocks_payment(desk, hub_db, world, shoot):
    newton = desk("newton", "Newton Kariuki")
    ws = newton.show(lambda w: w.profile_page)
    assert newton.window.nav.item(newton.window.nav.count() - 1).text() == "My CP2"
    assert "Newton Kariuki" in ws.subtitle.text() and "0711 500 003" in ws.subtitle.text()
    card = ws.profile_page.completeness
    assert card.headline.text() == "KNEC cannot pay you until you add:"
    assert card.blocking.text() == "•  Your ID number"
    assert "At least one work experience entry" in card.others.text()
    assert ws.profile_page.fields["first_name"].text() == "Newton"
    assert not ws.profile_page.save.isEnabled()
    shoot(newton.window, "60_cp2_profile_missing_for_payment")

    page = ws.profile_page
    page.fields["national_id"].setText("12AB")
    page.fields["national_id"].textEdited.emit("12AB")
    click(newton.qtbot, page.save)
    newton.settle()
    assert ws.messages.kind == "error" and "ID number: digits only" in ws.messages.text
    assert page.fields["national_id"].property("invalid") is True
    shoot(newton.window, "61_cp2_profile_refused_value")

    newton.offline()  # edits are saved here and sent later
    page.fields["national_id"].setText("31234567")
    page.fields["national_id"].textEdited.emit("31234567")
    click(newton.qtbot, page.save)
    newton.settle()
    assert ws.messages.kind == "success" and "sent to KNEC at the next sync" in ws.messages.text
    assert card.blocking.isHidden()
    assert card.headline.text() == "Your profile has everything KNEC needs to pay you."
    assert newton.replica.pending_count() == 1
    newton.online()
    newton.engine.sync()
    with hub_db.read() as s:
        assert s.get(m.Professional, world.people["newton"]).national_id == "31234567"


def test_a_profile_without_payment_details(desk, hub_db, world):
    with hub_db.write() as s:
        person = s.get(m.Professional, world.people["mary"])
        person.payment_method = person.mpesa_phone = person.mpesa_name = None
    mary = desk("mary", "Mary Achieng")
    page = mary.show(lambda w: w.profile_page).profile_page
    assert page.completeness.blocking.text() == ("•  Your payment details (M-Pesa or bank account)")
    assert page.fields["payment_method"].currentText() == "Not set"
    assert page.fields["mpesa_phone"].text() == "" and not page.fields["mpesa_phone"].isEnabled()
    page.fields["payment_method"].setCurrentIndex(page.fields["payment_method"].findData("mpesa"))
    assert page.fields["mpesa_phone"].isEnabled() and page.save.isEnabled()


def test_county_then_its_sub_counties_in_the_profile(desk, world):
    jane = desk()
    page = jane.show(lambda w: w.profile_page).profile_page
    county, sub = page.fields["county_id"], page.fields["sub_county_id"]
    assert county.currentText() == "Nairobi" and sub.currentText() == "Westlands"
    county.setCurrentIndex(county.findText("Kiambu"))
    assert [sub.itemText(i) for i in range(sub.count())] == ["Not set", "Thika Town"]
    assert page.save.isEnabled()
    click(jane.qtbot, page.undo)
    assert county.currentText() == "Nairobi" and not page.save.isEnabled()


def test_work_experience_and_qualifications(desk, shoot):
    jane = desk()
    ws = jane.show(lambda w: w.history)
    work = ws.history.work
    assert work.empty.isVisible()
    click(jane.qtbot, work.add)
    dialog = ws.dialog
    dialog.title.setText("Teacher")
    click(jane.qtbot, dialog.save)
    jane.settle()
    assert dialog.isVisible() and dialog.error.text() == "Enter the employer."
    dialog.employer.setText("Kangemi Primary School")
    dialog.start.setDate(dt.date(2016, 1, 1))
    shoot(jane.window, "62_cp2_add_work_experience", dialog=dialog)
    click(jane.qtbot, dialog.save)
    jane.settle()
    assert not dialog.isVisible()
    assert [(w.employer, w.title) for w in work.model.rows] == [
        ("Kangemi Primary School", "Teacher")
    ]

    work.select(0)
    click(jane.qtbot, work.edit)
    ws.dialog.title.setText("Senior Teacher")
    click(jane.qtbot, ws.dialog.save)
    jane.settle()
    assert work.model.rows[0].title == "Senior Teacher"

    quals = ws.history.qualifications
    click(jane.qtbot, quals.add)
    ws.dialog.level.setCurrentText("Diploma")
    ws.dialog.title.setText("Diploma in Primary Teacher Education")
    ws.dialog.institution.setText("Kenyatta University")
    ws.dialog.year.setValue(2012)
    click(jane.qtbot, ws.dialog.save)
    jane.settle()
    assert quals.model.rows[0].year == 2012
    shoot(jane.window, "63_cp2_work_and_qualifications")

    quals.select(0)
    click(jane.qtbot, quals.remove)
    click(jane.qtbot, confirm_button(quals, "Remove"))
    jane.settle()
    assert quals.model.rows == [] and quals.empty.isVisible()
    assert jane.replica.pending_count() == 4
    assert "0 " not in ws.profile_page.completeness.others.text()


# --- vacancies ------------------------------------------------------------------------


def search(d: Desk, hub_filters: bool = True, **choose) -> MyCp2Workspace:
    ws = d.show(lambda w: w.vacancies)
    page = ws.vacancies
    combo = page.combos["activity" if hub_filters else "exam"]  # only the hub knows activities
    d.qtbot.waitUntil(lambda: combo.count() > 1, timeout=10_000)
    page.choose(**choose)
    click(d.qtbot, page.search)
    d.settle()
    return ws


def test_filters_and_the_sub_county_follows_the_county(desk, world):
    jane = desk()
    ws = search(jane)
    page = ws.vacancies
    combos = page.combos
    assert [combos["exam"].itemText(i) for i in range(combos["exam"].count())] == [
        "Any exam",
        "Kenya Certificate of Secondary Education",
        "Kenya Junior School Education Assessment",
        "Kenya Primary School Education Assessment",
    ]
    assert combos["activity"].itemText(2) == "Supervision & Invigilation"
    assert not combos["sub_county"].isEnabled()
    page.choose(county=world.counties["Kiambu"])
    assert combos["sub_county"].isEnabled()
    assert [combos["sub_county"].itemText(i) for i in range(combos["sub_county"].count())] == [
        "Any sub-county",
        "Thika Town",
    ]
    click(jane.qtbot, page.search)
    jane.settle()
    assert [x.id for x in page.model.lines] == [world.vacancies["kcse_security"]]
    page.choose(county="")
    assert not combos["sub_county"].isEnabled()


def test_search_apply_withdraw_and_apply_again(desk, world, hub_db, shoot):
    jane = desk()
    ws = search(jane, exam="KCSE", county=world.counties["Nairobi"])
    page = ws.vacancies
    assert page.count.text() == "2 vacancies found"
    vacancy = world.vacancies["kcse_invigilator"]
    page.select_vacancy(vacancy)
    details = page.details
    assert details.isVisible() and details.title.text() == "Invigilator"
    assert details.subtitle.text() == "Exam 2030/3 Kenya Certificate of Secondary Education"
    assert details.facts["positions"].text() == "83 of 83"
    assert details.facts["rate"].text() == "KSh 550 a day"
    assert not details.submit.isEnabled() and details.withdraw.isHidden()
    shoot(jane.window, "64_cp2_vacancy_details")
    details.confirm.setChecked(True)
    click(jane.qtbot, details.submit)
    jane.settle()
    assert details.outcome.kind == "success"
    assert details.outcome.text.startswith("Thank you for applying to be an Invigilator")
    assert details.badge.text() == "Submitted" and details.withdraw.isVisible()
    assert details.submit.isHidden()
    assert details.facts["positions"].text() == "82 of 83"  # searched again
    shoot(jane.window, "65_cp2_vacancy_thank_you")

    click(jane.qtbot, details.withdraw)
    shoot(jane.window, "66_cp2_withdraw_confirm", dialog=ws.findChild(QMessageBox, "ConfirmBox"))
    click(jane.qtbot, confirm_button(ws, "Withdraw Application"))
    jane.settle()
    assert "was withdrawn" in details.outcome.text
    assert details.badge.text() == "Withdrawn" and details.submit.isVisible()
    assert not details.confirm.isChecked()
    shoot(jane.window, "67_cp2_vacancy_withdrawn")

    details.confirm.setChecked(True)
    click(jane.qtbot, details.submit)
    jane.settle()
    assert details.badge.text() == "Submitted"
    with hub_db.read() as s:
        (row,) = s.scalars(select(m.Application)).all()
    assert row.status == "submitted"
    ws.tabs.setCurrentWidget(ws.applications)
    rows = ws.applications.model.rows
    assert [(a.position, a.status_text) for a in rows] == [("Invigilator", "Submitted")]


def test_a_vacancy_not_open_to_you_says_why(desk, world, shoot):
    newton = desk("newton", "Newton Kariuki")
    ws = search(newton, position="invigilator")
    page = ws.vacancies
    page.select_vacancy(world.vacancies["kcse_invigilator"])
    details = page.details
    assert details.reason.text() == "Complete your profile before applying: add your ID number."
    details.confirm.setChecked(True)
    assert not details.submit.isEnabled()
    shoot(newton.window, "68_cp2_vacancy_not_eligible")


def test_searching_offline_says_so(desk, shoot):
    jane = desk()
    jane.offline()
    ws = search(jane, hub_filters=False)
    page = ws.vacancies
    assert page.messages.kind == "warning"
    assert page.messages.text.startswith("You are offline. Vacancies are searched on the KNEC hub")
    assert page.empty.title.text() == "You are offline"
    assert page.combos["exam"].count() > 1  # the choices this computer knows
    shoot(jane.window, "69_cp2_vacancies_offline")


def test_an_offline_application_waits_then_the_hub_decides(desk, world, hub_db, shoot):
    jane = desk()
    ws = search(jane)
    page = ws.vacancies
    page.select_vacancy(world.vacancies["kcse_invigilator"])
    page.details.confirm.setChecked(True)
    jane.offline()
    click(jane.qtbot, page.details.submit)
    jane.settle()
    assert page.details.outcome.kind == "info"
    assert "saved on this computer" in page.details.outcome.text
    assert page.details.badge.text() == "Waiting to be sent"
    shoot(jane.window, "70_cp2_applied_offline")
    ws.tabs.setCurrentWidget(ws.applications)
    (mine,) = ws.applications.model.rows
    assert mine.status_text == "Waiting to be sent" and mine.pending

    # Meanwhile another officer takes the only KPSEA position Jane also applies for.
    page.select_vacancy(world.vacancies["kpsea_invigilator"])
    page.details.confirm.setChecked(True)
    click(jane.qtbot, page.details.submit)
    jane.settle()
    mary = HubClient(jane.url)
    mary.login(world.phones["mary"], PASSWORD, "mary-device-1")
    mary.apply_for(world.vacancies["kpsea_invigilator"], True)
    assert len(ws.applications.model.rows) == 2
    shoot(jane.window, "71_cp2_applications_waiting")

    jane.online()
    with jane.qtbot.waitSignal(jane.window.sync.finished, timeout=20_000):
        jane.window.sync_now()
    jane.settle()
    by_vacancy = {a.vacancy_id: a for a in ws.applications.model.rows}
    assert by_vacancy[world.vacancies["kcse_invigilator"]].status_text == "Submitted"
    refused = by_vacancy[world.vacancies["kpsea_invigilator"]]
    assert refused.status_text == "Not accepted"
    assert refused.reason == "The only position of this vacancy has been filled."
    shoot(jane.window, "72_cp2_applications_after_sync")


def test_withdraw_and_apply_again_from_my_applications(desk, world):
    jane = desk()
    ws = search(jane)
    ws.vacancies.select_vacancy(world.vacancies["kcse_supervisor"])
    ws.vacancies.details.confirm.setChecked(True)
    click(jane.qtbot, ws.vacancies.details.submit)
    jane.settle()
    ws.tabs.setCurrentWidget(ws.applications)
    page = ws.applications
    page.view.selectRow(0)
    assert not page.again.isEnabled()
    click(jane.qtbot, page.withdraw)
    click(jane.qtbot, confirm_button(ws, "Withdraw Application"))
    jane.settle()
    assert page.model.rows[0].status_text == "Withdrawn"
    assert "was withdrawn" in ws.messages.text
    page.view.selectRow(0)
    click(jane.qtbot, page.again)
    click(jane.qtbot, confirm_button(page, "Submit Application"))
    jane.settle()
    assert page.model.rows[0].status_text == "Submitted"
    assert ws.messages.text.startswith("Thank you for applying to be a Supervisor")


# --- account ---------------------------------------------------------------------------


def test_change_password(desk, world, shoot):
    jane = desk()
    ws = jane.show(lambda w: w.account)
    page = ws.account
    assert page.username.text() == "Your username is your phone number: 0711 500 001"

    def change(old, new, again):
        page.old.setText(old)
        page.new.setText(new)
        page.again.setText(again)
        click(jane.qtbot, page.change)
        jane.settle()

    change(PASSWORD, "a-new-pass-1", "a-new-pass-2")
    assert page.messages.kind == "error" and "not the same" in page.messages.text
    assert page.again.property("invalid") is True
    change("not-it", "a-new-pass-1", "a-new-pass-1")
    assert page.messages.text == "Your current password is not correct."
    assert page.old.property("invalid") is True
    shoot(jane.window, "73_cp2_password_refused")
    change(PASSWORD, "a-new-pass-1", "a-new-pass-1")
    assert page.messages.kind == "success" and "password was changed" in page.messages.text
    assert page.old.text() == ""
    shoot(jane.window, "74_cp2_password_changed")
    HubClient(jane.url).login(world.phones["jane"], "a-new-pass-1", "another-device-1")


def test_log_out_clears_the_session_on_this_device(qtbot, hub, world, desk_home, shoot):
    from cp2desk.services import account as accounts

    account = accounts.sign_in(hub.url, world.phones["jane"], PASSWORD)
    refresh_token = account.client.refresh_token
    assert account.tokens.load() == refresh_token
    signed_out = []
    window = app.open_main_window(account, on_signed_out=lambda: signed_out.append(True))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(
        lambda: any(isinstance(w, MyCp2Workspace) for w in window.workspaces), timeout=15_000
    )
    ws = next(w for w in window.workspaces if isinstance(w, MyCp2Workspace))
    window.nav.setCurrentRow(window.workspaces.index(ws))
    ws.tabs.setCurrentWidget(ws.account)
    qtbot.waitUntil(lambda: not window.context.runner.busy, timeout=15_000)
    click(qtbot, ws.account.sign_out)
    qtbot.waitUntil(lambda: ws.findChild(QMessageBox, "ConfirmBox") is not None)
    box = ws.findChild(QMessageBox, "ConfirmBox")
    assert box.text().startswith("Log out of CP2 Desk on this computer?")
    shoot(window, "75_cp2_log_out_confirm", dialog=box)
    click(qtbot, confirm_button(ws, "Log out"))
    qtbot.waitUntil(lambda: signed_out == [True], timeout=15_000)
    assert not window.isVisible()
    assert account.client.access_token is None and account.client.refresh_token is None
    assert keyring.get_password("CP2 Desk", account.tokens.account) is None
    stale = HubClient(hub.url)
    stale.refresh_token, stale.device_id = refresh_token, account.replica.device_id
    with pytest.raises(SessionExpired):
        stale.refresh()


# --- creating an account ----------------------------------------------------------------


@pytest.fixture
def login(qtbot, tmp_path, hub):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = LoginWindow(*app._account_functions(), settings=settings)
    qtbot.addWidget(window)
    window.hub.setText(hub.url)
    window.resize(1366, 768)
    window.show()
    return window


def test_create_an_account_from_the_sign_in_window(qtbot, login, hub_db, shoot):
    click(qtbot, login.create_link)
    panel = login.create
    assert login.pages.currentWidget() is panel
    shoot(login, "76_cp2_create_account")
    panel.phone.setText("0712 345 678")
    panel.again.setText("0712 345 679")
    click(qtbot, panel.create_button)
    qtbot.waitUntil(lambda: panel.messages.kind == "error")
    assert panel.messages.text == (
        "The two mobile numbers are not the same. Enter the same number in both boxes."
    )
    shoot(login, "77_cp2_create_account_numbers_differ")
    panel.again.setText("+254712345678")
    click(qtbot, panel.create_button)
    qtbot.waitUntil(lambda: login.pages.currentIndex() == 0, timeout=10_000)
    assert login.error.kind == "success"
    assert login.error.text.startswith("We have sent your login details by SMS to 0712 345 678.")
    assert login.phone.text() == "0712 345 678" and login.password.hasFocus()
    shoot(login, "78_cp2_account_created")
    assert "Username: 0712345678" in outbox(hub_db, "254712345678")[0]
    login.password.setText(sent_password(hub_db, "254712345678"))
    with qtbot.waitSignal(login.signed_in, timeout=15_000) as signed:
        click(qtbot, login.sign_in_button)
    signed.args[0].replica.dispose()


def test_a_registered_number_is_told_to_send_password(qtbot, login, world, shoot):
    click(qtbot, login.create_link)
    panel = login.create
    local = "0" + world.phones["jane"][3:]
    panel.phone.setText(local)
    panel.again.setText(local)
    click(qtbot, panel.create_button)
    qtbot.waitUntil(lambda: panel.messages.kind == "info", timeout=10_000)
    assert panel.messages.text == (
        "This number is already registered. Send PASSWORD to 22262 to get your login details."
    )
    shoot(login, "79_cp2_create_account_already_registered")
    panel.phone.setText("0812")
    click(qtbot, panel.create_button)
    qtbot.waitUntil(lambda: panel.messages.kind == "error")
    assert "'0812' is not a Kenyan mobile number" in panel.messages.text
    click(qtbot, panel.back_button)
    assert login.pages.currentIndex() == 0


def test_the_pending_and_refused_statuses_read_plainly():
    waiting = vacancy_service._status_text("submitted", True)
    assert waiting == "Waiting to be sent"
    assert vacancy_service._status_text("withdrawn", True) == "Withdrawal waiting to be sent"
    assert vacancy_service._status_text("refused", False) == "Not accepted"
    assert local.Application  # the replica maps the record the hub now accepts from devices
