"""Redeploying an officer from one centre to another, from a given session, with a reason.

The device checks the rules the hub enforces (`cp2hub.rules.redeploy`) before writing,
so a director learns at once, in plain words, why a move cannot be made:

- only the roles the director may move (TSC: supervisors and invigilators; SCDE:
  security officers), and only between exam centres of their own sub-county;
- never to the officer's own institution;
- never twice in one session: the new deployment must not cover a session the officer
  already serves elsewhere;
- only from a session that has not started.

A move that leaves the source centre below its requirement is allowed but comes back
with a shortfall warning, which the screen asks the director to confirm.

The write (decision 3, decision 9): in ONE transaction the old deployment ends
(status 'redeployed', `until_session_id` = the first session no longer served there),
a new deployment starts at the target (`from_session_id`, inclusive), and the
redeployment row is recorded with `base_hlc` = the old deployment's clock as the
director saw it. Only the redeployment row is queued: the hub's rule makes the same
two deployment changes, or refuses the move and the sync engine undoes them here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2desk.local_db.models import (
    Attendance,
    Deployment,
    ExamSession,
    Position,
    Professional,
    Redeployment,
    Requirement,
    Series,
    Station,
)
from cp2desk.local_db.replica import Replica
from cp2desk.services.errors import NotAllowed, NotFound, ServiceError
from cp2desk.services.redeploy_history import who_name
from cp2desk.services.subcounty import MOVED_BY, ROLE_TITLES, Directorate, directorate_in
from cp2desk.services.timetable import SessionInfo, span
from cp2desk.sync.records import new_id


class RedeployRefused(ServiceError):
    """A rule forbids this move; `.rule` names which one."""

    rule = ""


class RoleNotYours(RedeployRefused, NotAllowed):
    rule = "role"


class OutsideScope(RedeployRefused, NotAllowed):
    rule = "scope"


class OwnInstitution(RedeployRefused):
    rule = "own_school"


class ServingTwice(RedeployRefused):
    rule = "twice"


class SessionStarted(RedeployRefused):
    rule = "started"


class AlreadyMoved(RedeployRefused):
    rule = "moved"


class ReasonMissing(RedeployRefused):
    rule = "reason"


class BadTarget(RedeployRefused):
    rule = "target"


class AlreadyMarked(RedeployRefused):
    rule = "marked"


class BeforeDeployment(RedeployRefused):
    rule = "before"


@dataclass(frozen=True, slots=True)
class Problem:
    rule: str
    message: str


ERRORS: dict[str, type[RedeployRefused]] = {
    e.rule: e
    for e in (
        RoleNotYours,
        OutsideScope,
        OwnInstitution,
        ServingTwice,
        SessionStarted,
        AlreadyMoved,
        ReasonMissing,
        BadTarget,
        AlreadyMarked,
        BeforeDeployment,
    )
}


@dataclass(frozen=True, slots=True)
class RedeployCheck:
    """What the rules say of a proposed move: problems forbid it, warnings need a yes."""

    problems: list[Problem]
    warnings: list[str]

    @property
    def allowed(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class RedeployResult:
    redeployment_id: str
    from_deployment_id: str
    to_deployment_id: str
    summary: str
    warnings: list[str]


def check_redeploy(
    replica: Replica,
    user_id: str,
    deployment_id: str,
    to_station_id: str | None,
    from_session_id: str | None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> RedeployCheck:
    """Every rule a move breaks, and its shortfall warning, without writing anything.

    The redeploy dialog asks this as the director chooses, so it can say what is wrong
    before they press Redeploy."""
    now = now or dt.datetime.now()
    with replica.read() as session:
        move = _Move.read(session, user_id, deployment_id, to_station_id, from_session_id)
        return RedeployCheck(move.problems(reason, now), move.warnings())


def redeploy(
    replica: Replica,
    user_id: str,
    deployment_id: str,
    to_station_id: str,
    from_session_id: str,
    reason: str,
    now: dt.datetime | None = None,
) -> RedeployResult:
    """Move the officer; raises the `RedeployRefused` of the first rule the move breaks."""
    now = now or dt.datetime.now()
    with replica.write() as session:
        move = _Move.read(session, user_id, deployment_id, to_station_id, from_session_id)
        problems = move.problems(reason, now)
        if problems:
            raise ERRORS[problems[0].rule](problems[0].message)
        warnings = move.warnings()
        old, sitting = move.old, move.sitting
        assert sitting is not None and move.target is not None
        # A deployment this device started by an earlier move has no hub version yet:
        # no base to compare, the hub's answer to that earlier move decides.
        base_hlc = old.hlc if old.seq is not None else None
        started = Deployment(
            id=new_id(),
            series_id=old.series_id,
            professional_id=old.professional_id,
            station_id=move.target.id,
            position_id=old.position_id,
            from_session_id=sitting.id,
            until_session_id=None,
            status="active",
            hlc=0,
            origin=replica.device_id,
            deleted=False,
        )
        old.status, old.until_session_id = "redeployed", sitting.id
        session.flush()  # the old row leaves 'active' before the new one enters it
        session.add(started)
        row = Redeployment(
            professional_id=old.professional_id,
            from_deployment_id=old.id,
            to_deployment_id=started.id,
            from_station_id=old.station_id,
            to_station_id=move.target.id,
            from_session_id=sitting.id,
            reason=reason.strip(),
            by_user_id=user_id,
            at=now.replace(microsecond=0),
        )
        summary = (
            f"Redeployed {move.name} ({move.position.name.lower()}) from {move.source.name} "
            f"to {move.target.name} from {sitting.label}"
        )
        replica.record(session, row, summary=summary, base_hlc=base_hlc)
        return RedeployResult(row.id, old.id, started.id, summary, warnings)


# --- the rules ----------------------------------------------------------------------


@dataclass
class _Move:
    """A proposed move and everything the rules look at, read in one transaction."""

    session: Session
    who: Directorate
    old: Deployment
    name: str
    person: Professional
    position: Position
    source: Station
    target: Station | None
    sitting: SessionInfo | None
    sessions: list[SessionInfo]
    index_of: dict[str, int]

    @classmethod
    def read(
        cls,
        session: Session,
        user_id: str,
        deployment_id: str,
        to_station_id: str | None,
        from_session_id: str | None,
    ) -> _Move:
        old = session.get(Deployment, deployment_id)
        if old is None or old.deleted:
            raise NotFound("This deployment is not on this computer. Sync, then try again.")
        person = session.get(Professional, old.professional_id)
        position = session.get(Position, old.position_id)
        source = session.get(Station, old.station_id)
        if person is None or position is None or source is None:
            raise NotFound("This officer's details are not on this computer. Sync, then try again.")
        target = session.get(Station, to_station_id) if to_station_id else None
        sessions = _series_sessions(session, old.series_id)
        sitting = next((s for s in sessions if s.id == from_session_id), None)
        who = directorate_in(session, user_id)
        index_of = {s.id: i for i, s in enumerate(sessions)}
        name = person.full_name
        return cls(
            session, who, old, name, person, position, source, target, sitting, sessions, index_of
        )

    def problems(self, reason: str, now: dt.datetime) -> list[Problem]:
        moved = self._moved()
        if moved:
            return [Problem(*moved)]
        found = [self._role(), self._target(), self._own_school(), self._session(now)]
        if self.sitting is not None:
            found += [self._twice(), self._marked()]
        if not reason.strip():
            found.append(("reason", "Say why the officer is moved: it is kept with the move."))
        return [Problem(*f) for f in found if f]

    def _moved(self) -> tuple[str, str] | None:
        if self.old.status == "active":
            return None
        last = self.session.scalar(
            select(Redeployment)
            .where(Redeployment.from_deployment_id == self.old.id, Redeployment.deleted.is_(False))
            .order_by(Redeployment.at.desc())
            .limit(1)
        )
        if last is None:
            return ("moved", f"{self.name} is no longer deployed to {self.source.name}.")
        to = self.session.get(Station, last.to_station_id)
        return (
            "moved",
            f"{self.name} was already moved to {to.name if to else 'another centre'} by "
            f"{who_name(self.session, last.by_user_id, self.who.user_id)} at "
            f"{last.at:%H:%M on %d %b}.",
        )

    def _role(self) -> tuple[str, str] | None:
        role = MOVED_BY.get(self.position.code)
        if role is None:
            return (
                "role",
                f"A {self.position.name.lower()} cannot be redeployed from the sub-county office.",
            )
        if role not in self.who.roles.get(self.source.sub_county_id, frozenset()):
            plural = (
                "supervisors and invigilators" if role == "tsc_director" else "security officers"
            )
            if any(role in roles for roles in self.who.roles.values()):
                return (
                    "scope",
                    f"{self.source.name} is outside your sub-county, so you cannot move its "
                    "officers.",
                )
            return (
                "role",
                f"Only the {ROLE_TITLES[role]} redeploys {plural}; "
                f"{self.name} is a {self.position.name.lower()}.",
            )
        return None

    def _target(self) -> tuple[str, str] | None:
        target = self.target
        if target is None or target.deleted:
            return ("target", "Choose the centre the officer moves to.")
        if target.kind != "exam_centre":
            return ("target", f"{target.name} is not an examination centre.")
        if target.id == self.source.id:
            return ("target", f"{self.name} is already deployed to {target.name}.")
        role = MOVED_BY.get(self.position.code)
        held = any(role in roles for roles in self.who.roles.values())
        if held and role not in self.who.roles.get(target.sub_county_id, frozenset()):
            return (
                "scope",
                f"{target.name} is outside your sub-county; you can only move officers "
                f"between the centres of {self.who.title}.",
            )
        return None

    def _own_school(self) -> tuple[str, str] | None:
        code = self.person.institution_code
        if self.target is not None and code and code == self.target.code:
            return (
                "own_school",
                f"{self.name} teaches at {self.target.name} and cannot serve at their own school.",
            )
        return None

    def _session(self, now: dt.datetime) -> tuple[str, str] | None:
        sitting = self.sitting
        if sitting is None:
            return ("started", "Choose the first session the officer serves at the new centre.")
        if dt.datetime.combine(sitting.day, sitting.starts_at) <= now:
            return (
                "started",
                f"The {sitting.label} session has already started; redeploy from a later session.",
            )
        first, _stop = self._span(self.old)
        if self._index(sitting.id) < first and not self._others():
            return (
                "before",
                f"{self.name} serves at {self.source.name} only from "
                f"{self.sessions[first].label}; redeploy from that session or a later one.",
            )
        return None

    def _twice(self) -> tuple[str, str] | None:
        """The new deployment runs from the chosen session to the end of the series."""
        assert self.sitting is not None
        start = self._index(self.sitting.id)
        for other in self._others():
            first, stop = self._span(other)
            if max(first, start) < stop:
                where = self.session.get(Station, other.station_id)
                clash = self.sessions[max(first, start)]
                return (
                    "twice",
                    f"{self.name} is already deployed to "
                    f"{where.name if where else 'another centre'} for {clash.label}; "
                    "nobody serves at two centres in one session.",
                )
        return None

    def _marked(self) -> tuple[str, str] | None:
        assert self.sitting is not None
        later = [s.id for s in self.sessions[self._index(self.sitting.id) :]]
        found = self.session.scalar(
            select(Attendance.session_id)
            .where(
                Attendance.deployment_id == self.old.id,
                Attendance.session_id.in_(later),
                Attendance.deleted.is_(False),
            )
            .limit(1)
        )
        if found is None:
            return None
        return (
            "marked",
            f"{self.name} already has a mark at {self.source.name} for "
            f"{self.sessions[self._index(found)].label}; redeploy from a later session.",
        )

    def warnings(self) -> list[str]:
        """A shortfall the move leaves at the source centre, from the chosen session."""
        if self.sitting is None:
            return []
        index = self._index(self.sitting.id)
        required = self.session.scalar(
            select(Requirement.required).where(
                Requirement.station_id == self.source.id,
                Requirement.position_id == self.position.id,
                Requirement.deleted.is_(False),
            )
        )
        if not required:
            return []
        here = self.session.scalars(
            select(Deployment).where(
                Deployment.station_id == self.source.id,
                Deployment.position_id == self.position.id,
                Deployment.series_id == self.old.series_id,
                Deployment.deleted.is_(False),
            )
        ).all()
        deployed = sum(1 for d in here if self._covers(d, index))
        left = deployed - (1 if self._covers(self.old, index) else 0)
        if left >= required:
            return []
        plural = f"{self.position.name.lower()}s"
        return [
            f"{self.source.name} needs {required} {plural}. After this move it has {left} "
            f"from {self.sitting.label}: {required - left} short."
        ]

    # --- sessions -----------------------------------------------------------------

    def _index(self, session_id: str) -> int:
        return self.index_of[session_id]

    def _span(self, deployment: Deployment) -> tuple[int, int]:
        return span(
            deployment.from_session_id,
            deployment.until_session_id,
            deployment.status,
            self.index_of,
            len(self.sessions),
        )

    def _covers(self, deployment: Deployment, index: int) -> bool:
        first, stop = self._span(deployment)
        return first <= index < stop

    def _others(self) -> list[Deployment]:
        """The officer's other deployments in the series (before or after a move)."""
        return [
            d
            for d in self.session.scalars(
                select(Deployment).where(
                    Deployment.professional_id == self.old.professional_id,
                    Deployment.series_id == self.old.series_id,
                    Deployment.id != self.old.id,
                    Deployment.deleted.is_(False),
                )
            )
            if d.status != "cancelled"
        ]


def _series_sessions(session: Session, series_id: str) -> list[SessionInfo]:
    if session.get(Series, series_id) is None:
        return []
    rows = session.execute(
        select(
            ExamSession.id,
            ExamSession.series_id,
            ExamSession.day,
            ExamSession.slot,
            ExamSession.starts_at,
            ExamSession.ends_at,
            ExamSession.papers,
        )
        .where(ExamSession.series_id == series_id, ExamSession.deleted.is_(False))
        .order_by(ExamSession.day, ExamSession.starts_at)
    )
    return [SessionInfo(*r) for r in rows]
