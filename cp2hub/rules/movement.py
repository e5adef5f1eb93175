"""Custody of exam materials: a clerk logs each collection and return at their container.

A movement's id is natural: one collection and one return per centre per session
(`natural_id('material_movement', centre, session, kind)`), so logging it again is a
correction of the same row. Two corrections cross by last-writer-wins on the clock;
the later one stands and the earlier device is told, with its values kept in its issues.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from cp2desk.sync.clock import wins
from cp2desk.sync.protocol import Change
from cp2desk.sync.records import natural_id
from cp2hub.models import ExamSession, MaterialMovement, Professional, Station
from cp2hub.push_context import CLOCK_SKEW_LIMIT_MS, Conflict, PushContext, Refused
from cp2hub.rules.authorship import wall_clock
from cp2hub.rules.common import copy_fields, session_label, who

KIND_WORDS = {"collect": "collection", "return": "return"}
MAX_SEALS_TEXT = 2000
"""The seals column is unbounded text; a handover has tens of seals, never thousands."""


def apply(ctx: PushContext, change: Change, row: dict[str, Any]) -> MaterialMovement:
    if row["station_id"] not in ctx.principal.stations("knec_clerk"):
        raise Refused("Only the clerk of this distribution centre can log its materials.")
    centre = ctx.session.get(Station, row["centre_id"])
    if centre is None or centre.distribution_centre_id != row["station_id"]:
        raise Refused("That examination centre does not collect from this distribution centre.")
    if row["kind"] not in KIND_WORDS:
        raise Refused("A handover of materials is either a collection or a return.")
    if len(row["seals"] or "") > MAX_SEALS_TEXT:
        raise Refused("Too many seal numbers for one handover; check what was typed.")
    sitting = ctx.session.get(ExamSession, row["session_id"])
    if sitting is None:
        raise Refused("That session is not in the timetable.")
    _check_time(row["at"], sitting)
    if row["id"] != natural_id(
        "material_movement", row["centre_id"], row["session_id"], row["kind"]
    ):
        raise Refused("The handover does not match its centre, session and kind.")
    # FOR UPDATE: two clerks' corrections of one handover must not both read the old row.
    movement = ctx.session.get(MaterialMovement, row["id"], with_for_update=True)
    if movement is None:
        movement = MaterialMovement(id=row["id"])
        ctx.session.add(movement)
    elif movement.station_id != row["station_id"]:
        raise Refused("That record belongs to another distribution centre.")
    elif not wins(row["hlc"] or 0, row["origin"] or "", movement.hlc or 0, movement.origin or ""):
        raise Conflict(
            f"The {KIND_WORDS[movement.kind]} of {centre.name}'s materials for "
            f"{session_label(ctx.session, movement.session_id)} was logged by "
            f"{who(ctx.session, movement.recorded_by)} later than your entry (handover at "
            f"{movement.at:%H:%M}); that later entry stands.",
            movement,
        )
    copy_fields(movement, row)
    movement.professional_id = _person(ctx, row["person_national_id"])
    return movement


def _check_time(at: dt.datetime | None, sitting: ExamSession) -> None:
    """A handover's time is the clerk's statement, like a check-in; it is bounded: on or
    after the session's day, and not ahead of the hub's clock by more than a clock may be."""
    if at is None:
        raise Refused("Say at what time the materials were handed over.")
    if at > wall_clock() + dt.timedelta(milliseconds=CLOCK_SKEW_LIMIT_MS):
        raise Refused(
            f"The handover time {at:%H:%M on %d %b} is in the future. Check this computer's "
            "date and time, then log it again."
        )
    if at.date() < sitting.day:
        raise Refused(
            f"The materials of {sitting.day:%a %d %b} {sitting.slot} are handed over on "
            f"{sitting.day:%a %d %b}, not before. Check the session chosen."
        )


def _person(ctx: PushContext, national_id: str | None) -> str | None:
    """The professional who holds the ID number, by the hub's records, not the device's."""
    if not national_id:
        return None
    return ctx.session.scalar(
        select(Professional.id)
        .where(Professional.national_id == national_id, Professional.deleted.is_(False))
        .order_by(Professional.id)
        .limit(1)
    )
