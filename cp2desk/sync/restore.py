"""When the hub was restored from backup: offer it again what this device made.

A restored hub has gone back in time. It lacks what it took after the backup, and the
answers it gave: this device let those outbox entries go and holds rows the hub no longer
has, with a cursor past the hub's feed. Pages carry the identity of the hub's history
(`cp2hub.history`); when it changes, the engine goes through three steps, each one
transaction, so a sync cut off anywhere goes on from where it stopped:

1. `hold`: every row this device made that no outbox entry carries is held in `reoffer`;
   what was pulled is dropped (the hub may no longer have it), the cursor goes back to 0.
2. `settle` (while the page of the pull from the start is applied): a held row the hub
   sends as new as ours, or newer, is one it has: the hub's row is applied and the row let
   go. An older one is skipped and its clock kept, as the base our offer is made on.
3. `queue` (when the pull has reached the end): each row still held becomes an outbox
   entry with a new key (the old key's answer went with the restore), ahead of the changes
   made since, in the order the rows were written. They are ordinary changes: the hub's
   rules apply, and what it refuses now is a sync issue like any refusal.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from cp2desk.local_db.models import (
    MODEL_BY_TABLE,
    REPLICATED,
    Application,
    OutboxEntry,
    Reoffer,
)
from cp2desk.local_db.replica import Replica
from cp2desk.sync.protocol import encode_value
from cp2desk.sync.records import wire_columns

WHAT = {
    "professional": "A profile change",
    "work_experience": "A work experience entry",
    "qualification": "A qualification",
    "application": "An application",
    "redeployment": "A redeployment",
    "attendance": "An attendance mark",
    "session_signoff": "A session sign-off",
    "material_movement": "A handover of materials",
}
"""The tables a device changes (the hub's `cp2hub.rules.RULES`), and what a row of each
is in the words of a sync issue."""
PUSHED = tuple(WHAT)

ASKED = ("submitted", "withdrawn")
"""What an application asks of the hub. The hub stamps an application it decides as its
own row, so the device's own applications are those it holds (its scope has no others)
in a state its user asked for; a refusal or a selection is the hub's to make again."""

SUMMARY = "{what} sent again after the hub was restored from a backup"


def hold(replica: Replica, history_id: str, scope_key: str) -> int:
    """Step 1: the hub's history changed. Returns how many rows are held."""
    with replica.write() as session:
        session.execute(delete(Reoffer))
        pending = set(session.scalars(select(OutboxEntry.row_id)))
        count = 0
        for table in PUSHED:
            model = MODEL_BY_TABLE[table]
            for row_id, hlc in session.execute(
                select(model.id, model.hlc).where(_made_here(model, replica.device_id))
            ):
                if row_id not in pending:
                    session.add(Reoffer(row_id=row_id, table_name=table, hlc=hlc))
                    count += 1
        session.flush()
        kept = select(OutboxEntry.row_id).union(select(Reoffer.row_id))
        for model in REPLICATED:
            session.execute(delete(model).where(model.id.not_in(kept)))
        replica.set_state(session, "cursor", "0")
        replica.set_state(session, "scope_key", scope_key)
        replica.set_state(session, "history_id", history_id)
    return count


def _made_here(model, device_id: str):
    if model is Application:
        return or_(model.origin == device_id, model.status.in_(ASKED))
    return model.origin == device_id


def holding(replica: Replica) -> bool:
    """Whether rows are held: a pull from the start after a restore has not yet ended."""
    with replica.read() as session:
        return session.scalar(select(Reoffer.row_id).limit(1)) is not None


def held(session: Session) -> dict[str, int]:
    """The rows held, with their clocks (empty, and one cheap query, but after a restore)."""
    return dict(session.execute(select(Reoffer.row_id, Reoffer.hlc)).all())


def settle(
    session: Session, clocks: dict[str, int], columns: tuple[str, ...], rows: list[tuple]
) -> list[tuple]:
    """Step 2, for one table of a page: the rows to apply. A held row the hub has as new as
    ours or newer is applied and let go; an older one is skipped, its clock kept as base.
    `clocks` are the held rows' (`held`), and lose the rows let go."""
    at_id, at_hlc = columns.index("id"), columns.index("hlc")
    out = []
    for row in rows:
        mine = clocks.get(row[at_id])
        if mine is None:
            out.append(row)
            continue
        if row[at_hlc] >= mine:
            session.execute(delete(Reoffer).where(Reoffer.row_id == row[at_id]))
            del clocks[row[at_id]]
            out.append(row)
        else:
            session.execute(
                update(Reoffer).where(Reoffer.row_id == row[at_id]).values(base_hlc=row[at_hlc])
            )
    return out


def queue(replica: Replica) -> int:
    """Step 3: the rows still held become outbox entries, ahead of every waiting change,
    oldest first. Returns how many."""
    if not holding(replica):
        return 0
    with replica.write() as session:
        offers = session.scalars(select(Reoffer).order_by(Reoffer.hlc)).all()
        if not offers:
            return 0
        first = min(session.scalar(select(func.min(OutboxEntry.position))) or 1, 1)
        position = first - len(offers)
        now = dt.datetime.now()
        for offer in offers:
            model = MODEL_BY_TABLE[offer.table_name]
            row = session.get(model, offer.row_id)
            pending = session.scalar(
                select(OutboxEntry.position).where(OutboxEntry.row_id == offer.row_id).limit(1)
            )
            if row is not None and pending is None:  # a newer local edit carries it already
                values = {c: encode_value(getattr(row, c)) for c in wire_columns(model)}
                session.add(
                    OutboxEntry(
                        position=position,
                        key=str(uuid.uuid4()),
                        table_name=offer.table_name,
                        row_id=offer.row_id,
                        row_json=json.dumps(values),
                        fields="",
                        base_hlc=offer.base_hlc,
                        summary=SUMMARY.format(what=WHAT[offer.table_name]),
                        created_at=now,
                    )
                )
                position += 1
        session.execute(delete(Reoffer))
    return position - (first - len(offers))
