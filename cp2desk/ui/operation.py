"""Background operations, after Anki's `aqt.operations`: run a callable off the UI thread.

A widget asks `OperationRunner.run(fn, on_success=..., on_failure=...)`; a pool thread
runs `fn`, and the callbacks run back on the UI thread through queued signals, so no
widget ever waits on SQLite or the network. A runner with one thread (the default)
applies operations in the order they were asked for, which keeps "P then A" on the
same cell meaning "absent".
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot

from cp2desk.ui import collector

log = logging.getLogger(__name__)

Progress = Callable[..., None]


def user_message(error: BaseException) -> str:
    """What to tell the user: a typed error's own message, else a plain apology."""
    message = getattr(error, "message", None)
    if isinstance(message, str) and message:
        return message
    return "Something went wrong and nothing was changed. The details are in the log."


def reference(error: BaseException) -> str | None:
    """The hub's reference of the request that failed (`SyncError.reference`), if any."""
    found = getattr(error, "reference", None)
    return found if isinstance(found, str) and found else None


class Operation(QObject):
    """One running operation; its signals are delivered on the thread that created it."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(object)
    finished = Signal()

    _result = Signal(bool, object)
    _progress = Signal(object)

    def __init__(self, forget: Callable[[Operation], None]) -> None:
        super().__init__()
        self.done = False
        self._forget = forget
        self._result.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)

    @Slot(bool, object)
    def _deliver(self, ok: bool, value: object) -> None:
        self.done = True
        (self.succeeded if ok else self.failed).emit(value)
        self.finished.emit()
        # Let the runner drop its reference on the next turn of the loop, from outside
        # this object's own call stack: deleting a QObject inside its slot crashes.
        QTimer.singleShot(0, partial(self._forget, self))

    @Slot(object)
    def _deliver_progress(self, value: object) -> None:
        self.progressed.emit(value)


class _Task(QRunnable):
    def __init__(self, fn: Callable[..., Any], operation: Operation, wants_progress: bool) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.fn, self.operation, self.wants_progress = fn, operation, wants_progress

    def run(self) -> None:
        try:
            if self.wants_progress:
                result = self.fn(lambda *args: self.operation._progress.emit(args))
            else:
                result = self.fn()
        except Exception as exc:  # handed to the UI thread; logged there if unexpected
            if getattr(exc, "message", None) is None:
                log.exception("background operation failed")
            self.operation._result.emit(False, exc)
        else:
            self.operation._result.emit(True, result)
        finally:
            # The UI thread owns the operation; never let its last reference go here.
            self.operation = None  # type: ignore[assignment]


class OperationRunner(QObject):
    """Runs operations on its own pool; `threads=1` keeps them in order."""

    def __init__(self, threads: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._running: set[Operation] = set()
        collector.track(self)

    def run(
        self,
        fn: Callable[..., Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[tuple], None] | None = None,
    ) -> Operation:
        """Run `fn` off the UI thread. With `on_progress`, `fn` receives a progress callable."""
        operation = Operation(self._running.discard)
        self._running.add(operation)
        if on_success:
            operation.succeeded.connect(on_success)
        if on_failure:
            operation.failed.connect(on_failure)
        if on_progress:
            operation.progressed.connect(on_progress)
        wants = on_progress is not None and _accepts_argument(fn)
        self.pool.start(_Task(fn, operation, wants))
        return operation

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until queued operations are done (shutdown and tests only)."""
        return self.pool.waitForDone(msecs)


def _accepts_argument(fn: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params
    )
