"""Attendance marks as a device writes them (row + outbox entry, one transaction), and a
test-only ledger of them. Light on imports: the kill test's child process uses it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text

from cp2desk.local_db import models as lm
from cp2desk.local_db.replica import Replica
from cp2desk.sync.records import natural_id


@dataclass(frozen=True)
class Mark:
    """One attendance mark a device recorded (its outbox entry as written)."""

    device_id: str
    key: str
    row_id: str
    row_json: str
    hlc: int
    status: str
    in_scope: bool


def mark(
    replica: Replica,
    deployment_id: str,
    session_id: str,
    status: str,
    station_id: str,
    professional_id: str,
    marked_by: str | None = None,
    in_scope: bool = True,
    ledger: bool = False,
) -> Mark:
    """Mark attendance the way the centre-manager service does: row + outbox, one transaction."""
    row_id = natural_id("attendance", deployment_id, session_id)
    with replica.write() as s:
        row = s.get(lm.Attendance, row_id) or lm.Attendance(
            id=row_id, deployment_id=deployment_id, session_id=session_id,
            station_id=station_id, professional_id=professional_id,
        )
        row.status = status
        row.check_in = dt.time(7, 45) if status != "absent" else None
        row.marked_by = marked_by
        entry = replica.record(s, row, ["status", "check_in"], f"marked {status}")
        made = Mark(replica.device_id, entry.key, row_id, entry.row_json, row.hlc, status, in_scope)
        if ledger:  # in the mark's own transaction: a ledger row exists iff the mark does
            s.execute(text(LEDGER_INSERT), made.__dict__)
        return made


LEDGER_DDL = (
    "CREATE TABLE IF NOT EXISTS test_ledger (key TEXT PRIMARY KEY, device_id TEXT, "
    "row_id TEXT, row_json TEXT, hlc INTEGER, status TEXT, in_scope INTEGER)"
)
LEDGER_INSERT = (
    "INSERT INTO test_ledger VALUES (:key, :device_id, :row_id, :row_json, :hlc, :status, "
    ":in_scope)"
)


def read_ledger(replica: Replica) -> list[Mark]:
    """Every mark committed in this replica with `ledger=True` (a test-only table)."""
    with replica.read() as s:
        rows = s.execute(text("SELECT * FROM test_ledger ORDER BY hlc")).all()
    return [Mark(r[1], r[0], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]
