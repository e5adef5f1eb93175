"""Bench: first syncs over a rural 3G link (1 Mbit/s down, 384 kbit/s up, 300 ms round trip).

Workload: a hub (`cp2hub serve`, real HTTP on loopback, SQLite) over a sub-county of 120
centres and 4,000 deployments with 36 of 40 sessions already marked (about 168,000
records in the director's scope), reached through the throttling proxy of
`bench/_throttle.py`. A centre manager's empty replica syncs for the first time; while
it does, the register is loaded from the replica every 100 ms, as the app does when a
page arrives.

Figures: from the start of the centre manager's first sync to the register usable (the
centre, its officers and today's and the next sessions loaded), target <= 10 s; the
whole sub-county director's bootstrap through the same link, reported beside the same
bootstrap on a plain loopback link (the baseline, same run).

    python3 bench/slow_link.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import PASSWORD, HubProcess, build_sub_county, verdict  # noqa: E402
from bench._throttle import Throttle  # noqa: E402
from cp2desk.local_db.replica import Replica  # noqa: E402
from cp2desk.services.register import load_register  # noqa: E402
from cp2desk.sync.client import HubClient  # noqa: E402
from cp2desk.sync.engine import SyncEngine  # noqa: E402
from cp2hub.db import Database  # noqa: E402
from cp2hub.models import ExamSession  # noqa: E402
from cp2hub.schema import upgrade  # noqa: E402

TARGET = 10.0
SESSIONS, MARKED = 40, 36


def usable(register, deployments: int, today) -> bool:
    return (
        register is not None
        and sum(len(r.spans) for r in register.rows) >= deployments
        and any(s.day == today for s in register.sessions)
    )


def first_sync_of_a_centre(url: str, token: str, centre, today, folder: Path) -> tuple[float, float, int]:
    """(seconds to a usable register, seconds to the end of the sync, records pulled)."""
    replica = Replica(folder / "manager.sqlite3")
    client = HubClient(url)
    client.access_token = token
    engine = SyncEngine(replica, client, first_screens=lambda: today)
    report = {}
    started = time.monotonic()
    syncing = threading.Thread(target=lambda: report.update(r=engine.sync()))
    syncing.start()
    ready = None
    while syncing.is_alive() or ready is None:
        if ready is None and usable(load_register(replica, centre.id, today), len(centre.deployments), today):
            ready = time.monotonic() - started
        if not syncing.is_alive() and ready is None:
            break
        time.sleep(0.1)
    syncing.join()
    done = time.monotonic() - started
    replica.dispose()
    return (ready if ready is not None else float("inf")), done, report["r"].pulled


def director_bootstrap(
    url: str, phone: str, folder: Path, name: str, today
) -> tuple[float, float, int]:
    """(seconds to the first pass in: the overview can open, to the end, records)."""
    replica = Replica(folder / f"{name}.sqlite3")
    client = HubClient(url)
    client.login(phone, PASSWORD, replica.device_id, name)
    engine = SyncEngine(replica, client, first_screens=lambda: today)
    started = time.monotonic()
    ready = []

    def progress(stage, *_):
        if stage == "ready":
            ready.append(time.monotonic() - started)

    report = engine.sync(progress)
    seconds = time.monotonic() - started
    replica.dispose()
    return ready[0], seconds, report.pulled


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cp2slow-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'hub.sqlite3'}"
        db = Database(url)
        upgrade(db)
        world = build_sub_county(db, sessions=SESSIONS, attendance_sessions=MARKED, devices=1)
        with db.read() as s:
            today = s.get(ExamSession, world.sessions[MARKED]).day
        db.dispose()
        token, _, centre = world.devices[0]
        with HubProcess(url, folder / "hub.log") as hub:
            port = int(hub.url.rsplit(":", 1)[1])
            with Throttle(("127.0.0.1", port)) as link:
                ready, whole, records = first_sync_of_a_centre(link.url, token, centre, today, folder)
                first, slow, director_records = director_bootstrap(
                    link.url, world.director_phone, folder, "slow", today
                )
                moved = dict(link.sent)
            _, plain, _ = director_bootstrap(hub.url, world.director_phone, folder, "plain", today)
    ok = ready <= TARGET
    print(f"centre manager's first sync over 1 Mbit/s down, 384 kbit/s up, 300 ms: register "
          f"usable after {ready:.1f} s (target <= {TARGET:.0f} s): {verdict(ok)}; the whole "
          f"sync {whole:.1f} s, {records:,} records")
    print(f"director's bootstrap, {director_records:,} records: today's screens after {first:.1f} s, "
          f"the whole {slow:.1f} s over that link, "
          f"{plain:.1f} s on loopback ({slow / plain:.1f}x); {moved['down'] / 1e6:.1f} MB down "
          f"and {moved['up'] / 1e3:.0f} KB up through the link in all")
    print("RESULT " + json.dumps({
        "name": "slow_link (register usable)",
        "what": f"a centre manager's first sync ({records:,} records, {whole:.1f} s whole) over "
                "1 Mbit/s down, 384 kbit/s up, 300 ms round trip",
        "figure": round(ready, 1), "unit": "s", "target": f"<= {TARGET:.0f} s", "ok": ok}))
    print("RESULT " + json.dumps({
        "name": "slow_link (director bootstrap)",
        "what": f"a sub-county director's first sync, {director_records:,} records, over the same "
                f"link (today's screens after {first:.1f} s); baseline the same on loopback",
        "figure": round(slow, 1), "unit": "s", "target": "reported",
        "baseline": round(plain, 1), "baseline_what": "the same bootstrap on loopback",
        "ratio": round(slow / plain, 1), "ok": True}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
