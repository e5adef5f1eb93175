"""Redeployment history: every move in the sub-county, one centre's (in and out), or one
officer's, newest first, with the moves still waiting to reach the hub marked as such."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2desk.local_db.models import (
    AppUser,
    ExamSession,
    OutboxEntry,
    Professional,
    Redeployment,
    Station,
)
from cp2desk.local_db.replica import Replica
from cp2desk.services.timetable import session_label


@dataclass(frozen=True, slots=True)
class MoveLine:
    """One redeployment as the history shows it."""

    redeployment_id: str
    at: dt.datetime
    professional_id: str
    officer: str
    from_station_id: str
    from_centre: str
    to_station_id: str
    to_centre: str
    from_session: str
    by: str
    reason: str
    waiting: bool
    """Made on this computer and not yet accepted by the hub."""


def history(
    replica: Replica,
    user_id: str,
    station_id: str | None = None,
    professional_id: str | None = None,
) -> list[MoveLine]:
    """Redeployments on this computer, newest first: all, or one centre's (in or out),
    or one officer's."""
    with replica.read() as session:
        query = select(Redeployment).where(Redeployment.deleted.is_(False))
        if station_id:
            query = query.where(
                (Redeployment.from_station_id == station_id)
                | (Redeployment.to_station_id == station_id)
            )
        if professional_id:
            query = query.where(Redeployment.professional_id == professional_id)
        moves = session.scalars(query.order_by(Redeployment.at.desc())).all()
        waiting = set(
            session.scalars(
                select(OutboxEntry.row_id).where(OutboxEntry.table_name == "redeployment")
            )
        )
        names = _names(
            session, Station, {m.from_station_id for m in moves} | {m.to_station_id for m in moves}
        )
        people = {
            p.id: p.full_name
            for p in session.scalars(
                select(Professional).where(Professional.id.in_({m.professional_id for m in moves}))
            )
        }
        labels = {
            s.id: session_label(s.day, s.slot)
            for s in session.scalars(
                select(ExamSession).where(
                    ExamSession.id.in_({m.from_session_id for m in moves if m.from_session_id})
                )
            )
        }
        return [
            MoveLine(
                m.id,
                m.at,
                m.professional_id,
                people.get(m.professional_id, "An officer"),
                m.from_station_id,
                names.get(m.from_station_id, "another centre"),
                m.to_station_id,
                names.get(m.to_station_id, "another centre"),
                labels.get(m.from_session_id or "", "the start of the series"),
                who_name(session, m.by_user_id, user_id),
                m.reason,
                m.id in waiting,
            )
            for m in moves
        ]


def _names(session: Session, model, ids: set[str]) -> dict[str, str]:
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def who_name(session: Session, user_id: str, me: str) -> str:
    """How the screens name whoever made a move: "you", their name, or a role."""
    if user_id == me:
        return "you"
    user = session.get(AppUser, user_id)
    return (user.display_name or user.phone) if user else "another director"
