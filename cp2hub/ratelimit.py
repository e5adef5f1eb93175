"""Sliding-window limits on requests that send SMS (registration, PASSWORD by SMS).

The attempts are rows of the hub's database (`rate_hit`), so every hub worker process
counts against the same windows. Attempts under one key take turns: on SQLite writers
already do (`Database.write`), on PostgreSQL a transaction-scoped advisory lock on the
key does, so concurrent requests never let more through than the limit. Sign-in needs
no window here: repeated wrong passwords lock the account in the database
(`auth.login`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import bindparam, delete, func, insert, select, text

from cp2hub.auth import utcnow
from cp2hub.db import Database
from cp2hub.errors import HubError
from cp2hub.models import RateHit

HOUR = 3600.0
KEPT = dt.timedelta(days=1)
"""Attempts older than this are deleted whatever their key (no window is longer)."""

_HIT = RateHit.__table__
_COUNT = (
    select(func.count())
    .select_from(_HIT)
    .where(_HIT.c.key == bindparam("key"), _HIT.c.at > bindparam("since"))
)
_TURN = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


class TooManyRequests(HubError):
    status = 429
    code = "too_many_requests"


class RateLimiter:
    def __init__(self, db: Database, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def allow(self, key: str, limit: int, window: float = HOUR) -> bool:
        """Count one attempt under `key`; False (not counted) if `limit` were exceeded."""
        now = self.clock()
        since = now - dt.timedelta(seconds=window)
        with self.db.write() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(_TURN, {"key": key})
            session.execute(delete(_HIT).where(_HIT.c.at <= now - KEPT))
            hits = session.scalar(_COUNT, {"key": key, "since": since})
            if hits >= limit:
                return False
            session.execute(insert(_HIT), {"key": key, "at": now})
            return True
