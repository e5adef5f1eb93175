"""A guard against a PySide6 6.12 bug that aborts the interpreter on CPython 3.11.

PySide6 6.12.0 drops one reference to `None` on every call of a Qt method that returns
nothing (`setText`, `drawRect`, `setPen`, ...) when running on CPython 3.11. After a few
thousand such calls None's reference count reaches zero and Python aborts with "Fatal
Python error: none_dealloc". A printed register alone makes tens of thousands of calls.

CPython 3.12 made None immortal (a reference count nothing can spend); this does the
same on 3.11, which is safe because None is never deallocated in a working program.
Call `make_none_immortal()` before heavy Qt work; it is idempotent and a no-op elsewhere.
"""

from __future__ import annotations

import ctypes
import sys

_RESERVE = 1 << 40
_done = False


def make_none_immortal() -> None:
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    ctypes.c_ssize_t.from_address(id(None)).value += _RESERVE
    _done = True
