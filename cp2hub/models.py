"""The hub's tables: the replicated records plus the hub's own (accounts, devices, feed)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cp2desk.sync import records as r


class Base(DeclarativeBase):
    pass


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
    """A login. A password sent by SMS waits in `pending_password_hash` until its first
    use, so the current one keeps working (cp2hub.credentials)."""

    password_hash: Mapped[str | None] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    pending_password_hash: Mapped[str | None] = mapped_column(String(200))
    pending_password_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


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
    """Attendance with a clock per field, for field-level last-writer-wins."""

    status_hlc: Mapped[int] = mapped_column(BigInteger, default=0)
    check_in_hlc: Mapped[int] = mapped_column(BigInteger, default=0)


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


# --- the hub's own tables ---------------------------------------------------------


class FeedCounter(Base):
    """The one row whose lock orders every write: sequences are handed out in commit order."""

    __tablename__ = "feed_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class FeedTouch(Base):
    """What one transaction's writes reached (`cp2hub.reach`), under its highest sequence:
    every hub process reads these to wake the devices held on the live channel
    (`cp2hub.live`). Kept for minutes, then pruned."""

    __tablename__ = "feed_touch"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tags: Mapped[str] = mapped_column(Text)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class HubHistory(Base):
    """The one row whose seed, with what a restore cannot carry over (`cp2hub.history`),
    makes the identity of the hub's history. Never rebuilt by a migration: on PostgreSQL
    the table's own OID is part of that identity, so a new table means a new history."""

    __tablename__ = "hub_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seed: Mapped[str] = mapped_column(String(32))
    made_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Device(Base):
    """A device a user signed in on; its tokens are revocable and bound to it."""

    __tablename__ = "device"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    app_version: Mapped[str | None] = mapped_column(String(40))
    """The CP2 Desk version it last signed in or refreshed with (its own header)."""
    refresh_hash: Mapped[str | None] = mapped_column(String(64))
    access_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    access_expires: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)


class AppliedEntry(Base):
    """The answer given to a pushed entry, kept so a redelivery gets the same answer."""

    __tablename__ = "applied_entry"
    key: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))  # not indexed: every push writes here
    answer: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class AttendanceHistory(Base):
    """Every value that lost a last-writer-wins contest, kept for audit and appeal."""

    __tablename__ = "attendance_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    attendance_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(String(20))
    value: Mapped[str | None] = mapped_column(String(40))
    hlc: Mapped[int] = mapped_column(BigInteger)
    origin: Mapped[str] = mapped_column(String(36))
    superseded_by_hlc: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class RateHit(Base):
    """One counted attempt at a rate-limited request (`cp2hub.ratelimit`), shared by every
    hub worker process; kept only as long as a window."""

    __tablename__ = "rate_hit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)

    __table_args__ = (Index("ix_rate_hit_key_at", "key", "at"),)


class SmsMessage(Base):
    """Outgoing SMS as recorded by the gateway (the local outbox backend's store); a
    password in `body` is masked unless the hub runs in demo mode."""

    __tablename__ = "sms_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phone: Mapped[str] = mapped_column(String(12), index=True)
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)


class PaymentBatch(Base):
    """Payable claims of a series gathered to be paid together (`cp2hub.payments`): one
    administrator prepares it, another approves it, then it is run."""

    __tablename__ = "payment_batch"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    series_id: Mapped[str] = mapped_column(ForeignKey("series.id"), index=True)
    county_id: Mapped[str | None] = mapped_column(String(36))
    """None: every county."""
    status: Mapped[str] = mapped_column(String(10))
    """prepared, approved, run (sent at least once), cancelled."""
    count: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(BigInteger)
    """Whole shillings."""
    prepared_by: Mapped[str] = mapped_column(String(36))
    prepared_at: Mapped[dt.datetime] = mapped_column(DateTime)
    approved_by: Mapped[str | None] = mapped_column(String(36))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Payment(Base):
    """One claim in a batch: the money for it, where it goes, and what became of it.

    `id` is the idempotency key the provider is given, stored before it is called.
    `live_claim_id` holds the claim's id while this payment may still move money (not
    failed, held or cancelled): unique, so a claim has one such payment at a time."""

    __tablename__ = "payment"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("payment_batch.id"))
    claim_id: Mapped[str] = mapped_column(String(36), index=True)
    live_claim_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    professional_id: Mapped[str] = mapped_column(String(36))
    county_id: Mapped[str | None] = mapped_column(String(36))
    amount: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(6))
    """mpesa or bank."""
    phone: Mapped[str | None] = mapped_column(String(12))
    payee: Mapped[str] = mapped_column(String(120), default="")
    bank_name: Mapped[str | None] = mapped_column(String(60))
    bank_account: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10))
    """queued, sending, sent, filed (in a bank file), paid, failed, held, cancelled."""
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    """The provider's id of the transaction, which its callbacks name."""
    reference: Mapped[str | None] = mapped_column(String(64))
    """What the officer sees: the M-Pesa receipt or the bank transfer's reference."""
    reason: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    settled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    # A run takes a batch's queued payments in id order, a chunk at a time: one range scan.
    __table_args__ = (Index("ix_payment_batch_status_id", "batch_id", "status", "id"),)


class PaymentOutbox(Base):
    """What the `outbox` payment backend would have paid, once per idempotency key."""

    __tablename__ = "payment_outbox"
    key: Mapped[str] = mapped_column(String(36), primary_key=True)
    phone: Mapped[str] = mapped_column(String(12))
    payee: Mapped[str] = mapped_column(String(120))
    amount: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class PaymentAudit(Base):
    """Who prepared, approved, sent and reconciled what: one line per act, never changed."""

    __tablename__ = "payment_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    """The administrator's user id; None for the payment provider."""
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))
    batch_id: Mapped[str | None] = mapped_column(String(36), index=True)
    payment_id: Mapped[str | None] = mapped_column(String(36))
    count: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    detail: Mapped[str] = mapped_column(Text, default="")


class WebSession(Base):
    """A browser's session on the hub's web pages (`cp2hub.web.sessions`), signed in or not
    yet. Only the SHA-256 of the cookie's value is kept, so a copy of the database opens
    no session; the CSRF token is tied to the row and is new with each sign-in."""

    __tablename__ = "web_session"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    flash: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
