"""The seed's bulk writer: stamps every row, writes parents first, never hides a failure."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cp2hub import models as m
from cp2hub.db import Database
from cp2hub.demo import seed
from cp2hub.demo.bulk import BulkWriter
from cp2hub.demo.geography import county_rows, sub_counties_of, sub_county_row
from cp2hub.schema import upgrade


def test_rows_are_stamped_and_parents_written_first(hub_database):
    with hub_database.write() as session:
        writer = BulkWriter(session)
        writer.add(
            m.SubCounty, [sub_county_row(sc) for sc in sub_counties_of("047")]
        )  # children first, same chunk
        writer.add(m.County, county_rows())
        writer.close()
    assert writer.counts == {"county": 47, "sub_county": 17}
    with hub_database.read() as session:
        rows = session.execute(select(m.County.seq, m.County.hlc, m.County.origin)).all()
        rows += session.execute(select(m.SubCounty.seq, m.SubCounty.hlc, m.SubCounty.origin)).all()
        assert len({seq for seq, _, _ in rows}) == 64
        assert all(hlc > 0 and origin == "hub" for _, hlc, origin in rows)
        assert session.get(m.FeedCounter, 1).value == 64


def test_a_failed_insert_surfaces_and_nothing_is_kept(hub_database):
    bad = [{**row, "code": "001"} for row in county_rows()[:2]]  # duplicate county code
    with pytest.raises(IntegrityError), hub_database.write() as session:
        writer = BulkWriter(session)
        writer.add(m.County, bad)
        writer.close()
    with hub_database.read() as session:
        assert session.scalar(select(func.count()).select_from(m.County)) == 0


def test_small_chunks_write_the_same_seed(hub_database, tmp_path, monkeypatch):
    """Parents always reach the database before their children, however rows are chunked."""
    today = dt.date(2026, 11, 22)
    reference = Database(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    try:
        upgrade(reference)
        seed.seed_demo(reference, "small", seed=5, today=today)
        monkeypatch.setattr(seed, "BulkWriter", functools.partial(BulkWriter, chunk_rows=37))
        seed.seed_demo(hub_database, "small", seed=5, today=today)
        assert seed.content_checksum(hub_database) == seed.content_checksum(reference)
    finally:
        reference.dispose()
