"""Garbage collection waits for the UI thread and for running operations."""

from __future__ import annotations

import gc
import threading

from cp2desk.ui import collector
from cp2desk.ui.operation import OperationRunner


def test_collection_is_off_and_waits_while_an_operation_runs(qtbot, qapp):
    made = collector.Collector(interval_ms=60_000)
    try:
        assert not gc.isenabled()
        runner = OperationRunner()
        release = threading.Event()
        runner.run(lambda: release.wait(5))
        assert runner.busy and not collector.collect_when_idle()
        release.set()
        qtbot.waitUntil(lambda: not runner.busy)
        assert collector.collect_when_idle()
    finally:
        made.timer.stop()
