"""Shared by the sync benchmarks: a sub-county built fast on a hub, and the hub as a process.

`build_sub_county` writes a realistic sub-county (about 120 centres, 4,000 deployments,
40 sessions, attendance for the sessions already sat) straight into a migrated hub
database with Core executemany, every row stamped with a hub sequence reserved from the
feed (`feed.reserve`) and a hybrid clock, as the seeder does. A second, smaller
sub-county is added so the director's scope really filters. Devices for the morning
rush get accounts and tokens written directly (no password hashing per device).

`HubProcess` runs `cp2hub serve` (uvicorn, one process) on a free loopback port.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import create_engine, insert  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from cp2desk.sync.clock import pack  # noqa: E402
from cp2desk.sync.records import natural_id  # noqa: E402
from cp2hub import feed  # noqa: E402
from cp2hub import models as m  # noqa: E402
from cp2hub.db import Database  # noqa: E402
from cp2hub.passwords import hash_password  # noqa: E402

PASSWORD = "bench-pass-1"
DAY0 = dt.date(2026, 10, 19)


@dataclass
class Centre:
    id: str
    deployments: list[tuple[str, str]] = field(default_factory=list)  # (deployment, officer)


@dataclass
class BenchWorld:
    series: str
    sessions: list[str]
    centres: list[Centre]
    director_phone: str
    director_user: str
    rows: int = 0
    devices: list[tuple[str, str, Centre]] = field(default_factory=list)  # token, device, centre


def _insert(session, model, rows: list[dict], stamp: int) -> int:
    """Insert rows of one table with fresh sequence numbers; returns how many."""
    if not rows:
        return 0
    first = feed.reserve(session, len(rows))
    for i, row in enumerate(rows):
        row["seq"] = first + i
        row.setdefault("hlc", stamp)
        row.setdefault("origin", feed.HUB_ORIGIN)
        row.setdefault("deleted", False)
    columns = m.MODEL_BY_TABLE[model.__tablename__].__table__.columns
    template = {c.name: None for c in columns}
    for c in columns:
        if c.default is not None and c.default.is_scalar:
            template[c.name] = c.default.arg
    full = [{**template, **row} for row in rows]
    for start in range(0, len(full), 20_000):
        session.execute(insert(model.__table__), full[start:start + 20_000])
    return len(full)


def build_sub_county(
    db: Database,
    centres: int = 120,
    deployments: int = 4_000,
    sessions: int = 40,
    attendance_sessions: int = 40,
    devices: int = 0,
    seed: int = 2026,
) -> BenchWorld:
    rng = random.Random(seed)
    stamp = pack(int(time.time() * 1000) - 86_400_000)
    total = 0
    with db.write() as s:
        county = {"id": natural_id("county", "047"), "code": "047", "name": "Nairobi"}
        subs = [
            {"id": natural_id("sub", code), "county_id": county["id"], "code": code, "name": name}
            for code, name in (("04701", "Westlands"), ("04702", "Kasarani"))
        ]
        series = {
            "id": natural_id("series", "KCSE-2026"), "code": "KCSE-2026", "exam": "KCSE",
            "name": "KCSE 2026", "year": 2026, "starts_on": DAY0,
            "ends_on": DAY0 + dt.timedelta(days=sessions // 2),
        }
        session_rows = []
        for k in range(sessions):
            slot = ("morning", "afternoon")[k % 2]
            start = dt.time(8) if slot == "morning" else dt.time(14)
            session_rows.append({
                "id": natural_id("session", k), "series_id": series["id"],
                "day": DAY0 + dt.timedelta(days=k // 2), "slot": slot, "starts_at": start,
                "ends_at": dt.time(start.hour + 2, 30), "papers": f"{101 + k}/1",
            })
        positions = [
            {"id": natural_id("position", code), "code": code, "name": code.title(), "rank": i}
            for i, code in enumerate(("centre_manager", "supervisor", "invigilator", "police"))
        ]
        total += _insert(s, m.County, [county], stamp)
        total += _insert(s, m.SubCounty, subs, stamp)
        total += _insert(s, m.Series, [series], stamp)
        total += _insert(s, m.ExamSession, session_rows, stamp)
        total += _insert(s, m.Position, positions, stamp)

        world = BenchWorld(series["id"], [r["id"] for r in session_rows], [], "254733000001",
                           natural_id("user", "254733000001"))
        stations, requirements, people, deps, marks = [], [], [], [], []
        container = natural_id("station", "DC-04701")
        stations.append({
            "id": container, "code": "04701000", "name": "Westlands Container",
            "kind": "distribution_centre", "county_id": county["id"],
            "sub_county_id": subs[0]["id"],
        })
        other_centres, other_deployments = max(1, centres // 12), max(1, deployments // 12)
        phone = 254_711_000_000
        for sub, n_centres, n_deps in ((subs[0], centres, deployments),
                                       (subs[1], other_centres, other_deployments)):
            made = []
            for c in range(n_centres):
                centre = Centre(natural_id("station", sub["code"], c))
                made.append(centre)
                stations.append({
                    "id": centre.id, "code": f"{sub['code']}{c + 1:03d}",
                    "name": f"{sub['name']} School {c}", "kind": "exam_centre",
                    "county_id": county["id"], "sub_county_id": sub["id"],
                    "candidates": rng.randint(80, 600),
                    "distribution_centre_id": container if sub is subs[0] else None,
                })
                for p, need in zip(positions[1:], (2, 25, 2), strict=True):
                    requirements.append({"id": natural_id("req", centre.id, p["id"]),
                                         "station_id": centre.id, "position_id": p["id"],
                                         "required": need})
            for d in range(n_deps):
                phone += 1
                centre = made[d % n_centres]
                person = natural_id("prof", phone)
                people.append({
                    "id": person, "phone": str(phone), "national_id": str(phone)[-8:],
                    "tsc_number": f"T{phone % 10**6}", "first_name": rng.choice(FIRST),
                    "last_name": rng.choice(LAST), "gender": rng.choice("FM"),
                    "institution_code": f"{rng.randint(10000, 99999)}",
                })
                dep = natural_id("dep", person)
                position = positions[0 if d < n_centres else (1 if d < 3 * n_centres else 2)]
                deps.append({"id": dep, "series_id": series["id"], "professional_id": person,
                             "station_id": centre.id, "position_id": position["id"]})
                centre.deployments.append((dep, person))
                for k in range(attendance_sessions):
                    roll = rng.random()
                    status = "present" if roll < 0.9 else ("late" if roll < 0.95 else "absent")
                    start = session_rows[k]["starts_at"]
                    minutes = rng.randint(-50, -5) if status == "present" else rng.randint(5, 40)
                    check_in = None if status == "absent" else (
                        dt.datetime.combine(DAY0, start) + dt.timedelta(minutes=minutes)).time()
                    day_ms = int(dt.datetime.combine(session_rows[k]["day"], start).timestamp()
                                 * 1000)
                    marks.append({
                        "id": natural_id("attendance", dep, session_rows[k]["id"]),
                        "deployment_id": dep, "session_id": session_rows[k]["id"],
                        "station_id": centre.id, "professional_id": person, "status": status,
                        "check_in": check_in, "marked_by": natural_id("user", centre.id),
                        "origin": natural_id("device", centre.id),
                        "hlc": pack(day_ms + rng.randint(0, 3_600_000)),
                    })
            if sub is subs[0]:
                world.centres = made
        for row in marks:
            row["status_hlc"] = row["check_in_hlc"] = row["hlc"]
        director = {"id": natural_id("prof", "director"), "phone": world.director_phone,
                    "first_name": "Grace", "last_name": "Director"}
        total += _insert(s, m.Station, stations, stamp)
        total += _insert(s, m.Requirement, requirements, stamp)
        total += _insert(s, m.Professional, [*people, director], stamp)
        users = [{"id": world.director_user, "phone": world.director_phone,
                  "professional_id": director["id"], "display_name": "Grace Director",
                  "password_hash": hash_password(PASSWORD)}]
        grants = [{"id": natural_id("grant", world.director_user, "tsc_director"),
                   "user_id": world.director_user, "role": "tsc_director",
                   "sub_county_id": subs[0]["id"]}]
        device_rows = []
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        for d in range(devices):
            centre = world.centres[d % len(world.centres)]
            user_phone = f"2547440{d:05d}"
            user = natural_id("user", user_phone)
            token, device_id = secrets.token_urlsafe(32), natural_id("bench-device", d)
            users.append({"id": user, "phone": user_phone, "display_name": f"Manager {d}"})
            grants.append({"id": natural_id("grant", user, "centre_manager"), "user_id": user,
                           "role": "centre_manager", "station_id": centre.id})
            device_rows.append({
                "id": device_id, "user_id": user, "name": f"bench {d}", "created_at": now,
                "access_hash": hashlib.sha256(token.encode()).hexdigest(),
                "access_expires": now + dt.timedelta(hours=2), "cursor": 0,
            })
            world.devices.append((token, device_id, centre))
        total += _insert(s, m.AppUser, users, stamp)
        total += _insert(s, m.RoleGrant, grants, stamp)
        if device_rows:
            s.execute(insert(m.Device.__table__), device_rows)
        total += _insert(s, m.Deployment, deps, stamp)
        total += _insert(s, m.Attendance, marks, stamp)
    world.rows = total
    return world


FIRST = ["Achieng", "Wanjiru", "Kiptoo", "Otieno", "Mwangi", "Njeri", "Chebet", "Kamau",
         "Akinyi", "Mutua", "Wafula", "Nyambura", "Kibet", "Auma", "Omondi", "Jepchirchir"]
LAST = ["Odhiambo", "Kariuki", "Cheruiyot", "Wekesa", "Mohamed", "Njoroge", "Ochieng",
        "Kiprono", "Mwende", "Barasa", "Onyango", "Kilonzo", "Wairimu", "Rotich", "Simiyu"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HubProcess:
    """`cp2hub serve` in its own process on a free loopback port."""

    def __init__(
        self, database_url: str, log: Path, workers: int = 1, settings: dict | None = None
    ) -> None:
        self.database_url = database_url
        self.workers = workers
        self.settings = settings or {}  # more CP2HUB_ variables: {"METRICS_ENABLED": "0"}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log

    def __enter__(self) -> HubProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CP2HUB_")}
        env["PYTHONPATH"] = str(ROOT)
        env["CP2HUB_MODE"] = "demo"  # seeded demo data; the outbox serves on PostgreSQL
        env.update({f"CP2HUB_{k}": v for k, v in self.settings.items()})
        self.log_file = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cp2hub.cli", "serve", "--port", str(self.port),
             "--database-url", self.database_url, "--workers", str(self.workers)],
            stdout=self.log_file, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hub exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("hub did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log_file.close()


@contextmanager
def fresh_postgres(base_url: str):
    """A new PostgreSQL database for one run, dropped afterwards."""
    url = make_url(base_url)
    name = f"cp2bench_{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def on_each_database(name: str, target: str, run, args, folder: Path) -> None:
    """Run `run(backend, url, args, folder)` on a SQLite file (unless `args.no_sqlite`) and,
    with `args.pg`, on a fresh PostgreSQL database; without one, report the PostgreSQL part
    skipped to the table of `python3 -m bench`."""
    if not args.no_sqlite:
        run("sqlite", f"sqlite:///{folder / 'hub.sqlite3'}", args, folder)
    if args.pg:
        with fresh_postgres(args.pg) as url:
            run("postgresql", url, args, folder)
        return
    print("[postgresql] skipped: set CP2HUB_TEST_DATABASE_URL or pass --pg URL")
    print("RESULT " + json.dumps({"name": f"{name} (postgresql)", "target": target,
                                  "skipped": "needs PostgreSQL URL (--postgres)"}))  # fmt: skip


def verdict(ok: bool) -> str:
    return "MEETS TARGET" if ok else "MISSES TARGET"


@contextmanager
def py_spy(pid: int, out: Path, rate: int = 250):
    """Sample a process with py-spy (if installed) while the block runs; collapsed stacks."""
    import shutil

    if shutil.which("py-spy") is None:
        print("(py-spy is not installed: no hub profile)")
        yield None
        return
    spy = subprocess.Popen(
        ["py-spy", "record", "-p", str(pid), "-o", str(out), "-f", "raw", "-r", str(rate),
         "--subprocesses",
         "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # let it attach
    try:
        yield out
    finally:
        spy.send_signal(2)  # SIGINT: py-spy writes its file and exits
        spy.wait(30)


def summarize_stacks(path: Path, top: int = 18) -> str:
    """Where the time went in a py-spy raw profile: inclusive share by our own frames and
    by library area, and the hottest leaf functions."""
    from collections import Counter

    inclusive: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        if any("idle" in f or "select" in f.split(" ")[0] and "selectors" in f for f in frames[-2:]):
            continue  # the event loop waiting for work
        total += n
        leaves[_frame(frames[-1])] += n
        for name in dict.fromkeys(_frame(f) for f in frames):
            inclusive[name] += n
    if not total:
        return "(no samples)"
    lines = [f"busy samples: {total}", "inclusive (share of busy time):"]
    interesting = [(k, v) for k, v in inclusive.items()
                   if any(p in k for p in ("cp2hub", "cp2desk", "fastapi", "pydantic",
                                           "json", "gzip", "sqlalchemy.engine", "starlette"))]
    for name, n in sorted(interesting, key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {100 * n / total:5.1f}%  {name}")
    lines.append("hottest leaves:")
    for name, n in leaves.most_common(top // 2):
        lines.append(f"  {100 * n / total:5.1f}%  {name}")
    return "\n".join(lines)


def _frame(frame: str) -> str:
    """'function (path/to/module.py:123)' -> 'module.function'."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{where.removesuffix('.py').replace('/', '.')}.{name}"
