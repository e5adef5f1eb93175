"""Delta pull: the changes after a device's cursor, inside its scope, one page at a time.

Every page served is counted, with its rows by table (`cp2hub.metrics.count_pull`)."""

from __future__ import annotations

import datetime as dt
import heapq
from functools import lru_cache

from sqlalchemy import CursorResult, Select, bindparam, select
from sqlalchemy.orm import Session

from cp2desk.sync.protocol import PageWriter, PullPage, table_layout
from cp2hub import feed, metrics, privacy
from cp2hub.models import REPLICATED, Attendance, ExamSession
from cp2hub.scope import Scope, visible

_SESSIONS_FROM = select(ExamSession.id).where(ExamSession.day >= bindparam("from_day"))


@lru_cache(maxsize=1024)
def _queries(scope: Scope, first: bool = False) -> tuple[tuple[str, int, Select, Select], ...]:
    """Per table: (name, position of seq, a probe for any row in the window, the page query).

    Built once per scope (building `visible` clauses is costly) with the window and the
    page size as bound parameters, so SQLAlchemy's compiled cache serves every page. The
    columns are the scope's view of each row (`privacy.page_columns`): what the device's
    user may not see of another person arrives as null. `first`: the first screens' pass
    (`pull_page`), without attendance of sessions before `from_day`.
    """
    out = []
    for model in REPLICATED:
        table = model.__table__
        columns, _, _ = table_layout(table.name)
        window = (table.c.seq > bindparam("cursor")) & (table.c.seq <= bindparam("high"))
        probe = select(table.c.seq).where(window).limit(1)
        where = [window, visible(model, scope)]
        if first and model is Attendance:
            where.append(Attendance.session_id.in_(_SESSIONS_FROM))
        page = (
            select(*privacy.page_columns(model, scope))
            .where(*where)
            .order_by(table.c.seq)
            .limit(bindparam("limit"))
        )
        out.append((table.name, columns.index("seq"), probe, page))
    return tuple(out)


def pull_page(
    session: Session, scope: Scope, cursor: int, limit: int, from_day: dt.date | None = None
) -> PullPage:
    """Up to `limit` rows with cursor < seq <= the committed high-water mark, by seq.

    Reading only up to the counter's committed value is what makes the feed gap-free:
    every sequence at or below it belongs to a committed transaction (see feed.py).

    With `from_day`, the first screens' pass of a first sync on a slow link: the same
    pages without the attendance of sessions before that day (most of a sub-county's
    rows), so the screens of today and the sessions to come can open while the rest
    arrives. The device applies these rows but keeps its cursor: its ordinary pull from
    0 follows and brings everything.
    """
    high = feed.high_water(session)
    window = {"cursor": cursor, "high": high, "from_day": from_day or dt.date.min}
    per_table = []
    connection = session.connection()
    for name, seq_at, probe, query in _queries(scope, from_day is not None):
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
