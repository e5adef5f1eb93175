"""The replicated records: one definition of every table the hub and replicas share.

Each record is a declarative *mixin*; the hub (`cp2hub.models`) and the replica
(`cp2desk.local_db.models`) each map it onto their own metadata and add their
side's own columns. Column names and order here are the wire contract: the sync
codec sends exactly `wire_columns(model)` for each row. This module must stay
free of Qt and of anything else the hub should not import.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import lru_cache

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

ID = String(36)
NAMESPACE = uuid.UUID("6f1f3c2e-8a52-4f8e-9a63-2b1d2f6c0c11")


def new_id() -> str:
    """A fresh row id, made where the row is born."""
    return str(uuid.uuid4())


@lru_cache(maxsize=1 << 16)
def natural_id(*parts: object) -> str:
    """A deterministic row id for rows with a natural key (same on every device)."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


class SyncMeta:
    """Sync metadata every replicated row carries (DESIGN.md, sync contract 1)."""

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    hlc: Mapped[int] = mapped_column(BigInteger, default=0)
    origin: Mapped[str] = mapped_column(String(36), default="hub")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    seq: Mapped[int | None] = mapped_column(BigInteger, index=True)


# --- reference data -------------------------------------------------------------


class CountyRecord(SyncMeta):
    __tablename__ = "county"
    code: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(60))


class SubCountyRecord(SyncMeta):
    __tablename__ = "sub_county"
    county_id: Mapped[str] = mapped_column(ForeignKey("county.id"), index=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(80))

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("county_id", "id", name="uq_sub_county_in_county"),)


class SeriesRecord(SyncMeta):
    """An examination series, e.g. KCSE 2026, with its marking window."""

    __tablename__ = "series"
    code: Mapped[str] = mapped_column(String(20), unique=True)
    exam: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    year: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    mark_opens_min: Mapped[int] = mapped_column(Integer, default=60)
    mark_closes_min: Mapped[int] = mapped_column(Integer, default=120)


class ExamSessionRecord(SyncMeta):
    """One sitting of the timetable: a day and a slot, with its papers."""

    __tablename__ = "exam_session"
    series_id: Mapped[str] = mapped_column(ForeignKey("series.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(10))
    starts_at: Mapped[dt.time] = mapped_column(Time)
    ends_at: Mapped[dt.time] = mapped_column(Time)
    papers: Mapped[str] = mapped_column(Text, default="")

    @declared_attr.directive
    def __table_args__(cls):
        return (
            UniqueConstraint("series_id", "day", "slot", name="uq_session_slot"),
            CheckConstraint("slot in ('morning','afternoon','evening')", name="ck_session_slot"),
        )


class PositionRecord(SyncMeta):
    __tablename__ = "position"
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    rank: Mapped[int] = mapped_column(Integer, default=0)


class RateRecord(SyncMeta):
    """Daily rate in KSh of a position in a series, optionally for one region."""

    __tablename__ = "rate"
    series_id: Mapped[str] = mapped_column(ForeignKey("series.id"), index=True)
    position_id: Mapped[str] = mapped_column(ForeignKey("position.id"))
    region: Mapped[str] = mapped_column(String(20), default="standard")
    daily_rate: Mapped[int] = mapped_column(Integer)

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("series_id", "position_id", "region", name="uq_rate"),)


class StationRecord(SyncMeta):
    """A duty station: an examination centre or a distribution centre (container)."""

    __tablename__ = "station"
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    county_id: Mapped[str] = mapped_column(ID, index=True)
    sub_county_id: Mapped[str] = mapped_column(ID, index=True)
    candidates: Mapped[int] = mapped_column(Integer, default=0)
    distribution_centre_id: Mapped[str | None] = mapped_column(ID)

    @declared_attr.directive
    def __table_args__(cls):
        return (
            ForeignKeyConstraint(
                ["county_id", "sub_county_id"],
                ["sub_county.county_id", "sub_county.id"],
                name="fk_station_sub_county_in_county",
            ),
            CheckConstraint(
                "kind in ('exam_centre','distribution_centre')", name="ck_station_kind"
            ),
        )


class RequirementRecord(SyncMeta):
    """How many officers of a position a station needs."""

    __tablename__ = "requirement"
    station_id: Mapped[str] = mapped_column(ForeignKey("station.id"), index=True)
    position_id: Mapped[str] = mapped_column(ForeignKey("position.id"))
    required: Mapped[int] = mapped_column(Integer)

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("station_id", "position_id", name="uq_requirement"),)


# --- people ---------------------------------------------------------------------


class ProfessionalRecord(SyncMeta):
    """A contracted professional's profile (the CP2 account's personal details)."""

    __tablename__ = "professional"
    phone: Mapped[str] = mapped_column(String(12), unique=True)
    national_id: Mapped[str | None] = mapped_column(String(12))
    tsc_number: Mapped[str | None] = mapped_column(String(12))
    first_name: Mapped[str] = mapped_column(String(40), default="")
    middle_name: Mapped[str] = mapped_column(String(40), default="")
    last_name: Mapped[str] = mapped_column(String(40), default="")
    gender: Mapped[str | None] = mapped_column(String(1))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    institution_code: Mapped[str | None] = mapped_column(String(12))
    institution_name: Mapped[str | None] = mapped_column(String(120))
    teacher_level: Mapped[str | None] = mapped_column(String(10))
    county_id: Mapped[str | None] = mapped_column(ID)
    sub_county_id: Mapped[str | None] = mapped_column(ID)
    payment_method: Mapped[str | None] = mapped_column(String(6))
    mpesa_phone: Mapped[str | None] = mapped_column(String(12))
    mpesa_name: Mapped[str | None] = mapped_column(String(120))
    bank_name: Mapped[str | None] = mapped_column(String(60))
    bank_account: Mapped[str | None] = mapped_column(String(30))
    kra_pin: Mapped[str | None] = mapped_column(String(11))

    @declared_attr.directive
    def __table_args__(cls):
        return (
            Index("ix_professional_national_id", "national_id"),
            Index("ix_professional_tsc_number", "tsc_number"),
        )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)


class WorkExperienceRecord(SyncMeta):
    __tablename__ = "work_experience"
    professional_id: Mapped[str] = mapped_column(ForeignKey("professional.id"), index=True)
    employer: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(80))
    start_on: Mapped[dt.date | None] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date)


class QualificationRecord(SyncMeta):
    __tablename__ = "qualification"
    professional_id: Mapped[str] = mapped_column(ForeignKey("professional.id"), index=True)
    level: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(120))
    institution: Mapped[str] = mapped_column(String(120))
    year: Mapped[int | None] = mapped_column(Integer)


class AppUserRecord(SyncMeta):
    """A login account; replicated to the user's own devices without secrets."""

    __tablename__ = "app_user"
    phone: Mapped[str] = mapped_column(String(12), unique=True)
    professional_id: Mapped[str | None] = mapped_column(ForeignKey("professional.id"))
    display_name: Mapped[str] = mapped_column(String(120), default="")


class RoleGrantRecord(SyncMeta):
    """A role a user holds, with its scope (a station or a sub-county)."""

    __tablename__ = "role_grant"
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    station_id: Mapped[str | None] = mapped_column(ForeignKey("station.id"))
    sub_county_id: Mapped[str | None] = mapped_column(ForeignKey("sub_county.id"))

    @declared_attr.directive
    def __table_args__(cls):
        return (
            CheckConstraint(
                "role in ('professional','centre_manager','tsc_director','scde',"
                "'knec_clerk','admin')",
                name="ck_role_grant_role",
            ),
        )


# --- jobs -----------------------------------------------------------------------


class VacancyRecord(SyncMeta):
    __tablename__ = "vacancy"
    series_id: Mapped[str] = mapped_column(ForeignKey("series.id"), index=True)
    position_id: Mapped[str] = mapped_column(ForeignKey("position.id"))
    activity: Mapped[str] = mapped_column(String(60))
    station_kind: Mapped[str] = mapped_column(String(20))
    county_id: Mapped[str | None] = mapped_column(ID)
    sub_county_id: Mapped[str | None] = mapped_column(ID)
    deadline: Mapped[dt.date] = mapped_column(Date)
    positions: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="open")


class ApplicationRecord(SyncMeta):
    __tablename__ = "application"
    vacancy_id: Mapped[str] = mapped_column(ForeignKey("vacancy.id"), index=True)
    professional_id: Mapped[str] = mapped_column(ForeignKey("professional.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("vacancy_id", "professional_id", name="uq_application"),)


class DeploymentRecord(SyncMeta):
    """An officer deployed to a station in a position for a series.

    A redeployment ends this row (status 'redeployed', `until_session_id` = the first
    session it no longer serves, exclusive) and starts a new one at the target station
    (`from_session_id`, inclusive), so a deployment never changes station: the old
    centre keeps its history and the new centre receives a new row.
    """

    __tablename__ = "deployment"
    series_id: Mapped[str] = mapped_column(ForeignKey("series.id"), index=True)
    professional_id: Mapped[str] = mapped_column(ForeignKey("professional.id"), index=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("station.id"), index=True)
    position_id: Mapped[str] = mapped_column(ForeignKey("position.id"))
    from_session_id: Mapped[str | None] = mapped_column(ID)
    until_session_id: Mapped[str | None] = mapped_column(ID)
    status: Mapped[str] = mapped_column(String(12), default="active")

    @declared_attr.directive
    def __table_args__(cls):
        active = text("status = 'active'")
        return (
            UniqueConstraint("id", "station_id", "professional_id", name="uq_deployment_triple"),
            # No double booking: one active deployment per officer per series.
            Index(
                "uq_deployment_active_officer",
                "series_id",
                "professional_id",
                unique=True,
                sqlite_where=active,
                postgresql_where=active,
            ),
            CheckConstraint("status in ('active','redeployed','cancelled')", name="ck_dep_status"),
        )


class RedeploymentRecord(SyncMeta):
    __tablename__ = "redeployment"
    professional_id: Mapped[str] = mapped_column(ID, index=True)
    from_deployment_id: Mapped[str] = mapped_column(ID)
    to_deployment_id: Mapped[str] = mapped_column(ID)
    from_station_id: Mapped[str] = mapped_column(ID, index=True)
    to_station_id: Mapped[str] = mapped_column(ID, index=True)
    from_session_id: Mapped[str | None] = mapped_column(ID)
    reason: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[str] = mapped_column(ID)
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class AttendanceRecord(SyncMeta):
    """One officer at one session; id = natural_id('attendance', deployment, session)."""

    __tablename__ = "attendance"
    deployment_id: Mapped[str] = mapped_column(ID)
    session_id: Mapped[str] = mapped_column(ForeignKey("exam_session.id"))
    station_id: Mapped[str] = mapped_column(ID, index=True)
    professional_id: Mapped[str] = mapped_column(ID, index=True)
    status: Mapped[str] = mapped_column(String(8))
    check_in: Mapped[dt.time | None] = mapped_column(Time)
    marked_by: Mapped[str | None] = mapped_column(ID)

    @declared_attr.directive
    def __table_args__(cls):
        return (
            UniqueConstraint("deployment_id", "session_id", name="uq_attendance_once"),
            ForeignKeyConstraint(
                ["deployment_id", "station_id", "professional_id"],
                ["deployment.id", "deployment.station_id", "deployment.professional_id"],
                name="fk_attendance_deployment",
            ),
            CheckConstraint("status in ('present','absent','late')", name="ck_att_status"),
        )


class SessionSignoffRecord(SyncMeta):
    """A centre manager's sign-off of a session; id = natural_id('session_signoff', station, session)."""

    __tablename__ = "session_signoff"
    station_id: Mapped[str] = mapped_column(ForeignKey("station.id"), index=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("exam_session.id"))
    status: Mapped[str] = mapped_column(String(10), default="signed")
    signed_by: Mapped[str | None] = mapped_column(ID)
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reopened_by: Mapped[str | None] = mapped_column(ID)
    reopened_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("station_id", "session_id", name="uq_signoff"),)


class MaterialMovementRecord(SyncMeta):
    """A signed handover of exam materials at a distribution centre."""

    __tablename__ = "material_movement"
    station_id: Mapped[str] = mapped_column(ForeignKey("station.id"), index=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("station.id"), index=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("exam_session.id"))
    kind: Mapped[str] = mapped_column(String(10))
    person_national_id: Mapped[str] = mapped_column(String(12))
    professional_id: Mapped[str | None] = mapped_column(ID)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    seals: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str | None] = mapped_column(ID)

    @declared_attr.directive
    def __table_args__(cls):
        return (CheckConstraint("kind in ('collect','return')", name="ck_movement_kind"),)


class ClaimRecord(SyncMeta):
    """An officer's claim for a series, computed on the hub from attendance."""

    __tablename__ = "claim"
    series_id: Mapped[str] = mapped_column(ForeignKey("series.id"), index=True)
    professional_id: Mapped[str] = mapped_column(ID, index=True)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    days: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Set by the hub when KNEC's payment of the claim is confirmed (status "paid").
    paid_amount: Mapped[int] = mapped_column(Integer, default=0)
    paid_ref: Mapped[str | None] = mapped_column(String(64))
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


RECORDS: tuple[type[SyncMeta], ...] = (
    CountyRecord,
    SubCountyRecord,
    SeriesRecord,
    ExamSessionRecord,
    PositionRecord,
    RateRecord,
    StationRecord,
    RequirementRecord,
    ProfessionalRecord,
    WorkExperienceRecord,
    QualificationRecord,
    AppUserRecord,
    RoleGrantRecord,
    VacancyRecord,
    ApplicationRecord,
    DeploymentRecord,
    RedeploymentRecord,
    AttendanceRecord,
    SessionSignoffRecord,
    MaterialMovementRecord,
    ClaimRecord,
)
"""Every replicated record, parents before children (the order to insert in)."""

RECORD_BY_TABLE: dict[str, type[SyncMeta]] = {r.__tablename__: r for r in RECORDS}

META_COLUMNS = ("id", "hlc", "origin", "deleted", "seq")

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "attendance": ("deployment_id", "session_id"),
    "session_signoff": ("station_id", "session_id"),
}
"""Tables whose id is natural_id(table, *key): derivable, so never sent on the wire."""


def row_natural_id(table: str, row: dict) -> str | None:
    key = NATURAL_KEYS.get(table)
    return natural_id(table, *(row[k] for k in key)) if key else None


def ref_columns(record: type[SyncMeta]) -> tuple[str, ...]:
    """Columns holding row ids (36-character strings): sent as references to a page's list."""
    out = []
    for klass in reversed(record.__mro__):
        for name, attr in vars(klass).items():
            column = getattr(attr, "column", None)
            length = getattr(getattr(column, "type", None), "length", None)
            is_fk = column is not None and bool(column.foreign_keys)
            if column is not None and (length == 36 or is_fk) and name not in out:
                out.append(name)
    return tuple(out)


def wire_columns(record: type[SyncMeta]) -> tuple[str, ...]:
    """The columns of a record on the wire: sync metadata first, then the data fields."""
    own = [
        name
        for klass in reversed(record.__mro__)
        for name in vars(klass).get("__annotations__", {})
        if name not in META_COLUMNS and klass is not SyncMeta and issubclass(klass, SyncMeta)
    ]
    return META_COLUMNS + tuple(dict.fromkeys(own))


def column_types(record: type[SyncMeta]) -> dict[str, type]:
    """The Python type of each wire column (foreign keys without a type are ids, str)."""
    types: dict[str, type] = {}
    for klass in reversed(record.__mro__):
        for name, attr in vars(klass).items():
            column = getattr(attr, "column", None)
            if column is None or name.startswith("_"):
                continue
            try:
                types[name] = column.type.python_type
            except NotImplementedError:
                types[name] = str
    return types
