"""The clerk's desk against the demo hub: log a collection with the network cut, reconnect,
and the centre manager's device receives it; claims computed on the hub reach the clerk.

The hub is the seeded demo hub; the network is a proxy that drops every connection
while cut, so "offline" is a real failure to connect.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import select

from cp2desk.local_db.replica import Replica
from cp2desk.services import account as accounts
from cp2desk.services.claims import own_claims
from cp2desk.services.custody import centre_materials, movement_id
from cp2desk.sync.client import HubClient
from cp2desk.sync.engine import SyncEngine
from cp2desk.ui import app
from cp2desk.ui.workspaces.distribution import DistributionWorkspace
from cp2hub import models as hm
from cp2hub.claims import compute_claims
from cp2hub.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD


def demo_centre(hub) -> tuple[str, str, str]:
    """The demo centre's id, name and its centre manager's ID number, from the hub."""
    with hub.db.read() as s:
        manager = s.scalar(
            select(hm.AppUser).where(hm.AppUser.phone == DEMO_ACCOUNTS["centre_manager"])
        )
        grant = s.scalar(
            select(hm.RoleGrant).where(
                hm.RoleGrant.user_id == manager.id, hm.RoleGrant.role == "centre_manager"
            )
        )
        centre = s.get(hm.Station, grant.station_id)
        person = s.get(hm.Professional, manager.professional_id)
        return centre.id, centre.name, person.national_id


def wait_idle(qtbot, window) -> None:
    qtbot.waitUntil(
        lambda: not window.sync.running and not window.context.runner.busy, timeout=30_000
    )


def synced(qtbot, window) -> None:
    window.sync_now()
    qtbot.waitUntil(lambda: window.sync.running, timeout=5_000)
    wait_idle(qtbot, window)


def test_clerk_logs_offline_and_the_centre_receives_it(
    qtbot, tmp_path, desk_home, hub, network, shoot
):
    account = accounts.sign_in(network.url, DEMO_ACCOUNTS["knec_clerk"], DEMO_PASSWORD)
    centre_id, centre_name, manager_id = demo_centre(hub)
    today = dt.date.today()
    clock = {"now": dt.datetime.combine(today, dt.time(7, 5))}
    window = app.open_main_window(account, now=lambda: clock["now"])
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: bool(window.workspaces), timeout=60_000)
    wait_idle(qtbot, window)
    workspace = window.workspaces[0]
    assert isinstance(workspace, DistributionWorkspace)
    page = workspace.custody
    qtbot.waitUntil(lambda: page.log is not None, timeout=10_000)
    assert centre_name in [c.name for c in page.log.centres]

    network.enabled = True  # the link goes down
    dialog = page.open_dialog("collect")
    dialog.centre.setCurrentIndex(dialog.centre.findData(centre_id))
    assert dialog.session.currentText().startswith(f"{today:%a} {today.day} {today:%b} morning")
    qtbot.keyClicks(dialog.national_id, manager_id)
    assert dialog.check.text().startswith("✓ ")
    qtbot.keyClicks(dialog.seals, "KN5501, KN5502")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    wait_idle(qtbot, window)
    synced(qtbot, window)
    assert window.status.pending.text() == "1 change waiting to sync"
    assert window.status.state.text() == "Offline: your work is kept on this computer"

    network.enabled = False  # back
    synced(qtbot, window)
    assert window.status.pending.text() == "All changes sent"
    session_id = dialog.form().session_id
    with hub.db.read() as s:
        stored = s.get(hm.MaterialMovement, movement_id(centre_id, session_id, "collect"))
        assert stored.seals == "KN5501, KN5502" and stored.person_national_id == manager_id
    shoot(window, "30_e2e_clerk_after_sync")

    manager = Replica(tmp_path / "manager.sqlite3")
    client = HubClient(hub.url)
    client.login(DEMO_ACCOUNTS["centre_manager"], DEMO_PASSWORD, manager.device_id, "centre")
    SyncEngine(manager, client).sync()
    lines = centre_materials(manager, centre_id, clock["now"])
    mine = next(x for x in lines if x.session.id == session_id)
    assert mine.collected.by_manager and mine.collected.seals == ("KN5501", "KN5502")
    manager.dispose()

    with hub.db.read() as s:
        code = s.scalar(select(hm.Series.code).where(hm.Series.exam == "KCSE"))
    summary = compute_claims(hub.db, code)
    assert summary.blocked >= 1, "the demo's incomplete profiles block claims"
    synced(qtbot, window)
    claims = own_claims(account.replica, account.user_id)
    assert [c.series_code for c in claims] == [code] and claims[0].days > 0
    assert not claims[0].blocked, "the demo clerk's profile is complete"
    window.shutdown()
    account.replica.dispose()
