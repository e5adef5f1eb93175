"""Bench: what 1,000 devices holding the live channel cost an idle hub.

Workload: a hub (`cp2hub serve`, one process, real HTTP on loopback, SQLite) over a
sub-county of 120 centres; 1,000 centre managers' devices (asyncio clients in this
process) each hold `GET /sync/live` for `--seconds` (60) with nothing being written,
asking again whenever the hub lets a request go (every 40-50 s).

Figures: the hub's resident memory per held device (target <= 50 KB), measured as what
the last four fifths of the devices added (the first fifth warms the hub's thread and
connection pools, a fixed cost shown beside), and the hub's CPU over the held minute as a share of one core
(target <= 5%), from /proc. Baseline, same run: the hub's CPU over as long with no
device connected (its own timers: the feed watcher, uvicorn).

    python3 bench/live_idle.py [--devices 1000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import requests  # noqa: E402

from bench._common import HubProcess, build_sub_county, verdict  # noqa: E402
from cp2desk.sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION  # noqa: E402
from cp2hub.db import Database  # noqa: E402
from cp2hub.schema import upgrade  # noqa: E402

MEMORY_TARGET_KB, CPU_TARGET = 50.0, 0.05


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def hold_all(
    url: str, tokens: list[str], seconds: float, held: list[int], first: int, pause: float
) -> int:
    """Every device holds the channel until `seconds` have passed, the first `first` of
    them `pause` seconds before the others; returns the requests made (first ones and
    reconnections)."""
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=len(tokens) + 10, max_keepalive_connections=len(tokens))
    asked = 0
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as http:

        async def device(token: str, wait: float) -> None:
            nonlocal asked
            await asyncio.sleep(wait)
            headers = {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
            after = 0
            while time.monotonic() < stop_at:
                asked += 1
                request = http.get("/sync/live", params={"after": after}, headers=headers)
                try:
                    answer = await asyncio.wait_for(request, stop_at - time.monotonic() + 1)
                except TimeoutError:
                    return
                body = answer.json()
                if answer.status_code != 200:
                    raise RuntimeError(f"live answered {answer.status_code}: {body}")
                after = body["sequence"]
                held[0] += 0 if body["changed"] else 1

        await asyncio.gather(*(device(t, 0 if i < first else pause) for i, t in enumerate(tokens)))
    return asked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cp2idle-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'hub.sqlite3'}"
        db = Database(url)
        upgrade(db)
        world = build_sub_county(db, sessions=4, attendance_sessions=0, devices=args.devices)
        db.dispose()
        tokens = [token for token, _, _ in world.devices]
        with HubProcess(url, Path(os.environ.get("CP2BENCH_HUB_LOG", folder / "hub.log"))) as hub:
            pid = hub.process.pid
            # warm: every route and the watcher once, as a device's first minute would
            headers = {"Authorization": f"Bearer {tokens[0]}"}
            requests.get(hub.url + "/sync/live", params={"after": 0}, headers=headers, timeout=30)
            time.sleep(2)
            before_cpu, started = cpu_seconds(pid), time.monotonic()
            time.sleep(min(20.0, args.seconds))
            idle_share = (cpu_seconds(pid) - before_cpu) / (time.monotonic() - started)
            before = rss_kb(pid)
            held = [0]
            result: dict = {}
            first, pause = args.devices // 5, 12.0

            def sample() -> None:
                time.sleep(pause - 2)  # the first fifth is held (the hub's pools are warm)
                result["part"] = rss_kb(pid)
                time.sleep(14)  # every device is held by now
                result["rss"] = rss_kb(pid)
                result["cpu"] = cpu_seconds(pid)
                result["at"] = time.monotonic()

            sampler = threading.Thread(target=sample)
            sampler.start()
            asked = asyncio.run(hold_all(hub.url, tokens, args.seconds, held, first, pause))
            sampler.join()
            end_cpu, ended = cpu_seconds(pid), time.monotonic()
            after = max(result["rss"], rss_kb(pid))
            share = (end_cpu - result["cpu"]) / (ended - result["at"])
    per_device = (after - result["part"]) / (args.devices - first)
    gross = (after - before) / args.devices
    ok = per_device <= MEMORY_TARGET_KB and share <= CPU_TARGET
    print(f"{args.devices} devices held the live channel for {args.seconds:.0f} s "
          f"({asked} requests, {held[0]} let go with nothing new)")
    print(f"  hub memory {before / 1024:.1f} MB, {result['part'] / 1024:.1f} MB with {first} held, "
          f"{after / 1024:.1f} MB with {args.devices}: {per_device:.1f} KB per further held "
          f"device (target <= {MEMORY_TARGET_KB:.0f} KB); {gross:.1f} KB per device counting "
          f"the pools and threads the first ones warmed")
    print(f"  hub CPU while held {share * 100:.2f}% of a core (target <= {CPU_TARGET * 100:.0f}%); "
          f"idle, no device {idle_share * 100:.2f}%: {verdict(ok)}")
    what = (f"{args.devices} devices held {args.seconds:.0f} s, nothing written, one hub process "
            f"on SQLite; {asked} requests; memory: {gross:.1f} KB/device with the warm-up")
    print("RESULT " + json.dumps({
        "name": "live_idle (memory)", "what": what, "figure": round(per_device, 1),
        "unit": "KB/device", "target": f"<= {MEMORY_TARGET_KB:.0f} KB/device",
        "baseline": round(before / 1024, 1), "baseline_unit": "MB",
        "baseline_what": "the hub's memory with no device held",
        "ok": per_device <= MEMORY_TARGET_KB}))
    print("RESULT " + json.dumps({
        "name": "live_idle (CPU)", "what": what, "figure": round(share * 100, 2),
        "unit": "% of a core", "target": f"<= {CPU_TARGET * 100:.0f}%",
        "baseline": round(idle_share * 100, 2), "baseline_what": "the same hub with no device",
        "ok": share <= CPU_TARGET}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
