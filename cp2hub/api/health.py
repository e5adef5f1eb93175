"""Liveness: the hub answers and reaches its database."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import text

from cp2desk.sync.protocol import PROTOCOL_VERSION
from cp2hub.api.deps import get_db
from cp2hub.db import Database

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    protocol: int
    database: str


@router.get("/health")
def health(db: Annotated[Database, Depends(get_db)]) -> Health:
    with db.read() as session:
        session.execute(text("select 1"))
    return Health(status="ok", protocol=PROTOCOL_VERSION, database=db.engine.dialect.name)
