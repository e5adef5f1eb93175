"""The change feed never skips a change on PostgreSQL, where transactions commit out of order.

Writers commit concurrently with random pauses inside their transactions while a reader
pulls with `cp2hub.pull.pull_page`, page after page: the reader sees every row exactly
once, in sequence order, with no gap. A deterministic interleaving shows the mechanism
(the reader stops below an uncommitted reservation), and the same interleaving on a
feed numbered by a plain PostgreSQL sequence shows the skip a naive reader would make.

Runs only when CP2HUB_TEST_DATABASE_URL is set (CI sets it); each test gets a fresh
database migrated with `cp2hub.schema.upgrade`.
"""

from __future__ import annotations

import itertools
import random
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from cp2desk.sync.protocol import read_rows
from cp2desk.sync.records import new_id
from cp2hub import feed
from cp2hub.db import Database
from cp2hub.models import County
from cp2hub.pull import pull_page
from cp2hub.schema import upgrade
from cp2hub.scope import Scope
from tests.conftest import scratch_database
from tests.sync.conftest import PG_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="CP2HUB_TEST_DATABASE_URL is not set"),
]

READER = Scope(
    user_id="reader",
    professional_id=None,
    station_ids=frozenset(),
    sub_county_ids=frozenset(),
    admin=False,
)
"""Any device: counties are reference data every scope sees."""


@pytest.fixture
def pg_db():
    with scratch_database(PG_URL) as url:
        db = Database(url)
        upgrade(db)
        yield db
        db.dispose()


_codes = itertools.count(1)
_codes_lock = threading.Lock()


def county() -> County:
    with _codes_lock:
        n = next(_codes)
    code = "".join("0123456789abcdefghijklmnopqrstuvwxyz"[n // 36**p % 36] for p in (2, 1, 0))
    return County(id=new_id(), code=code, name=f"County {n}")


def pulled_seqs(db: Database, cursor: int, limit: int) -> tuple[list[int], int, bool]:
    with db.read() as s:
        page = pull_page(s, READER, cursor, limit)
    seqs = [row["seq"] for t in page.tables for row in read_rows(page, t)]
    return seqs, page.cursor, page.more


def test_concurrent_writers_never_make_the_reader_skip(pg_db):
    writers, transactions = 6, 35
    done = threading.Event()
    failures: list[BaseException] = []

    def write(w: int) -> None:
        rng = random.Random(w)
        try:
            for _ in range(transactions):
                with pg_db.write() as s:
                    time.sleep(rng.uniform(0, 0.004))  # so commits come out of begin order
                    s.add_all([county() for _ in range(rng.randint(1, 3))])
                    s.flush()  # sequence numbers reserved here, the counter locked till commit
                    time.sleep(rng.uniform(0, 0.004))
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    seen: list[int] = []
    cursor, pulls, pulls_while_writing = 0, 0, 0
    while True:
        writing = not done.is_set()
        seqs, cursor, more = pulled_seqs(pg_db, cursor, limit=7)
        seen += seqs
        pulls += 1
        pulls_while_writing += writing
        if not writing and not more:
            break
        if all(not t.is_alive() for t in threads):
            done.set()  # one more full pass after the last commit
    for t in threads:
        t.join()
    assert not failures, failures
    assert pulls_while_writing > 20, "the reader did not overlap the writers"
    with pg_db.read() as s:
        high = feed.high_water(s)
        stored = sorted(s.scalars(text("SELECT seq FROM county")))
    assert stored == list(range(1, high + 1))  # every reserved number was used: no hole
    assert seen == sorted(set(seen)), "a row was seen twice or out of sequence order"
    assert seen == stored, f"the reader skipped {sorted(set(stored) - set(seen))[:5]}"
    assert cursor == high


def test_reader_stops_below_an_uncommitted_reservation(pg_db):
    first = pg_db.sessions()
    first.begin()
    first.add(county())
    first.flush()  # reserves seq 1 and holds the counter
    second_done = threading.Event()

    def second_writer() -> None:
        with pg_db.write() as s:
            s.add(county())
        second_done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    assert not second_done.wait(0.3), "a second writer got a number while the first was open"
    assert pulled_seqs(pg_db, 0, 100)[:2] == ([], 0)  # nothing past the committed mark
    first.commit()
    first.close()
    thread.join(10)
    assert pulled_seqs(pg_db, 0, 100)[:2] == ([1, 2], 2)


def test_a_plain_sequence_feed_makes_a_naive_reader_skip(pg_db):
    """What the counter lock prevents: numbered by a PostgreSQL sequence, a transaction can
    commit after a later number is visible, and `seq > cursor` passes over it for good."""
    engine = create_engine(pg_db.url)
    try:
        with engine.begin() as c:
            c.exec_driver_sql("CREATE TABLE naive (seq BIGSERIAL PRIMARY KEY, v TEXT)")
        slow, fast = engine.connect(), engine.connect()
        slow.begin()
        slow.exec_driver_sql("INSERT INTO naive (v) VALUES ('slow')")  # takes seq 1
        fast.begin()
        fast.exec_driver_sql("INSERT INTO naive (v) VALUES ('fast')")  # takes seq 2
        fast.commit()
        with engine.connect() as reader:
            seen = [r[0] for r in reader.exec_driver_sql("SELECT seq FROM naive WHERE seq > 0")]
        cursor = max(seen)
        slow.commit()
        with engine.connect() as reader:
            later = [
                r[0] for r in reader.exec_driver_sql(f"SELECT seq FROM naive WHERE seq > {cursor}")
            ]
            everything = [r[0] for r in reader.exec_driver_sql("SELECT seq FROM naive")]
        assert seen == [2] and later == [] and sorted(everything) == [1, 2]  # seq 1: skipped
        slow.close()
        fast.close()
    finally:
        engine.dispose()
