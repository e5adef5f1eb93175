"""A hybrid logical clock: wall-clock milliseconds plus a counter, packed in one int.

Stamps compare as plain integers; ties between devices are broken by the origin id.
A stamp received from elsewhere moves the clock forward, so causality survives a
device whose wall clock is behind.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1


def pack(millis: int, counter: int = 0) -> int:
    return (millis << COUNTER_BITS) | counter


def millis_of(stamp: int) -> int:
    return stamp >> COUNTER_BITS


class HybridClock:
    def __init__(self, last: int = 0, wall: Callable[[], float] = time.time) -> None:
        self._last = last
        self._wall = wall
        self._lock = threading.Lock()

    @property
    def last(self) -> int:
        return self._last

    def now(self) -> int:
        """A stamp greater than every stamp this clock has issued or observed."""
        with self._lock:
            wall = pack(int(self._wall() * 1000))
            self._last = wall if wall > self._last else self._last + 1
            return self._last

    def observe(self, stamp: int) -> None:
        """Fold in a stamp seen on a row from another device or the hub."""
        with self._lock:
            if stamp > self._last:
                self._last = stamp


def wins(hlc: int, origin: str, other_hlc: int, other_origin: str) -> bool:
    """Whether the write (hlc, origin) beats (other_hlc, other_origin): later clock, then origin."""
    return (hlc, origin) > (other_hlc, other_origin)
