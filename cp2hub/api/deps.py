"""Dependencies shared by the routes: the database handle and the settings."""

from __future__ import annotations

from fastapi import Request

from cp2hub.db import Database
from cp2hub.settings import Settings


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings
