"""Alembic's environment for the hub: always given a live connection by cp2hub.schema.

There is no alembic.ini: `cp2hub.schema` builds the Config in code and passes the
connection in `config.attributes["connection"]`, so migrations run on the same
engine (and SQLite pragmas) the hub uses.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from cp2hub.models import Base

MIGRATION_LOCK = 48_216_001
"""PostgreSQL advisory lock key: hub workers starting together migrate one at a time."""


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copy-and-move
        compare_type=True,
        # One transaction for the whole upgrade on SQLite too (Alembic's SQLite default is one
        # a migration): workers starting together read the revision under the write lock
        # (BEGIN IMMEDIATE), so only the first applies each migration.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("select pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("cp2hub migrations run online only: use `cp2hub migrate`.")
run_migrations_online()
