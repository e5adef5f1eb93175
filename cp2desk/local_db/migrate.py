"""Schema migrations of the replica, applied by `Replica` when it opens a file.

The Alembic configuration is built here in code: the app never looks for an
`alembic.ini` in the working directory, and migrations run on the replica's own
engine. Alembic is imported only when a file actually needs migrating, so opening a
replica that is already at `HEAD` (every start but the first after an update) costs
one read of `alembic_version` and nothing more.

For developers, after changing `models.py`:

    python3 -m cp2desk.local_db.migrate revision "what changed"

writes the next revision by autogenerate into `migrations/versions/`; review it,
then set `HEAD` below to its id.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine

from cp2desk.local_db.errors import ReplicaFromNewerApp

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

HEAD = "0004"
"""The newest revision this version of the app knows; a test keeps it equal to the script head."""

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the replica, built in code (no ini file)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def known_revision(revision: str) -> bool:
    """Whether `revision` is one of this app's revisions (an unknown one is from a newer app)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(alembic_config())
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: Engine, path: Path, current: str | None) -> None:
    """Bring the file to `HEAD` in one transaction; `current` is its revision as read at open."""
    from alembic import command

    if current is not None and not known_revision(current):
        raise ReplicaFromNewerApp(
            path,
            f"it was written by a newer version of CP2 Desk (schema revision {current!r}, "
            f"this version knows up to {HEAD!r})",
        )
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), "head")


def _autogenerate(message: str) -> None:
    """Write the next revision from the difference between HEAD and the models."""
    from alembic import command

    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'head.sqlite3'}")
        with engine.begin() as connection:
            config = alembic_config(connection)
            command.upgrade(config, "head")
            rev_id = f"{int(HEAD) + 1:04d}"
            command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        sys.exit('usage: python3 -m cp2desk.local_db.migrate revision "what changed"')
    _autogenerate(sys.argv[2])
