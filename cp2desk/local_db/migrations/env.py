"""Alembic environment of the replica: runs on the connection `migrate.upgrade` hands in.

The replica opens its own engine (WAL, BEGIN IMMEDIATE) and passes a connection in
`config.attributes["connection"]`, so migrations run with exactly the settings the app
uses. The whole upgrade is one transaction (SQLite has transactional DDL): a crash or
a full disk in the middle leaves the file at its old revision, never half-migrated.
"""

from __future__ import annotations

from alembic import context

from cp2desk.local_db.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
