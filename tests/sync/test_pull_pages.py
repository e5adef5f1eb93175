"""Paging of the pull: whatever the page size, a reader sees every row once, in order."""

from __future__ import annotations

from cp2desk.sync.protocol import read_rows
from cp2desk.sync.records import new_id
from cp2hub import feed
from cp2hub.models import County, Position
from cp2hub.pull import pull_page
from cp2hub.scope import Scope

ANYONE = Scope(user_id="u", professional_id=None, station_ids=frozenset(),
               sub_county_ids=frozenset(), admin=False)


def everything(db, limit: int) -> list[int]:
    seen, cursor, more = [], 0, True
    while more:
        with db.read() as s:
            page = pull_page(s, ANYONE, cursor, limit)
        seen += sorted(r["seq"] for t in page.tables for r in read_rows(page, t))
        assert page.cursor >= cursor
        cursor, more = page.cursor, page.more
    return seen


def test_every_page_size_sees_every_row_once(hub_db):
    with hub_db.write() as s:  # a mixed head, then a long tail of one table
        s.add_all([Position(id=new_id(), code=f"p{i}", name="P") for i in range(3)])
        s.flush()
        s.add_all([County(id=new_id(), code=f"{i:03d}", name="C") for i in range(23)])
    with hub_db.read() as s:
        high = feed.high_water(s)
    assert high == 26
    for limit in (1, 2, 3, 7, 8, 9, 10, 25, 26, 27, 1000):
        assert everything(hub_db, limit) == list(range(1, high + 1)), f"page size {limit}"
