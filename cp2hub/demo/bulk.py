"""Bulk writes of replicated rows for seeding, in chunks, every row stamped with a hub
sequence (reserved per chunk from the feed) and a hybrid clock.

The ORM's per-object flush would take minutes for a national seed; one statement per
table per chunk keeps it to seconds, and reserving the chunk's sequence numbers under
the feed counter lock keeps the feed's contract (every replicated row has a `seq`, in
commit order) without the before-flush hook.

Two ways in: Core executemany (any database), and on PostgreSQL with psycopg, COPY on
the session's own connection and transaction. On the national seed, executemany
reached about 12k professional rows/s and COPY about 25k on a small shared
PostgreSQL; only COPY keeps a national seed under a minute (bench/seed_national.py
prints both against the plain driver).

Chunks are written by one background thread while the caller generates the next
rows, so generating and inserting overlap; the caller's session is used by that
thread alone until `close()`, which waits for it and re-raises its error.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from cp2hub import feed
from cp2hub.models import REPLICATED

Row = dict[str, Any]
_DONE = None


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
            copy = (dialect.name, dialect.driver) == ("postgresql", "psycopg")
            method = "copy" if copy else "executemany"
        if method not in ("copy", "executemany"):
            raise ValueError(f"unknown bulk insert method {method!r}")
        self.method = method
        self.counts: Counter[str] = Counter()
        self._pending: dict[str, list[Row]] = {}
        self._waiting = 0
        self._templates: dict[str, Row] = {}
        self._chunks: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._abandoned = False
        self._thread = threading.Thread(target=self._write_chunks, name="bulk-writer", daemon=True)
        self._thread.start()

    def add(self, model: type, rows: Iterable[Row]) -> None:
        buffer = self._pending.setdefault(model.__tablename__, [])
        before = len(buffer)
        buffer.extend(rows)
        self._waiting += len(buffer) - before
        if self._waiting >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        """Hand every buffered row to the writer thread, parents first."""
        self._raise_if_failed()
        chunk = []
        for model in REPLICATED:
            rows = self._pending.pop(model.__tablename__, None)
            if rows:
                chunk.append((model.__table__, rows))
        self._waiting = 0
        if chunk:
            self._chunks.put(chunk)

    def close(self, abandon: bool = False) -> None:
        """Write what is buffered (unless `abandon`), wait for the thread, raise its error."""
        if not abandon and self._error is None:
            self.flush()
        self._abandoned = abandon
        self._chunks.put(_DONE)
        self._thread.join()
        if not abandon:
            self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _write_chunks(self) -> None:
        while (chunk := self._chunks.get()) is not _DONE:
            if self._error is not None or self._abandoned:
                continue  # drain, so the producer never blocks on a dead writer
            try:
                for table, rows in chunk:
                    self._insert(table, rows)
            except BaseException as error:  # handed to the caller by flush() / close()
                self._error = error

    def _insert(self, table: Table, rows: list[Row]) -> None:
        first = feed.reserve(self.session, len(rows))
        stamp = feed.clock.now()
        base = self._template(table) | {
            c.name: stamp for c in table.columns if c.name.endswith("hlc")
        }
        stamped = [name for name in base if name.endswith("hlc")]
        columns = [name for name in base if name != "seq" and name not in stamped]
        values = [
            (*(row.get(name, base[name]) for name in columns), *(stamp for _ in stamped), first + i)
            for i, row in enumerate(rows)
        ]
        names = [*columns, *stamped, "seq"]
        if self.method == "copy":
            self._copy(table, names, values)
        else:
            self.session.execute(insert(table), [dict(zip(names, v, strict=True)) for v in values])
        self.counts[table.name] += len(values)

    def _copy(self, table: Table, names: list[str], values: list[tuple]) -> None:
        quote = self.session.get_bind().dialect.identifier_preparer
        columns = ", ".join(quote.quote(name) for name in names)
        sql = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
        connection = self.session.connection()
        cursor = connection.connection.driver_connection.cursor()
        try:
            with cursor.copy(sql) as copy:
                for row in values:
                    copy.write_row(row)
        except connection.dialect.loaded_dbapi.Error as error:  # as SQLAlchemy would raise it
            raise DBAPIError.instance(
                sql, None, error, connection.dialect.loaded_dbapi.Error
            ) from error

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
