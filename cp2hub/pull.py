"""Delta pull: the changes after a device's cursor, inside its scope, one page at a time."""

from __future__ import annotations

import heapq

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2desk.sync.protocol import PageWriter, PullPage, table_layout
from cp2hub import feed
from cp2hub.models import REPLICATED
from cp2hub.scope import Scope, visible


def pull_page(session: Session, scope: Scope, cursor: int, limit: int) -> PullPage:
    """Up to `limit` rows with cursor < seq <= the committed high-water mark, by seq.

    Reading only up to the counter's committed value is what makes the feed gap-free:
    every sequence at or below it belongs to a committed transaction (see feed.py).
    """
    high = feed.high_water(session)
    per_table = []
    for model in REPLICATED:
        columns, _, _ = table_layout(model.__tablename__)
        wanted = ["id", *(c for c in columns if c != "id")]
        query = (
            select(*(model.__table__.c[c] for c in wanted))
            .where(model.seq > cursor, model.seq <= high, visible(model, scope))
            .order_by(model.seq)
            .limit(limit + 1)  # one more than a page: a table cut at `limit` must say `more`
        )
        rows = session.execute(query).mappings().all()
        if rows:
            per_table.append((model.__tablename__, rows))
    merged = heapq.merge(*(_tagged(name, rows) for name, rows in per_table), key=_first)
    taken: dict[str, list] = {}
    last_seq, count, more = cursor, 0, False
    for seq, name, row in merged:
        if count == limit:
            more = True
            break
        taken.setdefault(name, []).append(row)
        last_seq, count = seq, count + 1
    writer = PageWriter()
    for model in REPLICATED:  # parents before children, so a page applies in order
        rows = taken.get(model.__tablename__)
        if rows:
            writer.add(model.__tablename__, rows)
    return writer.page(cursor=last_seq if more else max(high, cursor), more=more)


def _tagged(name: str, rows):
    return ((row["seq"], name, row) for row in rows)


def _first(item):
    return item[0]
