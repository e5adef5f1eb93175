"""Reopening a signed-off session so its marks can be corrected: a director's decision.

A sign-off locks a centre's marks for a session; only a sub-county director (TSC or
SCDE, as on the hub) reopens it, and says why. The reopening is recorded on the
session's sign-off row (status 'reopened', who, when, why) and queued with
`base_hlc` = the clock of the sign-off the director saw, so the hub refuses it if the
centre changed that row in the meantime. The centre manager signs off again after
correcting; the reason stays on the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cp2desk.local_db.models import AppUser, ExamSession, SessionSignoff, Station
from cp2desk.local_db.replica import Replica
from cp2desk.services.errors import NotAllowed, NotFound, ServiceError
from cp2desk.services.subcounty import directorate_in
from cp2desk.services.timetable import session_label
from cp2desk.sync.records import natural_id


class ReasonRequired(ServiceError):
    """A reopening without a reason."""


@dataclass(frozen=True, slots=True)
class SignoffFacts:
    """A centre's sign-off of a session, as the reopen dialog shows it."""

    station_id: str
    centre: str
    session_id: str
    session: str
    status: str | None
    """'signed', 'reopened' or None (not signed off)."""
    signed_by: str
    signed_at: dt.datetime | None
    reopened_at: dt.datetime | None
    reason: str

    @property
    def can_reopen(self) -> bool:
        return self.status == "signed"


@dataclass(frozen=True, slots=True)
class ReopenResult:
    signoff_id: str
    summary: str
    at: dt.datetime


def signoff_facts(replica: Replica, station_id: str, session_id: str) -> SignoffFacts | None:
    with replica.read() as session:
        station = session.get(Station, station_id)
        sitting = session.get(ExamSession, session_id)
        if station is None or sitting is None:
            return None
        row = session.get(SessionSignoff, natural_id("session_signoff", station_id, session_id))
        live = row is not None and not row.deleted
        signer = session.get(AppUser, row.signed_by) if live and row.signed_by else None
        return SignoffFacts(
            station_id,
            station.name,
            session_id,
            session_label(sitting.day, sitting.slot),
            row.status if live else None,
            (signer.display_name if signer else "the centre manager"),
            row.signed_at if live else None,
            row.reopened_at if live else None,
            row.reason if live else "",
        )


def reopen_session(
    replica: Replica,
    user_id: str,
    station_id: str,
    session_id: str,
    reason: str,
    now: dt.datetime | None = None,
) -> ReopenResult:
    """Reopen a signed-off session at a centre of the director's sub-county, with a reason."""
    now = (now or dt.datetime.now()).replace(microsecond=0)
    if not reason.strip():
        raise ReasonRequired(
            "Say why the session is reopened: the centre manager sees it, and it is kept."
        )
    with replica.write() as session:
        station = session.get(Station, station_id)
        who = directorate_in(session, user_id)
        if station is None or not who.roles.get(station.sub_county_id):
            raise NotAllowed(
                "Only the sub-county director of this centre can reopen a signed-off session."
            )
        sitting = session.get(ExamSession, session_id)
        if sitting is None:
            raise NotFound("This session is not in the timetable on this computer. Sync first.")
        label = session_label(sitting.day, sitting.slot)
        row = session.get(SessionSignoff, natural_id("session_signoff", station_id, session_id))
        if row is None or row.deleted or row.status != "signed":
            reopened = row is not None and not row.deleted and row.status == "reopened"
            state = "already reopened" if reopened else "not signed off"
            raise NotFound(f"{label} at {station.name} is {state}, so there is nothing to reopen.")
        base_hlc = row.hlc
        row.status, row.reopened_by, row.reopened_at = "reopened", user_id, now
        row.reason = reason.strip()
        summary = f"Reopened {label} at {station.name}"
        fields = ["status", "reopened_by", "reopened_at", "reason"]
        replica.record(session, row, fields, summary, base_hlc)
        return ReopenResult(row.id, summary, now)
