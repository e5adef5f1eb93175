"""The replica file: engine, sessions, device identity, clock, and change recording.

Opening a replica checks the file (`file_check`), brings its schema to the app's
revision (`migrate`), then reads the device's identity. Writers take SQLite's write
lock at BEGIN (`BEGIN IMMEDIATE`) so two writers never deadlock upgrading a read
lock; readers use a plain BEGIN and, in WAL mode, never wait for a writer.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from cp2desk.local_db import migrate
from cp2desk.local_db.errors import ReplicaFull, ReplicaUnreadable
from cp2desk.local_db.file_check import SQLITE_CORRUPT, SQLITE_NOTADB, check_file, sqlite_code
from cp2desk.local_db.models import OutboxEntry, SyncState
from cp2desk.sync.clock import HybridClock
from cp2desk.sync.protocol import encode_value
from cp2desk.sync.records import SyncMeta, new_id, wire_columns

CACHE_MB = 64
"""Page cache per connection: a sub-county's replica (160,000 marks and their indexes) is
about 60 MB; pulled pages land on random index pages, which stay in memory."""
SYNCHRONOUS = "FULL"
"""Every commit is on disk before it returns: a mark the user saw saved survives a power
cut (WAL's NORMAL can lose the last commits). About 0.4 ms a mark on an SSD."""
CHECKPOINT_PAGES = 10_000
"""Copy the write-ahead log back into the file every 40 MB, not SQLite's 4 MB: a bootstrap
rewrites the same index pages page after page, and each checkpoint syncs to disk."""


def _make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA cache_size=-{CACHE_MB * 1024}")
        cursor.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


SQLITE_FULL = 13


@contextmanager
def _typed_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's "disk is full" and "malformed" into errors with a message for the user."""
    try:
        yield
    except DatabaseError as exc:
        code = sqlite_code(exc)
        if code == SQLITE_FULL:
            raise ReplicaFull(path) from exc
        if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
            raise ReplicaUnreadable(path, f"it is damaged (SQLite: {exc.orig})") from exc
        raise


class Replica:
    """One device's replica file. Every write is one transaction via `write()`."""

    def __init__(self, path: Path | str, device_id: str | None = None) -> None:
        """Open (or create) the replica at `path`, migrating it to this app's schema.

        `device_id` is the id a new replica's device takes (a first sign-in registers it
        with the hub before the file exists); an existing replica keeps its own.
        Raises `ReplicaUnreadable` for a file this app must not touch, and leaves it as it was.
        """
        self.path = Path(path)
        revision = check_file(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = _make_engine(self.path)
        writer = self.engine.execution_options(sqlite_immediate=True)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer_sessions = sessionmaker(writer, expire_on_commit=False)
        try:
            if revision != migrate.HEAD:
                with _typed_errors(self.path):
                    migrate.upgrade(writer, self.path, revision)
            with self.write() as session:
                self.device_id = self._state(session, "device_id") or self._init_device(
                    session, device_id
                )
                self.clock = HybridClock(int(self._state(session, "clock") or 0))
        except BaseException:
            self.engine.dispose()
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; it sees one consistent snapshot and never blocks a writer."""
        with _typed_errors(self.path), self.sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work: the change and its outbox entry commit together or not at all.

        Raises `ReplicaFull` when the disk is full, `ReplicaUnreadable` when SQLite finds
        the file damaged; the whole unit is then rolled back.
        """
        with _typed_errors(self.path), self._writer_sessions() as session, session.begin():
            yield session

    def get_state(self, session: Session, name: str) -> str | None:
        return self._state(session, name)

    def set_state(self, session: Session, name: str, value: str) -> None:
        session.merge(SyncState(name=name, value=value))

    def record(
        self,
        session: Session,
        obj: SyncMeta,
        fields: list[str] | None = None,
        summary: str = "",
        base_hlc: int | None = None,
    ) -> OutboxEntry:
        """Stamp `obj` as changed here and queue it for the hub, in the caller's transaction."""
        if obj.id is None:
            obj.id = new_id()
        obj.hlc = self.clock.now()
        obj.origin = self.device_id
        obj.deleted = bool(obj.deleted)
        session.add(obj)
        row = {c: encode_value(getattr(obj, c)) for c in wire_columns(type(obj))}
        entry = OutboxEntry(
            key=str(uuid.uuid4()),
            table_name=obj.__tablename__,
            row_id=obj.id,
            row_json=json.dumps(row),
            fields=",".join(fields or []),
            base_hlc=base_hlc,
            summary=summary,
            created_at=dt.datetime.now(),
        )
        session.add(entry)
        self.set_state(session, "clock", str(self.clock.last))
        return entry

    def pending_count(self) -> int:
        with self.read() as session:
            return session.scalar(select(func.count()).select_from(OutboxEntry)) or 0

    def verify(self) -> None:
        """Run SQLite's page-by-page check, which opening skips on large files (slow: run it
        off the UI thread). Raises `ReplicaUnreadable` if the file is damaged."""
        check_file(self.path, thorough=True)

    def dispose(self) -> None:
        self.engine.dispose()

    @staticmethod
    def _state(session: Session, name: str) -> str | None:
        found = session.get(SyncState, name)
        return found.value if found else None

    def _init_device(self, session: Session, device_id: str | None) -> str:
        device_id = device_id or str(uuid.uuid4())
        self.set_state(session, "device_id", device_id)
        return device_id
