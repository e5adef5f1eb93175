"""The live channel in the window: `LiveListener`'s thread, its news as Qt signals.

Signals emitted from the listener's thread reach the window's slots queued on the UI
thread, so a wake-up only asks the `SyncController` to sync, like the Sync now button.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from cp2desk.sync.client import HubClient
from cp2desk.sync.live import Backoff, LiveListener


class LiveSync(QObject):
    changed = Signal()
    """Something in this device's scope changed on the hub: pull."""
    state = Signal(bool)
    """The channel is up (a request is held by the hub) or down."""

    def __init__(
        self,
        client: HubClient,
        cursor: Callable[[], int],
        backoff: Backoff | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.listener = LiveListener(client, cursor, self.changed.emit, self.state.emit, backoff)

    def start(self) -> None:
        self.listener.start()

    def stop(self) -> None:
        self.listener.stop()

    def synced(self) -> None:
        self.listener.synced()
