"""The status bar: "Live" while the channel is up, offline before it, and what a sync is
receiving, in words."""

from __future__ import annotations

from cp2desk.ui.sync_status import STAGES, SyncStatus


def test_live_then_offline_then_receiving(qtbot):
    status = SyncStatus()
    qtbot.addWidget(status)
    status.show()
    status.set_online(True, True)
    assert status.state.text() == "Online"
    status.set_live(True)
    assert status.state.text() == "Live"
    assert status.state.property("state") == "live"
    status.set_online(False, True)  # a failed sync: offline says more than a held request
    assert status.state.text().startswith("Offline")
    status.set_online(True, True)
    assert status.state.text() == "Live"
    status.set_live(False)
    assert status.state.text() == "Online"

    status.set_syncing(True)
    status.set_progress(STAGES["first"], 4200, 0)
    assert status.activity.isVisible()
    assert status.activity.text() == f"{STAGES['first']}: 4,200 received"
    status.set_syncing(False)
    assert not status.activity.isVisible()
