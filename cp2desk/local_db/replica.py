"""The replica file: engine, sessions, device identity, clock, and change recording."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from cp2desk.local_db.models import Base, OutboxEntry, SyncState
from cp2desk.sync.clock import HybridClock
from cp2desk.sync.protocol import encode_value
from cp2desk.sync.records import SyncMeta, new_id, wire_columns


def _make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Replica:
    """One device's replica file. Every write is one transaction via `write()`."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.engine = _make_engine(self.path)
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        with self.write() as session:
            self.device_id = self._state(session, "device_id") or self._init_device(session)
            self.clock = HybridClock(int(self._state(session, "clock") or 0))

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work: the change and its outbox entry commit together or not at all."""
        with self.sessions() as session, session.begin():
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
            return len(session.scalars(select(OutboxEntry.position)).all())

    def dispose(self) -> None:
        self.engine.dispose()

    @staticmethod
    def _state(session: Session, name: str) -> str | None:
        found = session.get(SyncState, name)
        return found.value if found else None

    def _init_device(self, session: Session) -> str:
        device_id = str(uuid.uuid4())
        self.set_state(session, "device_id", device_id)
        return device_id
