"""The identity of the hub's history, which a restore from backup changes.

A restored hub has gone back in time: devices hold cursors past its feed, and rows (with
their answered outbox entries) it no longer has. Every pull page carries this identity;
a device that sees it change offers the hub what it lacks and pulls again from the start
(`cp2desk.sync.restore`).

The identity is a digest of the seed in `hub_history` and of what a restore cannot carry
over, so no one has to remember to change it:

- PostgreSQL: the cluster's system identifier and the OID of the `hub_history` table. A
  `pg_restore` creates the table anew (a new OID), into a new database or over the old
  one with `--clean`; a restore on another server has another system identifier.
- SQLite: the device and inode of the database file. A backup copied to a new file, or
  put in place of the deleted old one, is another inode.

What is copied byte for byte keeps them (a PostgreSQL physical backup or a failover to an
asynchronous standby; a SQLite backup copied over the old file in place): after such a
restore the operator runs `cp2hub restored`, which draws a new seed (`new_seed`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
import time
import weakref

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from cp2hub.auth import utcnow
from cp2hub.db import Database
from cp2hub.models import HubHistory

log = logging.getLogger(__name__)
FRESH_SECONDS = 2.0
"""How long a process reuses the identity it read: a pull or push costs no query for it,
and a restore (done with the hub stopped) or `cp2hub restored` is seen within this time."""

_known: weakref.WeakKeyDictionary[Database, tuple[float, str]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def identity(db: Database) -> str:
    """The identity of this database's history (32 hex digits), read at most every
    FRESH_SECONDS."""
    now = time.monotonic()
    with _lock:
        known = _known.get(db)
    if known is not None and now - known[0] < FRESH_SECONDS:
        return known[1]
    with db.read() as session:
        found = read_identity(session)
    with _lock:
        _known[db] = (now, found)
    if known is not None and known[1] != found:
        log.warning(
            "the hub's history changed (restored from a backup): devices offer again what "
            "it lacks and pull from the start",
            extra={"event": "history_changed", "history_id": found, "was": known[1]},
        )
    return found


def read_identity(session: Session) -> str:
    seed = session.scalar(select(HubHistory.seed).where(HubHistory.id == 1)) or ""
    mark = f"{seed}/{_birthmark(session)}"
    return hashlib.sha256(mark.encode()).hexdigest()[:32]


def _birthmark(session: Session) -> str:
    """What a restore cannot carry over (see the module's docstring)."""
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(
            text("SELECT system_identifier, 'hub_history'::regclass::oid FROM pg_control_system()")
        ).one()
        return f"{row[0]}/{row[1]}"
    files = session.execute(text("PRAGMA database_list")).all()
    path = next((f[2] for f in files if f[1] == "main"), "")
    if not path:
        return "memory"
    found = os.stat(path)
    return f"{found.st_dev}/{found.st_ino}"


def new_seed(session: Session) -> str:
    """Give the history a new identity (the operator's step after a restore the automatic
    detection cannot see); returns the new identity."""
    values = {"seed": secrets.token_hex(16), "made_at": utcnow()}
    if not session.execute(update(HubHistory).where(HubHistory.id == 1).values(**values)).rowcount:
        session.add(HubHistory(id=1, **values))
        session.flush()
    return read_identity(session)
