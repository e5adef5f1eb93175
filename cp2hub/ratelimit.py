"""Sliding-window limits on requests that send SMS (registration, PASSWORD by SMS).

Kept in this process's memory: simple, no table, and enough on one hub process. With
several workers each keeps its own windows, so the effective limit is the limit times
the number of workers (docs/decisions.md). Sign-in needs no window here: repeated wrong
passwords lock the account in the database (`auth.login`).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from cp2hub.errors import HubError

HOUR = 3600.0


class TooManyRequests(HubError):
    status = 429
    code = "too_many_requests"


class RateLimiter:
    def __init__(
        self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, window: float = HOUR) -> bool:
        """Count one attempt under `key`; False (not counted) if `limit` were exceeded."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            if len(self._hits) > self.max_keys:
                self._prune(now - window)
            return True

    def _prune(self, before: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= before]:
            del self._hits[key]
