"""Who is behind a request to a web page: the dependencies the pages take.

`Visitor` is the browser's session, found from its cookie in one query (or none yet);
`SignedIn` is the principal of a signed-in visitor (anyone else is sent to sign in), and
`requires_role(...)` lets in only the holders of a role, so a page says "admin only"
with one parameter. The cookie is HttpOnly, SameSite=Lax, and Secure when the request
came over https or `Settings.web_secure_cookie` says so (a hub behind a proxy that ends
TLS without telling it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Response

from cp2hub.accounts import local_number
from cp2hub.auth import Principal, utcnow
from cp2hub.db import Database
from cp2hub.settings import Settings
from cp2hub.web import sessions
from cp2hub.web.errors import PageForbidden, SignInNeeded

COOKIE = "cp2_session"


class Visitor:
    """A browser's session as one request sees it, and the cookie its answer must carry."""

    def __init__(self, request: Request, visit: sessions.Visit | None) -> None:
        self.request = request
        self.visit = visit
        self._cookie: str | None = None  # a new session's id, to be set
        self._drop_cookie = False
        self._flash_taken = False

    @property
    def db(self) -> Database:
        return self.request.app.state.db

    @property
    def settings(self) -> Settings:
        return self.request.app.state.settings

    @property
    def principal(self) -> Principal | None:
        return self.visit.principal if self.visit else None

    @property
    def name(self) -> str:
        """How the header names the signed-in person: their name, else their number."""
        if self.principal is None:
            return ""
        return self.visit.display_name or local_number(self.principal.phone)

    def csrf_token(self) -> str:
        """The token every form of this session carries; a first form begins a session."""
        if self.visit is None:
            self._begin(None)
        return self.visit.csrf_token

    def token_matches(self, sent: str | None) -> bool:
        return sessions.token_matches(self.visit, sent)

    def flash(self, message: str) -> None:
        """Show `message` on the next page this browser opens (after a redirect)."""
        if self.visit is None:
            self._begin(None)
        with self.db.write() as session:
            sessions.set_flash(session, self.visit.id_hash, message)

    def take_flash(self) -> str | None:
        """The message left for this page, shown once."""
        if self.visit is None or not self.visit.flash or self._flash_taken:
            return None
        self._flash_taken = True
        with self.db.write() as session:
            sessions.set_flash(session, self.visit.id_hash, None)
        return self.visit.flash

    def sign_in(self, user_id: str) -> None:
        """Begin a signed-in session in place of this one (new id, new CSRF token)."""
        with self.db.write() as session:
            if self.visit is not None:
                sessions.end(session, self.visit.id_hash)
            self._begin_in(session, user_id)
        with self.db.read() as session:
            self.visit = sessions.find(session, self._cookie)

    def sign_out(self) -> None:
        """Log out: the session's row is deleted on the hub and the cookie dropped."""
        if self.visit is not None:
            with self.db.write() as session:
                sessions.end(session, self.visit.id_hash)
        self.visit = None
        self._drop_cookie = True

    def _begin(self, user_id: str | None) -> None:
        with self.db.write() as session:
            self._begin_in(session, user_id)
        with self.db.read() as session:
            self.visit = sessions.find(session, self._cookie)

    def _begin_in(self, session, user_id: str | None) -> None:
        self._cookie, _ = sessions.begin(session, user_id, self.settings.web_session_minutes)
        self._drop_cookie = False

    def keep(self, response: Response) -> None:
        """Set (or drop) the session's cookie on the answer, as this request left it."""
        if self._cookie:
            response.set_cookie(
                COOKIE,
                self._cookie,
                httponly=True,
                samesite="lax",
                secure=self._secure(),
                path="/",
            )
        elif self._drop_cookie:
            response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")

    def _secure(self) -> bool:
        return self.request.url.scheme == "https" or self.settings.web_secure_cookie


def visitor_of(request: Request) -> Visitor:
    """The request's visitor, found once per request (pages, error pages, the layout)."""
    visitor = getattr(request.state, "visitor", None)
    if visitor is None:
        settings: Settings = request.app.state.settings
        db: Database = request.app.state.db
        with db.read() as session:
            visit = sessions.find(session, request.cookies.get(COOKIE))
        if visit is not None:
            end = sessions.next_end(visit, settings.web_session_minutes, settings.web_session_hours)
            if end is not None:
                with db.write() as session:
                    sessions.slide(session, visit.id_hash, end)
                if end <= utcnow():  # past its longest life: it opens nothing
                    visit = None
        visitor = request.state.visitor = Visitor(request, visit)
    return visitor


def get_visitor(request: Request) -> Visitor:
    return visitor_of(request)


def get_signed_in(request: Request, visitor: Annotated[Visitor, Depends(get_visitor)]) -> Principal:
    if visitor.principal is None:
        raise SignInNeeded(request.url.path)
    return visitor.principal


def requires_role(*roles: str, refusal: str) -> Callable[..., Principal]:
    """A dependency that lets in a signed-in holder of one of `roles`; anyone else signed
    in gets a 403 page saying `refusal` (e.g. "This page is for KNEC administrators
    only.")."""

    def holder(principal: Annotated[Principal, Depends(get_signed_in)]) -> Principal:
        if not any(principal.has(role) for role in roles):
            raise PageForbidden(refusal)
        return principal

    return holder


VisitorDep = Annotated[Visitor, Depends(get_visitor)]
SignedIn = Annotated[Principal, Depends(get_signed_in)]
