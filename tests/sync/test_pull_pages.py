"""Paging of the pull: whatever the page size, a reader sees every row once, in order."""

from __future__ import annotations

import pytest

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


def test_page_size_follows_the_link():
    from cp2desk.sync.engine import MAX_PULL_PAGE, SMALLEST_PAGE, next_page_size

    assert next_page_size(5000, True, 0.3) == 10_000  # a full page, fast: twice as many
    assert next_page_size(15_000, True, 0.3) == MAX_PULL_PAGE  # never past the protocol
    assert next_page_size(5000, True, 3.0) == 5000  # neither fast nor slow: the same
    assert next_page_size(5000, True, 20.0) == 2500  # slow: half, so a drop loses less
    assert next_page_size(600, True, 20.0) == SMALLEST_PAGE
    assert next_page_size(5000, False, 0.3) is None  # the last page: the hub's size again


def test_a_bootstrap_over_a_fast_link_asks_for_larger_pages(device, world, hub, monkeypatch):
    alpha = device(world.users["director"], "director")
    asked = []
    pull = alpha.client.pull

    def counting(cursor, scope_key="", limit=None):
        asked.append(limit)
        return pull(cursor, scope_key, 4 if limit is None else limit)  # a tiny first page

    monkeypatch.setattr(alpha.client, "pull", counting)
    report = alpha.sync()
    assert report.pulled > 4 + 8 + 16
    assert asked[:4] == [None, 8, 16, 32]  # each full page came fast: twice the rows
    failed = []

    def failing(cursor, scope_key="", limit=None):
        failed.append(limit)
        raise ConnectionError("the link dropped")

    alpha.engine._adaptive = 64
    monkeypatch.setattr(alpha.client, "pull", failing)
    with pytest.raises(ConnectionError):
        alpha.sync()
    assert failed == [64] and alpha.engine._adaptive is None  # after a drop: the hub's size
