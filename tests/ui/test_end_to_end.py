"""The whole desk against a real hub on loopback: sign in, work offline, reconnect, conflict.

The hub is the demo hub (`cp2desk.embedded_hub`, seeded); the network between the desk
and the hub is a proxy that can drop every connection, so "offline" is a real failure
to connect, not a flag. A second device of the same centre manager makes the later
mark that the first device's offline mark loses to.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from cp2desk.local_db.replica import Replica
from cp2desk.services.attendance import mark_attendance
from cp2desk.sync.client import HubClient
from cp2desk.sync.engine import SyncEngine
from cp2desk.ui import app
from cp2desk.ui.login import LoginWindow
from cp2hub.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

PHONE = DEMO_ACCOUNTS["centre_manager"]


def sign_in(qtbot, tmp_path, url: str, shoot, offline: bool = False):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    login = LoginWindow(*app._account_functions(), settings=settings)
    qtbot.addWidget(login)
    login.hub.setText(url)
    login.phone.setText(PHONE)
    login.password.setText(DEMO_PASSWORD)
    login.show()
    if offline:
        qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: login.error.isVisible(), timeout=30_000)
        assert "unlock offline" in login.error.text
        shoot(login, "18_e2e_login_hub_unreachable")
        button = login.unlock_button
    else:
        button = login.sign_in_button
    with qtbot.waitSignal(login.signed_in, timeout=30_000) as signal:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return login, signal.args[0]


def wait_idle(qtbot, window) -> None:
    qtbot.waitUntil(
        lambda: not window.sync.running and not window.context.runner.busy, timeout=30_000
    )


def synced(qtbot, window) -> None:
    window.sync_now()
    qtbot.waitUntil(lambda: window.sync.running, timeout=5_000)
    wait_idle(qtbot, window)


def test_sign_in_work_offline_reconnect_and_see_a_conflict(
    qtbot, tmp_path, desk_home, hub, network, shoot
):
    login, account = sign_in(qtbot, tmp_path, network.url, shoot)
    assert account.online
    clock = {"now": dt.datetime.now()}
    window = app.open_main_window(account, now=lambda: clock["now"])
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    # a centre manager's window opens on the centre, even if My CP2 arrived first
    qtbot.waitUntil(lambda: hasattr(window.current_workspace(), "register"), timeout=60_000)
    workspace = window.current_workspace()
    assert workspace is window.workspaces[0]
    qtbot.waitUntil(lambda: workspace.register is not None, timeout=30_000)
    wait_idle(qtbot, window)
    assert window.status.state.text() in ("Live", "Online")  # Live once the channel is held

    # Stand ten minutes into the first session of today (the demo series runs around today).
    register = workspace.register
    sessions = [s for s in register.sessions if s.day == dt.date.today()] or register.sessions
    first, second = sessions[0], sessions[1]
    clock["now"] = dt.datetime.combine(first.day, first.starts_at) + dt.timedelta(minutes=10)
    workspace.reload()
    wait_idle(qtbot, window)
    shoot(window, "16_e2e_after_first_sync")

    # The network goes: marks and the sign-off still work, and wait in the outbox.
    network.cut()
    page = workspace.register_page
    workspace.open_session(first.id)
    qtbot.mouseClick(page.mark_all_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    workspace.ask_sign_off(first.id)
    box = workspace.findChild(QMessageBox, "ConfirmBox")
    qtbot.mouseClick(
        next(b for b in box.findChildren(QPushButton) if b.text() == "Sign off"),
        Qt.MouseButton.LeftButton,
    )
    wait_idle(qtbot, window)
    assert page.state_badge.text() == "Signed off"
    pending = account.replica.pending_count()
    assert pending == register_size(workspace, first.id) + 1
    synced(qtbot, window)
    assert window.status.state.text() == "Offline: your work is kept on this computer"
    assert window.status.pending.text() == f"{pending} changes waiting to sync"

    # Reconnect: everything goes up, nothing needs attention.
    network.restore()
    synced(qtbot, window)
    assert window.status.state.text() in ("Live", "Online")
    assert window.status.pending.text() == "All changes sent"
    assert not window.status.issues_button.isVisible()

    # Offline again, this device marks an officer absent for the next session...
    clock["now"] = dt.datetime.combine(second.day, second.starts_at) + dt.timedelta(minutes=10)
    workspace.reload()
    wait_idle(qtbot, window)
    network.cut()
    workspace.open_session(second.id)
    row = next(r for r in workspace.register.rows if r.deployment_at(register.index_of(second.id)))
    workspace.mark(row.deployment_at(register.index_of(second.id)), second.id, "absent")
    wait_idle(qtbot, window)
    # ...while the manager's second device marks the same officer present, later, and syncs.
    other = Replica(tmp_path / "second-device.sqlite3")
    client = HubClient(hub.url)
    pair = client.login(PHONE, DEMO_PASSWORD, other.device_id, "second device")
    engine = SyncEngine(other, client)
    engine.sync()
    mark_attendance(
        other,
        pair.user_id,
        row.deployment_at(register.index_of(second.id)),
        second.id,
        "present",
        clock["now"],
    )
    assert engine.sync().pushed == 1
    other.dispose()

    network.restore()
    synced(qtbot, window)
    assert window.issues.isVisible()
    [text] = [window.issues.model.index(i).data() for i in range(window.issues.model.rowCount())]
    assert text.startswith("Someone else changed the same record")
    assert f"Marked {row.name} absent for {second.label}" in text
    assert "later than your mark" in text
    assert "What you can do: Check this officer in the register" in text
    qtbot.waitUntil(
        lambda: cell_text(workspace, row.professional_id, second.id).startswith("Present")
    )
    shoot(window, "17_e2e_conflict_after_sync")

    # Next morning, no network: the same user unlocks offline and finds their centre.
    window.close()
    account.replica.dispose()
    network.cut()
    _login, offline = sign_in(qtbot, tmp_path, network.url, shoot, offline=True)
    assert not offline.online
    again = app.open_main_window(offline, now=lambda: clock["now"])
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: bool(again.workspaces), timeout=30_000)
    qtbot.waitUntil(lambda: again.workspaces[0].register is not None, timeout=30_000)
    assert again.workspaces[0].register.is_locked(first.id)
    again.shutdown()
    offline.replica.dispose()


def register_size(workspace, session_id: str) -> int:
    index = workspace.register.index_of(session_id)
    return sum(1 for r in workspace.register.rows if r.deployment_at(index))


def cell_text(workspace, professional_id: str, session_id: str) -> str:
    register = workspace.register
    if register is None:
        return ""
    row = next(r for r in register.rows if r.professional_id == professional_id)
    mark = row.marks.get(register.index_of(session_id))
    return mark.status.capitalize() if mark else ""
