"""Delta pull: the changes after a device's cursor, inside its scope, one page at a time.

Every page served is counted, with its rows by table (`cp2hub.metrics.count_pull`)."""

from __future__ import annotations

import heapq
from functools import lru_cache

from sqlalchemy import CursorResult, Select, bindparam, select
from sqlalchemy.orm import Session

from cp2desk.sync.protocol import PageWriter, PullPage, table_layout
from cp2hub import feed, metrics, privacy
from cp2hub.models import REPLICATED
from cp2hub.scope import Scope, visible


@lru_cache(maxsize=1024)
def _queries(scope: Scope) -> tuple[tuple[str, int, Select, Select], ...]:
    """Per table: (name, position of seq, a probe for any row in the window, the page query).

    Built once per scope (building `visible` clauses is costly) with the window and the
    page size as bound parameters, so SQLAlchemy's compiled cache serves every page. The
    columns are the scope's view of each row (`privacy.page_columns`): what the device's
    user may not see of another person arrives as null.
    """
    out = []
    for model in REPLICATED:
        table = model.__table__
        columns, _, _ = table_layout(table.name)
        window = (table.c.seq > bindparam("cursor")) & (table.c.seq <= bindparam("high"))
        probe = select(table.c.seq).where(window).limit(1)
        page = (
            select(*privacy.page_columns(model, scope))
            .where(window, visible(model, scope))
            .order_by(table.c.seq)
            .limit(bindparam("limit"))
        )
        out.append((table.name, columns.index("seq"), probe, page))
    return tuple(out)


def pull_page(session: Session, scope: Scope, cursor: int, limit: int) -> PullPage:
    """Up to `limit` rows with cursor < seq <= the committed high-water mark, by seq.

    Reading only up to the counter's committed value is what makes the feed gap-free:
    every sequence at or below it belongs to a committed transaction (see feed.py).
    """
    high = feed.high_water(session)
    window = {"cursor": cursor, "high": high}
    per_table = []
    connection = session.connection()
    for name, seq_at, probe, query in _queries(scope):
        if session.execute(probe, window).first() is None:
            continue  # nothing of this table changed in the window: skip the scoped query
        # one more than a page: a table cut at `limit` must make the page say `more`
        rows = _raw_rows(connection.execute(query, {**window, "limit": limit + 1}))
        if rows:
            per_table.append((name, seq_at, rows))
    merged = heapq.merge(*(_tagged(*t) for t in per_table), key=_first)
    taken: dict[str, list] = {}
    last_seq, count, more = cursor, 0, False
    for seq, name, row in merged:
        if count == limit:
            more = True
            break
        taken.setdefault(name, []).append(row)
        last_seq, count = seq, count + 1
    metrics.count_pull({name: len(rows) for name, rows in taken.items()})
    writer = PageWriter()
    for model in REPLICATED:  # parents before children, so a page applies in order
        rows = taken.get(model.__tablename__)
        if rows:
            writer.add_tuples(model.__tablename__, rows)
    return writer.page(cursor=last_seq if more else max(high, cursor), more=more)


def _raw_rows(result: CursorResult) -> list[tuple]:
    """The rows as the driver returns them, without SQLAlchemy's Row objects and type
    processing: the PageWriter turns the driver's values into wire values itself, and on
    a page of 20,000 rows building Rows (and parsing SQLite's stored times only to format
    them again) took a third of the hub's time."""
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _tagged(name: str, seq_at: int, rows):
    return ((row[seq_at], name, row) for row in rows)


def _first(item):
    return item[0]
