"""The wire protocol between CP2 Desk and the hub: versions, envelopes, and codecs.

Both sides import this module (and `records`, which defines the rows); nothing else
is shared. Every envelope forbids unknown fields so a malformed or hostile request is
refused whole, before anything is applied.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cp2desk.sync.errors import CorruptResponse
from cp2desk.sync.records import (
    NATURAL_KEYS,
    RECORD_BY_TABLE,
    column_types,
    natural_id,
    ref_columns,
    wire_columns,
)

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
    """The hub's answer to one change. `row` is the hub's row the device should return to
    (of `table`, when that differs from the change's own table, as for a redeployment)."""

    key: str
    outcome: Outcome
    seq: int | None = None
    reason: str = ""
    row: dict[str, Any] | None = None
    table: str | None = None


class PushResponse(Envelope):
    answers: list[Answer]


# --- pull -----------------------------------------------------------------------


class TablePage(Envelope):
    """Rows of one table, columnar: `columns` once, then one list of values a row."""

    table: str
    columns: list[str]
    rows: list[list[Any]]


class PullPage(Envelope):
    """A page of changes. Id-valued cells are indexes into `refs`, each id sent once a page."""

    cursor: int
    more: bool
    tables: list[TablePage]
    refs: list[str] = Field(default_factory=list)
    reset: bool = False
    scope_key: str = ""


# --- codecs -----------------------------------------------------------------------

_PARSERS = {
    dt.date: dt.date.fromisoformat,
    dt.time: dt.time.fromisoformat,
    dt.datetime: dt.datetime.fromisoformat,
}


class ProtocolError(CorruptResponse, ValueError):
    """A page or answer that does not follow this protocol (corrupt or hostile); a
    `CorruptResponse`, so the device shows its message like any damaged answer."""


def encode_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


@lru_cache(maxsize=None)
def table_layout(table: str) -> tuple[tuple[str, ...], frozenset[str], dict[str, Any]]:
    """(columns sent, columns sent as refs, parsers of ISO-text columns) of a table."""
    record = RECORD_BY_TABLE[table]
    columns = wire_columns(record)
    if table in NATURAL_KEYS:
        columns = tuple(c for c in columns if c != "id")
    types = column_types(record)
    parsers = {name: _PARSERS[t] for name, t in types.items() if t in _PARSERS}
    return columns, frozenset(ref_columns(record)), parsers


_NONE = type(None)


@lru_cache(maxsize=None)
def _plain_types(table: str) -> list[tuple[int, str, frozenset[type]]]:
    """(position, name, allowed types) of a table's columns sent as plain JSON values."""
    columns, refs, parsers = table_layout(table)
    types = column_types(RECORD_BY_TABLE[table])
    return [
        (i, c, frozenset({types[c], _NONE}))
        for i, c in enumerate(columns)
        if c not in refs and c not in parsers and types[c] in (int, bool, str)
    ]


class PageWriter:
    """Builds a PullPage: rows by table, ids replaced by indexes into one list of refs."""

    def __init__(self) -> None:
        self.refs: list[str] = []
        self._index: dict[str, int] = {}
        self.tables: list[TablePage] = []

    def _ref(self, value: str | None) -> int | None:
        if value is None:
            return None
        index = self._index.get(value)
        if index is None:
            index = self._index[value] = len(self.refs)
            self.refs.append(value)
        return index

    def add(self, table: str, rows: list[dict[str, Any]] | list[Any]) -> None:
        """Add rows (mappings with at least the table's wire columns)."""
        columns, refs, _ = table_layout(table)
        encoders = [(c, c in refs) for c in columns]
        ref, enc = self._ref, encode_value
        out = [[ref(row[c]) if is_ref else enc(row[c]) for c, is_ref in encoders] for row in rows]
        self.tables.append(TablePage(table=table, columns=list(columns), rows=out))

    def page(self, cursor: int, more: bool, reset: bool = False) -> PullPage:
        return PullPage(cursor=cursor, more=more, tables=self.tables, refs=self.refs, reset=reset)


def read_rows(page: PullPage, table_page: TablePage) -> list[dict[str, Any]]:
    """Decode one table of a page into row dicts with Python values, ids restored."""
    if table_page.table not in RECORD_BY_TABLE:
        raise ProtocolError(f"The hub sent rows of an unknown table '{table_page.table}'.")
    columns, refs, parsers = table_layout(table_page.table)
    if list(columns) != table_page.columns:
        raise ProtocolError(f"The hub sent unexpected columns for '{table_page.table}'.")
    ref_list = page.refs
    ref_positions = [i for i, c in enumerate(columns) if c in refs]
    parse_positions = [(i, parsers[c]) for i, c in enumerate(columns) if c in parsers]
    key = NATURAL_KEYS.get(table_page.table)
    rows = table_page.rows
    width = len(columns)
    if any(len(values) != width for values in rows):
        raise ProtocolError(f"The hub sent a damaged row for '{table_page.table}'.")
    for i, name, allowed in _plain_types(table_page.table):
        if not {type(values[i]) for values in rows} <= allowed:
            raise ProtocolError(f"The hub sent a wrong value of '{name}' in '{table_page.table}'.")
    for i in ref_positions:
        found = {values[i] for values in rows} - {None}
        if found and not (
            {type(v) for v in found} == {int} and min(found) >= 0 and max(found) < len(ref_list)
        ):
            raise ProtocolError(f"The hub sent a damaged reference in '{table_page.table}'.")
    out = []
    try:
        for values in table_page.rows:
            values = list(values)
            for i in ref_positions:
                if values[i] is not None:
                    values[i] = ref_list[values[i]]
            for i, parse in parse_positions:
                if values[i] is not None:
                    values[i] = parse(values[i])
            row = dict(zip(columns, values, strict=True))
            if key:
                row["id"] = natural_id(table_page.table, *(row[k] for k in key))
            out.append(row)
    except (IndexError, TypeError, ValueError) as exc:
        raise ProtocolError(f"The hub sent a damaged row for '{table_page.table}': {exc}") from exc
    return out
