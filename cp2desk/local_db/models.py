"""The replica's tables: the replicated records plus the device's own bookkeeping."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cp2desk.sync import records as r

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Names for constraints the records leave unnamed, so that Alembic's batch mode (the
only way to alter a table on SQLite) can find and drop them in later migrations. Check
constraints are always named in `records`, so they need no convention."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class County(r.CountyRecord, Base):
    pass


class SubCounty(r.SubCountyRecord, Base):
    pass


class Series(r.SeriesRecord, Base):
    pass


class ExamSession(r.ExamSessionRecord, Base):
    pass


class Position(r.PositionRecord, Base):
    pass


class Rate(r.RateRecord, Base):
    pass


class Station(r.StationRecord, Base):
    pass


class Requirement(r.RequirementRecord, Base):
    pass


class Professional(r.ProfessionalRecord, Base):
    pass


class WorkExperience(r.WorkExperienceRecord, Base):
    pass


class Qualification(r.QualificationRecord, Base):
    pass


class AppUser(r.AppUserRecord, Base):
    pass


class RoleGrant(r.RoleGrantRecord, Base):
    pass


class Vacancy(r.VacancyRecord, Base):
    pass


class Application(r.ApplicationRecord, Base):
    pass


class Deployment(r.DeploymentRecord, Base):
    pass


class Redeployment(r.RedeploymentRecord, Base):
    pass


class Attendance(r.AttendanceRecord, Base):
    pass


class SessionSignoff(r.SessionSignoffRecord, Base):
    pass


class MaterialMovement(r.MaterialMovementRecord, Base):
    pass


class Claim(r.ClaimRecord, Base):
    pass


REPLICATED: tuple[type[Base], ...] = (
    County,
    SubCounty,
    Series,
    ExamSession,
    Position,
    Rate,
    Station,
    Requirement,
    Professional,
    WorkExperience,
    Qualification,
    AppUser,
    RoleGrant,
    Vacancy,
    Application,
    Deployment,
    Redeployment,
    Attendance,
    SessionSignoff,
    MaterialMovement,
    Claim,
)
MODEL_BY_TABLE: dict[str, type[Base]] = {m.__tablename__: m for m in REPLICATED}

# --- indexes only the replica needs (revision 0002) -----------------------------
# The shared records index what both sides look up; these serve the device's own
# screens. They are declared here, after the classes, so `records` stays the wire
# contract and the hub's tables are not touched.

Index("ix_attendance_session_station", Attendance.session_id, Attendance.station_id)
"""The centre register: one session's marks at one centre (and a session across centres)."""

Index("ix_deployment_station_status", Deployment.station_id, Deployment.status)
"""The officers active at a centre, and its shortfall against the requirement."""


# --- the device's own tables ----------------------------------------------------


class OutboxEntry(Base):
    """A local change waiting for the hub's answer; written with the change itself."""

    __tablename__ = "outbox"
    __table_args__ = (
        # "Does this row have a change waiting?", asked by push and pull for many rows.
        # row_id leads: ids are unique across tables, and callers often omit the table.
        Index("ix_outbox_row", "row_id", "table_name"),
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    row_json: Mapped[str] = mapped_column(Text)
    fields: Mapped[str] = mapped_column(Text, default="")
    base_hlc: Mapped[int | None] = mapped_column(BigInteger)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class Reoffer(Base):
    """A row this device made, which a hub restored from backup may lack. It is offered
    again (`cp2desk.sync.restore`) once the pull from the start has shown what the hub
    still holds: `base_hlc` is the clock of the hub's older version, if it sent one."""

    __tablename__ = "reoffer"
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    hlc: Mapped[int] = mapped_column(BigInteger)
    base_hlc: Mapped[int | None] = mapped_column(BigInteger)


class SyncIssue(Base):
    """A conflict or refusal the hub answered, kept until the user has seen it."""

    __tablename__ = "sync_issue"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    local_json: Mapped[str] = mapped_column(Text, default="")
    hub_json: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    seen: Mapped[bool] = mapped_column(default=False)


class SyncState(Base):
    """Small named values the sync engine keeps: cursor, device id, clock, last sync."""

    __tablename__ = "sync_state"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LocalAccount(Base):
    """A user who signed in on this device: the offline unlock verifier (argon2 hash)."""

    __tablename__ = "local_account"
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    phone: Mapped[str] = mapped_column(String(12), unique=True)
    verifier: Mapped[str] = mapped_column(String(200))
    hub_url: Mapped[str] = mapped_column(String(200))
    last_login_at: Mapped[dt.datetime] = mapped_column(DateTime)
