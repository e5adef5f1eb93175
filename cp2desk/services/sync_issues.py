"""Conflicts and refusals the hub answered, in the user's words, with what they can do.

The sync engine stores each one as a `SyncIssue`; it stays listed until the user
dismisses it, so nothing the hub turned down is dropped without them knowing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update

from cp2desk.local_db.models import SyncIssue
from cp2desk.local_db.replica import Replica

WHAT_TO_DO = {
    ("conflict", "attendance"): "Check this officer in the register. If your mark was right, "
    "mark them again; the latest mark is the one that counts.",
    ("refused", "attendance"): "The register shows the hub's version again. If the officer was "
    "really here, ask the sub-county director to check their deployment, then mark again.",
    ("conflict", "session_signoff"): "Open the register to see whether the session is signed "
    "off or reopened, and sign it off again if it needs to be.",
    ("refused", "session_signoff"): "Check that every officer has a mark, then sign the "
    "session off again. Call the sub-county office if it keeps being refused.",
}
DEFAULT_WHAT_TO_DO = (
    "Nothing else you did was lost. Check the record, and call your sub-county office "
    "if this is unexpected."
)


@dataclass(frozen=True, slots=True)
class Issue:
    id: int
    kind: str
    table: str
    at: dt.datetime
    headline: str
    detail: str
    what_to_do: str


def describe(row: SyncIssue) -> Issue:
    change = f"“{row.summary}”" if row.summary else "A change made on this computer"
    reason = row.reason.strip() or "The hub gave no reason."
    if row.kind == "conflict":
        headline = "Someone else changed the same record"
        detail = f"{change} crossed with a change made elsewhere. {reason}"
    else:
        headline = "The hub did not accept a change"
        detail = f"{change} was refused. {reason}"
    what = WHAT_TO_DO.get((row.kind, row.table_name), DEFAULT_WHAT_TO_DO)
    return Issue(row.id, row.kind, row.table_name, row.at, headline, detail, what)


def open_issues(replica: Replica) -> list[Issue]:
    with replica.read() as session:
        rows = session.scalars(
            select(SyncIssue).where(SyncIssue.seen.is_(False)).order_by(SyncIssue.at.desc())
        ).all()
        return [describe(r) for r in rows]


def dismiss(replica: Replica, issue_ids: list[int]) -> None:
    """The user has read these; they leave the list (the rows stay, for the record)."""
    with replica.write() as session:
        session.execute(update(SyncIssue).where(SyncIssue.id.in_(issue_ids)).values(seen=True))


@dataclass(frozen=True, slots=True)
class SyncFacts:
    pending: int
    last_sync: dt.datetime | None
    issues: list[Issue]


def sync_facts(replica: Replica) -> SyncFacts:
    """What the status bar shows: changes waiting, the last successful sync, open issues."""
    with replica.read() as session:
        stamp = replica.get_state(session, "last_sync_at")
    last = dt.datetime.fromisoformat(stamp) if stamp else None
    return SyncFacts(replica.pending_count(), last, open_issues(replica))
