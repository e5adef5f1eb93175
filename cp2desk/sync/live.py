"""The device's end of the live channel: one held request to the hub, in a thread.

`LiveListener` asks `GET /sync/live?after=<cursor>` over and over. When the hub says
something in this device's scope changed, it calls `on_change` (the app then syncs) and
waits until that sync is over (`synced()`) before asking again with the new cursor.
When the channel fails, it says so (`on_state(False)`: the app's timer carries on
syncing) and tries again after a delay that doubles up to `Backoff.cap`, with jitter,
so ten thousand devices reconnecting after a hub restart do not arrive in the same
second; a hub that sheds load (503) names the delay itself (Retry-After).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

from cp2desk.sync import errors
from cp2desk.sync.client import HubClient

log = logging.getLogger(__name__)


@dataclass
class Backoff:
    """Delays between failed attempts: `first` doubling up to `cap`, each a random part
    (a tenth to all) of that, so clients that failed together spread out: ten thousand
    devices cut off by a hub restart come back over ten seconds, about a thousand a
    second, not in the same one."""

    first: float = 10.0
    cap: float = 120.0
    failures: int = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.first * 2**self.failures)
        self.failures += 1
        return random.uniform(ceiling / 10, ceiling)

    def reset(self) -> None:
        self.failures = 0


class LiveListener:
    """Holds the live request in a daemon thread of its own; callbacks run in that thread."""

    HELD_AFTER = 1.0
    """Seconds a request is held before the channel counts as up."""
    SYNC_WAIT = 120.0
    """Longest wait for the sync a change set off, before asking again anyway."""

    def __init__(
        self,
        client: HubClient,
        cursor: Callable[[], int],
        on_change: Callable[[], None],
        on_state: Callable[[bool], None] = lambda _up: None,
        backoff: Backoff | None = None,
    ) -> None:
        self.client = client
        self.cursor = cursor
        self.on_change = on_change
        self.on_state = on_state
        self.backoff = backoff or Backoff()
        self.up = False
        self._stop = threading.Event()
        self._synced = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="live-channel", daemon=True)
            self._thread.start()

    def stop(self, wait: float = 0.5) -> None:
        """Stop asking. A request still held ends by itself within the hub's hold time;
        the thread is a daemon and calls nothing back after this."""
        self._stop.set()
        self._synced.set()
        self.client.close_live()
        if self._thread is not None:
            self._thread.join(wait)

    def synced(self) -> None:
        """The app finished a sync (or failed one): ask again with the cursor it left."""
        self._synced.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            # Up once the hub has held the request a moment (a refusal comes back at once).
            held = threading.Timer(self.HELD_AFTER, self._held)
            held.daemon = True
            try:
                held.start()
                answer = self.client.live(self.cursor())
            except errors.HubBusy as busy:
                self._set_up(False)
                self._stop.wait(busy.retry_after + random.uniform(0, busy.retry_after / 2))
                continue
            except (errors.DeviceRevoked, errors.SessionExpired, errors.UpdateRequired):
                self._set_up(False)
                return  # nothing to retry: the app's own sync says why
            except Exception as exc:  # unreachable, a hub failing, a cut connection
                if self._stop.is_set():
                    return
                self._set_up(False)
                delay = self.backoff.next()
                log.info("live channel down (%s); again in %.0f s", type(exc).__name__, delay)
                self._stop.wait(delay)
                continue
            finally:
                held.cancel()
            if self._stop.is_set():
                return
            self.backoff.reset()
            self._set_up(True)
            if answer.changed:
                self._synced.clear()
                self.on_change()
                self._synced.wait(self.SYNC_WAIT)

    def _held(self) -> None:
        """The hub has held the request a while: the channel works."""
        self.backoff.reset()
        self._set_up(True)

    def _set_up(self, up: bool) -> None:
        if up != self.up and not self._stop.is_set():
            self.up = up
            self.on_state(up)
