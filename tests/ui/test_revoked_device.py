"""A computer revoked on the hub, and a sign-in no keyring protects, as the user sees them.

Against the demo hub on loopback: a KNEC administrator revokes the centre manager's
computer through the hub's API while a change is still waiting on it; the main window
and the sign-in window then say why and save that change to a file.
"""

from __future__ import annotations

import base64
import json
import os
import uuid

import keyring
import pytest
import requests
from keyrings.alt.file import PlaintextKeyring
from PySide6.QtCore import QSettings, Qt
from sqlalchemy import select

from cp2desk.local_db.models import AppUser, Professional
from cp2desk.services import account as accounts
from cp2desk.sync import tokens
from cp2desk.sync.client import HubClient
from cp2desk.ui import app
from cp2desk.ui.login import LoginWindow
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.unsynced_export import ACTION
from cp2hub.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

PHONE = DEMO_ACCOUNTS["centre_manager"]


def opened(qtbot, account):
    window = app.open_main_window(account)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: bool(window.workspaces), timeout=60_000)
    idle(qtbot, window)
    return window


def idle(qtbot, window) -> None:
    qtbot.waitUntil(
        lambda: not window.sync.running and not window.context.runner.busy, timeout=30_000
    )


def change_waiting(account) -> None:
    """The manager adds their KRA PIN on this computer; it is not sent yet."""
    with account.replica.write() as session:
        user = session.get(AppUser, account.user_id)
        me = session.get(Professional, user.professional_id)
        me.kra_pin = "A012345678Z"
        account.replica.record(session, me, ["kra_pin"], "KRA PIN added")


def revoke_as_admin(hub_url: str, device_id: str) -> None:
    admin = HubClient(hub_url)
    admin.login(DEMO_ACCOUNTS["admin"], DEMO_PASSWORD, str(uuid.uuid4()), "head office")
    answer = requests.post(
        f"{hub_url}/admin/devices/{device_id[:8]}/revoke",
        headers={"Authorization": f"Bearer {admin.access_token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def exported(path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["changes"]


def test_a_revoked_computer_says_why_and_exports_what_it_could_not_send(
    qtbot, tmp_path, desk_home, hub, shoot
):
    account = accounts.sign_in(hub.url, PHONE, DEMO_PASSWORD)
    window = opened(qtbot, account)
    change_waiting(account)
    revoke_as_admin(hub.url, account.replica.device_id)

    window.sync_now()
    qtbot.waitUntil(lambda: window.revoked is not None, timeout=30_000)
    idle(qtbot, window)
    assert "This device was revoked on" in window.messages.text
    assert "can be exported" in window.messages.text and window.messages.kind == "error"
    assert window.messages.action.isVisible() and window.messages.action.text() == ACTION
    assert window.status.state.text() == "This computer was revoked: it no longer syncs"
    assert window.status.export_button.isVisible() and not window.status.sync_button.isVisible()
    assert not window.sync.timer.isActive()
    shoot(window, "20_revoked_device")

    window.sync_now()  # nothing is sent any more; the reason is shown again
    assert not window.sync.running and window.messages.action.isVisible()
    window.sync.push_soon()  # nor after a change made since (sent two seconds after it)
    assert not window.sync.soon.isActive() and not window.sync.sync_now()
    target = tmp_path / "unsynced.json"
    window.export_unsynced(target)
    qtbot.waitUntil(lambda: "Saved 1 unsynced change to" in window.messages.text, timeout=10_000)
    assert [c["summary"] for c in exported(target)] == ["KRA PIN added"]
    assert account.replica.pending_count() == 1  # exporting keeps them
    shoot(window, "20_revoked_device_exported")

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    login = LoginWindow(*app._account_functions(), settings=settings, export=app._export_unsynced)
    qtbot.addWidget(login)
    login.hub.setText(hub.url)
    login.phone.setText(PHONE)
    login.password.setText(DEMO_PASSWORD)
    login.resize(1366, 768)
    login.show()
    qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: login.error.isVisible(), timeout=30_000)
    assert "This device was revoked on" in login.error.text
    assert login.error.action.isVisible() and login.error.action.text() == ACTION
    shoot(login, "20_revoked_device_login")
    again = tmp_path / "again.json"
    login.export_unsynced(again)
    qtbot.waitUntil(lambda: "Saved 1 unsynced change" in login.error.text, timeout=10_000)
    assert exported(again) == exported(target)
    window.shutdown()
    account.replica.dispose()


@pytest.fixture
def plain_text_keyring(tmp_path, monkeypatch):
    """keyrings.alt's plain-text file as keyring's active backend, its data root in a home
    folder of the test's own; CP2 Desk is given no keyring of its own."""
    monkeypatch.setenv("CP2DESK_HOME", str(tmp_path / "desk"))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    tokens.system_keyring.cache_clear()
    yield keyring.get_keyring()
    keyring.set_keyring(previous)
    tokens.system_keyring.cache_clear()


def test_a_sign_in_no_keyring_protects_lasts_the_session_and_says_so(
    qtbot, tmp_path, hub, plain_text_keyring, shoot
):
    account = accounts.sign_in(hub.url, PHONE, DEMO_PASSWORD)
    window = opened(qtbot, account)
    assert window.status.session_only.isVisible()
    assert window.status.session_only.text() == "Signed in for this session only"
    assert "will ask for your password when you next open it" in (
        window.status.session_only.toolTip()
    )
    shoot(window, "20_session_only_sign_in")
    token = account.client.refresh_token
    files = [f for home in ("user", "desk") for f in (tmp_path / home).rglob("*")]
    written = b"".join(f.read_bytes() for f in files if f.is_file())
    assert token.encode() not in written
    assert base64.b64encode(token.encode()) not in written
    assert not os.path.exists(plain_text_keyring.file_path)
    with account.replica.read() as session:
        assert session.scalar(select(AppUser.id)) is not None  # the sign-in itself worked
    window.shutdown()
    account.replica.dispose()


def test_the_message_bar_offers_one_action_while_its_message_shows(qtbot):
    bar = MessageBar()
    qtbot.addWidget(bar)
    bar.show()
    done = []
    bar.show_message("Revoked.", "error", action=(ACTION, lambda: done.append(True)))
    assert bar.action.isVisible() and bar.action.text() == ACTION
    qtbot.mouseClick(bar.action, Qt.MouseButton.LeftButton)
    assert done == [True]
    bar.show_message("Synced.", "success")
    assert not bar.action.isVisible()
    qtbot.mouseClick(bar.action, Qt.MouseButton.LeftButton)
    assert done == [True]
