"""Bench: one attendance mark (replica row + outbox entry, one transaction) < 10 ms median.

Workload: the demo centre grown to 5,000 officers; `mark_attendance` marks 300 different
officers present for the session in progress, each in its own transaction, as a
centre manager pressing P down the register. Baseline in the same run: a raw sqlite3
INSERT + COMMIT of one row in a WAL file with the replica's pragmas.

    python3 bench/mark_one.py
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cp2desk.local_db.replica import SYNCHRONOUS, Replica  # noqa: E402
from cp2desk.services.attendance import mark_attendance  # noqa: E402
from tests.services.fixtures import build_centre  # noqa: E402

OFFICERS = 5_000
MARKS = 300
TARGET_MS = 10.0


def marks(folder: Path) -> list[float]:
    replica = Replica(folder / "marks.sqlite3")
    centre = build_centre(replica, extra_officers=OFFICERS - 11)
    deployments = [d for k, d in centre.deployments.items() if k.startswith("extra")][:MARKS]
    session_id = centre.sessions["mon_am"]
    times = []
    for deployment in deployments:
        started = time.perf_counter()
        mark_attendance(replica, centre.user_id, deployment, session_id, "present", centre.now)
        times.append((time.perf_counter() - started) * 1000)
    assert replica.pending_count() == MARKS
    replica.dispose()
    return times


def raw_inserts(folder: Path) -> list[float]:
    conn = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")  # as the replica commits
    conn.execute("CREATE TABLE mark (id TEXT PRIMARY KEY, status TEXT, check_in TEXT)")
    times = []
    for i in range(MARKS):
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO mark VALUES (?, 'present', '09:40:00')", (f"m{i}",))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - started) * 1000)
    conn.close()
    return times


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        measured = marks(Path(tmp))
        baseline = statistics.median(raw_inserts(Path(tmp)))
    figure = statistics.median(measured)
    p95 = sorted(measured)[int(len(measured) * 0.95)]
    print(f"one mark (attendance row + outbox entry, one transaction), {MARKS} marks")
    print(f"  median {figure:.2f} ms, p95 {p95:.2f} ms; target median < {TARGET_MS:.0f} ms")
    print(f"  baseline: raw sqlite3 INSERT + COMMIT (WAL, synchronous={SYNCHRONOUS}) "
          f"{baseline:.2f} ms")
    print(f"  ratio to baseline: {figure / baseline:.1f}x")
    ok = figure < TARGET_MS
    print("  PASS" if ok else "  FAIL")
    print("RESULT " + json.dumps({  # read by `python3 -m bench`
        "name": "mark_one", "what": "one mark: attendance row + outbox entry, one transaction",
        "figure": round(figure, 3), "unit": "ms", "target": f"median < {TARGET_MS:.0f} ms",
        "baseline": round(baseline, 3), "baseline_what": "raw sqlite3 INSERT + COMMIT",
        "ratio": round(figure / baseline, 2), "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
