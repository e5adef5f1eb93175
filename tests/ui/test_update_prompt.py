"""The update as the user meets it: downloaded in the background from a real hub, then
offered ("Restart now" / "Later") only when no session is open for marking and no change
waits to sync; and a version the hub finds too old, which says so, offers the update and
still exports what it could not send."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from cp2desk.local_db.models import AppUser, Professional
from cp2desk.services import account as accounts
from cp2desk.services.restart import restart_blockers
from cp2desk.ui import app
from cp2desk.ui.login import LoginWindow
from cp2desk.ui.main_window import MainWindow
from cp2desk.ui.unsynced_export import ACTION
from cp2desk.ui.update_prompt import UpdatePrompt
from cp2hub.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from cp2hub.settings import Settings
from tests.sync.conftest import HubServer, migrated_database
from tests.update.conftest import laptop, published, release  # noqa: F401 (fixtures)

EVENING = dt.datetime(2026, 11, 9, 19, 30)
"""Monday evening: the day's sessions are closed at the demo centre."""


class Report:
    pushed = pulled = conflicts = refused = 0


@pytest.fixture
def update_hub(release, tmp_path):  # noqa: F811
    settings = Settings(updates_dir=str(release.repository))
    with migrated_database("sqlite", tmp_path) as db, HubServer(db, settings) as server:
        yield server


@pytest.fixture
def window(qtbot, context, settle, update_hub, laptop):  # noqa: F811
    """The main window with the real updater of a laptop running version 1.0."""
    made = MainWindow(context, sync=lambda progress: Report())
    qtbot.addWidget(made)
    made.resize(1366, 768)
    made.show()
    qtbot.waitUntil(lambda: bool(made.workspaces))
    settle()
    made.restarts = []
    replica, user_id = context.replica, context.user_id
    prompt = UpdatePrompt(
        made,
        laptop.updater(update_hub.url).fetch,
        lambda outbox: restart_blockers(replica, user_id, context.now(), outbox),
        made.messages,
        made.status,
        lambda: made.restarts.append(True),
    )
    yield made, prompt
    prompt.runner.wait()
    made.shutdown()


def settled(qtbot, prompt) -> None:
    qtbot.waitUntil(lambda: not prompt.fetching and not prompt.runner.busy, timeout=30_000)
    qtbot.wait(20)


def click(qtbot, box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text() == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def change_waiting(replica, user_id) -> None:
    with replica.write() as session:
        me = session.get(Professional, session.get(AppUser, user_id).professional_id)
        me.kra_pin = "A012345678Z"
        replica.record(session, me, ["kra_pin"], "KRA PIN added")


def test_when_idle_the_update_is_offered_and_later_waits_for_the_next_start(
    qtbot, window, clock, shoot
):
    made, prompt = window
    clock["now"] = EVENING
    made.attach_updates(prompt)
    settled(qtbot, prompt)
    assert prompt.version == "1.1"
    assert prompt.asking is not None and prompt.asking.isVisible()
    assert "Version 1.1 of CP2 Desk is ready" in prompt.asking.text()
    assert [b.text() for b in prompt.asking.buttons()] == ["Restart now", "Later"]
    assert made.status.update_note.text() == "Version 1.1 ready: installed at the next start"
    shoot(made, "30_update_ready", dialog=prompt.asking)
    click(qtbot, prompt.asking, "Later")
    qtbot.waitUntil(lambda: prompt.asking is None)
    assert made.restarts == []
    assert made.status.update_note.isVisible()
    made.sync_now()  # later syncs do not ask again about the version put off
    qtbot.waitUntil(lambda: not made.sync.running)
    settled(qtbot, prompt)
    assert prompt.asking is None and made.restarts == []


def test_not_asked_while_a_session_is_open_then_asked_once_it_closes(qtbot, window, clock, shoot):
    made, prompt = window
    made.attach_updates(prompt)  # 09:40 on Monday: the morning session is open
    settled(qtbot, prompt)
    assert prompt.version == "1.1" and prompt.asking is None
    assert made.status.update_note.isVisible()
    assert "is open for marking" in made.status.update_note.toolTip()
    shoot(made, "30_update_held_in_session")
    clock["now"] = EVENING
    made.sync_now()  # after a sync the question comes, now that the session is over
    qtbot.waitUntil(lambda: prompt.asking is not None, timeout=30_000)
    click(qtbot, prompt.asking, "Restart now")
    settled(qtbot, prompt)
    assert made.restarts == [True]


def test_not_asked_while_changes_wait_to_sync(qtbot, window, clock, context):
    made, prompt = window
    clock["now"] = EVENING
    change_waiting(context.replica, context.user_id)
    made.attach_updates(prompt)
    settled(qtbot, prompt)
    assert prompt.version == "1.1" and prompt.asking is None
    assert "1 change still waiting to sync" in made.status.update_note.toolTip()


def test_restart_now_looks_again_and_holds_back_if_a_session_opened_meanwhile(qtbot, window, clock):
    made, prompt = window
    clock["now"] = EVENING
    made.attach_updates(prompt)
    settled(qtbot, prompt)
    clock["now"] = dt.datetime(2026, 11, 10, 7, 30)  # Tuesday's morning session has opened
    click(qtbot, prompt.asking, "Restart now")
    settled(qtbot, prompt)
    assert made.restarts == []
    assert "Not restarting now" in made.messages.text


@pytest.fixture
def hub(tmp_path, monkeypatch, release):  # noqa: F811
    """The demo hub, also serving the update repository, as a real hub would."""
    from cp2desk.embedded_hub import EmbeddedHub

    monkeypatch.setenv("CP2HUB_UPDATES_DIR", str(release.repository))
    found = EmbeddedHub(tmp_path / "hub")
    found.start()
    yield found
    found.stop()


def test_a_version_too_old_for_the_hub_says_so_offers_the_update_and_exports(
    qtbot,
    tmp_path,
    desk_home,
    hub,
    laptop,  # noqa: F811
    monkeypatch,
    shoot,
):
    account = accounts.sign_in(hub.url, DEMO_ACCOUNTS["centre_manager"], DEMO_PASSWORD)
    window = app.open_main_window(account)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: bool(window.workspaces), timeout=60_000)
    qtbot.waitUntil(lambda: not window.sync.running and not window.context.runner.busy)
    restarts = []
    prompt = UpdatePrompt(
        window,
        laptop.updater(hub.url).fetch,
        # an evening, when no session of the demo's timetable is open
        lambda outbox: restart_blockers(
            account.replica, account.user_id, dt.datetime(2026, 12, 24, 20, 0), outbox
        ),
        window.messages,
        window.status,
        lambda: restarts.append(True),
    )
    window.updates = prompt
    change_waiting(account.replica, account.user_id)
    monkeypatch.setattr("cp2hub.api.deps.MIN_PROTOCOL_VERSION", 99)  # the hub moved on

    window.sync_now()
    qtbot.waitUntil(lambda: window.too_old is not None, timeout=30_000)
    assert "too old for the hub" in window.messages.text
    assert window.messages.action.text() == "Get the update"
    assert window.status.state.text() == "This version is too old for the hub: it no longer syncs"
    assert window.status.export_button.isVisible() and not window.status.sync_button.isVisible()
    assert not window.sync.timer.isActive()
    shoot(window, "30_too_old")
    # the update is fetched at once and offered although a change waits: the old version
    # cannot send it, and the new one will
    settled(qtbot, prompt)
    assert prompt.asking is not None and "Version 1.1" in prompt.asking.text()
    shoot(window, "30_too_old_update_ready", dialog=prompt.asking)
    click(qtbot, prompt.asking, "Later")
    target = tmp_path / "unsynced.json"
    window.export_unsynced(target)
    qtbot.waitUntil(lambda: "Saved 1 unsynced change to" in window.messages.text, timeout=10_000)
    assert account.replica.pending_count() == 1
    window.sync_now()  # nothing is sent; the downloaded update is offered in the bar
    assert "too old for the hub" in window.messages.text
    assert "Version 1.1 is downloaded" in window.messages.text
    assert window.messages.action.text() == "Restart now"
    assert window.status.export_button.text() == ACTION
    settled(qtbot, prompt)
    assert prompt.asking is None, "put off once, not asked again in a dialog"
    qtbot.mouseClick(window.messages.action, Qt.MouseButton.LeftButton)
    settled(qtbot, prompt)
    assert restarts == [True], "a change waiting does not hold back a version too old"
    window.shutdown()
    account.replica.dispose()

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    login = LoginWindow(*app._account_functions(), settings=settings, export=app._export_unsynced)
    qtbot.addWidget(login)
    login.hub.setText(hub.url)
    login.phone.setText(DEMO_ACCOUNTS["centre_manager"])
    login.password.setText(DEMO_PASSWORD)
    login.resize(1366, 768)
    login.show()
    qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: login.error.isVisible(), timeout=30_000)
    assert "too old for the hub" in login.error.text and "Unlock offline" in login.error.text
    assert login.error.action.text() == ACTION
    assert login.unlock_button.property("primary") is True
    shoot(login, "30_too_old_login")
    again = tmp_path / "again.json"
    login.export_unsynced(again)
    qtbot.waitUntil(lambda: "Saved 1 unsynced change" in login.error.text, timeout=10_000)


def test_syncs_ask_the_hub_at_most_once_an_hour_unless_the_user_asks(qtbot, monkeypatch):
    """On the live channel a centre syncs every few seconds: the update metadata is
    fetched once, not after each of those syncs; a user's request or a hub that found
    the version too old fetches at once."""
    from PySide6.QtWidgets import QWidget

    from cp2desk.ui import update_prompt
    from cp2desk.ui.message_bar import MessageBar
    from cp2desk.ui.sync_status import SyncStatus

    holder = QWidget()
    qtbot.addWidget(holder)
    fetched = []
    prompt = update_prompt.UpdatePrompt(
        holder,
        lambda: fetched.append(1),  # up to date: None
        lambda _count_outbox: [],
        MessageBar(holder),
        SyncStatus(holder),
        lambda: None,
    )
    for _ in range(5):  # five syncs in a minute
        prompt.check()
        settled(qtbot, prompt)
    assert len(fetched) == 1
    prompt.check(asked_by_user=True)
    settled(qtbot, prompt)
    assert len(fetched) == 2
    prompt.hub_too_old_for_us("This version of CP2 Desk is too old for the hub.")
    settled(qtbot, prompt)
    assert len(fetched) == 3
    clock = update_prompt.time.monotonic() + update_prompt.CHECK_EVERY_S + 1
    monkeypatch.setattr(update_prompt.time, "monotonic", lambda: clock)
    prompt.check()  # an hour on
    settled(qtbot, prompt)
    assert len(fetched) == 4
