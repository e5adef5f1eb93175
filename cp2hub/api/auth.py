"""Sign in, refresh and sign out, each bound to one device."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Header

from cp2desk.sync.phones import InvalidPhone, masked_phone
from cp2desk.sync.protocol import APP_VERSION_HEADER, LoginRequest, RefreshRequest, TokenPair
from cp2hub import auth
from cp2hub.api.answers import problems
from cp2hub.api.deps import DB, AppSettings, CurrentUser, check_protocol
from cp2hub.errors import HubError

log = logging.getLogger(__name__)
router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[Depends(check_protocol)])
AppVersion = Annotated[str, Header(alias=APP_VERSION_HEADER)]


@router.post("/login", responses=problems(401, 423))
def login(body: LoginRequest, db: DB, settings: AppSettings, version: AppVersion = "") -> TokenPair:
    failure: HubError | None = None
    with db.write() as session:  # a failed attempt is counted, so it must commit too
        try:
            pair = auth.login(session, body, settings, version)
        except InvalidPhone as exc:
            failure = HubError(str(exc))
        except HubError as exc:
            failure = exc
    if failure is not None:
        refused = {"event": "sign_in_refused", "code": failure.code, "device_id": body.device_id}
        log.warning(
            "sign-in refused: %s",
            failure.code,
            extra={**refused, "phone": masked_phone(body.phone)},
        )
        raise failure
    log.info(
        "signed in",
        extra={"event": "sign_in", "user_id": pair.user_id, "device_id": pair.device_id},
    )
    return pair


@router.post("/refresh", responses=problems(401))
def refresh(
    body: RefreshRequest, db: DB, settings: AppSettings, version: AppVersion = ""
) -> TokenPair:
    with db.write() as session:
        return auth.refresh(session, body, settings, version)


@router.post("/logout", status_code=204)
def logout(principal: CurrentUser, db: DB) -> None:
    with db.write() as session:
        auth.logout(session, principal)
