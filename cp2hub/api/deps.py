"""Dependencies shared by the routes: database, settings, protocol check, the caller.

They are `async def`, so FastAPI runs them on the event loop instead of handing each to
a worker thread. A route that takes `CurrentUser` needs a token: the request gate
(`cp2hub.limits`) sees that dependency, checks the token in a worker thread before the
body is read, and leaves the caller in `request.state` for `get_principal`."""

from __future__ import annotations

from typing import Annotated, Any

import fastapi.routing
from fastapi import Depends, Header, Request
from fastapi.security import HTTPBearer
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from cp2desk.sync.protocol import MIN_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION
from cp2hub import auth
from cp2hub.auth import Principal
from cp2hub.db import Database
from cp2hub.errors import UpdateRequired
from cp2hub.settings import Settings


async def get_db(request: Request) -> Database:
    return request.app.state.db


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def check_protocol(
    sent: Annotated[
        str | None,
        Header(
            alias=PROTOCOL_HEADER,
            description="The client's protocol version; without it, the hub's own.",
        ),
    ] = None,
) -> None:
    """Refuse clients whose protocol this hub no longer speaks, with a clear message."""
    try:
        version = int(sent) if sent is not None else PROTOCOL_VERSION
    except ValueError:
        version = -1
    if version < MIN_PROTOCOL_VERSION or version > PROTOCOL_VERSION:
        raise UpdateRequired(
            "This version of CP2 Desk is too old for the hub. Please update CP2 Desk."
            if version < MIN_PROTOCOL_VERSION
            else "The hub is older than this CP2 Desk; it will be updated soon."
        )


BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="deviceToken",
    description="The access token of a signed-in device (`POST /auth/login`).",
)
"""Declares the bearer scheme in the API's description; the gate does the checking."""


async def get_principal(
    request: Request, _token: Annotated[object, Depends(BEARER)] = None
) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None:  # an app without the gate
        principal = await caller(request.scope)
    return principal


async def caller(scope: Scope) -> Principal:
    """The caller of a request from its Authorization header (HubError if none)."""
    header = next((v for k, v in scope["headers"] if k == b"authorization"), b"").decode("latin-1")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    return await run_in_threadpool(_authenticate, scope["app"].state.db, token)


def _authenticate(db: Database, token: str | None) -> Principal:
    with db.read() as session:
        return auth.authenticate(session, token)


def api_routes(app: Starlette) -> list[Any]:
    """The app's API routes with their full paths and every dependency, routers' included
    (FastAPI from 0.16x keeps an included router's routes inside it)."""
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = flatten(app.routes) if flatten else app.routes
    return [r for r in routes if getattr(r, "dependant", None) is not None]


def needs_token(route: Any) -> bool:
    """Whether a route takes the caller (`CurrentUser`), directly or through another
    dependency."""
    return depends_on(route, get_principal)


def depends_on(route: Any, call: object) -> bool:
    """Whether an API route runs the dependency `call`, directly or through another."""
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        if dependant.call is call:
            return True
        pending.extend(dependant.dependencies)
    return False


CurrentUser = Annotated[Principal, Depends(get_principal)]
DB = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]
