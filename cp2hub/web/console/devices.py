"""Devices: every device users signed in on, with its user, roles, app and last sync;
revoke one (a lost laptop). `cp2hub.devices` decides, as for the API and the CLI."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from cp2hub import devices
from cp2hub.web.console.access import Admin, act
from cp2hub.web.pages import render, web_router
from cp2hub.web.visitors import VisitorDep

router = web_router(prefix="/console")


@router.get("/devices")
def device_list(request: Request, _admin: Admin, visitor: VisitorDep) -> Response:
    with visitor.db.read() as session:
        lines = devices.listing(session, limit=500)
    return render(request, "console/devices.html", section="devices", lines=lines)


@router.post("/devices/{device_id}/revoke")
def revoke(device_id: str, request: Request, admin: Admin, visitor: VisitorDep) -> Response:
    def done():
        with visitor.db.write() as session:
            return devices.revoke(session, device_id, admin)

    return act(
        request, "/console/devices", done,
        lambda line: f"Revoked device {line.short_id} of {line.user_name or line.phone}: "
        "it can no longer sign in or sync.",
    )  # fmt: skip
