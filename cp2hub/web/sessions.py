"""Browsers' sessions on the hub's web pages, kept on the hub (`web_session`).

A session begins before sign-in, when a page first shows a form, because every form
carries the session's CSRF token (the sign-in form too: otherwise another site could
sign a browser in to an account of its choosing). Signing in replaces that session with
a new one (new id, new token), so an id planted in a browser before sign-in opens
nothing. The cookie holds a random id; the table holds only its SHA-256. A session ends
when it has been idle for `Settings.web_session_minutes`, `Settings.web_session_hours`
after it began however busy it is (a stolen cookie kept in use does not live for ever),
or at Log out, which deletes its row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from cp2hub.auth import Grant, Principal, utcnow
from cp2hub.models import AppUser, Professional, RoleGrant, WebSession

WEB_DEVICE = "web"
"""The device of a principal signed in on the web pages (for the hub's logs)."""
SLIDE_EVERY = dt.timedelta(minutes=5)
"""A session's expiry moves forward at most this often, so a page view is a read, not a
write."""


@dataclass(frozen=True)
class Visit:
    """A live session as a request finds it: who (None before sign-in), its CSRF token,
    a message left for this page (shown once), and when it ends."""

    id_hash: str
    principal: Principal | None
    csrf_token: str
    flash: str | None
    expires_at: dt.datetime
    display_name: str = ""
    created_at: dt.datetime | None = None


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _visit_query():
    web, users, grants = WebSession.__table__.c, AppUser.__table__, RoleGrant.__table__
    people = Professional.__table__
    user, grant, person = users.c, grants.c, people.c
    return (
        select(
            web.id_hash,
            web.csrf_token,
            web.flash,
            web.expires_at,
            web.created_at,
            user.id,
            user.phone,
            user.professional_id,
            user.display_name,
            person.first_name,
            person.last_name,
            grant.role,
            grant.station_id,
            grant.sub_county_id,
        )  # fmt: skip
        .select_from(WebSession.__table__)
        .outerjoin(users, (user.id == web.user_id) & user.deleted.is_(False))
        .outerjoin(people, person.id == user.professional_id)
        .outerjoin(grants, (grant.user_id == user.id) & grant.deleted.is_(False))
        .where(web.id_hash == bindparam("id_hash"), web.expires_at > bindparam("now"))
    )


_VISIT = _visit_query()  # built once: every page view runs it


def find(session: Session, session_id: str | None) -> Visit | None:
    """The live session of a cookie's value, with its user and roles: one query."""
    if not session_id or len(session_id) > 100:
        return None
    rows = session.execute(_VISIT, {"id_hash": digest(session_id), "now": utcnow()}).all()
    if not rows:
        return None
    id_hash, csrf, flash, expires, created, user_id, phone, professional_id, name = rows[0][:9]
    name = " ".join(part for part in rows[0][9:11] if part) or name
    principal = None
    if user_id is not None:
        principal = Principal(
            user_id=user_id,
            phone=phone,
            professional_id=professional_id,
            device_id=WEB_DEVICE,
            grants=tuple(Grant(*r[11:]) for r in rows if r[11] is not None),
        )
    return Visit(id_hash, principal, csrf, flash, expires, name or "", created)


def begin(session: Session, user_id: str | None, minutes: int) -> tuple[str, str]:
    """A new session (signed in as `user_id`, or not yet): (the cookie's value, its CSRF
    token). Sessions past their time are deleted on the way."""
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    session_id = secrets.token_urlsafe(32)
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id_hash=digest(session_id),
            user_id=user_id,
            csrf_token=token,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
        )
    )
    return session_id, token


def end(session: Session, id_hash: str) -> None:
    """Log out: the session's row goes, so its cookie opens nothing any more."""
    session.execute(delete(WebSession).where(WebSession.id_hash == id_hash))


def next_end(visit: Visit, minutes: int, hours: int) -> dt.datetime | None:
    """Where a used session's end moves: `minutes` past now, but never past `hours` after
    it began; None when it need not move (moved less than `SLIDE_EVERY` ago, or already
    at its last possible end)."""
    end = utcnow() + dt.timedelta(minutes=minutes)
    if visit.created_at is not None:
        end = min(end, visit.created_at + dt.timedelta(hours=hours))
    if end < visit.expires_at:  # its longest life ends sooner than it would idle
        return end
    if end - visit.expires_at < SLIDE_EVERY:
        return None
    return end


def slide(session: Session, id_hash: str, end: dt.datetime) -> None:
    """Move a used session's end to `end` (from `next_end`)."""
    session.execute(update(WebSession).where(WebSession.id_hash == id_hash).values(expires_at=end))


def set_flash(session: Session, id_hash: str, message: str | None) -> None:
    """Leave `message` for the session's next page (None: take it away once shown)."""
    session.execute(update(WebSession).where(WebSession.id_hash == id_hash).values(flash=message))


def token_matches(visit: Visit | None, sent: str | None) -> bool:
    """Whether a form's CSRF token is its session's (constant time)."""
    if visit is None or not sent:
        return False
    return hmac.compare_digest(visit.csrf_token.encode(), sent.encode())
