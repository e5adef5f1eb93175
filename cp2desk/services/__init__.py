"""Domain operations the UI calls: plain Python, no Qt.

Each write operation is one function running in one replica transaction that
validates, writes the row and queues its outbox entry (DESIGN.md, sync contract 2).
Read queries return plain dataclasses so the UI never touches the ORM.
"""
