"""The hub's schema lifecycle: upgrade a database to head, and empty it for a reseed.

The hub never calls `create_all`: every database, fresh or old, reaches the models'
shape through the Alembic migrations in `cp2hub/migrations`, so a production
PostgreSQL and a laptop's SQLite file take the same path. `upgrade` runs at every
hub start (serve, seed-demo); it is idempotent and safe when several workers start
at once (PostgreSQL: advisory lock in env.py; SQLite: BEGIN IMMEDIATE).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, delete, exists, select, text

from cp2hub import feed
from cp2hub.db import Database
from cp2hub.models import Base, FeedCounter, HubHistory

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config for the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the hub's migrations must have one head, found {heads}")
    return heads[0]


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(db_or_url: Database | str, revision: str = "head") -> None:
    """Bring the database to `revision` (default head) and make sure the feed counter exists.

    Raises SQLAlchemy's OperationalError when the database cannot be reached; the CLI
    turns that into one line for the person at the terminal.
    """
    db = Database(db_or_url) if isinstance(db_or_url, str) else db_or_url
    try:
        _run_migrations(db, revision)
        with db.write() as session:
            feed.ensure_counter(session)
    finally:
        if db is not db_or_url:
            db.dispose()


def _run_migrations(db: Database, revision: str) -> None:
    with db.engine.connect() as connection:
        if db.is_sqlite:
            # Batch migrations copy tables; SQLite ignores this pragma inside a transaction,
            # so it is set on the raw connection before Alembic begins one.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
            connection.execution_options(sqlite_immediate=True)
        try:
            command.upgrade(alembic_config(connection), revision)
            if db.is_sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.commit()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            if db.is_sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


def autogenerate(message: str, scratch: Path) -> None:
    """Write a new revision from the difference between head and the models.

    `scratch` is a throwaway SQLite file upgraded to head first; review the script it
    writes (autogenerate misses renames and data moves) before committing it.
    """
    db = Database(f"sqlite:///{scratch}")
    try:
        upgrade(db)
        with db.engine.connect() as connection:
            command.revision(alembic_config(connection), message=message, autogenerate=True)
    finally:
        db.dispose()


# --- emptiness, for seeding ---------------------------------------------------------


def _data_tables():
    """Every table holding data: replicated and hub-own, children first. The feed counter
    is kept so sequence numbers never go backwards, even across a reset, and the history's
    seed, so devices are not sent to re-offer everything after a reseed."""
    kept = (FeedCounter.__tablename__, HubHistory.__tablename__)
    return [t for t in reversed(Base.metadata.sorted_tables) if t.name not in kept]


def has_data(db: Database) -> bool:
    with db.read() as session:
        return any(session.scalar(select(exists().select_from(t))) for t in _data_tables())


def clear(db: Database) -> None:
    """Delete every row of every data table, in one transaction."""
    tables = _data_tables()
    with db.write() as session:
        if db.is_sqlite:
            for table in tables:
                session.execute(delete(table))
        else:
            names = ", ".join(db.engine.dialect.identifier_preparer.format_table(t) for t in tables)
            session.execute(text(f"TRUNCATE {names}"))
