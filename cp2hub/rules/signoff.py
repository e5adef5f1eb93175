"""Session sign-off and reopening: decisions, so optimistic concurrency on the hub.

The hub checks a sign-off as the desktop does (`cp2desk.services.attendance`): the
session has started, by the hub's clock, and every officer deployed to the centre for it
has a mark, counting the marks of the same push. Who signed or reopened, and when, are
the hub's (`rules.authorship`): a sign-off leaves the reopening record as it was, and
only a reopening by the sub-county director changes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from cp2desk.sync.protocol import Change
from cp2desk.sync.records import natural_id
from cp2hub.models import Attendance, Deployment, ExamSession, SessionSignoff
from cp2hub.push_context import Conflict, PushContext, Refused
from cp2hub.rules.attendance import in_force
from cp2hub.rules.authorship import wall_clock
from cp2hub.rules.common import copy_fields, officer_name, session_label, station_in_scope, who


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
    elif existing is not None and existing.status == "signed":  # its signer stays on record
        raise Refused(
            f"{session_label(s, existing.session_id)} at {station.name} is already signed off "
            f"by {who(s, existing.signed_by)}; nothing was changed."
        )
    else:
        _check_signing(ctx, row)
    if existing is None:
        existing = SessionSignoff(id=row["id"])
        s.add(existing)
    copy_fields(existing, row)
    ctx.cache.setdefault("signoffs", {})[existing.id] = existing  # later marks in the batch
    return existing


def _check_reopening(ctx: PushContext, row: dict[str, Any], existing, centre: str) -> None:
    """What a reopening reopens was signed off, and it says why."""
    if existing is None or existing.status != "signed":
        raise Refused(
            f"{session_label(ctx.session, row['session_id'])} at {centre} is not signed off, "
            "so there is nothing to reopen."
        )
    if not (row["reason"] or "").strip():
        raise Refused("Say why the session is reopened; the centre manager sees the reason.")


def _check_signing(ctx: PushContext, row: dict[str, Any]) -> None:
    """The desktop's sign-off rules, with the desktop's words: started, everyone marked."""
    s = ctx.session
    sitting = s.get(ExamSession, row["session_id"])
    if sitting is None:
        raise Refused("That session is not in the timetable.")
    label = session_label(s, sitting.id)
    if wall_clock() < dt.datetime.combine(sitting.day, sitting.starts_at):
        raise Refused(
            f"The {label} session has not started yet. "
            f"You can sign it off once it starts at {sitting.starts_at:%H:%M}."
        )
    missing = sorted(
        officer_name(s, d.professional_id) for d in unmarked(ctx, row["station_id"], sitting)
    )
    if missing:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        many = len(missing) != 1
        raise Refused(
            f"{len(missing)} officer{'s' if many else ''} still {'have' if many else 'has'} "
            f"no mark for {label}: {shown}. Mark them present, absent or late, then sign off."
        )


def unmarked(ctx: PushContext, station_id: str, sitting: ExamSession) -> list[Deployment]:
    """The deployments in force at the centre for the session that have no mark on the hub,
    counting the marks this push (and the pushes committed with it) are adding."""
    s = ctx.session
    deployments = s.scalars(
        select(Deployment).where(
            Deployment.station_id == station_id,
            Deployment.series_id == sitting.series_id,
            Deployment.deleted.is_(False),
        )
    ).all()
    due = [d for d in deployments if in_force(lambda i: s.get(ExamSession, i), d, sitting)]
    if not due:
        return []
    marked = set(
        s.scalars(
            select(Attendance.deployment_id).where(
                Attendance.session_id == sitting.id,
                Attendance.deployment_id.in_([d.id for d in due]),
                Attendance.deleted.is_(False),
            )
        )
    )
    marked |= {
        new["deployment_id"]
        for new in ctx.new_rows.get(Attendance, {}).values()
        if new["session_id"] == sitting.id and not new.get("deleted")
    }
    return [d for d in due if d.id not in marked]
