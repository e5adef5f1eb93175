"""The pull codec's fast paths give exactly what the slow, obvious ways give.

The hub reads pages as the database driver returns the rows and the device stores
decoded values with C-level formatters instead of SQLAlchemy's bind processors; these
tests hold both to the plain ORM's values, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import create_engine, select

from cp2desk.local_db.models import REPLICATED as LOCAL_TABLES
from cp2desk.sync.engine import storer
from cp2desk.sync.protocol import (
    ProtocolError,
    PullPage,
    TablePage,
    natural_ids,
    read_rows,
    read_table,
    table_layout,
)
from cp2desk.sync.records import natural_id
from cp2hub import models as m
from cp2hub import privacy
from cp2hub.models import REPLICATED
from cp2hub.pull import pull_page
from cp2hub.scope import Scope


def test_natural_ids_are_the_records_natural_ids():
    firsts = [str(uuid.uuid4()) for _ in range(300)]
    seconds = [str(uuid.uuid4()) for _ in range(300)]
    for table in ("attendance", "session_signoff"):
        expected = [natural_id(table, a, b) for a, b in zip(firsts, seconds, strict=True)]
        assert natural_ids(table, firsts, seconds) == expected
    assert natural_ids("county", ["047"]) == [natural_id("county", "047")]
    assert natural_ids("attendance", [], []) == []


SAMPLES = {
    dt.date: [dt.date(2026, 11, 3), dt.date(1, 1, 1), dt.date(9999, 12, 31)],
    dt.time: [
        dt.time(7, 45),
        dt.time(23, 59, 59, 999999),
        dt.time(0, 0, 0, 1),
        dt.time(8, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))),
    ],
    dt.datetime: [
        dt.datetime(2026, 11, 3, 7, 45),
        dt.datetime(2026, 11, 3, 7, 45, 1, 500),
        dt.datetime(2026, 11, 3, 7, 45, tzinfo=dt.UTC),
    ],
    bool: [True, False],
}


def test_sqlite_storers_store_what_the_bind_processors_store(tmp_path):
    """Every date, time, datetime and boolean column of the replica, every sample value
    and None: the fast storer's value is stored as the same text or number as the ORM's."""
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    dialect, checked = engine.dialect, set()
    for model in LOCAL_TABLES:
        for column in model.__table__.columns:
            try:
                samples = SAMPLES.get(column.type.python_type)
            except NotImplementedError:
                samples = None
            if samples is None:
                continue
            fast = storer(column.type, dialect) or (lambda v: v)
            slow = column.type.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)
            for value in [*samples, None]:
                assert fast(value) == slow(value), (model.__tablename__, column.name, value)
            checked.add(column.type.python_type)
    assert checked == set(SAMPLES)  # the replica has columns of every kind, all checked


def test_a_pulled_page_carries_the_hubs_values(hub_db, world):
    """Dates, times with microseconds, datetimes, booleans and nulls come out of a page
    (read from the driver's raw rows) as the hub's ORM reads them."""
    deployment = world.deployments["alpha"][0]
    session_id = world.sessions[0]
    with hub_db.write() as s:
        officer = world.officers[deployment]
        s.add(
            m.Attendance(
                id=natural_id("attendance", deployment, session_id),
                deployment_id=deployment,
                session_id=session_id,
                station_id=world.centres["alpha"],
                professional_id=officer,
                status="late",
                check_in=dt.time(8, 17, 3, 250),
                deleted=True,
            )
        )
        s.add(
            m.SessionSignoff(
                id=natural_id("session_signoff", world.centres["alpha"], session_id),
                station_id=world.centres["alpha"],
                session_id=session_id,
                signed_at=dt.datetime(2026, 11, 3, 10, 31, 7, 123456),
                reopened_at=None,
            )
        )
    everyone = Scope(user_id="nobody", professional_id=None, station_ids=frozenset(),
                     sub_county_ids=frozenset(), admin=False)
    scope = Scope(user_id="nobody", professional_id=None,
                  station_ids=frozenset({world.centres["alpha"]}), sub_county_ids=frozenset(),
                  admin=False)
    pulled: dict[str, dict[str, tuple[Scope, dict]]] = {}
    for who in (everyone, scope):
        with hub_db.read() as s:
            page = pull_page(s, who, 0, 100_000)
        assert not page.more
        for table_page in page.tables:
            for row in read_rows(page, table_page):
                pulled.setdefault(table_page.table, {})[row["id"]] = (who, row)
    assert {"attendance", "session_signoff", "exam_session", "professional"} <= set(pulled)
    with hub_db.read() as s:
        for model in REPLICATED:
            columns, _, _ = table_layout(model.__tablename__)
            for row_id, (who, row) in pulled.get(model.__tablename__, {}).items():
                stored = s.scalar(select(model).where(model.id == row_id))
                shown = privacy.wire_row(s, stored, who)  # what of a person `who` may see
                for name in columns:
                    value = getattr(stored, name) if shown[name] is not None else None
                    assert row[name] == value, (model.__tablename__, name, row[name], value)
                    assert type(row[name]) is type(value), (model.__tablename__, name)
    _, att = pulled["attendance"][natural_id("attendance", deployment, session_id)]
    assert att["check_in"] == dt.time(8, 17, 3, 250) and att["deleted"] is True


@pytest.mark.parametrize(("column", "bad"), [
    ("starts_at", "25:00"), ("starts_at", "at eight"), ("day", "2026-13-01"), ("day", 20261103),
])
def test_a_bad_date_or_time_on_the_wire_is_refused(column, bad):
    columns, _, _ = table_layout("exam_session")
    good = {"id": 1, "hlc": 0, "origin": 0, "deleted": False, "seq": 1, "series_id": 2,
            "day": "2026-11-03", "slot": "morning", "starts_at": "08:00:00.000000",
            "ends_at": "10:30", "papers": ""}
    refs = ["hub", str(uuid.uuid4()), str(uuid.uuid4())]
    page = PullPage(cursor=1, more=False, refs=refs, tables=[
        TablePage(table="exam_session", columns=list(columns), rows=[[good[c] for c in columns]])
    ])
    assert read_table(page, page.tables[0])[1][0][columns.index("starts_at")] == dt.time(8)
    damaged = PullPage(cursor=1, more=False, refs=refs, tables=[TablePage(
        table="exam_session", columns=list(columns),
        rows=[[bad if c == column else good[c] for c in columns]],
    )])
    with pytest.raises(ProtocolError):
        read_table(damaged, damaged.tables[0])
