"""What every workspace needs: the replica, who is signed in, the clock, the runner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cp2desk.local_db.replica import Replica
    from cp2desk.sync.client import HubClient
    from cp2desk.ui.operation import OperationRunner


@dataclass
class DeskContext:
    """Shared by the windows of one signed-in user.

    `now` is injectable so tests (and a trainer's demo) can stand at any moment of
    the timetable; `runner` applies replica operations in order, off the UI thread.
    """

    replica: Replica
    user_id: str
    runner: OperationRunner
    display_name: str = ""
    now: Callable[[], dt.datetime] = field(default=dt.datetime.now)
    client: HubClient | None = None
    """The hub, for what only works online (vacancy search, password change); None in
    tests of purely local screens."""
    sign_out: Callable[[], None] | None = None
    """Ends the session on this computer and returns to the sign-in window."""

    def today(self) -> dt.date:
        return self.now().date()
