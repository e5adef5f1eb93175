"""Benchmark: seed national-size demo data into PostgreSQL and compare with the raw driver.

    CP2HUB_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        python bench/seed_national.py [--method auto|copy|executemany] [--size national]

The database is EMPTIED and left seeded. First a baseline on the empty database: as
many professional rows as the seed makes, written with plain psycopg executemany and
with COPY, each in a transaction rolled back. Then the seed, timed whole (generation
included) and per table. Prints seconds, rows/s, and the ratio of the seed's own
professional-insert rate to each baseline. Target: a national seed under a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time

import psycopg
from sqlalchemy.engine import make_url

from cp2hub.db import Database, redacted
from cp2hub.demo import bulk
from cp2hub.demo.geography import sub_counties_of
from cp2hub.demo.people import PeopleFactory
from cp2hub.demo.seed import SIZES, seed_demo
from cp2hub.models import Professional
from cp2hub.schema import clear, upgrade

TODAY = dt.date(2026, 11, 22)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="auto", choices=("auto", "copy", "executemany"))
    parser.add_argument("--size", default="national", choices=sorted(SIZES))
    args = parser.parse_args()
    url = os.environ.get("CP2HUB_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("set CP2HUB_DATABASE_URL to a PostgreSQL URL (its data is replaced)", file=sys.stderr)
        return 2
    db = Database(url)
    upgrade(db)
    clear(db)
    baseline = _baseline(url, SIZES[args.size].professionals)
    spent = _time_professional_inserts()
    started = time.perf_counter()
    counts = seed_demo(db, args.size, seed=1, today=TODAY, insert_method=args.method)
    seconds = time.perf_counter() - started
    rows = sum(counts.values())
    print(f"seed {args.size} into {redacted(url)} (method {args.method})")
    inserting = sum(spent.values())
    print(f"  {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s")
    print(f"  of which inserting {inserting:.1f} s, generating {seconds - inserting:.1f} s")
    for table, count in sorted(counts.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {table:<16} {count:>9,}")
    professionals = counts["professional"]
    ours = professionals / spent["professional"]
    print(f"  professional rows alone: {ours:,.0f} rows/s (insert time inside the seed)")
    db.dispose()
    for label, rate in baseline.items():
        print(
            f"baseline psycopg {label:<11} {rate:>9,.0f} rows/s   seed/baseline = {ours / rate:.2f}"
        )
    return 0


def _time_professional_inserts() -> dict[str, float]:
    """Wrap BulkWriter._insert to time each table's inserts during the seed."""
    spent: dict[str, float] = {}
    original = bulk.BulkWriter._insert

    def timed(self, table, rows):
        began = time.perf_counter()
        original(self, table, rows)
        spent[table.name] = spent.get(table.name, 0.0) + time.perf_counter() - began

    bulk.BulkWriter._insert = timed
    return spent


def _baseline(url: str, count: int) -> dict[str, float]:
    """Rows/s of the plain driver for `count` professional rows (rolled back)."""
    rng = random.Random(2)
    people = PeopleFactory(rng, TODAY)
    sc = sub_counties_of("047")[0]
    columns = [c.name for c in Professional.__table__.columns]
    defaults = {c: None for c in columns} | {"hlc": 1, "origin": "hub", "deleted": False}
    rows = []
    for i in range(count):
        row = people.person("primary", sc, ("47001500", "Baseline Primary School")).row
        row = defaults | row | {"seq": i, "phone": f"2540{i:08d}", "id": f"baseline-{i}"}
        rows.append(tuple(row[c] for c in columns))
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    names = ", ".join(columns)
    rates = {}
    with psycopg.connect(dsn) as conn:
        for label in ("executemany", "COPY"):
            with conn.transaction(force_rollback=True), conn.cursor() as cursor:
                began = time.perf_counter()
                if label == "COPY":
                    with cursor.copy(f"COPY professional ({names}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO professional ({names}) VALUES ({marks})", rows)
                rates[label] = count / (time.perf_counter() - began)
    return rates


if __name__ == "__main__":
    sys.exit(main())
