"""Accounts, devices and tokens: sign in, refresh, sign out, revoke, and who is calling.

Tokens are random; the hub stores only their SHA-256, bound to one device, so a
stolen database reveals no usable token and revoking a device ends its tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from cp2desk.sync.phones import normalise_phone
from cp2desk.sync.protocol import LoginRequest, RefreshRequest, TokenPair
from cp2hub import credentials
from cp2hub.db import Database
from cp2hub.errors import DeviceRevoked, HubError, Unauthenticated, WrongPassword
from cp2hub.models import AppUser, Device, RoleGrant
from cp2hub.passwords import verify_password
from cp2hub.settings import Settings

WRONG_PASSWORD = "The phone number or password is not correct."


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Grant:
    role: str
    station_id: str | None
    sub_county_id: str | None


@dataclass(frozen=True)
class Principal:
    """The caller: a user on one device, with the roles and scopes they hold."""

    user_id: str
    phone: str
    professional_id: str | None
    device_id: str
    grants: tuple[Grant, ...]

    def has(self, role: str) -> bool:
        return any(g.role == role for g in self.grants)

    def stations(self, *roles: str) -> set[str]:
        return {g.station_id for g in self.grants if g.role in roles and g.station_id}

    def sub_counties(self, *roles: str) -> set[str]:
        return {g.sub_county_id for g in self.grants if g.role in roles and g.sub_county_id}


def login(
    session: Session, request: LoginRequest, settings: Settings, app_version: str = ""
) -> TokenPair:
    user = checked_user(session, request.phone, request.password, settings)
    now = utcnow()
    device = session.get(Device, request.device_id)
    if device is not None and device.revoked_at is not None:
        raise DeviceRevoked(_revoked_message(device.revoked_at))
    if device is not None and device.user_id != user.id:
        raise Unauthenticated("This device is registered to another account.")
    if device is None:
        device = Device(id=request.device_id, user_id=user.id, created_at=now, cursor=0)
        session.add(device)
    device.name = request.device_name or device.name
    return _issue(device, user.id, settings, app_version=app_version)


def checked_user(session: Session, phone: str, password: str, settings: Settings) -> AppUser:
    """The account of `phone` if `password` signs it in (the device's sign-in and the web's).

    Raises InvalidPhone, `WrongPassword` or `AccountLocked`; a wrong password counts
    towards the lockout, so the caller commits either way."""
    number = normalise_phone(phone)
    user = session.scalar(select(AppUser).where(AppUser.phone == number))
    if user is None or not user.password_hash:
        verify_password(None, password)  # same cost: no hint which numbers exist
        raise WrongPassword(WRONG_PASSWORD)
    credentials.check(user, password, settings, utcnow(), WRONG_PASSWORD)
    return user


def signed_in_user(db: Database, phone: str, password: str, settings: Settings) -> str:
    """The id of the account `password` signs in to (the web pages' sign-in): the same
    checks and lockout as `checked_user`, but the slow hash check runs before the write,
    so sign-ins do not hold the database's writers back. Raises as `checked_user`."""
    number = normalise_phone(phone)
    with db.read() as session:  # over before the check: no snapshot held while it runs
        user = session.scalar(select(AppUser).where(AppUser.phone == number))
    if user is None or not user.password_hash:
        verify_password(None, password)  # same cost: no hint which numbers exist
        raise WrongPassword(WRONG_PASSWORD)
    verdict = credentials.verify(user, password, settings, utcnow())
    failure: HubError | None = None
    with db.write() as session:  # a wrong password is counted, so it commits too
        user = session.get(AppUser, user.id)
        try:
            credentials.settle(user, verdict, settings, utcnow(), WRONG_PASSWORD)
        except HubError as exc:
            failure = exc
    if failure is not None:
        raise failure
    return user.id


def refresh(
    session: Session, request: RefreshRequest, settings: Settings, app_version: str = ""
) -> TokenPair:
    device = session.get(Device, request.device_id)
    if device is None or device.refresh_hash != _digest(request.refresh_token):
        raise Unauthenticated("Your sign-in has expired. Please sign in again.")
    if device.revoked_at is not None:  # its tokens are kept, so it can be told why
        raise DeviceRevoked(_revoked_message(device.revoked_at))
    # The refresh token is not rotated: an answer lost on a bad link must not lock
    # the device out. It ends with sign-out or revocation.
    return _issue(device, device.user_id, settings, request.refresh_token, app_version)


def logout(session: Session, principal: Principal) -> None:
    device = session.get(Device, principal.device_id)
    if device is not None:
        device.access_hash = None
        device.refresh_hash = None


def revoke(session: Session, device_id: str) -> None:
    device = session.get(Device, device_id)
    if device is not None:
        device.revoked_at = utcnow()


def _caller_query():
    grants, users = RoleGrant.__table__, AppUser.__table__
    device, user, grant = Device.__table__.c, users.c, grants.c
    return (
        select(
            device.id,
            device.revoked_at,
            device.access_expires,
            user.id,
            user.phone,
            user.professional_id,
            grant.role,
            grant.station_id,
            grant.sub_county_id,
        )  # fmt: skip
        .join(users, user.id == device.user_id)
        .outerjoin(grants, (grant.user_id == user.id) & grant.deleted.is_(False))
        .where(device.access_hash == bindparam("digest"))
    )


_CALLER = _caller_query()  # built once: every request runs it


def authenticate(session: Session, token: str | None) -> Principal:
    """The caller of a request, from its access token: one query for the device, its
    user and their grants (every request asks, so it is kept to one round trip)."""
    if not token:
        raise Unauthenticated("Please sign in.")
    rows = session.execute(_CALLER, {"digest": _digest(token)}).all()
    if not rows:
        raise Unauthenticated("Your sign-in has expired. Please sign in again.")
    device_id, revoked_at, expires, user_id, phone, professional_id = rows[0][:6]
    if revoked_at is not None:
        raise DeviceRevoked(_revoked_message(revoked_at))
    if expires is None or expires < utcnow():
        raise Unauthenticated("Your sign-in has expired. Please sign in again.")
    return Principal(
        user_id=user_id,
        phone=phone,
        professional_id=professional_id,
        device_id=device_id,
        grants=tuple(Grant(*r[6:]) for r in rows if r[6] is not None),
    )


def _issue(
    device: Device,
    user_id: str,
    settings: Settings,
    refresh_token: str | None = None,
    app_version: str = "",
) -> TokenPair:
    """New tokens for the device; what it says of its app version is recorded as it came
    (shown to administrators, trusted for nothing)."""
    access = secrets.token_urlsafe(32)
    refresh_token = refresh_token or secrets.token_urlsafe(32)
    device.access_hash = _digest(access)
    device.refresh_hash = _digest(refresh_token)
    device.access_expires = utcnow() + dt.timedelta(minutes=settings.access_token_minutes)
    device.last_seen_at = utcnow()
    device.app_version = app_version.strip()[:40] or None
    return TokenPair(
        access_token=access,
        refresh_token=refresh_token,
        expires_in=settings.access_token_minutes * 60,
        user_id=user_id,
        device_id=device.id,
    )


def _revoked_message(revoked_at: dt.datetime | None) -> str:
    when = revoked_at.strftime("%d %b %Y %H:%M UTC") if revoked_at else "earlier"
    return (
        f"This device was revoked on {when}. Unsynced changes stay on this computer and "
        "can be exported for your KNEC office; ask your KNEC administrator why it was revoked."
    )
