"""Bench: an empty replica bootstraps one sub-county over real HTTP.

Workload: a hub (`cp2hub serve`, its own process, SQLite) holding a sub-county of 120
centres, 4,000 deployments, 40 sessions and 160,000 attendance rows (plus a smaller
neighbouring sub-county the director must not receive). The sub-county's TSC director
signs in on a new device and runs one sync with the real HubClient and SyncEngine.

Figures: records/s of the whole sync (hub query and encode, gzip, HTTP, client decode,
replica insert), and bytes on the wire per record (response bodies as received, still
compressed). Baseline, same run: plain `sqlite3` executemany of the same rows into an
identical empty replica (same tables, indexes and pragmas), one transaction.
Targets: at least 0.5x the baseline's rate, at most 60 bytes per record.

    python3 bench/sync_bootstrap.py [--page-size N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sqlite3
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bench._common import (  # noqa: E402
    PASSWORD,
    HubProcess,
    build_sub_county,
    py_spy,
    summarize_stacks,
    verdict,
)
from cp2desk.local_db import models as lm  # noqa: E402
from cp2desk.local_db.replica import (  # noqa: E402
    CACHE_MB,
    CHECKPOINT_PAGES,
    SYNCHRONOUS,
    Replica,
)
from cp2desk.sync.client import HubClient  # noqa: E402
from cp2desk.sync.engine import SyncEngine  # noqa: E402
from cp2hub.db import Database  # noqa: E402
from cp2hub.schema import upgrade  # noqa: E402

TARGET_RATIO = 0.5
TARGET_BYTES = 60.0


class WireCounter:
    """Counts response body bytes as they came off the socket (before gzip decoding)."""

    def __init__(self, client: HubClient) -> None:
        self.bytes = self.responses = 0
        self.waiting = 0.0
        original = client.http.request

        def counted(*args, **kwargs):
            started = time.perf_counter()
            response = original(*args, **kwargs)  # the body is read inside (stream=False)
            self.waiting += time.perf_counter() - started
            self.bytes += response.raw.tell()
            self.responses += 1
            return response

        client.http.request = counted


class ApplyTimer:
    """Time the syncing thread spends applying pages (the rest of a pull is waiting)."""

    def __init__(self, engine: SyncEngine) -> None:
        self.seconds = 0.0
        original = engine._apply

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        engine._apply = timed


def replica_rows(path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    conn = sqlite3.connect(path)
    out = {}
    for model in lm.REPLICATED:
        cursor = conn.execute(f"SELECT * FROM {model.__tablename__}")
        out[model.__tablename__] = ([d[0] for d in cursor.description], cursor.fetchall())
    conn.close()
    return out


def baseline(folder: Path, rows: dict[str, tuple[list[str], list[tuple]]]) -> float:
    """Seconds for plain sqlite3 executemany of the same rows into an identical replica."""
    Replica(folder / "baseline.sqlite3").dispose()  # same schema, indexes and migrations
    conn = sqlite3.connect(folder / "baseline.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    conn.execute(f"PRAGMA cache_size=-{CACHE_MB * 1024}")
    conn.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for table, (columns, values) in rows.items():
        if values:
            marks = ",".join("?" * len(columns))
            conn.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", values)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page-size", type=int, default=None, help="rows per pull page")
    parser.add_argument("--profile", action="store_true", help="cProfile the client side")
    parser.add_argument("--no-analyze", action="store_true",
                        help="skip ANALYZE after the bulk load (SQLite then plans badly)")
    parser.add_argument("--spy-hub", action="store_true", help="py-spy the hub during the sync")
    parser.add_argument("--keep", type=Path, default=None, help="keep the files in this folder")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cp2bench-") as tmp:
        folder = args.keep or Path(tmp)
        url = f"sqlite:///{folder / 'hub.sqlite3'}"
        db = Database(url)
        upgrade(db)
        started = time.perf_counter()
        world = build_sub_county(db)
        if not args.no_analyze:  # what any bulk load should end with: the planner's statistics
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        db.dispose()
        print(f"hub built: {world.rows:,} rows in {time.perf_counter() - started:.1f} s")
        with HubProcess(url, folder / "hub.log") as hub:
            replica = Replica(folder / "director.sqlite3")
            client = HubClient(hub.url)
            client.login(world.director_phone, PASSWORD, replica.device_id, "bench")
            wire = WireCounter(client)
            engine = SyncEngine(replica, client, page_size=args.page_size)
            applying = ApplyTimer(engine)
            profile = cProfile.Profile() if args.profile else None
            spy = py_spy(hub.process.pid, folder / "hub.spy") if args.spy_hub else nullcontext()
            with spy as spied:
                if profile:
                    profile.enable()
                started = time.perf_counter()
                report = engine.sync()
                elapsed = time.perf_counter() - started
                if profile:
                    profile.disable()
            hub_profile = summarize_stacks(spied) if spied else ""
            replica.dispose()
        rows = replica_rows(folder / "director.sqlite3")
        stored = sum(len(v) for _, v in rows.values())
        attendance = len(rows["attendance"][1])
        assert report.pulled == stored, (report.pulled, stored)
        assert attendance == 160_000, attendance
        base = baseline(folder, rows)

    rate, base_rate = stored / elapsed, stored / base
    per_record = wire.bytes / stored
    ratio = rate / base_rate
    print(f"bootstrap: {stored:,} records ({attendance:,} attendance) in {elapsed:.2f} s "
          f"over {wire.responses} requests")
    print(f"  rate            {rate:>12,.0f} records/s")
    print(f"  on the wire     {wire.bytes:>12,} bytes = {per_record:.1f} bytes/record "
          f"(target <= {TARGET_BYTES:.0f}): {verdict(per_record <= TARGET_BYTES)}")
    print(f"  applying pages  {applying.seconds:>12.2f} s (inserts and commits, on the syncing "
          "thread)")
    print(f"  waiting         {elapsed - applying.seconds:>12.2f} s (for the first page, and "
          "for any page not yet fetched and decoded)")
    print(f"  HTTP requests   {wire.waiting:>12.2f} s in all (hub query, encode, gzip, transfer;"
          " made ahead, overlapping the inserts)")
    print(f"baseline: sqlite3 executemany of the same rows: {base:.2f} s = {base_rate:,.0f} "
          "records/s")
    print(f"ratio: {ratio:.2f}x the baseline (target >= {TARGET_RATIO}x): "
          f"{verdict(ratio >= TARGET_RATIO)}")
    print("RESULT " + json.dumps({  # read by `python3 -m bench`
        "name": "sync_bootstrap", "what": f"bootstrap of {stored:,} records over HTTP",
        "figure": round(rate), "unit": "records/s", "target": f">= {TARGET_RATIO}x baseline",
        "baseline": round(base_rate), "baseline_what": "sqlite3 executemany",
        "ratio": round(ratio, 3), "ok": ratio >= TARGET_RATIO}))
    print("RESULT " + json.dumps({
        "name": "sync_bootstrap (wire)", "what": "response bytes on the wire per record",
        "figure": round(per_record, 1), "unit": "bytes/record",
        "target": f"<= {TARGET_BYTES:.0f} bytes/record", "ok": per_record <= TARGET_BYTES}))
    if hub_profile:
        print("hub profile (py-spy):")
        print(hub_profile)
    if profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
