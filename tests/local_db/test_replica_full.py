"""A full disk: the write fails whole, with a message for the user, and nothing is half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select

from cp2desk.local_db.errors import ReplicaFull
from cp2desk.local_db.file_check import sqlite_code
from cp2desk.local_db.models import Application, OutboxEntry, Professional
from cp2desk.local_db.replica import Replica

MESSAGE = (
    "The disk is full: your last change was NOT saved. Free some space and try again; "
    "everything saved before is safe."
)


def _cap_file_at_its_current_size(replica: Replica):
    """Make SQLite answer SQLITE_FULL for any new page, as a full disk would.

    `max_page_count` is per connection, so it is set on every new connection and the
    pool is emptied; the returned function lifts the cap again.
    """
    with replica.read() as session:
        pages = session.connection().exec_driver_sql("PRAGMA page_count").scalar()

    def cap(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(replica.engine, "connect", cap)
    replica.engine.dispose()

    def lift():
        event.remove(replica.engine, "connect", cap)
        replica.engine.dispose()

    return lift


def _application(number: int, reason: str) -> Application:
    return Application(
        vacancy_id="vacancy-1",
        professional_id=f"officer-{number}",
        submitted_at=dt.datetime(2026, 10, 1, 9, 0),
        reason=reason,
    )


def test_a_write_on_a_full_disk_saves_nothing_and_says_so(replica: Replica, officer):
    with replica.write() as session:
        saved = officer(1)
        replica.record(session, saved)
    lift = _cap_file_at_its_current_size(replica)

    change = _application(2, reason="x" * 200_000)  # needs many new pages
    with pytest.raises(ReplicaFull) as raised, replica.write() as session:
        replica.record(session, officer(2))
        replica.record(session, change, summary="apply")
    assert str(raised.value) == MESSAGE
    assert sqlite_code(raised.value.__cause__) == 13  # SQLITE_FULL, not some other failure

    with replica.read() as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 0
        assert session.scalar(select(func.count()).select_from(Professional)) == 1
        assert session.scalars(select(OutboxEntry.row_id)).all() == [saved.id]
        assert session.connection().exec_driver_sql("PRAGMA quick_check").scalar() == "ok"

    lift()
    with replica.write() as session:
        replica.record(session, _application(3, reason="x" * 200_000))
    assert replica.pending_count() == 2
