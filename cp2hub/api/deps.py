"""Dependencies shared by the routes: database, settings, protocol check, the caller.

Those that never wait (database handle, settings, protocol check) are `async def`, so
FastAPI runs them on the event loop instead of handing each to a worker thread; the
caller's lookup reads the database and stays a plain function."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

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


async def check_protocol(request: Request) -> None:
    """Refuse clients whose protocol this hub no longer speaks, with a clear message."""
    sent = request.headers.get(PROTOCOL_HEADER)
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


def get_principal(request: Request, db: Annotated[Database, Depends(get_db)]) -> Principal:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    with db.read() as session:
        return auth.authenticate(session, token)


CurrentUser = Annotated[Principal, Depends(get_principal)]
DB = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]
