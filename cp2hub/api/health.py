"""Whether the hub can take requests, for devices, operators and the load balancer.

- `/health/live`: the process answers. Nothing else is looked at, so a worker whose
  database is down is not restarted for it (restarting would not bring the database back).
- `/health/ready`: the database answers and is at the newest migration this hub knows.
  Until it is, the load balancer sends the worker nothing: a hub on an older schema
  would fail its requests, one on a newer schema (migrated by a newer hub) could write
  rows that schema no longer means. The answer says what is wrong and what to do.
- `/health`: what devices ask before they sync (the protocol version and the database).

All three are answered without a token. A load balancer probes every few seconds, so
the readiness check costs one small query (and a `stat` on a SQLite file); the packaged
migrations are read once per process. The database's own error goes to the log, not into
the answer: the answer is public, the log is the operators'.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from dataclasses import dataclass
from typing import Annotated

from alembic.script import ScriptDirectory
from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from cp2desk.sync.protocol import PROTOCOL_VERSION, ProblemDetail
from cp2hub.api.deps import get_db
from cp2hub.db import Database
from cp2hub.errors import HubError
from cp2hub.schema import alembic_config, current_revision, head_revision

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])
NO_STORE = {"Cache-Control": "no-store"}


class Health(BaseModel):
    status: str
    protocol: int
    database: str


@router.get("/health")
def health(db: Annotated[Database, Depends(get_db)]) -> Health:
    with db.read() as session:
        session.execute(text("select 1"))
    return Health(status="ok", protocol=PROTOCOL_VERSION, database=db.engine.dialect.name)


class Live(BaseModel):
    """The process answers."""

    status: str
    protocol: int


class Ready(BaseModel):
    """The database answers and is at `revision`, the newest migration this hub knows."""

    status: str
    database: str
    revision: str


class NotReady(HubError):
    status = 503
    code = "not_ready"


NOT_READY = {
    503: {
        "model": ProblemDetail,
        "description": "Not ready: the database does not answer, or is not at this hub's "
        "newest migration (the message says which and what to do).",
    }
}


@router.get("/health/live")
def live(response: Response) -> Live:
    response.headers.update(NO_STORE)
    return Live(status="ok", protocol=PROTOCOL_VERSION)


@router.get("/health/ready", responses=NOT_READY)
def ready(db: Annotated[Database, Depends(get_db)], response: Response) -> Ready:
    response.headers.update(NO_STORE)
    problem = readiness_problem(db)
    _watch.note(problem)
    if problem is not None:
        raise NotReady(problem.message)
    return Ready(status="ok", database=db.engine.dialect.name, revision=packaged().head)


@dataclass(frozen=True)
class Problem:
    """Why a hub is not ready: `message` for the answer, `detail` for the log only."""

    message: str
    detail: str = ""


class Packaged:
    """The migrations this hub carries: the newest, and every one it knows."""

    def __init__(self) -> None:
        self.head = head_revision()
        scripts = ScriptDirectory.from_config(alembic_config())
        self.known = {script.revision for script in scripts.walk_revisions()}


@functools.cache
def packaged() -> Packaged:
    return Packaged()


def readiness_problem(db: Database) -> Problem | None:
    """None when the hub can take requests on `db`, else what is wrong."""
    gone = _missing_sqlite_file(db)
    if gone:
        return Problem(
            f"The database file {os.path.basename(gone)} is gone (deleted, or its disk "
            "unmounted): this hub takes no requests until it is back.",
            f"no file at {gone}",
        )
    try:
        revision = current_revision(db)
    except SQLAlchemyError as error:
        return Problem(
            "The hub cannot reach its database (the hub's log says why).", _reason(error, db)
        )
    wanted = packaged()
    if revision == wanted.head:
        return None
    if revision is None:
        return Problem(
            f"The database has no schema; this hub needs {wanted.head}: run cp2hub migrate."
        )
    if revision not in wanted.known:
        return Problem(
            f"The database is at revision {revision}, newer than this hub knows (its newest "
            f"is {wanted.head}): a newer hub migrated it, so run that version of the hub."
        )
    return Problem(
        f"The database is at revision {revision}; this hub needs {wanted.head}: run cp2hub migrate."
    )


def _missing_sqlite_file(db: Database) -> str | None:
    """The path of the hub's SQLite file if it is no longer there. Connections opened
    before it went keep writing to the deleted file, and the query alone would not notice."""
    if not db.is_sqlite:
        return None
    path = make_url(db.url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return None if os.path.exists(path) else path


def _reason(error: SQLAlchemyError, db: Database) -> str:
    """The driver's first line, with the URL's password blanked should a driver echo it."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    reason = lines[0].strip() if lines else type(cause).__name__
    password = make_url(db.url).password
    return reason.replace(password, "***") if password else reason


class _Watch:
    """Logs when this process's readiness changes, and why: once per change, not once
    per probe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: str | None = None

    def note(self, problem: Problem | None) -> None:
        said = None if problem is None else f"{problem.message} {problem.detail}"
        with self._lock:
            if said == self._last:
                return
            was_ready = self._last is None
            self._last = said
        if problem is not None:
            log.warning("not ready: %s %s", problem.message, problem.detail)
        elif not was_ready:
            log.info("ready again")


_watch = _Watch()
