"""Attendance marks: field-level last-writer-wins on the hybrid clock, losers kept."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.util import identity_key

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
from cp2hub.push_context import Conflict, PushContext, Refused
from cp2hub.rules.common import officer_name, session_label, station_in_scope, who
from cp2hub.rules.redeploy import last_move, move_words

MERGED_FIELDS = ("status", "check_in")


def prepare(ctx: PushContext, rows: list[dict[str, Any]]) -> None:
    """Load everything a batch of marks needs in a handful of queries, not five a mark.

    Rows are the raw pushed rows (not yet validated): only their ids are read here, and
    only to look rows up; `apply` still checks each mark against what was loaded. What
    is only read (deployments, sessions, centres, sign-offs) is loaded as plain rows;
    marks that exist already are loaded as objects, locked, for `_merge` to change.
    """
    s = ctx.session

    def ids(name: str) -> set[str]:
        return {r[name] for r in rows if isinstance(r, dict) and isinstance(r.get(name), str)}

    deployments = ctx.cache["deployments"] = _rows(
        s, Deployment, ids("deployment_id"), *DEPLOYMENT_COLUMNS
    )
    sittings = {d.from_session_id for d in deployments.values()} | {
        d.until_session_id for d in deployments.values()
    }
    ctx.cache["sessions"] = _rows(
        s, ExamSession, (ids("session_id") | sittings) - {None}, *SESSION_COLUMNS
    )
    ctx.cache["stations"] = _rows(
        s, Station, {d.station_id for d in deployments.values()}, *STATION_COLUMNS
    )
    signoff_ids = {
        natural_id("session_signoff", deployments[r["deployment_id"]].station_id, r["session_id"])
        for r in rows
        if isinstance(r, dict)
        and isinstance(r.get("session_id"), str)
        and isinstance(r.get("deployment_id"), str)
        and r["deployment_id"] in deployments
    }
    ctx.cache["signoffs"] = _rows(s, SessionSignoff, signoff_ids, *SIGNOFF_COLUMNS)
    ctx.cache["marks"] = _stored_marks(s, ids("id"))
    ctx.cache["prepared"] = True


DEPLOYMENT_COLUMNS = ("station_id", "professional_id", "series_id", "deleted",
                      "from_session_id", "until_session_id")  # fmt: skip
SESSION_COLUMNS = ("series_id", "day", "starts_at")
STATION_COLUMNS = ("name", "sub_county_id")
SIGNOFF_COLUMNS = ("status", "signed_by")


def _rows(s, model, wanted: set[str], *columns: str) -> dict[str, Any]:
    if not wanted:
        return {}
    return {row.id: row for row in s.execute(_lookup(model, columns), {"ids": sorted(wanted)})}


@cache
def _lookup(model, columns: tuple[str, ...]):
    """Rows by id, some columns: built once (every push runs these)."""
    table = model.__table__.c
    return select(table.id, *(table[c] for c in columns)).where(
        table.id.in_(bindparam("ids", expanding=True))
    )


_MARK = Attendance.__table__.c.id
_STORED = select(_MARK).where(_MARK.in_(bindparam("ids", expanding=True))).order_by(_MARK)
_STORED = _STORED.with_for_update()


def _stored_marks(s, wanted: set[str]) -> dict[str, Attendance]:
    """The marks of the batch that exist already, locked till commit: on PostgreSQL two
    pushes merging into one mark would otherwise both read the old row, and the later
    commit would undo the earlier (a lost update). Ids first: most marks are new."""
    if not wanted:
        return {}
    stored = s.scalars(_STORED, {"ids": sorted(wanted)}).all()
    if not stored:
        return {}
    return {m.id: m for m in s.scalars(select(Attendance).where(Attendance.id.in_(stored)))}


def _current(ctx: PushContext, name: str, model, row_id: str):
    """A row as this transaction sees it: the session's object if a rule of this batch
    has loaded it (it may carry the batch's own changes, as a redeployment does), else
    the row `prepare` loaded; a sign-off it did not find does not exist."""
    loaded = ctx.session.identity_map
    obj = loaded.get(identity_key(model, row_id)) if loaded else None
    if obj is not None:
        return obj
    known = ctx.cache.get(name, {})
    if row_id in known:
        return known[row_id]
    if name == "signoffs" and ctx.cache.get("prepared"):
        return None
    return ctx.session.get(model, row_id)


def apply(ctx: PushContext, change: Change, row: dict[str, Any]) -> Attendance | dict:
    s = ctx.session
    if row["id"] != natural_id("attendance", row["deployment_id"], row["session_id"]):
        raise Refused("The attendance mark does not match its officer and session.")
    deployment = _current(ctx, "deployments", Deployment, row["deployment_id"])
    if deployment is None or deployment.deleted:
        raise Refused("This officer is not on the deployment list.")
    if (deployment.station_id, deployment.professional_id) != (
        row["station_id"],
        row["professional_id"],
    ):
        raise Refused("The mark names a different centre or officer than the deployment.")
    station_in_scope(
        ctx, deployment.station_id, "centre_manager", "knec_clerk",
        known=ctx.cache.get("stations"),
    )  # fmt: skip
    sitting = _current(ctx, "sessions", ExamSession, row["session_id"])
    if sitting is None or sitting.series_id != deployment.series_id:
        raise Refused("That session is not in the timetable of this officer's series.")
    if not covers(lambda i: _current(ctx, "sessions", ExamSession, i), deployment, sitting):
        raise Refused(_not_deployed(s, deployment, row["session_id"]))
    signoff_id = natural_id("session_signoff", deployment.station_id, row["session_id"])
    signoff = _current(ctx, "signoffs", SessionSignoff, signoff_id)
    if signoff is not None and signoff.status == "signed":
        raise Refused(
            f"{session_label(s, row['session_id'])} was signed off by "
            f"{who(s, signoff.signed_by)}; ask the sub-county director to reopen it before "
            "changing marks."
        )
    marks = ctx.cache.setdefault("marks", {})
    existing = (
        marks.get(row["id"])
        if ctx.cache.get("prepared")
        else s.get(Attendance, row["id"], with_for_update=True)
    )
    if existing is None:  # a new mark: a plain row, inserted in bulk with the batch's others
        new = {k: v for k, v in row.items() if k != "seq"}
        new["status_hlc"] = new["check_in_hlc"] = row["hlc"]
        marks[row["id"]] = ctx.add_row(Attendance, new)  # a second mark in the batch merges
        return new
    if isinstance(existing, dict):
        existing = marks[row["id"]] = ctx.promote(Attendance, existing)
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


def _not_deployed(s, deployment, session_id: str) -> str:
    """Why a mark is refused for a session the deployment does not cover; if a director
    moved the officer, who moved them, where and from which session."""
    said = (
        f"{officer_name(s, deployment.professional_id)} was not deployed to this centre "
        f"for {session_label(s, session_id)}"
    )
    move = last_move(s, deployment.id)
    return f"{said}: moved {move_words(s, move)}." if move is not None else f"{said}."


def in_force(find: Callable[[str], Any], deployment, sitting) -> bool:
    """Whether the officer serves at the session under this deployment, as the desktop's
    `span` decides: not cancelled, not ended before it began, and the session in bounds."""
    if deployment.status == "cancelled":
        return False
    if deployment.status == "redeployed" and deployment.until_session_id is None:
        return False
    return covers(find, deployment, sitting)


def covers(find: Callable[[str], Any], deployment, sitting) -> bool:
    """Whether the deployment is in force at a session (redeployments bound it); `find`
    looks a session up by id."""

    def order(session_id):
        found = find(session_id)
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
