"""The change feed: every write to a replicated row gets the next hub sequence number.

Sequences are handed out under the row lock of `feed_counter`, which a writer holds
until it commits, so sequence order is commit order: a reader that sees sequence N
has already been able to see every sequence below N. Pull reads the committed
counter first and never reads past it (see `high_water`).
"""

from __future__ import annotations

from sqlalchemy import bindparam, event, inspect, select, update
from sqlalchemy.orm import Session

from cp2desk.sync.clock import HybridClock
from cp2hub import reach
from cp2hub.models import REPLICATED, FeedCounter

HUB_ORIGIN = "hub"
clock = HybridClock()
_REPLICATED = tuple(REPLICATED)


_COUNTER = FeedCounter.__table__.c
_RESERVE = (  # built once: every write runs it
    update(FeedCounter.__table__)
    .where(_COUNTER.id == 1)
    .values(value=_COUNTER.value + bindparam("count"))
    .returning(_COUNTER.value)
)


def reserve(session: Session, count: int) -> int:
    """Reserve `count` sequence numbers; returns the first. Locks the counter till commit."""
    last = session.execute(_RESERVE, {"count": count}).scalar_one()
    return last - count + 1


def high_water(session: Session) -> int:
    """The highest sequence whose transaction has committed."""
    return session.execute(select(FeedCounter.value).where(FeedCounter.id == 1)).scalar_one()


def ensure_counter(session: Session) -> None:
    if session.get(FeedCounter, 1) is None:
        session.add(FeedCounter(id=1, value=0))


def stamp_changes(session: Session) -> None:
    """Give every new or changed replicated object in the session a clock and a sequence."""
    # Updates before inserts, as the unit of work writes them (a redeployment ends the
    # old deployment before the new one starts), so replicas apply them in that order.
    changed = [o for o in session.dirty if isinstance(o, _REPLICATED) and session.is_modified(o)]
    changed += [o for o in session.new if isinstance(o, _REPLICATED)]
    if not changed:
        return
    first = reserve(session, len(changed))
    for offset, obj in enumerate(changed):
        if obj.hlc and _stamped(obj):  # stamped by the device that wrote it
            clock.observe(obj.hlc)
        else:
            obj.hlc = clock.now()
            obj.origin = HUB_ORIGIN
        obj.seq = first + offset
    reach.note_objects(session, changed, first + len(changed) - 1)


def _stamped(obj) -> bool:
    """Whether the writer of this change set the row's clock itself."""
    return bool(inspect(obj).attrs.hlc.history.added)


def install(sessions) -> None:
    """Stamp every flush of sessions made by `sessions` (a sessionmaker), and record
    whom each transaction's writes reached as it commits (`cp2hub.reach`)."""
    event.listen(sessions, "before_flush", lambda session, _ctx, _objs: stamp_changes(session))
    event.listen(sessions, "before_commit", reach.settle)
    event.listen(sessions, "after_soft_rollback", lambda session, _tx: reach.forget(session))
