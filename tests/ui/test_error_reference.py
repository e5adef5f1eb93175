"""A hub's refusal as the user sees it: the message, and below it in small print the
reference the help desk finds the request by in the hub's log.

Against the demo hub on loopback: the centre manager's sign-in is ended on the hub (as
signing out on another computer would), so the next sync is refused; the main window
says so, with the reference of the hub's request.
"""

from __future__ import annotations

import logging

import requests

from cp2desk.services import account as accounts
from cp2desk.ui import app
from cp2hub import logs
from cp2hub.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

PHONE = DEMO_ACCOUNTS["centre_manager"]


class Requests(logging.Handler):
    """The hub's request lines, each with the id of its request."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((logs.request_id.get() or "", record.route, record.status))


def test_a_refused_sync_shows_the_hubs_reference(qtbot, desk_home, hub, shoot):
    account = accounts.sign_in(hub.url, PHONE, DEMO_PASSWORD)
    window = app.open_main_window(account)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: bool(window.workspaces), timeout=60_000)
    qtbot.waitUntil(lambda: not window.sync.running, timeout=30_000)
    ended = requests.post(
        f"{hub.url}/auth/logout",
        headers={"Authorization": f"Bearer {account.client.access_token}"},
        timeout=10,
    )
    assert ended.status_code == 204
    lines = Requests()
    logging.getLogger("cp2hub.request").addHandler(lines)
    try:
        window.sync_now()
        qtbot.waitUntil(lambda: window.messages.kind == "error", timeout=30_000)
    finally:
        logging.getLogger("cp2hub.request").removeHandler(lines)
    assert "sign in again" in window.messages.text
    shown = window.messages.reference.text()
    assert window.messages.reference.isVisible() and shown.startswith("Reference: ")
    reference = shown.removeprefix("Reference: ")
    assert len(reference) == 8
    assert [(r, s) for i, r, s in lines.seen if i.startswith(reference)] == [("/auth/refresh", 401)]
    shoot(window, "21_sync_refused_reference")
    window.messages.clear()
    assert not window.messages.reference.isVisible()
    window.shutdown()
    account.replica.dispose()
