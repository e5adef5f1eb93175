"""Whom a write reaches: short tags naming the scopes a changed row is visible in.

The live channel (`cp2hub.live`) wakes a held device only when a commit touched one of
the tags its scope is made of, so ten thousand held devices never each run a query for
every commit. A tag is a letter and a short digest of an id: `s` a station (a centre
or distribution centre), `p` a professional (their own rows), `u` a user account; `*`
reaches everyone (reference tables, stations, and anything too wide to name). Two ids
whose digests collide only wake a device that then finds nothing new: a tag may name
more than it should, never less.

Tags are gathered as rows are stamped with their sequence (`cp2hub.feed`) and written,
in the same transaction, as one `feed_touch` row under the transaction's highest
sequence (`settle`); on PostgreSQL a NOTIFY in that transaction tells every hub process
at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from cp2hub import models as m

EVERYONE = "*"
CHANNEL = "cp2hub_feed"
"""The PostgreSQL channel every hub process LISTENs on; the payload is the sequence."""
WIDEST = 2_000
"""More people than this behind one write (claims computed for a series, a vacancy's
applicants): the write reaches everyone, rather than the transaction naming them all."""

_STATIONS = {
    "attendance": ("station_id",),
    "deployment": ("station_id",),
    "redeployment": ("from_station_id", "to_station_id"),
    "session_signoff": ("station_id",),
    "material_movement": ("station_id", "centre_id"),
    "requirement": ("station_id",),
}
_PEOPLE = {
    "attendance": "professional_id",
    "deployment": "professional_id",
    "redeployment": "professional_id",
    "material_movement": "professional_id",
    "work_experience": "professional_id",
    "qualification": "professional_id",
    "application": "professional_id",
    "claim": "professional_id",
    "professional": "id",
}
_USERS = {"app_user": "id", "role_grant": "user_id"}
_SEEN_BY_THEIR_CENTRES = {"professional", "claim"}
"""A person's record reaches the centres they are deployed to, a claim their directors:
both through the stations of the person's deployments."""
_NAMED = set(_PEOPLE) | set(_USERS) | set(_STATIONS) | {"vacancy"}
"""Tables whose rows name whom they reach; a write to any other reaches everyone."""

KEY = "reach"


def tag(kind: str, identifier: str) -> str:
    """`kind` (s, p, u) and a 48-bit digest of the id: 13 characters however long the id."""
    return kind + hashlib.blake2b(identifier.encode(), digest_size=6).hexdigest()


class Touched:
    """What one transaction's writes reach, gathered as they are stamped."""

    __slots__ = ("last_seq", "tags", "people", "vacancies")

    def __init__(self) -> None:
        self.last_seq = 0
        self.tags: set[str] = set()
        self.people: set[str] = set()
        self.vacancies: set[str] = set()

    def add(self, table: str, value: Callable[[str], Any]) -> None:
        """Note one written row of `table`, whose column values `value(name)` gives."""
        if table not in _NAMED:
            self.tags.add(EVERYONE)
            return
        for column in _STATIONS.get(table, ()):
            station = value(column)
            if station:
                self.tags.add(tag("s", station))
        person = _PEOPLE.get(table)
        if person and (pid := value(person)):
            self.tags.add(tag("p", pid))
            if table in _SEEN_BY_THEIR_CENTRES:
                self.people.add(pid)
        user = _USERS.get(table)
        if user and (uid := value(user)):
            self.tags.add(tag("u", uid))
        if table == "vacancy":
            self.vacancies.add(value("id"))


def touched(session: Session) -> Touched:
    found = session.info.get(KEY)
    if found is None:
        found = session.info[KEY] = Touched()
    return found


def note_objects(session: Session, objects: Iterable[Any], last_seq: int) -> None:
    """ORM objects just given sequences up to `last_seq`."""
    into = touched(session)
    into.last_seq = max(into.last_seq, last_seq)
    for obj in objects:
        into.add(obj.__tablename__, lambda name, obj=obj: getattr(obj, name, None))


def note_rows(session: Session, rows: Iterable[tuple[type, dict]], last_seq: int) -> None:
    """Plain rows (model, values) just given sequences up to `last_seq`."""
    into = touched(session)
    into.last_seq = max(into.last_seq, last_seq)
    for model, row in rows:
        into.add(model.__tablename__, row.get)


def settle(session: Session) -> None:
    """Before the transaction commits: record what it reached, and on PostgreSQL tell the
    other processes (NOTIFY is delivered at commit, and only if it commits)."""
    session.flush()  # the last changes are stamped (and noted) before this one is written
    found: Touched | None = session.info.pop(KEY, None)
    if found is None or not found.last_seq:
        return
    tags = found.tags
    if EVERYONE not in tags:
        tags |= _through_deployments(session, found.people)
    if EVERYONE not in tags:
        tags |= _applicants(session, found.vacancies)
    words = [EVERYONE] if EVERYONE in tags else sorted(tags)
    row = {"seq": found.last_seq, "tags": " ".join(words), "made_at": _now()}
    session.execute(insert(m.FeedTouch.__table__), row)
    if session.get_bind().dialect.name == "postgresql":
        notice = {"channel": CHANNEL, "seq": str(found.last_seq)}
        session.execute(text("SELECT pg_notify(:channel, :seq)"), notice)


def forget(session: Session) -> None:
    """After a rollback: nothing of it reached anyone."""
    session.info.pop(KEY, None)


def _through_deployments(session: Session, people: set[str]) -> set[str]:
    if not people:
        return set()
    if len(people) > WIDEST:
        return {EVERYONE}
    stations = session.scalars(
        select(m.Deployment.station_id).where(m.Deployment.professional_id.in_(people)).distinct()
    )
    return {tag("s", s) for s in stations}


def _applicants(session: Session, vacancies: set[str]) -> set[str]:
    if not vacancies:
        return set()
    people = session.scalars(
        select(m.Application.professional_id)
        .where(m.Application.vacancy_id.in_(vacancies))
        .distinct()
        .limit(WIDEST + 1)
    ).all()
    if len(people) > WIDEST:
        return {EVERYONE}
    return {tag("p", p) for p in people}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
