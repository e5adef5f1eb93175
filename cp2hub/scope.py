"""What a device may see: the rows of each table inside its user's scope.

A centre manager sees their centre; a clerk their distribution centre and the exam
centres it serves; a sub-county director every station of their sub-county; everyone
sees their own professional record, deployments, attendance and claim, and the
reference tables (counties, series, timetable, positions, rates).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true

from cp2hub import models as m
from cp2hub.auth import Principal
from cp2hub.privacy import VERSION as PRIVACY_VERSION

STATION_ROLES = ("centre_manager", "knec_clerk")
SUB_COUNTY_ROLES = ("tsc_director", "scde")


@dataclass(frozen=True)
class Scope:
    user_id: str
    professional_id: str | None
    station_ids: frozenset[str]
    sub_county_ids: frozenset[str]
    admin: bool

    @property
    def key(self) -> str:
        """Changes whenever the scope or the field policy (`cp2hub.privacy`) changes, so
        the device knows to pull afresh and keeps nothing the policy now withholds."""
        text = "|".join(
            [
                f"privacy {PRIVACY_VERSION}",
                self.user_id,
                str(self.professional_id),
                ",".join(sorted(self.station_ids)),
                ",".join(sorted(self.sub_county_ids)),
                str(self.admin),
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def stations(self):
        """A subquery of every station id in scope."""
        clauses = []
        if self.station_ids:
            clauses.append(m.Station.id.in_(self.station_ids))
            # A distribution centre's clerk also sees the exam centres it serves.
            clauses.append(m.Station.distribution_centre_id.in_(self.station_ids))
        if self.sub_county_ids:
            clauses.append(m.Station.sub_county_id.in_(self.sub_county_ids))
        where = or_(*clauses) if clauses else false()
        return select(m.Station.id).where(where).scalar_subquery()

    def covers_station(self, session, station_id: str) -> bool:
        found = session.scalar(
            select(m.Station.id).where(
                m.Station.id == station_id, m.Station.id.in_(self.stations())
            )
        )
        return found is not None


def scope_of(principal: Principal) -> Scope:
    return Scope(
        user_id=principal.user_id,
        professional_id=principal.professional_id,
        station_ids=frozenset(principal.stations(*STATION_ROLES)),
        sub_county_ids=frozenset(principal.sub_counties(*SUB_COUNTY_ROLES)),
        admin=principal.has("admin"),
    )


def visible(model: type, scope: Scope) -> ColumnElement[bool]:
    """The WHERE clause selecting the rows of `model` that `scope` may pull."""
    own = scope.professional_id or ""
    stations = scope.stations()
    in_scope_officers = select(m.Deployment.professional_id).where(
        m.Deployment.station_id.in_(stations)
    )
    directed = select(m.Deployment.professional_id).where(
        m.Deployment.station_id.in_(
            select(m.Station.id).where(m.Station.sub_county_id.in_(scope.sub_county_ids))
        )
    )
    own_stations = select(m.Deployment.station_id).where(m.Deployment.professional_id == own)
    rules: dict[type, ColumnElement[bool]] = {
        m.County: true(),
        m.SubCounty: true(),
        m.Series: true(),
        m.ExamSession: true(),
        m.Position: true(),
        m.Rate: true(),
        m.Station: or_(m.Station.id.in_(stations), m.Station.id.in_(own_stations)),
        m.Requirement: m.Requirement.station_id.in_(stations),
        m.Professional: or_(m.Professional.id == own, m.Professional.id.in_(in_scope_officers)),
        m.WorkExperience: m.WorkExperience.professional_id == own,
        m.Qualification: m.Qualification.professional_id == own,
        m.AppUser: m.AppUser.id == scope.user_id,
        m.RoleGrant: m.RoleGrant.user_id == scope.user_id,
        m.Vacancy: m.Vacancy.id.in_(
            select(m.Application.vacancy_id).where(m.Application.professional_id == own)
        ),
        m.Application: m.Application.professional_id == own,
        m.Deployment: or_(
            m.Deployment.station_id.in_(stations), m.Deployment.professional_id == own
        ),
        m.Redeployment: or_(
            m.Redeployment.from_station_id.in_(stations),
            m.Redeployment.to_station_id.in_(stations),
            m.Redeployment.professional_id == own,
        ),
        m.Attendance: or_(
            m.Attendance.station_id.in_(stations), m.Attendance.professional_id == own
        ),
        m.SessionSignoff: m.SessionSignoff.station_id.in_(stations),
        m.MaterialMovement: or_(
            m.MaterialMovement.station_id.in_(stations), m.MaterialMovement.centre_id.in_(stations)
        ),
        # Claims are personal: directors see their sub-county's, everyone else their own.
        m.Claim: or_(m.Claim.professional_id == own, m.Claim.professional_id.in_(directed))
        if scope.sub_county_ids
        else m.Claim.professional_id == own,
    }
    return rules[model]
