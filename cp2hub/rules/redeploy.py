"""Redeployment: a director moves an officer between centres from a given session.

A decision, so optimistic concurrency: the device names the deployment it saw
(`base_hlc`); if anyone changed it since, the move is refused as a conflict that
says who moved whom, where and when. The device checks the same rules first
(`cp2desk.services.redeploy`); a move made offline can still be refused here, and
the refusal carries the deployment the device had ended, so it returns to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from cp2desk.sync.protocol import Change
from cp2hub import feed
from cp2hub.models import Deployment, ExamSession, Position, Professional, Redeployment, Station
from cp2hub.push_context import Conflict, PushContext, Refused
from cp2hub.rules.authorship import wall_clock
from cp2hub.rules.common import officer_name, session_label, who

MOVED_BY = {"supervisor": "tsc_director", "invigilator": "tsc_director", "security_officer": "scde"}
ROLE_NAMES = {
    "tsc_director": "the TSC sub-county director",
    "scde": "the sub-county director of education",
}


def apply(ctx: PushContext, change: Change, row: dict[str, Any]) -> Redeployment:
    s = ctx.session
    old = s.get(Deployment, row["from_deployment_id"], with_for_update=True)  # decisions serialise
    if old is None or (old.professional_id, old.station_id) != (
        row["professional_id"],
        row["from_station_id"],
    ):
        raise Refused("That deployment is not on the hub's deployment list.")
    position = s.get(Position, old.position_id)
    role = MOVED_BY.get(position.code)
    if role is None:
        raise Refused(f"A {position.name.lower()} cannot be redeployed from the sub-county office.")
    source, target = s.get(Station, old.station_id), s.get(Station, row["to_station_id"])
    if target is None or target.kind != "exam_centre":
        raise Refused("Officers can only be redeployed to an examination centre.")
    mine = ctx.principal.sub_counties(role)
    if source.sub_county_id not in mine or target.sub_county_id not in mine:
        raise Refused(
            f"Only {ROLE_NAMES[role]} of the sub-county can move a {position.name.lower()}, "
            "and only between its own centres."
        )
    name = officer_name(s, old.professional_id)
    if old.status != "active" or (change.base_hlc is not None and change.base_hlc != old.hlc):
        raise Conflict(_moved_message(s, old, name), old)
    # From here on a refusal carries the deployment the device ended, so it returns to it.
    if target.id == old.station_id:
        raise Refused(f"{name} is already deployed to {target.name}.", old)
    if not (row["reason"] or "").strip():
        raise Refused("Say why the officer is moved; the reason is kept with the move.", old)
    person = s.get(Professional, old.professional_id)
    if person.institution_code and person.institution_code == target.code:
        raise Refused(f"{name} teaches at {target.name} and cannot serve at their own school.", old)
    sitting = s.get(ExamSession, row["from_session_id"]) if row["from_session_id"] else None
    if sitting is None or sitting.series_id != old.series_id:
        raise Refused("Say from which session of the officer's series the move counts.", old)
    if dt.datetime.combine(sitting.day, sitting.starts_at) <= wall_clock():
        raise Refused(
            f"The {sitting.slot} session of {sitting.day:%d %b} has already started; "
            "redeploy from a later session.",
            old,
        )
    _check_once_per_session(s, old, sitting, name, source)
    old.status = "redeployed"
    old.until_session_id = row["from_session_id"]
    s.add(
        Deployment(
            id=row["to_deployment_id"],
            series_id=old.series_id,
            professional_id=old.professional_id,
            station_id=target.id,
            position_id=old.position_id,
            from_session_id=row["from_session_id"],
            status="active",
        )
    )
    person.hlc = feed.clock.now()  # re-sent, so the new centre's devices receive the officer
    move = Redeployment(**{k: v for k, v in row.items() if k != "seq"})
    s.add(move)
    return move


def _start(s, session_id: str | None):
    found = s.get(ExamSession, session_id) if session_id else None
    return (found.day, found.starts_at) if found else None


def _check_once_per_session(s, old: Deployment, sitting: ExamSession, name: str, source) -> None:
    """Not twice in one session: the new deployment runs from `sitting` to the end of the
    series, so none of the officer's other deployments may run past `sitting`; and the
    move cannot reach back before the deployment it ends began."""
    start = (sitting.day, sitting.starts_at)
    others = s.scalars(
        select(Deployment).where(
            Deployment.professional_id == old.professional_id,
            Deployment.series_id == old.series_id,
            Deployment.id != old.id,
            Deployment.status != "cancelled",
        )
    )
    for other in others:
        if other.status == "redeployed" and other.until_session_id is None:
            continue  # ended before it began: covers nothing
        until, begins = _start(s, other.until_session_id), _start(s, other.from_session_id)
        if until is None or until > start:
            at = other.from_session_id if begins is not None and begins > start else sitting.id
            where = s.get(Station, other.station_id)
            raise Refused(
                f"{name} is already deployed to {where.name if where else 'another centre'} "
                f"for {session_label(s, at)}; nobody serves at two centres in one session.",
                old,
            )
    begins = _start(s, old.from_session_id)
    if begins is not None and start < begins:
        raise Refused(
            f"{name} serves at {source.name} only from {session_label(s, old.from_session_id)}; "
            "redeploy from that session or a later one.",
            old,
        )


def _moved_message(s, old: Deployment, name: str) -> str:
    move = last_move(s, old.id)
    if move is None:
        return (
            f"{name}'s deployment changed on the hub before your move arrived; it was not applied."
        )
    return f"{name} was already moved {move_words(s, move)}; your move was not applied."


def last_move(s, deployment_id: str) -> Redeployment | None:
    """The redeployment that ended a deployment, if one did."""
    return s.scalar(
        select(Redeployment)
        .where(Redeployment.from_deployment_id == deployment_id)
        .order_by(Redeployment.at.desc())
        .limit(1)
    )


def move_words(s, move: Redeployment) -> str:
    """'to Beta Secondary School by Grace Director at 10:05 on 01 Dec, from Wed 02 Dec
    morning': where a director moved an officer, who, when, and from which session."""
    target = s.get(Station, move.to_station_id)
    since = session_label(s, move.from_session_id) if move.from_session_id else "the start"
    return (
        f"to {target.name if target else 'another centre'} by {who(s, move.by_user_id)} at "
        f"{move.at:%H:%M on %d %b}, from {since}"
    )
