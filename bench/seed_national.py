"""Benchmark: seed national-size demo data into PostgreSQL and compare with the raw driver.

    CP2HUB_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        python bench/seed_national.py [--method auto|copy|executemany] [--size national]

The database is EMPTIED and left seeded. The seed is timed whole (generation
included) and per table. Then a baseline in the same run: the seed's own professional
rows written again with plain psycopg executemany and with COPY into a same-shaped
table (rolled back). Prints seconds, rows/s, and the ratio of the seed's professional
insert rate to each baseline. Target: a national seed under a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

import psycopg
from sqlalchemy.engine import make_url

from cp2hub.db import Database, redacted
from cp2hub.demo import bulk
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
        print("RESULT " + json.dumps({"name": "seed_national", "target": "< 60 s",
                                      "skipped": "needs PostgreSQL URL (--postgres)"}))
        return 2
    db = Database(url)
    upgrade(db)
    clear(db)
    spent = _time_professional_inserts()
    started = time.perf_counter()
    counts = seed_demo(db, args.size, seed=1, today=TODAY, insert_method=args.method)
    seconds = time.perf_counter() - started
    rows = sum(counts.values())
    print(f"seed {args.size} into {redacted(url)} (method {args.method})")
    inserting = sum(spent.values())
    print(f"  {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s")
    print(f"  the writer thread spent {inserting:.1f} s inserting (overlapping generation)")
    for table, count in sorted(counts.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {table:<16} {count:>9,}")
    professionals = counts["professional"]
    ours = professionals / spent["professional"]
    print(f"  professional rows alone: {ours:,.0f} rows/s (insert time inside the seed)")
    db.dispose()
    rates = _baseline(url)
    for label, rate in rates.items():
        print(
            f"baseline psycopg {label:<11} {rate:>9,.0f} rows/s   seed/baseline = {ours / rate:.2f}"
        )
    print("RESULT " + json.dumps({  # read by `python3 -m bench`; ratio of professional rows/s
        "name": "seed_national", "what": f"seed {args.size} ({rows:,} rows) into PostgreSQL",
        "figure": round(seconds, 1), "unit": "s", "target": "< 60 s",
        "baseline": round(rates["COPY"]), "baseline_unit": "rows/s",
        "baseline_what": "psycopg COPY of its professional rows",
        "ratio": round(ours / rates["COPY"], 2), "ok": seconds < 60}))
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


def _baseline(url: str) -> dict[str, float]:
    """Rows/s of the plain driver writing the seed's own professional rows again, into a
    copy of the table with the same indexes (created and dropped in a rolled-back
    transaction), so keys, sizes and index work match the seed's."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    columns = [c.name for c in Professional.__table__.columns]
    names = ", ".join(columns)
    rates = {}
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(f"SELECT {names} FROM professional").fetchall()
        for label in ("executemany", "COPY"):
            with conn.transaction(force_rollback=True), conn.cursor() as cursor:
                cursor.execute("CREATE TABLE bench_professional (LIKE professional INCLUDING ALL)")
                began = time.perf_counter()
                if label == "COPY":
                    with cursor.copy(f"COPY bench_professional ({names}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(
                        f"INSERT INTO bench_professional ({names}) VALUES ({marks})", rows
                    )
                rates[label] = len(rows) / (time.perf_counter() - began)
    return rates


if __name__ == "__main__":
    sys.exit(main())
