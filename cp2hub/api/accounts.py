"""Create an account by phone number, and change a password."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.exc import IntegrityError

from cp2desk.sync.portal import Notice, PasswordChange, RegisterRequest
from cp2hub import accounts
from cp2hub.api.answers import problems
from cp2hub.api.deps import DB, AppSettings, CurrentUser, check_protocol
from cp2hub.api.gateway import Limiter, Sms, client_ip
from cp2hub.errors import AccountLocked, HubError, WrongPassword
from cp2hub.ratelimit import TooManyRequests

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
    if not limiter.allow(f"register-ip:{client_ip(request)}", settings.register_per_ip_per_hour):
        raise TooManyRequests(
            "Too many accounts were asked for from this network. Try again in an hour."
        )
    number = accounts.checked_number(body.phone, body.phone_again)
    if not limiter.allow(f"register:{number}", settings.register_per_number_per_hour):
        raise TooManyRequests(
            "Too many attempts for this number. Try again in an hour, or send PASSWORD to "
            f"{settings.sms_short_code} to get your login details."
        )
    try:
        with db.write() as session:
            accounts.register(session, number, settings, sms(session))
    except IntegrityError:  # registered a moment ago by a concurrent request
        raise accounts.already_registered(settings) from None
    spaced = accounts.local_number(number, spaced=True)
    return Notice(message=f"We have sent your login details by SMS to {spaced}.")


@router.post("/password", responses=problems(423))
def change_password(
    body: PasswordChange, principal: CurrentUser, db: DB, settings: AppSettings
) -> Notice:
    failure: HubError | None = None
    with db.write() as session:  # a wrong current password is counted, so it commits too
        try:
            accounts.change_password(
                session, principal, body.old_password, body.new_password, settings
            )
        except (WrongPassword, AccountLocked) as exc:
            failure = exc
    if failure is not None:
        raise failure
    return Notice(message="Your password was changed. Use the new one the next time you sign in.")
