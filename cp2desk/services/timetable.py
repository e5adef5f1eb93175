"""When sessions happen, when they may be marked, and which sessions a deployment covers.

Sessions are ordered by (day, starts_at). A deployment covers the sessions from its
`from_session_id` (inclusive, or the first of the series when unset) up to its
`until_session_id` (exclusive, or the last when unset). A redeployment therefore
sets `until_session_id` on the old row and `from_session_id` on the new row to the
same session: the first one the officer works at the new centre, so no session is
covered twice and none is lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

OrderKey = tuple[dt.date, dt.time]


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One sitting of the timetable as the screens show it."""

    id: str
    series_id: str
    day: dt.date
    slot: str
    starts_at: dt.time
    ends_at: dt.time
    papers: str

    @property
    def key(self) -> OrderKey:
        return (self.day, self.starts_at)

    @property
    def label(self) -> str:
        """'Mon 9 Nov morning': how a centre manager names a session."""
        return session_label(self.day, self.slot)

    @property
    def short(self) -> str:
        """'Mon 9 · AM': a register column header."""
        return f"{self.day:%a} {self.day.day} · {SLOT_SHORT.get(self.slot, self.slot)}"

    @property
    def paper_list(self) -> list[str]:
        return [p.strip() for p in self.papers.replace("|", ";").split(";") if p.strip()]


SLOT_SHORT = {"morning": "AM", "afternoon": "PM", "evening": "EVE"}


def session_label(day: dt.date, slot: str) -> str:
    return f"{day:%a} {day.day} {day:%b} {slot}"


def marking_window(
    session: SessionInfo, opens_min: int, closes_min: int
) -> tuple[dt.datetime, dt.datetime]:
    """The marking window: `opens_min` before the start to `closes_min` after the end."""
    start = dt.datetime.combine(session.day, session.starts_at)
    end = dt.datetime.combine(session.day, session.ends_at)
    return start - dt.timedelta(minutes=opens_min), end + dt.timedelta(minutes=closes_min)


def span(
    from_session_id: str | None,
    until_session_id: str | None,
    status: str,
    index_of: dict[str, int],
    count: int,
) -> tuple[int, int]:
    """The half-open range of session indexes a deployment covers (empty when none).

    A bound naming a session this device does not hold is ignored rather than
    guessed: the timetable is pulled before deployments, so it does not happen
    in practice, and refusing every mark would be the worse failure.
    """
    if status == "cancelled":
        return (0, 0)
    first = index_of.get(from_session_id, 0) if from_session_id else 0
    stop = index_of.get(until_session_id, count) if until_session_id else count
    if status == "redeployed" and until_session_id is None:
        return (0, 0)
    return (first, max(first, stop))
