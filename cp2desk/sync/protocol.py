"""The wire protocol between CP2 Desk and the hub: versions, envelopes, and codecs.

Both sides import this module (and `records`, which defines the rows); nothing else
is shared. Every envelope forbids unknown fields so a malformed or hostile request is
refused whole, before anything is applied.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from hashlib import sha1
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from cp2desk.sync.errors import CorruptResponse
from cp2desk.sync.records import (
    NAMESPACE,
    NATURAL_KEYS,
    RECORD_BY_TABLE,
    column_types,
    ref_columns,
    wire_columns,
)

PROTOCOL_VERSION = 3
"""Bumped whenever an envelope or a record's wire columns change incompatibly. 2: pages
and push answers carry the identity of the hub's history (`history_id`). 3: a claim
carries its payment (`paid_amount`, `paid_ref`, `paid_at`)."""
MIN_PROTOCOL_VERSION = 3
"""The oldest client protocol the hub still accepts. A device of protocol 2 refuses a
page whose claims carry columns it does not know ("unexpected columns"), so the hub
tells it to update instead; one of protocol 1 cannot notice that the hub was restored
from backup, and would silently lose what the backup lacks."""
PROTOCOL_HEADER = "X-CP2-Protocol"
APP_VERSION_HEADER = "X-CP2-App-Version"
"""The version of CP2 Desk sending a request, recorded on its device at sign-in and refresh."""
REQUEST_ID_HEADER = "X-Request-ID"
"""The hub's id of a request, on every answer: its log lines carry it (`cp2hub.logs`)."""
MAX_PUSH_BATCH = 500
MAX_PULL_PAGE = 20_000

Outcome = Literal["applied", "conflict", "refused"]


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _as_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone().replace(tzinfo=None) if value.tzinfo else value


def _with_offset(value: dt.datetime) -> str:
    return value.astimezone().isoformat()


Timestamp = Annotated[
    dt.datetime,
    AfterValidator(_as_local),
    PlainSerializer(_with_offset, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A moment in an envelope. Both sides keep moments as naive local times (the replica and
the hub's columns); on the wire one carries its UTC offset (`2026-11-20T08:00:00+03:00`),
so it names the same instant wherever it is read, and it is read back as this machine's
local time."""


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
    """`history_id` is the identity of the hub's history the device last pulled from: if
    the hub's differs (it was restored from backup), nothing is applied, so the device
    first offers what the restored hub lacks and only then its newer changes."""

    changes: list[Change] = Field(max_length=MAX_PUSH_BATCH)
    history_id: str = Field(default="", max_length=64)


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
    history_id: str = ""


# --- live -----------------------------------------------------------------------


class LiveAnswer(Envelope):
    """The answer of the live channel (`GET /sync/live?after=SEQ`): `changed` when
    something in the device's scope was written after SEQ (then it pulls), else the hub
    held the request as long as it holds one and the device asks again. `sequence` is
    the highest the answering hub process knows of."""

    changed: bool
    sequence: int


# --- pull -----------------------------------------------------------------------


class TablePage(Envelope):
    """Rows of one table, columnar: `columns` once, then one list of values a row."""

    table: str
    columns: list[str]
    rows: list[tuple[Any, ...]]


class PullPage(Envelope):
    """A page of changes. Id-valued cells are indexes into `refs`, each id sent once a page.
    `history_id` names the hub's history; it changes when the hub is restored from backup
    (`cp2hub.history`), and the cursor of another history means nothing."""

    cursor: int
    more: bool
    tables: list[TablePage]
    refs: list[str] = Field(default_factory=list)
    reset: bool = False
    scope_key: str = ""
    history_id: str = ""


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


@cache
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


@cache
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
    """Builds a PullPage: rows by table, ids replaced by indexes into one list of refs.

    Takes rows as a database driver returns them: dates and times as objects or as ISO
    8601 text (SQLite stores them so), booleans as bools or as 0 and 1. Works column by
    column: each id column is mapped through one dict, each date or time column to ISO
    text, each boolean column to a bool, the rest passed as they are; the page is
    assembled with `model_construct` (its values are this module's own, so validating
    them again would only cost time).
    """

    def __init__(self) -> None:
        self.refs: list[str] = []
        self._index: dict[str, int] = {}
        self.tables: list[TablePage] = []

    def add_tuples(self, table: str, rows: list[Any]) -> None:
        """Add rows given as sequences in the order of the table's wire columns."""
        if not rows:
            return
        columns, refs, parsers = table_layout(table)
        flags = _booleans(table)
        cells = list(zip(*rows, strict=True))
        index, known = self._index, self.refs
        for i, name in enumerate(columns):
            column = cells[i]
            if name in refs:
                for value in dict.fromkeys(column):
                    if value is not None and value not in index:
                        index[value] = len(known)
                        known.append(value)
                cells[i] = list(map(index.get, column))  # index.get(None) is None
            elif name in parsers:
                cells[i] = [v if v is None or v.__class__ is str else v.isoformat() for v in column]
            elif name in flags:
                cells[i] = [v if v is None or v.__class__ is bool else bool(v) for v in column]
        rows = list(zip(*cells, strict=True))
        self.tables.append(TablePage.model_construct(table=table, columns=list(columns), rows=rows))

    def page(self, cursor: int, more: bool, reset: bool = False) -> PullPage:
        return PullPage.model_construct(
            cursor=cursor,
            more=more,
            tables=self.tables,
            refs=self.refs,
            reset=reset,
            scope_key="",
            history_id="",
        )


@cache
def _booleans(table: str) -> frozenset[str]:
    return frozenset(n for n, t in column_types(RECORD_BY_TABLE[table]).items() if t is bool)


_NAMESPACE_BYTES = NAMESPACE.bytes
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def natural_ids(table: str, *key_columns: list) -> list[str]:
    """`records.natural_id(table, *parts)` (a UUID version 5) of each row whose key parts
    are given column by column, without the uuid module's object overhead: the SHA-1 of
    the namespace and the table is taken once, and the version and variant are set in
    the digest's hex text."""
    base = sha1(_NAMESPACE_BYTES + table.encode() + b"/")
    variant = _VARIANT
    out = []
    for parts in zip(*key_columns, strict=True):
        digest = base.copy()
        digest.update("/".join(map(str, parts)).encode())
        h = digest.hexdigest()
        out.append(f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{variant[h[16]]}{h[17:20]}-{h[20:32]}")
    return out


def read_table(page: PullPage, table_page: TablePage) -> tuple[tuple[str, ...], list[tuple]]:
    """Decode one table of a page: (column names, rows as tuples of Python values); see
    `read_columns`."""
    columns, cells = read_columns(page, table_page)
    return columns, list(zip(*cells, strict=True))


def read_columns(page: PullPage, table_page: TablePage) -> tuple[tuple[str, ...], list[list]]:
    """Decode one table of a page column by column: (column names, one list of Python
    values per column; no lists at all when the table has no rows), ids restored (a
    natural-key table gets its `id` as the last column). Checks the page as it goes:
    unknown tables or columns, rows of the wrong width, cells of the wrong type and
    references outside the page raise ProtocolError, before anything is applied."""
    table = table_page.table
    if table not in RECORD_BY_TABLE:
        raise ProtocolError(f"The hub sent rows of an unknown table '{table}'.")
    columns, refs, parsers = table_layout(table)
    if list(columns) != table_page.columns:
        raise ProtocolError(f"The hub sent unexpected columns for '{table}'.")
    rows = table_page.rows
    key = NATURAL_KEYS.get(table)
    out_columns = (*columns, "id") if key else columns
    if not rows:
        return out_columns, []
    width = len(columns)
    if any(len(values) != width for values in rows):
        raise ProtocolError(f"The hub sent a damaged row for '{table}'.")
    cells = [list(c) for c in zip(*rows, strict=True)]
    for i, name, allowed in _plain_types(table):
        if not {type(v) for v in cells[i]} <= allowed:
            raise ProtocolError(f"The hub sent a wrong value of '{name}' in '{table}'.")
    ref_list = page.refs
    for i, name in enumerate(columns):
        column = cells[i]
        if name in refs:
            if not {type(v) for v in column} <= _REF_TYPES:
                raise ProtocolError(f"The hub sent a damaged reference in '{table}'.")
            found = [v for v in column if v is not None]
            if found and (min(found) < 0 or max(found) >= len(ref_list)):
                raise ProtocolError(f"The hub sent a damaged reference in '{table}'.")
            cells[i] = [v if v is None else ref_list[v] for v in column]
        elif name in parsers:
            parse = parsers[name]
            try:
                cells[i] = [v if v is None else parse(v) for v in column]
            except (TypeError, ValueError) as exc:
                raise ProtocolError(f"The hub sent a damaged '{name}' in '{table}'.") from exc
    if key:
        positions = [columns.index(k) for k in key]
        cells.append(natural_ids(table, *(cells[i] for i in positions)))
    return out_columns, cells


_REF_TYPES = frozenset({int, _NONE})


def read_rows(page: PullPage, table_page: TablePage) -> list[dict[str, Any]]:
    """Decode one table of a page into row dicts with Python values, ids restored."""
    columns, rows = read_table(page, table_page)
    return [dict(zip(columns, row, strict=True)) for row in rows]
