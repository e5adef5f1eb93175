"""The live channel: a held device is woken by a write in its scope, on one hub process or
across two, and a process holding too many sheds with 503 and Retry-After."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from cp2desk.sync import errors
from cp2desk.sync.client import HubClient
from cp2hub.settings import Settings
from tests.hub.test_serve import free_port, stop
from tests.sync.conftest import Device, HubServer
from tests.sync.scenario import build_world
from tests.sync.test_roundtrip import mark


def cursor_of(device: Device) -> int:
    with device.replica.read() as s:
        return int(device.replica.get_state(s, "cursor") or 0)


class Held:
    """A live request held in a thread: when it came back, and what it said."""

    def __init__(self, client: HubClient, after: int) -> None:
        self.answer = None
        self.error: Exception | None = None
        self.returned_at: float | None = None
        self.thread = threading.Thread(target=self._run, args=(client, after), daemon=True)
        self.started_at = time.monotonic()
        self.thread.start()
        time.sleep(0.3)  # the request is held by now

    def _run(self, client: HubClient, after: int) -> None:
        try:
            self.answer = client.live(after)
        except Exception as exc:  # handed to the test
            self.error = exc
        self.returned_at = time.monotonic()

    def result(self, seconds: float):
        self.thread.join(seconds)
        assert self.returned_at is not None, f"not woken within {seconds} s"
        if self.error is not None:
            raise self.error
        return self.answer


def mark_one(device: Device, world, centre: str = "alpha", k: int = 2, status="present"):
    dep = world.deployments[centre][k]
    mark(device, dep, world.sessions[2], status, world.centres[centre], world.officers[dep])


@pytest.fixture
def device(hub_db, world, tmp_path):
    """Devices of a hub that holds a live request 3 s at most."""
    made = []
    with HubServer(hub_db, Settings(live_hold_seconds=3)) as server:

        def make(phone: str) -> Device:
            made.append(Device(tmp_path / f"{phone}-{len(made)}.sqlite3", server.url, phone))
            return made[-1]

        yield make
        for d in made:
            d.replica.dispose()


def test_a_push_wakes_the_director_and_not_another_centre(device, world):
    alpha, director = device(world.users["manager_alpha"]), device(world.users["director"])
    beta = device(world.users["manager_beta"])
    for d in (alpha, director, beta):
        d.sync()
    assert director.client.live(0).changed  # behind the feed: told at once
    held_director = Held(director.client, cursor_of(director))
    held_beta = Held(beta.client, cursor_of(beta))
    mark_one(alpha, world)
    pushed_at = time.monotonic()
    alpha.sync()
    answer = held_director.result(5)
    assert answer.changed
    assert held_director.returned_at - pushed_at < 2.0
    assert director.sync().pulled == 1
    answer = held_beta.result(5)  # another centre: held until the hub lets go
    assert not answer.changed
    assert held_beta.returned_at - held_beta.started_at > 2.3


def test_a_device_holds_one_request_and_the_hub_counts_them(device, world):
    beta = device(world.users["manager_beta"])
    beta.sync()
    first = Held(beta.client, cursor_of(beta))
    other = HubClient(beta.client.base_url)  # a second connection with the same token
    other.access_token = beta.client.access_token
    second = Held(other, cursor_of(beta))
    metrics = beta.client.http.get(beta.client.base_url + "/metrics").text
    assert "cp2hub_live_connections 1.0" in metrics
    assert first.result(2).changed is False  # let go for the newer one
    assert second.returned_at is None


def test_a_change_made_before_the_request_answers_at_once(device, world):
    alpha, director = device(world.users["manager_alpha"]), device(world.users["director"])
    alpha.sync()
    director.sync()
    after = cursor_of(director)
    mark_one(alpha, world)
    alpha.sync()
    time.sleep(0.6)  # the hub process has read the touch
    started = time.monotonic()
    assert director.client.live(after).changed
    assert time.monotonic() - started < 1.0
    director.sync()
    held = Held(director.client, cursor_of(director))  # up to date: held again
    assert held.returned_at is None
    assert held.result(5).changed is False


def test_a_process_holding_its_most_sheds_with_retry_after(hub_db, world, tmp_path):
    with HubServer(hub_db, Settings(live_hold_seconds=2, live_max_held=1)) as server:
        first = Device(tmp_path / "a.sqlite3", server.url, world.users["manager_alpha"])
        second = Device(tmp_path / "b.sqlite3", server.url, world.users["manager_beta"])
        first.sync()
        held = Held(first.client, cursor_of(first))
        with pytest.raises(errors.HubBusy) as refused:
            second.client.live(0)
        assert 5 <= refused.value.retry_after <= 30
        assert held.result(10).changed is False
        for d in (first, second):
            d.replica.dispose()


def serve(url: str, port: int, log, workers: int = 1) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "CP2HUB_DATABASE_URL"}
    env.update(CP2HUB_MODE="demo", CP2HUB_LIVE_HOLD_SECONDS="20")
    command = [sys.executable, "-m", "cp2hub.cli", "serve", "--port", str(port)]
    command += ["--database-url", url, "--workers", str(workers), "--log-level", "warning"]
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)


def wait_up(port: int, process: subprocess.Popen) -> str:
    import httpx

    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url + "/health/live", timeout=2).status_code == 200:
                return url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("hub did not start")


@pytest.mark.slow
def test_two_hub_processes_on_one_database_wake_each_others_devices(hub_db, tmp_path):
    """Two `cp2hub serve` processes (two hosts behind a load balancer) on one database:
    a device held by one is woken by a push to the other. PostgreSQL tells the other
    process by NOTIFY; on SQLite it reads the counter."""
    world = build_world(hub_db)
    ports = free_port(), free_port()
    log = (tmp_path / "serve.log").open("w")
    hubs = [serve(hub_db.url, port, log) for port in ports]
    made = []
    try:
        one, two = (wait_up(port, p) for port, p in zip(ports, hubs, strict=True))
        director = Device(tmp_path / "director.sqlite3", one, world.users["director"])
        alpha = Device(tmp_path / "alpha.sqlite3", two, world.users["manager_alpha"])
        made += [director, alpha]
        director.sync()
        alpha.sync()
        for k in (2,):
            held = Held(director.client, cursor_of(director))
            mark_one(alpha, world, k=k)
            pushed_at = time.monotonic()
            alpha.sync()
            assert held.result(5).changed
            assert held.returned_at - pushed_at < 2.0
            assert director.sync().pulled == 1
    finally:
        for d in made:
            d.replica.dispose()
        for process in hubs:
            stop(process)


def test_backoff_doubles_to_its_cap_with_jitter():
    from cp2desk.sync.live import Backoff

    backoff = Backoff(first=2, cap=120)
    delays = [backoff.next() for _ in range(10)]
    ceilings = [min(120, 2 * 2**n) for n in range(10)]
    assert all(c / 10 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len({round(d, 6) for d in delays}) == 10  # spread, not in step
    backoff.reset()
    assert backoff.next() <= 2


@pytest.mark.slow
def test_workers_of_one_sqlite_hub_wake_each_others_devices(tmp_path):
    """`cp2hub serve --workers 2` on SQLite: whichever worker holds the director's
    request and whichever takes the push, the director is woken within 2 s (rounds of
    new connections land on both workers)."""
    from tests.sync.conftest import migrated_database

    with migrated_database("sqlite", tmp_path) as db:
        world = build_world(db)
        port = free_port()
        process = serve(db.url, port, (tmp_path / "serve.log").open("w"), workers=2)
        made = []
        try:
            url = wait_up(port, process)
            director = Device(tmp_path / "director.sqlite3", url, world.users["director"])
            alpha = Device(tmp_path / "alpha.sqlite3", url, world.users["manager_alpha"])
            made += [director, alpha]
            director.sync()
            alpha.sync()
            for k in (2, 3, 4):
                fresh = HubClient(url)  # a new connection each round
                fresh.access_token = director.client.access_token
                held = Held(fresh, cursor_of(director))
                mark_one(alpha, world, k=k)
                pushed_at = time.monotonic()
                alpha.sync()
                assert held.result(5).changed
                assert held.returned_at - pushed_at < 2.0
                director.sync()
            held = Held(director.client, cursor_of(director))
            stopping = time.monotonic()
            stop(process)  # a restart does not wait for the held requests to time out
            assert time.monotonic() - stopping < 8
            assert held.result(1).changed is False
        finally:
            for d in made:
                d.replica.dispose()
            stop(process)


def test_a_retry_after_is_taken_within_a_second_and_five_minutes():
    """A proxy's 503 with "0" must not make the live channel hammer the hub, and "inf"
    must not stop it for ever."""
    from cp2desk.sync.client import _seconds

    assert [_seconds(v) for v in ("7", "0", "-3", "100000", "inf", "nan", "Wed, 21 Oct")] == [
        7.0,
        1.0,
        1.0,
        300.0,
        60.0,
        60.0,
        60.0,
    ]
