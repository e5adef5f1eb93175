"""Bench: the morning rush, 200 devices pushing 50 attendance marks each, all at once.

Workload: a hub (`cp2hub serve --workers 2`, real HTTP on loopback) over a sub-county of
120 centres and 4,000 deployments with attendance already recorded for 36 sessions
(144,000 marks). 200 centre managers' devices, each with its own token (two devices at
some centres, marking different sessions), push 50 new marks each, in one batch, at the
same instant, from client processes with a thread per device. Three such rounds, each
of fresh marks for the next sessions, against the same running hub. Run on SQLite and,
when CP2HUB_TEST_DATABASE_URL or --pg is given, on PostgreSQL.

Figure: marks/s from the first request sent to the last answer received, every mark
answered 'applied' and stored; the median round (one two-second burst moves by tens of
percent on a shared machine). Each round also prints the CPU the hub and the clients
used. Target: at least 5,000 marks/s. Baseline, same run and database: the last round's
marks inserted straight into the attendance table with one executemany in one
transaction.

    python3 bench/morning_rush.py [--devices 200] [--marks 50] [--rounds 3] [--workers 2]
                                  [--pg URL] [--spy-hub]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402
from sqlalchemy import delete, func, insert, select  # noqa: E402

from bench._common import (  # noqa: E402
    HubProcess,
    build_sub_county,
    on_each_database,
    py_spy,
    summarize_stacks,
    verdict,
)
from cp2desk.sync.clock import HybridClock  # noqa: E402
from cp2desk.sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION  # noqa: E402
from cp2desk.sync.records import natural_id  # noqa: E402
from cp2hub import models as m  # noqa: E402
from cp2hub.db import Database  # noqa: E402
from cp2hub.schema import upgrade  # noqa: E402

TARGET = 5_000.0
SAT = 36  # sessions with attendance recorded before the rush
FRESH = 4  # sessions a round marks: two for each of a centre's (up to) two devices


def batches(world, marks: int, round_no: int) -> list[tuple[str, bytes, list[dict]]]:
    """Per device: (token, JSON body of its push, its rows), for one round."""
    clock = HybridClock()
    out = []
    first = SAT + FRESH * round_no
    for d, (token, device_id, centre) in enumerate(world.devices):
        copy = d // len(world.centres)  # a second device at a centre marks other sessions
        sessions = world.sessions[first + 2 * copy: first + 2 * copy + 2]
        targets = [(dep, person, s) for s in sessions for dep, person in centre.deployments]
        rows, changes = [], []
        for dep, person, session in targets[:marks]:
            row = {
                "id": natural_id("attendance", dep, session), "hlc": clock.now(),
                "origin": device_id, "deleted": False, "seq": None, "deployment_id": dep,
                "session_id": session, "station_id": centre.id, "professional_id": person,
                "status": "present", "check_in": f"07:4{len(rows) % 10}:00",
                "marked_by": natural_id("user", f"2547440{d:05d}"),
            }
            rows.append(row)
            changes.append({"key": str(uuid.uuid4()), "table": "attendance", "row": row,
                            "fields": ["status", "check_in"]})
        out.append((token, json.dumps({"changes": changes}).encode(), rows))
    return out


def client_process(url, work, start_at, results) -> None:
    """One client process: a thread per device, all released at `start_at`."""
    outcome = []
    lock = threading.Lock()

    def device(token: str, body: bytes) -> None:
        http = requests.Session()
        headers = {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: str(PROTOCOL_VERSION),
                   "Content-Type": "application/json", "Accept-Encoding": "gzip"}
        time.sleep(max(0.0, start_at - time.time()))
        began = time.time()
        response = http.post(url + "/sync/push", data=body, headers=headers, timeout=300)
        ended = time.time()
        answers = response.json()["answers"] if response.status_code == 200 else []
        applied = sum(a["outcome"] == "applied" for a in answers)
        with lock:
            outcome.append((began, ended, applied, response.status_code, token))

    threads = [threading.Thread(target=device, args=w) for w in work]
    for t in threads:
        t.start()
    time.sleep(max(0.0, start_at - time.time()))
    cpu = time.process_time()
    for t in threads:
        t.join()
    results.put((outcome, time.process_time() - cpu))


def rush(
    url: str, work: list[tuple[str, bytes]], processes: int
) -> tuple[float, int, list, float]:
    """(seconds from first request to last answer, marks applied, failed pushes, CPU
    seconds the client processes used)."""
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    start_at = time.time() + 1.5 + 0.01 * len(work)
    procs = [ctx.Process(target=client_process, args=(url, work[i::processes], start_at, results))
             for i in range(processes)]
    for p in procs:
        p.start()
    reports = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(30)
    outcome = [x for part, _ in reports for x in part]
    began = min(o[0] for o in outcome)
    ended = max(o[1] for o in outcome)
    failed = [o for o in outcome if o[3] != 200]
    return ended - began, sum(o[2] for o in outcome), failed, sum(cpu for _, cpu in reports)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its live descendants (Linux /proc)."""
    stats = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    family, grew = {pid}, True
    while grew:
        more = {p for p, (parent, _) in stats.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(stats[p][1] for p in family if p in stats) / os.sysconf("SC_CLK_TCK")


def baseline(db: Database, rows: list[dict]) -> float:
    """The same marks, straight into the attendance table: one executemany, one transaction."""
    ids = [r["id"] for r in rows]
    with db.write() as s:  # take the rush's marks out again (not timed)
        for start in range(0, len(ids), 500):
            s.execute(delete(m.Attendance.__table__).where(
                m.Attendance.id.in_(ids[start:start + 500])))
    full = [{**r, "check_in": dt.time.fromisoformat(r["check_in"]), "seq": 10**9 + i,
             "status_hlc": r["hlc"], "check_in_hlc": r["hlc"]} for i, r in enumerate(rows)]
    with db.engine.connect() as conn:
        started = time.perf_counter()
        with conn.begin():
            conn.execute(insert(m.Attendance.__table__), full)
        return time.perf_counter() - started


def run(label: str, url: str, args, folder: Path) -> None:
    db = Database(url)
    upgrade(db)
    started = time.perf_counter()
    world = build_sub_county(db, sessions=SAT + FRESH * args.rounds, attendance_sessions=SAT,
                             devices=args.devices)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(m.Attendance))
    print(f"[{label}] hub built: {world.rows:,} rows ({before:,} marks) in "
          f"{time.perf_counter() - started:.1f} s")
    rounds = [batches(world, args.marks, r) for r in range(args.rounds)]
    total = sum(len(w[2]) for w in rounds[0])
    rates, retried, profile = [], 0, ""
    with HubProcess(url, folder / f"hub-{label}.log", args.workers) as hub:
        spy = py_spy(hub.process.pid, folder / f"hub-{label}.spy") if args.spy_hub else None
        with spy or nullcontext() as spied:
            for number, work in enumerate(rounds, 1):
                cpu = cpu_seconds(hub.process.pid)
                elapsed, applied, failed, client_cpu = rush(
                    hub.url, [w[:2] for w in work], args.processes
                )
                cpu = cpu_seconds(hub.process.pid) - cpu
                if failed:  # as a device would: try again at its next sync (not timed)
                    retry = [w[:2] for w in work if w[0] in {f[4] for f in failed}]
                    _, again, still, _ = rush(hub.url, retry, 1)
                    assert not still, still
                    applied += again
                    retried += len(failed)
                assert applied == total, (applied, total)
                on_time = total - sum(len(w[2]) for w in work if w[0] in {f[4] for f in failed})
                rates.append(on_time / elapsed)
                print(f"[{label}] round {number}: {total:,} marks in {elapsed:.2f} s = "
                      f"{rates[-1]:,.0f} marks/s; CPU: hub {cpu:.2f} s ({args.workers} "
                      f"workers), clients {client_cpu:.2f} s, on {os.cpu_count()} cores"
                      + (f"; {len(failed)} pushes failed and were retried" if failed else ""))
        if spied:
            profile = summarize_stacks(spied)
    with db.read() as s:
        after = s.scalar(select(func.count()).select_from(m.Attendance))
    assert after - before == total * args.rounds, (after - before, total * args.rounds)
    base = baseline(db, [r for w in rounds[-1] for r in w[2]])
    db.dispose()
    rate, base_rate = statistics.median(rates), total / base
    print(f"[{label}] morning rush: {len(rounds[0])} devices x {args.marks} marks = {total:,} "
          f"marks at once, {args.rounds} rounds")
    print(f"[{label}]   rate      {rate:>10,.0f} marks/s, the median round (target >= "
          f"{TARGET:,.0f}): {verdict(rate >= TARGET)}")
    print(f"[{label}]   baseline  {base_rate:>10,.0f} marks/s (one executemany, one "
          f"transaction: {base:.3f} s); rush = {rate / base_rate:.3f}x the baseline")
    print("RESULT " + json.dumps({  # read by `python3 -m bench`
        "name": f"morning_rush ({label})",
        "what": f"{len(rounds[0])} devices x {args.marks} marks at once, median of "
                f"{args.rounds} rounds ({', '.join(f'{r:,.0f}' for r in rates)})"
                + (f"; {retried} pushes failed and were retried" if retried else ""),
        "figure": round(rate), "unit": "marks/s", "target": f">= {TARGET:,.0f} marks/s",
        "baseline": round(base_rate), "baseline_unit": "marks/s",
        "baseline_what": "one executemany", "ratio": round(rate / base_rate, 3),
        "ok": rate >= TARGET}))
    if profile:
        print(f"[{label}] hub profile (py-spy):")
        print(profile)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--marks", type=int, default=50)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="hub worker processes")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rushes in a row, each of fresh marks (the figure is the median)")
    parser.add_argument("--pg", default=os.environ.get("CP2HUB_TEST_DATABASE_URL", ""),
                        help="PostgreSQL URL (a fresh database is made in it and dropped)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--spy-hub", action="store_true", help="py-spy the hub during the rush")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cp2rush-") as tmp:
        folder = Path(tmp)
        on_each_database("morning_rush", f">= {TARGET:,.0f} marks/s", run, args, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
