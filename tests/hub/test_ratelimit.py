"""The SMS rate limits: a sliding window per key, kept in the database, exact under
concurrent requests."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from cp2hub.models import RateHit
from cp2hub.ratelimit import KEPT, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 3, 7, 0)

    def __call__(self) -> dt.datetime:
        return self.now


def hits(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(RateHit))


def test_the_window_slides(hub_database):
    clock = Clock()
    limiter = RateLimiter(hub_database, clock)
    assert [limiter.allow("register:254712000001", 2) for _ in range(3)] == [True, True, False]
    assert limiter.allow("register:254712000002", 2)  # another key has its own window
    clock.now += dt.timedelta(minutes=59)
    assert not limiter.allow("register:254712000001", 2)  # refusals are not counted
    clock.now += dt.timedelta(minutes=2)
    assert limiter.allow("register:254712000001", 2)  # the first two are out of the window
    assert hits(hub_database) == 4
    clock.now += KEPT
    assert limiter.allow("register:254712000003", 2)
    assert hits(hub_database) == 1  # attempts older than any window are deleted


def test_concurrent_attempts_never_pass_the_limit(hub_database):
    limiter = RateLimiter(hub_database)
    results: list[bool] = []
    start = threading.Barrier(8)

    def attempt():
        start.wait(10)
        results.append(limiter.allow("password-sms:254712000009", 3))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [False] * 5 + [True] * 3
