"""The PySide6 interface: windows, pages, item models and background operations.

Widgets call services through `operation.OperationRunner`, never the replica
directly, so the window keeps turning while SQLite or the network works.
"""
