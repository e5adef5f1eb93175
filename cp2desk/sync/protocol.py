"""The wire protocol between CP2 Desk and the hub: versions, envelopes, and codecs.

Both sides import this module (and `records`, which defines the rows); nothing else
is shared. Every envelope forbids unknown fields so a malformed or hostile request is
refused whole, before anything is applied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cp2desk.sync.records import RECORD_BY_TABLE, column_types

PROTOCOL_VERSION = 1
"""Bumped whenever an envelope or a record's wire columns change incompatibly."""
MIN_PROTOCOL_VERSION = 1
"""The oldest client protocol the hub still accepts."""
PROTOCOL_HEADER = "X-CP2-Protocol"
MAX_PUSH_BATCH = 500
MAX_PULL_PAGE = 20_000

Outcome = Literal["applied", "conflict", "refused"]


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- auth -----------------------------------------------------------------------


class LoginRequest(Envelope):
    phone: str = Field(min_length=1, max_length=20)
    password: str = Field(min_length=1, max_length=200)
    device_id: str = Field(min_length=8, max_length=36)
    device_name: str = Field(default="", max_length=120)


class RefreshRequest(Envelope):
    refresh_token: str = Field(min_length=16, max_length=200)
    device_id: str = Field(min_length=8, max_length=36)


class TokenPair(Envelope):
    access_token: str
    refresh_token: str
    expires_in: int
    user_id: str
    device_id: str


class ProblemDetail(Envelope):
    """The body of every error answer: a code for programs, a message for people."""

    code: str
    message: str


# --- push -----------------------------------------------------------------------


class Change(Envelope):
    """One outbox entry on the wire.

    `key` is the idempotency key: the hub answers a key it has seen with the answer it
    gave the first time. `fields` names the fields this change set (field-level merge);
    `base_hlc` is the clock of the row the user edited (optimistic concurrency).
    """

    key: str = Field(min_length=8, max_length=36)
    table: str = Field(max_length=40)
    row: dict[str, Any]
    fields: list[str] = Field(default_factory=list, max_length=40)
    base_hlc: int | None = None


class PushRequest(Envelope):
    changes: list[Change] = Field(max_length=MAX_PUSH_BATCH)


class Answer(Envelope):
    key: str
    outcome: Outcome
    seq: int | None = None
    reason: str = ""
    row: dict[str, Any] | None = None


class PushResponse(Envelope):
    answers: list[Answer]


# --- pull -----------------------------------------------------------------------


class TablePage(Envelope):
    """Rows of one table, columnar: `columns` once, then one list of values a row."""

    table: str
    columns: list[str]
    rows: list[list[Any]]


class PullPage(Envelope):
    cursor: int
    more: bool
    tables: list[TablePage]
    reset: bool = False


# --- codecs -----------------------------------------------------------------------

_PARSERS = {
    dt.date: dt.date.fromisoformat,
    dt.time: dt.time.fromisoformat,
    dt.datetime: dt.datetime.fromisoformat,
}


def encode_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def column_parsers(table: str) -> dict[str, Any]:
    """Which wire columns of a table arrive as ISO text and must be parsed."""
    types = column_types(RECORD_BY_TABLE[table])
    return {name: _PARSERS[t] for name, t in types.items() if t in _PARSERS}


def row_to_wire(obj: Any, columns: tuple[str, ...]) -> list[Any]:
    return [encode_value(getattr(obj, c)) for c in columns]


def decode_row(columns: list[str], values: list[Any], parsers: dict[str, Any]) -> dict[str, Any]:
    row = dict(zip(columns, values, strict=True))
    for name, parse in parsers.items():
        value = row.get(name)
        if isinstance(value, str):
            row[name] = parse(value)
    return row
