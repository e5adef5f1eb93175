"""Custody of exam materials: a clerk logs each collection and return at their container."""

from __future__ import annotations

from typing import Any

from cp2desk.sync.protocol import Change
from cp2hub.models import MaterialMovement, Station
from cp2hub.push import PushContext, Refused
from cp2hub.rules.common import copy_fields


def apply(ctx: PushContext, change: Change, row: dict[str, Any]) -> MaterialMovement:
    if row["station_id"] not in ctx.principal.stations("knec_clerk"):
        raise Refused("Only the clerk of this distribution centre can log its materials.")
    centre = ctx.session.get(Station, row["centre_id"])
    if centre is None or centre.distribution_centre_id != row["station_id"]:
        raise Refused("That examination centre does not collect from this distribution centre.")
    movement = ctx.session.get(MaterialMovement, row["id"])
    if movement is None:
        movement = MaterialMovement(id=row["id"])
        ctx.session.add(movement)
    elif movement.station_id != row["station_id"]:
        raise Refused("That record belongs to another distribution centre.")
    copy_fields(movement, row)
    return movement
