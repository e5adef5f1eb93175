"""Small lookups the rules share."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cp2hub.models import AppUser, ExamSession, Professional, Station
from cp2hub.push_context import PushContext, Refused

DATA_SKIP = ("id", "seq")


def copy_fields(obj: Any, row: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
    for name, value in row.items():
        if name not in DATA_SKIP and name not in skip:
            setattr(obj, name, value)


def who(session: Session, user_id: str | None) -> str:
    user = session.get(AppUser, user_id) if user_id else None
    return user.display_name or user.phone if user else "someone"


def officer_name(session: Session, professional_id: str) -> str:
    person = session.get(Professional, professional_id)
    return person.full_name if person else "this officer"


def session_label(session: Session, session_id: str) -> str:
    sitting = session.get(ExamSession, session_id)
    if sitting is None:
        return "an unknown session"
    return f"{sitting.day:%a %d %b} {sitting.slot}"


def station_in_scope(
    ctx: PushContext, station_id: str, *roles: str, known: dict[str, Any] | None = None
) -> Station:
    """The station, if the caller holds one of `roles` there or directs its sub-county;
    `known` is stations already looked up (rows with id, name and sub_county_id)."""
    station = known.get(station_id) if known is not None else None
    if station is None:
        station = ctx.session.get(Station, station_id)
    if station is None:
        raise Refused("That duty station is not known to the hub.")
    if station.id in ctx.principal.stations(*roles):
        return station
    if station.sub_county_id in ctx.principal.sub_counties("tsc_director", "scde"):
        return station
    raise Refused(f"{station.name} is outside the centres you are responsible for.")
