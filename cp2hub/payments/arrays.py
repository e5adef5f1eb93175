"""Many payment rows in one statement: on PostgreSQL each column goes as one array.

A payment run writes every row of a chunk the same way (the payments paid, their
claims marked paid, the outbox's records). psycopg's pipelined executemany still has
the server plan and run one statement per row, and an `IN (...)` of 1,000 keys is a
query text of 1,000 placeholders that psycopg parses afresh each time. Sent as arrays
and unnested by the server (`UPDATE ... FROM unnest(...)`, `INSERT ... SELECT * FROM
unnest(...)`, `= ANY(...)`), a chunk is one statement with one parameter a column:
measured on 20,000 rows, inserts took half the time and updates two thirds. SQLite,
in-process, has no round trips to save: there the same calls are plain executemany
and `IN`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, any_, bindparam, insert, literal, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def among(session: Session, column: ColumnElement, keys: Sequence[str]) -> ColumnElement[bool]:
    """`column` is one of `keys`: `= ANY(array)` on PostgreSQL, `IN` elsewhere."""
    if _postgres(session):
        return column == any_(literal(list(keys), ARRAY(column.type)))
    return column.in_(keys)


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys, each a column of `table`)."""
    if not rows:
        return
    if not _postgres(session):
        session.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    arrays = ", ".join(
        f"CAST(:a{i} AS {table.c[name].type.compile(dialect)}[])" for i, name in enumerate(names)
    )
    into = f"{quote(table.name)} ({', '.join(quote(name) for name in names)})"
    session.execute(
        text(f"INSERT INTO {into} SELECT * FROM unnest({arrays})"),
        {f"a{i}": [row[name] for row in rows] for i, name in enumerate(names)},
    )


def update_by_key(
    session: Session,
    table: Table,
    key: str,
    rows: Sequence[Mapping[str, Any]],
    same: Mapping[str, Any] | None = None,
) -> None:
    """Update `table`'s rows whose `key` column is each row's `key`, to that row's other
    values, and all of them to `same` (column -> value)."""
    if not rows:
        return
    same = dict(same or {})
    names = [name for name in rows[0] if name != key]
    if not _postgres(session):
        stmt = update(table).where(table.c[key] == bindparam(f"b_{key}"))
        stmt = stmt.values({name: bindparam(f"b_{name}") for name in names} | same)
        session.execute(stmt, [{f"b_{name}": value for name, value in r.items()} for r in rows])
        return
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    columns = [key, *names]
    arrays = ", ".join(
        f"CAST(:a{i} AS {table.c[name].type.compile(dialect)}[])" for i, name in enumerate(columns)
    )
    sets = [f"{quote(name)} = v.{quote(name)}" for name in names]
    sets += [f"{quote(name)} = :s_{name}" for name in same]
    target = quote(table.name)
    session.execute(
        text(
            f"UPDATE {target} SET {', '.join(sets)} "
            f"FROM unnest({arrays}) AS v({', '.join(quote(name) for name in columns)}) "
            f"WHERE {target}.{quote(key)} = v.{quote(key)}"
        ),
        {f"a{i}": [row[name] for row in rows] for i, name in enumerate(columns)}
        | {f"s_{name}": value for name, value in same.items()},
    )
