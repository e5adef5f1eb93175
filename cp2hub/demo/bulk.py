"""Bulk writes of replicated rows for seeding, in chunks, every row stamped with a hub
sequence (reserved per chunk from the feed) and a hybrid clock.

The ORM's per-object flush would take minutes for a national seed; one statement per
table per chunk keeps it to seconds, and reserving the chunk's sequence numbers under
the feed counter lock keeps the feed's contract (every replicated row has a `seq`, in
commit order) without the before-flush hook.

Two ways in: Core executemany (any database), and on PostgreSQL with psycopg, COPY
on the session's own connection and transaction. Measured on the national seed, a
row-by-row protocol (executemany, or insertmanyvalues) tops out near 10-16k rows/s
on a small PostgreSQL; COPY does 25-35k, which is what keeps a national seed under a
minute (bench/seed_national.py prints both and the plain-driver baseline).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from cp2hub import feed
from cp2hub.models import REPLICATED

Row = dict[str, Any]


class BulkWriter:
    """Buffers rows per table and inserts them parents-first once `chunk_rows` are waiting.

    Rows may be added in any order across tables as long as a parent row is added no
    later than its children: every flush writes all buffered tables in dependency order.
    """

    def __init__(self, session: Session, chunk_rows: int = 20_000, method: str = "auto") -> None:
        self.session = session
        self.chunk_rows = chunk_rows
        if method == "auto":
            dialect = session.get_bind().dialect
            method = (
                "copy"
                if (dialect.name, dialect.driver) == ("postgresql", "psycopg")
                else "executemany"
            )
        if method not in ("copy", "executemany"):
            raise ValueError(f"unknown bulk insert method {method!r}")
        self.method = method
        self.counts: Counter[str] = Counter()
        self._pending: dict[str, list[Row]] = {}
        self._waiting = 0
        self._templates: dict[str, Row] = {}

    def add(self, model: type, rows: Iterable[Row]) -> None:
        buffer = self._pending.setdefault(model.__tablename__, [])
        before = len(buffer)
        buffer.extend(rows)
        self._waiting += len(buffer) - before
        if self._waiting >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        for model in REPLICATED:
            rows = self._pending.pop(model.__tablename__, None)
            if rows:
                self._insert(model.__table__, rows)
        self._waiting = 0

    def _insert(self, table: Table, rows: list[Row]) -> None:
        first = feed.reserve(self.session, len(rows))
        stamp = feed.clock.now()
        template = self._template(table)
        clocks = {c.name: stamp for c in table.columns if c.name.endswith("_hlc")}
        full = [
            {**template, **row, **clocks, "seq": first + i, "hlc": stamp}
            for i, row in enumerate(rows)
        ]
        if self.method == "copy":
            self._copy(table, list(template), full)
        else:
            self.session.execute(insert(table), full)
        self.counts[table.name] += len(full)

    def _copy(self, table: Table, columns: list[str], rows: list[Row]) -> None:
        quote = self.session.get_bind().dialect.identifier_preparer
        names = ", ".join(quote.quote(c) for c in columns)
        sql = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"
        cursor = self.session.connection().connection.driver_connection.cursor()
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])

    def _template(self, table: Table) -> Row:
        """Every column with its scalar default (or None), so all rows share one key set."""
        if table.name not in self._templates:
            template: Row = {}
            for column in table.columns:
                default = column.default
                scalar = default is not None and default.is_scalar
                template[column.name] = default.arg if scalar else None
            template["origin"] = feed.HUB_ORIGIN
            self._templates[table.name] = template
        return self._templates[table.name]
