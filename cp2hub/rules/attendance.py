"""Attendance marks: field-level last-writer-wins on the hybrid clock, losers kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from cp2desk.sync.clock import wins
from cp2desk.sync.protocol import Change
from cp2desk.sync.records import natural_id
from cp2hub.auth import utcnow
from cp2hub.models import (
    Attendance,
    AttendanceHistory,
    Deployment,
    ExamSession,
    SessionSignoff,
    Station,
)
from cp2hub.push import Conflict, PushContext, Refused
from cp2hub.rules.common import officer_name, session_label, station_in_scope, who

MERGED_FIELDS = ("status", "check_in")


def prepare(ctx: PushContext, rows: list[dict[str, Any]]) -> None:
    """Load everything a batch of marks needs in a handful of queries, not five a mark.

    Rows are the raw pushed rows (not yet validated): only their ids are read here, and
    only to look rows up; `apply` still checks each mark against what was loaded.
    """
    s = ctx.session

    def ids(name: str) -> set[str]:
        return {r[name] for r in rows if isinstance(r, dict) and isinstance(r.get(name), str)}

    deployments = _by_id(s, Deployment, ids("deployment_id"))
    sittings = {d.from_session_id for d in deployments.values()} | {
        d.until_session_id for d in deployments.values()
    }
    sessions = _by_id(s, ExamSession, (ids("session_id") | sittings) - {None})
    stations = _by_id(s, Station, {d.station_id for d in deployments.values()})
    # The session's identity map holds objects weakly: keep them so `get` finds them.
    ctx.cache["held"] = [deployments, sessions, stations]
    signoff_ids = {
        natural_id("session_signoff", deployments[r["deployment_id"]].station_id, r["session_id"])
        for r in rows
        if isinstance(r, dict)
        and isinstance(r.get("session_id"), str)
        and isinstance(r.get("deployment_id"), str)
        and r["deployment_id"] in deployments
    }
    ctx.cache["signoffs"] = _by_id(s, SessionSignoff, signoff_ids)
    # FOR UPDATE: on PostgreSQL two pushes merging into the same mark would otherwise both
    # read the old row and the later commit would undo the earlier (a lost update).
    ctx.cache["marks"] = _by_id(s, Attendance, ids("id"), lock=True)
    ctx.cache["prepared"] = True


def _by_id(s, model, wanted: set[str], lock: bool = False) -> dict[str, Any]:
    if not wanted:
        return {}
    query = select(model).where(model.id.in_(sorted(wanted)))
    if lock:
        query = query.order_by(model.id).with_for_update()
    return {obj.id: obj for obj in s.scalars(query)}


def _cached(ctx: PushContext, name: str, model, row_id: str, lock: bool = False):
    known = ctx.cache.get(name)
    if known is not None and (row_id in known or ctx.cache.get("prepared")):
        return known.get(row_id)
    return ctx.session.get(model, row_id, with_for_update=lock)


def apply(ctx: PushContext, change: Change, row: dict[str, Any]) -> Attendance:
    s = ctx.session
    if row["id"] != natural_id("attendance", row["deployment_id"], row["session_id"]):
        raise Refused("The attendance mark does not match its officer and session.")
    deployment = s.get(Deployment, row["deployment_id"])
    if deployment is None or deployment.deleted:
        raise Refused("This officer is not on the deployment list.")
    if (deployment.station_id, deployment.professional_id) != (
        row["station_id"],
        row["professional_id"],
    ):
        raise Refused("The mark names a different centre or officer than the deployment.")
    station_in_scope(ctx, deployment.station_id, "centre_manager", "knec_clerk")
    sitting = s.get(ExamSession, row["session_id"])
    if sitting is None or sitting.series_id != deployment.series_id:
        raise Refused("That session is not in the timetable of this officer's series.")
    if not covers(s, deployment, sitting):
        raise Refused(
            f"{officer_name(s, deployment.professional_id)} was not deployed to this centre "
            f"for {session_label(s, sitting.id)}."
        )
    signoff_id = natural_id("session_signoff", deployment.station_id, sitting.id)
    signoff = _cached(ctx, "signoffs", SessionSignoff, signoff_id)
    if signoff is not None and signoff.status == "signed":
        raise Refused(
            f"{session_label(s, sitting.id)} was signed off by {who(s, signoff.signed_by)}; "
            "ask the sub-county director to reopen it before changing marks."
        )
    existing = _cached(ctx, "marks", Attendance, row["id"], lock=True)
    if existing is None:
        mark = Attendance(**{k: v for k, v in row.items() if k != "seq"})
        mark.status_hlc = mark.check_in_hlc = row["hlc"]
        s.add(mark)
        ctx.cache.setdefault("marks", {})[mark.id] = mark  # a second mark in the batch merges
        return mark
    return _merge(ctx, change, row, existing)


def _merge(ctx: PushContext, change: Change, row: dict[str, Any], mark: Attendance) -> Attendance:
    fields = [f for f in (change.fields or MERGED_FIELDS) if f in MERGED_FIELDS]
    won, lost = [], []
    now = utcnow()
    for name in fields:
        clock = getattr(mark, f"{name}_hlc") or 0
        if wins(row["hlc"], row["origin"], clock, mark.origin):
            _keep(ctx, mark, name, getattr(mark, name), clock, mark.origin, row["hlc"], now)
            setattr(mark, name, row[name])
            setattr(mark, f"{name}_hlc", row["hlc"])
            won.append(name)
        else:
            _keep(ctx, mark, name, row[name], row["hlc"], row["origin"], clock, now)
            lost.append(name)
    if won:
        mark.hlc = max(mark.hlc, row["hlc"])
        # The device stamped this write: say so even when the row's clock did not move,
        # or the feed would take it for the hub's own change and overwrite the origin.
        flag_modified(mark, "hlc")
        mark.origin = row["origin"]
        mark.marked_by = row["marked_by"]
        return mark
    raise Conflict(
        f"{officer_name(ctx.session, mark.professional_id)} was marked {mark.status} for "
        f"{session_label(ctx.session, mark.session_id)} by {who(ctx.session, mark.marked_by)} "
        "later than your mark; that later mark stands and yours is kept in the history.",
        mark,
    )


def _keep(ctx, mark, name, value, hlc, origin, superseded_by, now) -> None:
    if value is None and not hlc:
        return
    ctx.session.add(
        AttendanceHistory(
            attendance_id=mark.id,
            field=name,
            value=None if value is None else str(value),
            hlc=hlc,
            origin=origin,
            superseded_by_hlc=superseded_by,
            at=now,
        )
    )


def covers(session, deployment: Deployment, sitting: ExamSession) -> bool:
    """Whether the deployment is in force at a session (redeployments bound it)."""

    def order(session_id):
        found = session.get(ExamSession, session_id)
        return (found.day, found.starts_at) if found else None

    here = (sitting.day, sitting.starts_at)
    start = order(deployment.from_session_id) if deployment.from_session_id else None
    end = order(deployment.until_session_id) if deployment.until_session_id else None
    if start is not None and here < start:
        return False
    return not (end is not None and here >= end)


def history(session, attendance_id: str) -> list[AttendanceHistory]:
    return list(
        session.scalars(
            select(AttendanceHistory)
            .where(AttendanceHistory.attendance_id == attendance_id)
            .order_by(AttendanceHistory.id)
        )
    )
