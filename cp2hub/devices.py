"""Devices as KNEC's administrators see them: who signed in where, with which app, and
revoking one (a lost or stolen laptop, an officer who left).

The `cp2hub devices` / `revoke-device` commands and the /admin/devices API both call
these functions, so a rule (how a device is named, who may revoke what) lives here once.
A revoked device keeps its row and its tokens' digests: its next request is answered
with why (`auth.DeviceRevoked`), and its user can still export what it did not sync.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2hub import auth
from cp2hub.errors import HubError
from cp2hub.models import AppUser, Device, RoleGrant

SHORT_ID = 8
"""Devices are listed by the first 8 characters of their id; any unique start of at
least 6 names one."""
MIN_PREFIX = 6

Order = Literal["last_seen", "created"]


class DeviceNotFound(HubError):
    status = 404
    code = "not_found"


class DeviceAlreadyRevoked(HubError):
    status = 409
    code = "already_revoked"


class DeviceLine(BaseModel):
    """One device, for the administrators' list. Times are UTC, with their offset."""

    id: str
    user_id: str
    phone: str
    user_name: str
    roles: list[str]
    name: str
    app_version: str | None
    created_at: dt.datetime
    last_seen_at: dt.datetime | None
    """The last sign-in or token refresh: a device in use refreshes at least once an
    access token's lifetime, so this is right to within that."""
    revoked_at: dt.datetime | None

    @property
    def short_id(self) -> str:
        return self.id[:SHORT_ID]


def listing(
    session: Session, phone: str | None = None, order: Order = "last_seen", limit: int = 200
) -> list[DeviceLine]:
    """The first `limit` devices (of the user with `phone`, if given), most recently seen
    first (or newest first with `order="created"`); devices never seen go last."""
    query = select(Device, AppUser).join(AppUser, AppUser.id == Device.user_id)
    if phone is not None:
        query = query.where(AppUser.phone == phone)
    column = Device.last_seen_at if order == "last_seen" else Device.created_at
    query = query.order_by(column.desc().nulls_last(), Device.id).limit(limit)
    found = session.execute(query).all()
    roles = _roles(session, {user.id for _device, user in found})
    return [_line(device, user, roles.get(user.id, [])) for device, user in found]


def find(session: Session, id_or_prefix: str) -> Device:
    """The device whose id is `id_or_prefix`, or starts with it (at least 6 characters)."""
    text = id_or_prefix.strip().lower()
    exact = session.get(Device, text) if text else None
    if exact is not None:
        return exact
    if len(text) < MIN_PREFIX:
        raise DeviceNotFound(
            f"No device has the id {id_or_prefix!r}. Give its id as listed (at least "
            f"{MIN_PREFIX} characters)."
        )
    matches = session.scalars(select(Device).where(Device.id.startswith(text)).limit(2)).all()
    if not matches:
        raise DeviceNotFound(f"No device has an id starting {id_or_prefix!r}.")
    if len(matches) > 1:
        raise DeviceNotFound(
            f"More than one device has an id starting {id_or_prefix!r}; give more of it."
        )
    return matches[0]


def revoke(session: Session, id_or_prefix: str, by: auth.Principal | None = None) -> DeviceLine:
    """Revoke a device: its sign-in, refresh and every request end with the reason.

    `by` is the administrator revoking through the API (None: the hub's command line,
    run by whoever runs the hub). An administrator cannot revoke the device they are
    using: they would be cut off mid-action, and a lost administrator's device is
    revoked from another one or from the command line.
    """
    device = find(session, id_or_prefix)
    user = session.get(AppUser, device.user_id)
    if device.revoked_at is not None:
        raise DeviceAlreadyRevoked(
            f"Device {device.id[:SHORT_ID]} was already revoked on "
            f"{device.revoked_at:%d %b %Y %H:%M} UTC."
        )
    if by is not None and by.device_id == device.id:
        raise HubError(
            "This is the device you are using: sign out instead, or revoke it from "
            "another device or the hub's command line."
        )
    auth.revoke(session, device.id)
    session.flush()
    return _line(device, user, _roles(session, {user.id}).get(user.id, []))


def _roles(session: Session, user_ids: set[str]) -> dict[str, list[str]]:
    if not user_ids:
        return {}
    rows = session.execute(
        select(RoleGrant.user_id, RoleGrant.role)
        .where(RoleGrant.user_id.in_(user_ids), RoleGrant.deleted.is_(False))
        .order_by(RoleGrant.role)
    ).all()
    roles: dict[str, list[str]] = {}
    for user_id, role in rows:
        if role not in roles.setdefault(user_id, []):
            roles[user_id].append(role)
    return roles


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment is not None else None


def _line(device: Device, user: AppUser, roles: list[str]) -> DeviceLine:
    return DeviceLine(
        id=device.id,
        user_id=user.id,
        phone=user.phone,
        user_name=user.display_name or "",
        roles=roles,
        name=device.name or "",
        app_version=device.app_version,
        created_at=_utc(device.created_at),
        last_seen_at=_utc(device.last_seen_at),
        revoked_at=_utc(device.revoked_at),
    )
