"""The live channel's heart in each hub process: held devices, woken when their scope changes.

One watcher thread per process follows the feed's touches (`cp2hub.reach`): on
PostgreSQL it LISTENs for the NOTIFY every writing transaction sends, whichever process
or host wrote; on SQLite it reads the feed counter a few times a second (one query per
process, not per device), which works across `cp2hub serve --workers N`. Either way it
then reads the new `feed_touch` rows and hands them to the event loop, which keeps, per
tag, the latest sequence that touched it, and wakes only the waiters registered under a
touched tag: a commit costs a few dictionary lookups, whatever the number of held
devices. A held request is an asyncio future, no thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import signal
import threading
import time
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.engine import make_url

from cp2hub import feed, reach
from cp2hub import models as m
from cp2hub.db import Database
from cp2hub.models import FeedTouch
from cp2hub.scope import Scope

log = logging.getLogger(__name__)

REMEMBERED_TAGS = 100_000
"""Tags whose latest sequence a process keeps; beyond, the oldest are forgotten and a
device asking about a time before them is told to pull (it finds out what changed)."""
BROADCAST_SPREAD = 5.0
"""A change that reaches everyone wakes the held devices over this many seconds, so
they do not all pull in the same one."""
POLL_SECONDS = 0.25
"""SQLite: how often each process reads the feed counter."""
LISTEN_CHECK_SECONDS = 2.0
"""PostgreSQL: a read of the touches this often even without a NOTIFY, should one be lost."""
KEEP_TOUCHES = dt.timedelta(minutes=10)
PRUNE_EVERY = 60.0


class Waiter:
    __slots__ = ("future", "after", "tags")

    def __init__(self, future: asyncio.Future, after: int, tags: frozenset[str]) -> None:
        self.future = future
        self.after = after
        self.tags = tags


class Notifier:
    """Per process: the latest sequence of each tag, and the waiters by tag. Everything
    but the watcher runs on the event loop, so checking and registering a waiter cannot
    miss a touch delivered in between."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.latest: dict[str, int] = {}
        self.known_from = 0
        """Touches after this sequence are all in `latest` (or forgotten, raising it)."""
        self.high = 0
        self.by_tag: dict[str, set[Waiter]] = {}
        self.by_device: dict[str, Waiter] = {}
        """A device holds one request: a newer one lets the older go (it was cut, or the
        device misbehaves), so no device can fill the process's cap alone."""
        self.held = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self._started = False
        self._lost = False
        self._pruned = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- on the event loop ------------------------------------------------------------

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.loop = asyncio.get_running_loop()
        self.high = self.known_from = await asyncio.to_thread(self._high_water)
        self._thread = threading.Thread(target=self._watch, name="live-watcher", daemon=True)
        self._thread.start()
        self._let_go_on_stop()

    def _let_go_on_stop(self) -> None:
        """When the server is told to stop (SIGTERM, SIGINT), answer every held request
        at once (`changed: false`): the server waits for requests in flight, and held ones
        would keep a restart waiting up to `live_hold_seconds`. The server's own handler
        still runs. Only where the loop runs in the main thread (`cp2hub serve`)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            before = signal.getsignal(sig)
            if not callable(before):
                continue

            def handler(number, frame, before=before):
                self.loop.call_soon_threadsafe(self.let_go)
                before(number, frame)

            signal.signal(sig, handler)

    def let_go(self) -> None:
        """Answer every held request now: nothing changed, ask again (elsewhere)."""
        for waiters in list(self.by_tag.values()):
            for waiter in list(waiters):
                if not waiter.future.done():
                    waiter.future.set_result(None)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def changed_since(self, after: int, tags: frozenset[str]) -> bool:
        """Whether a touch after `after` reached any of `tags` (True when this process
        cannot know: `after` is older than what it remembers). A device may be ahead of
        this process (it pulled from another one a moment ago): the touches it has seen
        will come here too, and wake nobody who has them."""
        if after < self.known_from:
            return True
        latest = self.latest
        return any(latest.get(t, 0) > after for t in tags)

    async def wait(
        self, after: int, tags: frozenset[str], seconds: float, device: str = ""
    ) -> tuple[bool, int]:
        """(changed, sequence): at once if the scope changed after `after`, else when a
        touch reaches it, else after `seconds` or when the same device asks again (False)."""
        if self.changed_since(after, tags):
            return True, self.high
        waiter = Waiter(self.loop.create_future(), after, tags)
        for t in tags:
            self.by_tag.setdefault(t, set()).add(waiter)
        older = self.by_device.get(device)
        if older is not None and not older.future.done():
            older.future.set_result(None)
        self.by_device[device] = waiter
        self.held += 1
        try:
            sequence = await asyncio.wait_for(waiter.future, seconds)
        except TimeoutError:
            sequence = None
        finally:
            self.held -= 1
            self._forget(waiter)
            if self.by_device.get(device) is waiter:
                del self.by_device[device]
        return (False, self.high) if sequence is None else (True, sequence)

    def deliver(self, touches: list[tuple[int, str]], everyone: bool = False) -> None:
        """New touches (sequence, tags), in sequence order. `everyone`: some may have been
        missed (the watcher lost the database for a while), so every waiter pulls."""
        woken: dict[Waiter, int] = {}
        broadcast: dict[Waiter, int] = {}
        for seq, words in touches:
            self.high = max(self.high, seq)
            for t in words.split():
                self._remember(t, seq)
                for waiter in self.by_tag.get(t, ()):
                    if seq > waiter.after:
                        (broadcast if t == reach.EVERYONE else woken)[waiter] = seq
        if everyone:
            self.known_from = self.high
            for waiters in self.by_tag.values():
                broadcast.update({w: self.high for w in waiters})
        for waiter, seq in woken.items():
            broadcast.pop(waiter, None)
            self._wake(waiter, seq)
        for waiter, seq in broadcast.items():
            delay = random.uniform(0, BROADCAST_SPREAD) if len(broadcast) > 50 else 0
            self.loop.call_later(delay, self._wake, waiter, seq)

    def _remember(self, t: str, seq: int) -> None:
        latest = self.latest
        latest.pop(t, None)
        latest[t] = seq  # newest last: the dict's order is the order of sequences
        if len(latest) > REMEMBERED_TAGS:
            oldest = next(iter(latest))
            self.known_from = max(self.known_from, latest.pop(oldest))

    def _wake(self, waiter: Waiter, seq: int) -> None:
        if not waiter.future.done():
            waiter.future.set_result(seq)
        self._forget(waiter)

    def _forget(self, waiter: Waiter) -> None:
        for t in waiter.tags:
            waiters = self.by_tag.get(t)
            if waiters is not None:
                waiters.discard(waiter)
                if not waiters:
                    del self.by_tag[t]

    # --- the watcher thread -------------------------------------------------------------

    def _high_water(self) -> int:
        with self.db.read() as session:
            return feed.high_water(session)

    def _touches_after(self, seq: int) -> list[tuple[int, str]]:
        with self.db.read() as session:
            found = session.execute(
                select(FeedTouch.seq, FeedTouch.tags)
                .where(FeedTouch.seq > seq)
                .order_by(FeedTouch.seq)
                .limit(10_000)
            )
            return [(s, t) for s, t in found]

    def _hand_over(self, touches: list[tuple[int, str]], everyone: bool = False) -> None:
        if (touches or everyone) and self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.deliver, touches, everyone)

    def _catch_up(self, seen: int) -> int:
        """Hand over every touch after `seen`; returns the last one handed over. After the
        database was lost for a while, touches may have been pruned meanwhile: every
        held device is woken (over `BROADCAST_SPREAD`) to pull and see."""
        while True:
            touches = self._touches_after(seen)
            if self._lost:
                self._lost = False
                self._hand_over([], everyone=True)
            if not touches:
                return seen
            self._hand_over(touches)
            seen = touches[-1][0]
            if len(touches) < 10_000:
                return seen

    def _watch(self) -> None:
        seen = self.known_from
        while not self._stop.is_set():
            try:
                seen = self._poll(seen) if self.db.is_sqlite else self._listen(seen)
            except Exception:
                if not self._lost:
                    log.warning(
                        "live channel: lost the database, retrying",
                        exc_info=True,
                        extra={"event": "live_watcher_lost"},
                    )
                self._lost = True
                self._stop.wait(1.0 + random.random())

    def _poll(self, seen: int) -> int:
        """SQLite: a read of the counter, and of the touches when it moved."""
        high = self._high_water()
        if high > seen or self._lost:
            # Every write up to `high` has committed, its touch with it; a write that
            # touched nobody (none recorded) must not make the next read look again.
            seen = max(self._catch_up(seen), high)
        self._prune()
        self._stop.wait(POLL_SECONDS)
        return seen

    def _listen(self, seen: int) -> int:
        """PostgreSQL: one connection per process LISTENs; every NOTIFY (or every
        `LISTEN_CHECK_SECONDS`) it reads the touches after the last seen. Returns when the
        hub stops, raises when the connection fails."""
        import psycopg

        url = make_url(self.db.url).set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f"LISTEN {reach.CHANNEL}")
            seen = self._catch_up(seen)
            while not self._stop.is_set():
                for _ in conn.notifies(timeout=LISTEN_CHECK_SECONDS, stop_after=1):
                    pass
                seen = self._catch_up(seen)
                self._prune()
        return seen

    def _prune(self) -> None:
        """Touches older than `KEEP_TOUCHES` go, once a minute from each process."""
        now = time.monotonic()
        if now - self._pruned < PRUNE_EVERY:
            return
        self._pruned = now
        before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - KEEP_TOUCHES
        with self.db.write() as session:
            session.execute(delete(FeedTouch).where(FeedTouch.made_at < before))


def interest(user_id: str, professional_id: str | None, stations: Iterable[str]) -> frozenset[str]:
    """The tags a device's scope is made of."""
    tags = {reach.EVERYONE, reach.tag("u", user_id)}
    if professional_id:
        tags.add(reach.tag("p", professional_id))
    tags.update(reach.tag("s", s) for s in stations)
    return frozenset(tags)


class ScopeStations:
    """The stations of a scope (a sub-county's are a hundred or more), read once a minute
    per distinct scope, not at every reconnection of every device."""

    def __init__(self, db: Database, seconds: float = 60.0) -> None:
        self.db = db
        self.seconds = seconds
        self._cache: dict[tuple[frozenset[str], frozenset[str]], tuple[float, frozenset[str]]] = {}

    def of(self, scope: Scope) -> frozenset[str]:
        key = (scope.station_ids, scope.sub_county_ids)
        if not key[0] and not key[1]:
            return frozenset()
        now = time.monotonic()
        found = self._cache.get(key)
        if found is not None and now - found[0] < self.seconds:
            return found[1]
        with self.db.read() as session:
            ids = frozenset(
                session.scalars(select(m.Station.id).where(m.Station.id.in_(scope.stations())))
            )
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[key] = (now, ids)
        return ids
