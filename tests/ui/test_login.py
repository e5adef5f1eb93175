"""The sign-in window: online, offline unlock, and each error in plain words.

The sign-in functions are passed in, so these tests use fakes shaped like the
account service: they return an account or raise an error with `.code` and `.message`.
"""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QSettings, Qt

from cp2desk.ui.login import LoginWindow


class FakeError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


UNREACHABLE = FakeError("unreachable", "Cannot reach the hub at https://cp2.example.")


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def login_window(qtbot, settings, sign_in, unlock=None, can_unlock=None) -> LoginWindow:
    window = LoginWindow(sign_in, unlock, can_unlock, settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window


def fill(qtbot, window: LoginWindow, phone="0712345678", password="s3cret!") -> None:
    window.hub.setText("https://cp2.example")
    window.phone.setText(phone)
    window.password.setText(password)


def test_sign_in_online_remembers_the_hub(qtbot, settings, shoot):
    calls = []

    def sign_in(hub, phone, password):
        calls.append((hub, phone, password))
        return "account"

    window = login_window(qtbot, settings, sign_in)
    shoot(window, "00_login")
    fill(qtbot, window)
    with qtbot.waitSignal(window.signed_in) as signal:
        qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)
    assert signal.args == ["account"]
    assert calls == [("https://cp2.example", "0712345678", "s3cret!")]
    again = login_window(qtbot, settings, sign_in)
    assert (again.hub.text(), again.phone.text()) == ("https://cp2.example", "0712345678")
    assert again.password.hasFocus() or not again.isActiveWindow()


def test_enter_in_the_password_signs_in(qtbot, settings):
    window = login_window(qtbot, settings, lambda *a: "account")
    fill(qtbot, window)
    with qtbot.waitSignal(window.signed_in):
        qtbot.keyClick(window.password, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (
            FakeError("wrong_password", "The phone number or password is not correct."),
            "not correct",
        ),
        (FakeError("account_locked", "Your account is locked after too many tries."), "locked"),
        (
            FakeError("device_revoked", "This computer can no longer sign in."),
            "Call your sub-county office",
        ),
        (
            FakeError("update_required", "This version of CP2 Desk is too old for the hub."),
            "new version of CP2 Desk",
        ),
    ],
)
def test_sign_in_errors_in_plain_words(qtbot, settings, error, shown):
    def sign_in(*_args):
        raise error

    window = login_window(qtbot, settings, sign_in)
    fill(qtbot, window)
    qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.error.isVisible())
    assert error.message in window.error.text
    assert shown in window.error.text
    assert window.sign_in_button.isEnabled()


def test_no_network_offers_offline_unlock(qtbot, settings, shoot):
    unlocked = []

    def sign_in(*_args):
        raise UNREACHABLE

    def unlock(hub, phone, password):
        unlocked.append(phone)
        return "offline account"

    window = login_window(qtbot, settings, sign_in, unlock, can_unlock=lambda hub, phone: True)
    fill(qtbot, window)
    qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.error.isVisible())
    assert "unlock offline" in window.error.text
    assert window.unlock_button.property("primary") is True
    shoot(window, "00_login_offline_offer")
    with qtbot.waitSignal(window.signed_in) as signal:
        qtbot.mouseClick(window.unlock_button, Qt.MouseButton.LeftButton)
    assert signal.args == ["offline account"] and unlocked == ["0712345678"]


def test_no_network_on_a_first_sign_in_says_so(qtbot, settings):
    def sign_in(*_args):
        raise UNREACHABLE

    window = login_window(
        qtbot, settings, sign_in, unlock=lambda *a: None, can_unlock=lambda hub, phone: False
    )
    fill(qtbot, window)
    qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.error.isVisible())
    assert "first sign-in on a computer needs it" in window.error.text


def test_offline_unlock_with_a_wrong_password(qtbot, settings):
    def unlock(*_args):
        raise FakeError("wrong_password", "The phone number or password is not correct.")

    window = login_window(qtbot, settings, lambda *a: None, unlock)
    fill(qtbot, window)
    qtbot.mouseClick(window.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.error.isVisible())
    assert "not correct" in window.error.text


def test_missing_fields_are_named(qtbot, settings):
    window = login_window(qtbot, settings, lambda *a: "never")
    window.phone.clear()
    qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)
    assert window.error.text == "Enter your phone number or username."
    window.phone.setText("0712345678")
    qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)
    assert window.error.text == "Enter your password."


def test_a_damaged_replica_shows_its_own_way_out(qtbot, settings, desk_home, shoot):
    """The real sign-in over a real damaged file: its message, not "Something went wrong"."""
    from cp2desk import paths
    from cp2desk.services import account

    hub_url = "http://127.0.0.1:9"
    path = paths.replica_path(hub_url, "254712345678")
    path.parent.mkdir(parents=True)
    path.write_bytes(os.urandom(8192))
    before = path.read_bytes()
    window = login_window(
        qtbot, settings, account.sign_in, account.unlock_offline, account.can_unlock_offline
    )
    fill(qtbot, window)
    window.hub.setText(hub_url)
    qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.error.isVisible())
    shoot(window, "00_login_damaged_replica")
    text = window.error.text
    assert "Something went wrong" not in text
    assert f"CP2 Desk cannot open its local data file {path}" in text
    assert "Move it aside (rename it) and sign in again to resync from the hub." in text
    assert window.error.kind == "error" and path.read_bytes() == before
    qtbot.mouseClick(window.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.sign_in_button.isEnabled())
    assert "Move it aside (rename it)" in window.error.text


def test_a_failed_first_sign_in_is_told_the_same_the_second_time(qtbot, settings, desk_home):
    """The real sign-in against a hub that cannot be reached: no file is left that would
    make the second try offer an offline unlock and answer "wrong password"."""
    from cp2desk.services import account

    window = login_window(
        qtbot, settings, account.sign_in, account.unlock_offline, account.can_unlock_offline
    )
    fill(qtbot, window)
    window.hub.setText("http://127.0.0.1:9")
    for _attempt in range(2):
        window.password.setText("s3cret!")
        qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.error.isVisible() and window.sign_in_button.isEnabled())
        assert "Cannot reach the hub" in window.error.text
        assert "the first sign-in on a computer needs it" in window.error.text
        assert window.unlock_button.property("primary") is not True
        window.error.clear()
    assert [p for p in (desk_home / "desk").rglob("*") if p.is_file()] == []
