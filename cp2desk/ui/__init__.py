"""The PySide6 interface: windows, pages, item models and background operations.

Widgets call services through `operation.OperationRunner`, never the replica
directly, so the window keeps turning while SQLite or the network works.
"""

from cp2desk.ui.immortal_none import make_none_immortal

# Every Qt call on PySide6 6.12 / CPython 3.11 leaks a reference to None; a long
# marking session would otherwise abort the interpreter (see immortal_none).
make_none_immortal()
