"""Bench: what metrics cost the morning rush, metrics off and on in the same run.

Workload: the morning rush of bench/morning_rush.py (200 devices pushing 50 new marks
each at the same instant, over a sub-county with 144,000 marks recorded), against two
hubs (`cp2hub serve --workers 2`) on the same database, one with
CP2HUB_METRICS_ENABLED=0 (nothing counted, no /metrics) and one with metrics on, both
running all along. After one round each to warm them up (not counted), rounds alternate
between them (off-on, on-off, ...), so a machine that slows down during the run slows
both alike; each round marks fresh sessions.

Figure: marks/s with metrics on, as a ratio of marks/s with metrics off (each the median
of its rounds). Target: at least 0.95 (metrics cost at most 5% of the rush). The hub with
metrics on must also have counted every mark it applied.

    python3 bench/metrics_cost.py [--devices 200] [--marks 50] [--rounds 5] [--workers 2]
                                  [--pg URL]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench._common import HubProcess, build_sub_county, on_each_database, verdict  # noqa: E402
from bench.morning_rush import FRESH, SAT, batches, rush  # noqa: E402
from cp2hub import models as m  # noqa: E402
from cp2hub.db import Database  # noqa: E402
from cp2hub.schema import upgrade  # noqa: E402

TARGET = 0.95


def one_round(hub: HubProcess, work, processes: int) -> tuple[float, int]:
    """(marks/s of the pushes answered at once, marks applied in all); a push that failed
    is sent again, as a device would at its next sync (not timed)."""
    elapsed, applied, failed, _ = rush(hub.url, [w[:2] for w in work], processes)
    late = {f[4] for f in failed}
    if late:
        _, again, still, _ = rush(hub.url, [w[:2] for w in work if w[0] in late], 1)
        assert not still, still
        applied += again
    on_time = sum(len(w[2]) for w in work if w[0] not in late)
    return on_time / elapsed, applied


def counted(hub: HubProcess) -> float | None:
    """The marks the hub says it applied (`cp2hub_push_changes_total`), None if it
    serves no metrics."""
    answer = requests.get(hub.url + "/metrics", timeout=30)
    if answer.status_code == 404:
        return None
    pattern = r'cp2hub_push_changes_total\{outcome="applied",table="attendance"\} (\S+)'
    found = re.search(pattern, answer.text)
    return float(found.group(1)) if found else 0.0


def run(label: str, url: str, args, folder: Path) -> None:
    db = Database(url)
    upgrade(db)
    started = time.perf_counter()
    rounds = 2 * args.rounds + 2  # the first two warm the hubs up
    world = build_sub_county(db, sessions=SAT + FRESH * rounds, attendance_sessions=SAT,
                             devices=args.devices)  # fmt: skip
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(m.Attendance))
    print(f"[{label}] hub built: {world.rows:,} rows ({before:,} marks) in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    work = [batches(world, args.marks, r) for r in range(rounds)]
    total = sum(len(w[2]) for w in work[0])
    rates: dict[str, list[float]] = {"off": [], "on": []}
    off = HubProcess(url, folder / f"hub-{label}-off.log", args.workers, {"METRICS_ENABLED": "0"})
    on = HubProcess(url, folder / f"hub-{label}-on.log", args.workers)
    with off, on:
        for number in range(rounds):
            first_on = (number // 2) % 2 == 1  # off, on, on, off, off, on, ...
            side = "on" if (number % 2 == 0) == first_on else "off"
            rate, applied = one_round(on if side == "on" else off, work[number], args.processes)
            assert applied == total, (applied, total)
            warming = number < 2
            if not warming:
                rates[side].append(rate)
            print(f"[{label}] {'warm-up' if warming else f'round {number - 1}'}, metrics "
                  f"{side}: {total:,} marks, {rate:,.0f} marks/s")  # fmt: skip
        assert counted(off) is None, "the hub with metrics off serves /metrics"
        applied_on = total * (args.rounds + 1)
        assert counted(on) == applied_on, (counted(on), applied_on)
    with db.read() as s:
        after = s.scalar(select(func.count()).select_from(m.Attendance))
    assert after - before == total * rounds, (after - before, total * rounds)
    db.dispose()
    rate_off, rate_on = statistics.median(rates["off"]), statistics.median(rates["on"])
    ratio = rate_on / rate_off
    print(f"[{label}] metrics off {rate_off:>10,.0f} marks/s, the median of "
          f"{', '.join(f'{r:,.0f}' for r in rates['off'])}")  # fmt: skip
    print(f"[{label}] metrics on  {rate_on:>10,.0f} marks/s, the median of "
          f"{', '.join(f'{r:,.0f}' for r in rates['on'])}")  # fmt: skip
    print(f"[{label}] on / off = {ratio:.3f} (target >= {TARGET}): {verdict(ratio >= TARGET)}")
    print("RESULT " + json.dumps({  # read by `python3 -m bench`
        "name": f"metrics_cost ({label})",
        "what": f"morning rush with metrics on: {rate_on:,.0f} marks/s, median of "
                f"{args.rounds} rounds alternating with {args.rounds} with metrics off",
        "figure": round(ratio, 3), "unit": "x", "target": f">= {TARGET}x metrics off",
        "baseline": round(rate_off), "baseline_unit": "marks/s",
        "baseline_what": "metrics off", "ratio": round(ratio, 3), "ok": ratio >= TARGET,
    }))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--marks", type=int, default=50)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="hub worker processes")
    parser.add_argument("--rounds", type=int, default=5, help="rounds each, metrics off and on")
    parser.add_argument("--pg", default=os.environ.get("CP2HUB_TEST_DATABASE_URL", ""),
                        help="PostgreSQL URL (a fresh database is made in it and dropped)")  # fmt: skip
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cp2metrics-") as tmp:
        folder = Path(tmp)
        on_each_database("metrics_cost", f">= {TARGET}x metrics off", run, args, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
