"""Push: apply a device's outbox entries at most once each, and answer every one.

A batch is one transaction. Each entry is validated against its table's record, then
handed to the rule for its table (`cp2hub.rules`), which checks role and scope and
decides applied / conflict / refused (with the context and outcomes of
`cp2hub.push_context`). An entry seen before (same idempotency key)
gets the answer it got the first time, however often it is delivered. What a batch
answers now is counted once it is committed (`cp2hub.metrics.count_push`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from pydantic import ConfigDict, Field, ValidationError, create_model
from sqlalchemy import BigInteger, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from cp2desk.sync.clock import millis_of
from cp2desk.sync.protocol import Answer, Change
from cp2desk.sync.records import RECORD_BY_TABLE, column_types, wire_columns
from cp2hub import metrics, privacy
from cp2hub.auth import Principal, utcnow
from cp2hub.db import Database
from cp2hub.models import MODEL_BY_TABLE, AppliedEntry, Base
from cp2hub.payment_alerts import PaymentAlerts
from cp2hub.push_context import CLOCK_SKEW_LIMIT_MS, Conflict, PushContext, Refused
from cp2hub.rules import PREPARE, RULES
from cp2hub.rules.authorship import stamp
from cp2hub.scope import Scope, scope_of, visible


@cache
def row_model(table: str):
    """A strict pydantic model of one table's wire row: unknown or mistyped fields refused."""
    types = column_types(RECORD_BY_TABLE[table])
    columns = MODEL_BY_TABLE[table].__table__.c

    def bounded(name: str):
        # The column's limits, so an over-long text or an out-of-range number is refused
        # by name here, not failed by PostgreSQL (500) or stored whole by SQLite.
        length = getattr(columns[name].type, "length", None)
        if types[name] is int:
            bits = 63 if isinstance(columns[name].type, BigInteger) else 31
            return Field(None, ge=-(2**bits), lt=2**bits)
        return Field(None, max_length=length) if length and types[name] is str else None

    fields = {
        name: (types[name] | None, bounded(name)) for name in wire_columns(RECORD_BY_TABLE[table])
    }
    return create_model(
        f"{table}_row", __config__=ConfigDict(extra="forbid", strict=False), **fields
    )


def as_wire(obj: Base | None, scope: Scope | None = None) -> dict[str, Any] | None:
    """A hub row as the device of `scope` may receive it (`privacy.wire_row`): a row about
    another person without the fields its user may not see. `scope` may be left out only
    for rows that are about nobody (vacancies, sessions, ...)."""
    if obj is None:
        return None
    return privacy.wire_row(object_session(obj), obj, scope)


class Refusal(NamedTuple):
    """A change refused before its rule runs, and the code it is counted under
    (`cp2hub.metrics.REFUSAL_REASONS`)."""

    reason: str
    answer: Answer


@dataclass
class Push:
    """One device's batch, waiting to be applied; `rows` are its changes as checked,
    `answered` what was answered now, by key: (table, outcome, refusal reason)."""

    principal: Principal
    scope: Scope
    changes: list[Change]
    rows: list[dict[str, Any] | Refusal] = field(default_factory=list)
    answered: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)
    payment_changed: list[str] = field(default_factory=list)
    """Account phones whose payment details were changed now (`PushContext`)."""

    def __post_init__(self) -> None:
        if not self.rows:
            self.rows = [_checked(self.principal, c) for c in self.changes]


def apply_batch(
    db: Database, principal: Principal, changes: list[Change], alerts: PaymentAlerts | None = None
) -> list[Answer]:
    """Apply a batch in one transaction, together with the batches other devices push at
    the same moment (`Database.grouped`); on an integrity error, entry by entry. Once it
    is committed, `alerts` tells the owners of payment details it changed."""
    push = Push(principal, scope_of(principal), changes)
    try:
        answers = db.grouped(_apply_pushes, weigh=_weight).submit(push)
    except IntegrityError:
        push.answered.clear()
        push.payment_changed.clear()
        answers = [
            _apply_alone(db, principal, change, push.answered, push.payment_changed)
            for change in changes
        ]
    metrics.count_push(push.answered.values(), RULES)
    if alerts is not None:
        alerts.send(db, push.payment_changed)
    return answers


def _weight(push: Push) -> int:
    return len(push.changes)


def _apply_alone(
    db: Database,
    principal: Principal,
    change: Change,
    answered: dict,
    payment_changed: list[str],
    tries=3,
) -> Answer:
    """One entry in its own transaction. An integrity error here is usually a race on
    PostgreSQL (a concurrent push inserted the same new row, or this very entry is being
    delivered twice at once): tried again, the entry sees that row or that answer. Only an
    entry that keeps failing is refused."""
    for _ in range(tries):
        push = Push(principal, scope_of(principal), [change])
        try:
            with db.write() as session:
                answer = _apply_pushes(session, [push])[0][0]
        except IntegrityError as exc:
            error = exc
            continue
        answered.update(push.answered)
        payment_changed += push.payment_changed
        return answer
    return _remember_refusal(db, principal, change, error, answered)


_ENTRY = AppliedEntry.__table__.c
_ANSWERED = select(_ENTRY.key, _ENTRY.device_id, _ENTRY.answer).where(
    _ENTRY.key.in_(bindparam("keys", expanding=True))
)


def _apply_pushes(session: Session, pushes: list[Push]) -> list[list[Answer]]:
    """Apply several devices' batches in one session, as one: one lookup of the answers
    already given, one bulk load per table (`PREPARE`), each change checked against its
    own device's role and scope, then one insert of all new rows and of all answers.
    Each change is answered once: a key delivered twice gets its first answer, but only
    on the device that first sent it (another device's answer may hold rows outside the
    asking device's scope)."""
    contexts = [PushContext(session, p.principal, p.scope) for p in pushes]
    for push in pushes:  # a group tried again starts its count again
        push.answered.clear()
        push.payment_changed.clear()
    for ctx in contexts[1:]:  # what was loaded and written is shared; who asks is not
        ctx.cache, ctx.new_rows, ctx.promoted = (
            contexts[0].cache,
            contexts[0].new_rows,
            contexts[0].promoted,
        )
    keys = list({c.key for p in pushes for c in p.changes})
    owner, seen = {}, {}
    for key, device_id, answer in session.execute(_ANSWERED, {"keys": keys}):
        owner[key], seen[key] = device_id, answer
    for table, prepare in PREPARE.items():
        rows = [c.row for p in pushes for c in p.changes if c.table == table and c.key not in seen]
        if rows:
            prepare(contexts[0], rows)
    fresh: dict[str, tuple[Answer, PushContext]] = {}  # answered now, in order
    written: list[tuple[Answer, Base | dict[str, Any]]] = []
    for ctx, push in zip(contexts, pushes, strict=True):
        for change, row in zip(push.changes, push.rows, strict=True):
            if change.key in seen or change.key in fresh:
                continue
            answer, obj, reason = _apply_one(ctx, change, row)
            fresh[change.key] = (answer, ctx)
            push.answered[change.key] = (change.table, answer.outcome, reason)
            owner[change.key] = ctx.principal.device_id
            if obj is not None:
                written.append((answer, obj))
    for ctx, push in zip(contexts, pushes, strict=True):
        push.payment_changed += ctx.payment_changed
    session.flush()  # stamps sequences on every ORM object written
    contexts[0].insert_new_rows()  # then the plain new rows, after them in the feed
    for answer, obj in written:
        answer.seq = contexts[0].seq_of(obj)
    now = utcnow()
    if fresh:
        session.execute(
            insert(AppliedEntry.__table__),
            [
                {
                    "key": key,
                    "device_id": ctx.principal.device_id,
                    "answer": answer.model_dump_json(),
                    "at": now,
                }
                for key, (answer, ctx) in fresh.items()
            ],
        )
    answers = {key: answer for key, (answer, _) in fresh.items()}
    answers |= {key: Answer.model_validate_json(stored) for key, stored in seen.items()}
    for p in pushes:
        for c in p.changes:
            if owner[c.key] != p.principal.device_id:
                p.answered[c.key] = (c.table, "refused", "key")
    return [
        [
            answers[c.key] if owner[c.key] == p.principal.device_id else _foreign(c)
            for c in p.changes
        ]
        for p in pushes
    ]


def _foreign(change: Change) -> Answer:
    """The answer to a change whose key another device's change already used: keys are
    random, so this is a damaged or forged outbox; nothing is applied or revealed."""
    return _refused(
        change, "This change's key belongs to another device's change; it was not applied."
    )


def _checked(principal: Principal, change: Change) -> dict[str, Any] | Refusal:
    """What can be checked of a change without the database: a known table, a well-formed
    row from this device with a sane clock. The row as the rule takes it, with the fields
    that are the hub's to say set (`cp2hub.rules.authorship`), or the refusal. Done before
    the change waits for its turn to write, so the writer does less."""
    if change.table not in RULES:
        return _unfit(change, "table", f"Changes to '{change.table}' cannot be made from a device.")
    try:
        row = row_model(change.table).model_validate(change.row).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return _unfit(change, "form", f"The change was malformed ({where}: {first['msg']}).")
    if not row.get("id") or not row.get("hlc") or row["hlc"] < 0 or not row.get("origin"):
        return _unfit(change, "form", "The change has no id, clock or origin.")
    if row["origin"] != principal.device_id:
        return _unfit(change, "origin", "The change names another device as its origin.")
    if millis_of(row["hlc"]) > time.time() * 1000 + CLOCK_SKEW_LIMIT_MS:
        return _unfit(
            change,
            "clock",
            "This computer's clock is ahead of the real time. Set the correct date and "
            "time, then sync again.",
        )
    refusal = stamp(change.table, principal, row)  # who and when are the hub's to say
    return _unfit(change, "authorship", refusal) if refusal else row


def _unfit(change: Change, reason: str, message: str) -> Refusal:
    return Refusal(reason, _refused(change, message))


def _apply_one(
    ctx: PushContext, change: Change, row: dict[str, Any] | Refusal
) -> tuple[Answer, Base | dict[str, Any] | None, str | None]:
    """The answer, the row written if any, and the code of a refusal."""
    if isinstance(row, Refusal):
        return row.answer, None, row.reason
    try:
        obj = RULES[change.table](ctx, change, row)
    except Refused as exc:
        reason = metrics.reason_raised(exc)
        if exc.row is not None:
            hub_row = as_wire(exc.row, ctx.scope)
            return _refused(change, str(exc), hub_row, exc.row.__tablename__), None, reason
        return _refused(change, str(exc), _hub_row(ctx, change.table, row["id"])), None, reason
    except Conflict as exc:
        answer = Answer(
            key=change.key,
            outcome="conflict",
            reason=str(exc),
            row=as_wire(exc.row, ctx.scope),
            table=exc.row.__tablename__ if exc.row is not None else None,
        )
        return answer, None, None
    return Answer(key=change.key, outcome="applied"), obj, None


def _refused(
    change: Change, reason: str, row: dict[str, Any] | None = None, table: str | None = None
) -> Answer:
    return Answer(key=change.key, outcome="refused", reason=reason, row=row, table=table)


def _hub_row(ctx: PushContext, table: str, row_id: str) -> dict[str, Any] | None:
    """The hub's row a refused change was aimed at, so the device can return to it; only
    if the device may see it (a change refused as out of scope must not reveal the row)."""
    model = MODEL_BY_TABLE[table]
    query = select(model).where(model.id == row_id, visible(model, ctx.scope))
    return as_wire(ctx.session.scalar(query), ctx.scope)


def _remember_refusal(
    db: Database, principal: Principal, change: Change, exc, answered: dict
) -> Answer:
    answer = _refused(change, "The hub could not store this change: it contradicts stored data.")
    with db.write() as session:
        stored = session.get(AppliedEntry, change.key)
        if stored is not None and stored.device_id != principal.device_id:
            answered[change.key] = (change.table, "refused", "key")
            return _foreign(change)
        if stored is not None:  # a concurrent delivery was answered first: give its answer
            return Answer.model_validate_json(stored.answer)
        session.add(
            AppliedEntry(
                key=change.key,
                device_id=principal.device_id,
                answer=answer.model_dump_json(),
                at=utcnow(),
            )
        )
    answered[change.key] = (change.table, "refused", "stored")
    return answer
