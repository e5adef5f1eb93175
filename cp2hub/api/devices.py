"""KNEC administrators: the devices users signed in on, and revoking one."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from cp2hub import devices
from cp2hub.accounts import phone_of
from cp2hub.api.admin import require_admin
from cp2hub.api.answers import problems
from cp2hub.api.deps import DB, check_protocol
from cp2hub.auth import Principal

log = logging.getLogger(__name__)
router = APIRouter(
    prefix="/admin/devices",
    tags=["admin"],
    dependencies=[Depends(check_protocol)],
    responses=problems(403),
)
Admin = Annotated[Principal, Depends(require_admin)]


@router.get("", responses=problems(400))
def list_devices(
    _admin: Admin,
    db: DB,
    phone: Annotated[str | None, Query()] = None,
    sort: Annotated[Literal["last_seen", "created"], Query()] = "last_seen",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[devices.DeviceLine]:
    number = phone_of(phone) if phone else None
    with db.read() as session:
        return devices.listing(session, number, sort, limit)


@router.post("/{device_id}/revoke", responses=problems(400, 404, 409))
def revoke(device_id: str, admin: Admin, db: DB) -> devices.DeviceLine:
    with db.write() as session:
        line = devices.revoke(session, device_id, admin)
    log.info(
        "device revoked",
        extra={
            "event": "device_revoked",
            "device_id": line.id,
            "user_id": line.user_id,
            "by": admin.user_id,
        },
    )
    return line
