"""Pausing the cyclic garbage collector while many small, acyclic objects are built.

Decoding a pull page or loading a large register allocates hundreds of thousands of
tuples and lists that hold no reference cycles, yet every few hundred allocations the
collector runs, and its full passes walk the whole heap (Qt, SQLAlchemy, pydantic): on a
bootstrap that was a fifth of the time. Reference counting still frees everything as
usual; only cycles wait until the collector is back on.

Pauses nest and may overlap across threads: the collector comes back on when the last
pause ends, and only if it was on before the first began (the desktop app keeps it off
and collects on the UI thread itself; see `cp2desk.ui.collector`).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collection_paused() -> Iterator[None]:
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
