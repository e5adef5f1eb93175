"""Create an account by phone number, and change a password."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from cp2desk.sync.portal import Notice, PasswordChange, RegisterRequest
from cp2hub import accounts
from cp2hub.api.answers import problems
from cp2hub.api.deps import DB, AppSettings, CurrentUser, check_protocol
from cp2hub.api.gateway import Limiter, Sms, client_ip

router = APIRouter(prefix="/accounts", tags=["accounts"], dependencies=[Depends(check_protocol)])


@router.post("/register", responses=problems(409, 429, 503))
def register(
    body: RegisterRequest,
    request: Request,
    db: DB,
    settings: AppSettings,
    sms: Sms,
    limiter: Limiter,
) -> Notice:
    """Register the number typed twice; its login details go to it by SMS."""
    message = accounts.create_account(
        db, settings, sms, limiter, client_ip(request), body.phone, body.phone_again
    )
    return Notice(message=message)


@router.post("/password", responses=problems(423))
def change_password(
    body: PasswordChange, principal: CurrentUser, db: DB, settings: AppSettings
) -> Notice:
    message = accounts.change_own_password(
        db, principal, body.old_password, body.new_password, settings
    )
    return Notice(message=message)
