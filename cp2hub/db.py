"""The hub's engine and sessions, on SQLite (default) or PostgreSQL."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: the in-process lock and SQLite's busy handler suffice
    fcntl = None

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from cp2hub import feed

GROUP_WEIGHT = 5_000
"""At most this much work shares one transaction (bounds how long a group holds the
lock): items weigh 1 each unless the kind of work weighs them (a push: its changes).
Larger groups write each index page they touch once for more rows: applied in-process,
the morning rush's pushes took 15-23% less time in groups of 100 than of 32."""


def redacted(url: str) -> str:
    """The URL as it may be shown to a person: never with its password."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str, writer: bool = False) -> Engine:
    """The engine for `url`. On SQLite, `writer` makes the engine of the one connection
    this process writes through (see `Database`)."""
    if url.startswith("sqlite"):
        pool = {"pool_size": 1, "max_overflow": 0} if writer else {"pool_size": 20}
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **pool
        )
        _tune_sqlite(engine, cache_mb=64 if writer else 8)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _tune_sqlite(engine: Engine, cache_mb: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # A commit is on disk before the answer leaves: a device lets go of a change
        # once the hub says it was applied (and the rush measured no slower for it).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")
        # Checkpoints every 40 MB of log, not every 4 MB: a rush of pushes writes marks
        # on random pages of attendance and its indexes, many of them again and again.
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the write lock up front, so two writers never deadlock on upgrade.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """An engine and its session factory; the hub's one handle on storage."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, autoflush=False, expire_on_commit=False)
        feed.install(self.sessions)
        # On a SQLite file, this process writes through one connection of its own: writers
        # take turns anyway, and one connection keeps a warm page cache (64 MB) where
        # writes spread over the reading pool would each start from a cold one.
        on_disk = _on_disk(make_url(url).database)
        self.write_engine = (
            make_engine(url, writer=True) if self.is_sqlite and on_disk else self.engine
        )
        self._write_sessions = sessionmaker(
            self.write_engine, autoflush=False, expire_on_commit=False
        )
        feed.install(self._write_sessions)
        self._writer = (
            SqliteWriterLock(self.engine.url.database) if self.is_sqlite else nullcontext()
        )
        self._groups: dict[Callable, GroupCommit] = {}
        self._groups_lock = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error.

        On SQLite writers queue on a lock first (`SqliteWriterLock`): SQLite lets one
        writer in at a time anyway, and its busy handler backs off by sleeping, which
        under a rush of pushes wastes most of the time and starves some writers.
        """
        with self._writer, self._write_sessions() as session, session.begin():
            if self.is_sqlite:
                session.connection(execution_options={"sqlite_immediate": True})
            yield session

    def grouped(
        self,
        run: Callable[[Session, list[Any]], list[Any]],
        weigh: Callable[[Any], int] | None = None,
    ) -> GroupCommit:
        """Group commit for one kind of work: items handed in at the same moment are
        applied together by `run(session, items)` (one result per item) in one write
        transaction: one lock, one commit for all, up to `GROUP_WEIGHT` by `weigh`. If
        that transaction fails, each item is run again alone, so one item's error never
        fails another's."""
        with self._groups_lock:
            if run not in self._groups:
                self._groups[run] = GroupCommit(self, run, weigh)
            return self._groups[run]

    def dispose(self) -> None:
        self.engine.dispose()
        self.write_engine.dispose()


def _on_disk(database: str | None) -> bool:
    """Whether a SQLite URL's database is a file (not an in-memory one)."""
    return database not in (None, "", ":memory:")


class SqliteWriterLock:
    """The turn to write to one SQLite file: a lock for this process's threads and, where
    the system has `flock`, a lock file beside the database (`<file>-writer`) for the
    other processes serving it (`cp2hub serve --workers N`). A waiter wakes the moment
    the lock is free, where SQLite's own busy handler would sleep and poll."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.Lock()
        plain_file = _on_disk(database) and not database.startswith("file:")  # not a URI
        self._path = f"{database}-writer" if plain_file and fcntl is not None else None
        self._fd: int | None = None
        self._pid = 0

    def __enter__(self) -> None:
        self._threads.acquire()
        if self._path is None:
            return
        try:
            if self._pid != os.getpid():  # never share an open lock file with a forked child
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            if self._path is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


class _Slot:
    __slots__ = ("item", "weight", "done", "value", "error")

    def __init__(self, item: Any, weight: int) -> None:
        self.item = item
        self.weight = weight
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class GroupCommit:
    """Items wait in a queue; whoever holds the leader lock applies everything queued so
    far in one transaction and hands each item its result. A thread that gets the lock
    and finds its own item already done just returns its result."""

    def __init__(
        self,
        db: Database,
        run: Callable[[Session, list[Any]], list[Any]],
        weigh: Callable[[Any], int] | None = None,
    ) -> None:
        self.db = db
        self.run = run
        self.weigh = weigh
        self._queue: list[_Slot] = []
        self._queue_lock = threading.Lock()
        self._leader = threading.Lock()

    @property
    def waiting(self) -> int:
        """Items handed in and not yet taken into a transaction."""
        with self._queue_lock:
            return len(self._queue)

    def submit(self, item: Any) -> Any:
        slot = _Slot(item, self.weigh(item) if self.weigh else 1)
        with self._queue_lock:
            self._queue.append(slot)
        with self._leader:
            while not slot.done:  # in queue order: the slot is in this group or a later one
                self._apply(self._take())
        return slot.result()

    def _take(self) -> list[_Slot]:
        """The next group: the oldest items up to `GROUP_WEIGHT` (always at least one)."""
        with self._queue_lock:
            count, weight = 0, 0
            for slot in self._queue:
                weight += slot.weight
                if count and weight > GROUP_WEIGHT:
                    break
                count += 1
            group = self._queue[:count]
            del self._queue[:count]
        return group

    def _apply(self, group: list[_Slot]) -> None:
        try:
            with self.db.write() as session:
                values = self.run(session, [slot.item for slot in group])
        except Exception as exc:
            if len(group) == 1:
                group[0].error = exc
            else:
                for slot in group:
                    self._apply_alone(slot)
        else:
            for slot, value in zip(group, values, strict=True):
                slot.value = value
        for slot in group:
            slot.done = True

    def _apply_alone(self, slot: _Slot) -> None:
        try:
            with self.db.write() as session:
                slot.value = self.run(session, [slot.item])[0]
        except Exception as exc:
            slot.error = exc
