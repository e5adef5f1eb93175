"""Garbage collection on the UI thread only, when no operation is running.

The cyclic collector runs whenever allocations cross a threshold, in whichever thread
allocates. When it frees PySide6 wrappers while a background operation is working, the
interpreter can crash. So automatic collection is off while the app runs, and the UI
thread collects on a timer between operations (Anki does the same for the same reason).
"""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import QObject, QTimer

_runners: weakref.WeakSet = weakref.WeakSet()


def track(runner) -> None:
    """Remember a runner, so collection waits while it has work under way."""
    _runners.add(runner)


def idle() -> bool:
    return not any(runner.busy for runner in list(_runners))


def collect_when_idle() -> bool:
    """Collect now if no operation is running; returns whether it did."""
    if not idle():
        return False
    gc.collect()
    return True


class Collector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 5_000) -> None:
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(collect_when_idle)
        self.timer.start(interval_ms)
