"""Custody of exam materials: a clerk logs each collection and return at their container.

A movement's id is natural: one collection and one return per centre per session
(`natural_id('material_movement', centre, session, kind)`), so logging it again is a
correction of the same row. Two corrections cross by last-writer-wins on the clock;
the later one stands and the earlier device is told, with its values kept in its issues.
"""

from __future__ import annotations

from typing import Any

from cp2desk.sync.clock import wins
from cp2desk.sync.protocol import Change
from cp2desk.sync.records import natural_id
from cp2hub.models import ExamSession, MaterialMovement, Station
from cp2hub.push import Conflict, PushContext, Refused
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
    if ctx.session.get(ExamSession, row["session_id"]) is None:
        raise Refused("That session is not in the timetable.")
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
    return movement
