"""Session sign-off and reopening: decisions, so optimistic concurrency on the hub."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cp2desk.sync.protocol import Change
from cp2desk.sync.records import natural_id
from cp2hub.models import SessionSignoff
from cp2hub.push import Conflict, PushContext, Refused
from cp2hub.rules.common import copy_fields, session_label, station_in_scope, who


def apply(ctx: PushContext, change: Change, row: dict[str, Any]) -> SessionSignoff:
    s = ctx.session
    if row["id"] != natural_id("session_signoff", row["station_id"], row["session_id"]):
        raise Refused("The sign-off does not match its centre and session.")
    station = station_in_scope(ctx, row["station_id"], "centre_manager", "knec_clerk")
    reopening = row["status"] == "reopened"
    directs = station.sub_county_id in ctx.principal.sub_counties("tsc_director", "scde")
    if reopening and not directs:
        raise Refused("Only the sub-county director can reopen a signed-off session.")
    if row["status"] not in ("signed", "reopened"):
        raise Refused("A sign-off is either signed or reopened.")
    existing = s.get(SessionSignoff, row["id"], with_for_update=True)  # decisions serialise
    if existing is not None and (change.base_hlc or 0) != existing.hlc:
        actor = existing.reopened_by if existing.status == "reopened" else existing.signed_by
        when = existing.reopened_at if existing.status == "reopened" else existing.signed_at
        raise Conflict(
            f"{session_label(s, existing.session_id)} at {station.name} was {existing.status} "
            f"by {who(s, actor)}"
            + (f" at {when:%H:%M on %d %b}" if when else "")
            + " before your change reached the hub; your change was not applied.",
            existing,
        )
    if reopening:
        _check_reopening(ctx, row, existing, station.name)
    if existing is None:
        existing = SessionSignoff(id=row["id"])
        s.add(existing)
    copy_fields(existing, row)
    ctx.cache.setdefault("signoffs", {})[existing.id] = existing  # later marks in the batch
    return existing


def _check_reopening(ctx: PushContext, row: dict[str, Any], existing, centre: str) -> None:
    """A reopening is recorded: what it reopens was signed off, and it says who, when, why."""
    if existing is None or existing.status != "signed":
        raise Refused(
            f"{session_label(ctx.session, row['session_id'])} at {centre} is not signed off, "
            "so there is nothing to reopen."
        )
    if not (row["reason"] or "").strip():
        raise Refused("Say why the session is reopened; the centre manager sees the reason.")
    row["reopened_by"] = ctx.principal.user_id  # in the name of whoever really reopened it
    row["reopened_at"] = row["reopened_at"] or dt.datetime.now()
