"""Accounts made by SMS: register a phone number, PASSWORD by SMS, change a password.

The username is the phone number. A new password is random (`secrets`), from an
alphabet without look-alike characters since people copy it from an SMS, and only its
Argon2 hash is stored; the SMS names it as its secret, so no store or log keeps it.
The SMS goes inside the transaction that stores the hash: if the provider refuses it,
nothing changes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cp2desk.sync.phones import InvalidPhone, normalise_phone
from cp2desk.sync.portal import MIN_PASSWORD_LENGTH
from cp2desk.sync.records import natural_id
from cp2hub import credentials
from cp2hub.auth import Principal, utcnow
from cp2hub.db import Database
from cp2hub.errors import HubError
from cp2hub.models import AppUser, Professional, RoleGrant, WebSession
from cp2hub.passwords import hash_password
from cp2hub.ratelimit import RateLimiter, TooManyRequests
from cp2hub.settings import Settings
from cp2hub.sms import SmsGateway

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 8


class InvalidPhoneNumber(HubError):
    code = "invalid_phone"


class PhonesDiffer(HubError):
    code = "phones_differ"


class AlreadyRegistered(HubError):
    status = 409
    code = "already_registered"


class WeakPassword(HubError):
    code = "weak_password"


def new_password() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(PASSWORD_LENGTH))


def local_number(phone: str, spaced: bool = False) -> str:
    """2547XXXXXXXX as Kenyans write it: 07XXXXXXXX, or 07XX XXX XXX."""
    local = "0" + phone[3:]
    return f"{local[:4]} {local[4:7]} {local[7:]}" if spaced else local


def phone_of(text: str) -> str:
    try:
        return normalise_phone(text)
    except InvalidPhone as exc:
        raise InvalidPhoneNumber(str(exc)) from exc


def checked_number(phone: str, phone_again: str) -> str:
    """The number typed twice, as stored (2547XXXXXXXX); a clear refusal otherwise."""
    if not phone.strip():
        raise InvalidPhoneNumber("Enter your mobile number.")
    number = phone_of(phone)
    if not phone_again.strip():
        raise PhonesDiffer("Enter your mobile number a second time, to be sure it is right.")
    if phone_of(phone_again) != number:
        raise PhonesDiffer(
            "The two mobile numbers are not the same. Enter the same number in both boxes."
        )
    return number


def register(session: Session, number: str, settings: Settings, sms: SmsGateway) -> None:
    """Create the account of a checked number (`checked_number`) and SMS its login details.

    Creates the professional (unless KNEC already has one with this number), the login
    and the 'professional' role.
    """
    if session.scalar(select(AppUser.id).where(AppUser.phone == number)) is not None:
        raise already_registered(settings)
    person = session.scalar(select(Professional).where(Professional.phone == number))
    if person is None:
        person = Professional(phone=number)
        session.add(person)
        session.flush()
    password = new_password()
    user = AppUser(
        phone=number,
        professional_id=person.id,
        display_name=person.full_name,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()  # a concurrent registration of the number fails here (unique phone)
    session.add(
        RoleGrant(
            id=natural_id("role_grant", user.id, "professional"),
            user_id=user.id,
            role="professional",
        )
    )
    session.flush()
    sms.send(
        number,
        f"KNEC CP2: your account is ready. Username: {local_number(number)} "
        f"Password: {password} Please change the password after you sign in.",
        secret=password,
    )


def create_account(
    db: Database,
    settings: Settings,
    sms: Callable[[Session], SmsGateway],
    limiter: RateLimiter,
    client_ip: str,
    phone: str,
    phone_again: str,
) -> str:
    """Create an account (the app's and the web's Create an account): the number typed
    twice, checked, within the limits per network and per number; returns the message
    that tells the person their login details are on the way."""
    if not limiter.allow(f"register-ip:{client_ip}", settings.register_per_ip_per_hour):
        raise TooManyRequests(
            "Too many accounts were asked for from this network. Try again in an hour."
        )
    number = checked_number(phone, phone_again)
    if not limiter.allow(f"register:{number}", settings.register_per_number_per_hour):
        raise TooManyRequests(
            "Too many attempts for this number. Try again in an hour, or send PASSWORD to "
            f"{settings.sms_short_code} to get your login details."
        )
    try:
        with db.write() as session:
            register(session, number, settings, sms(session))
    except IntegrityError:  # registered a moment ago by a concurrent request
        raise already_registered(settings) from None
    return f"We have sent your login details by SMS to {local_number(number, spaced=True)}."


def already_registered(settings: Settings) -> AlreadyRegistered:
    return AlreadyRegistered(
        f"This number is already registered. Send PASSWORD to {settings.sms_short_code} "
        "to get your login details."
    )


def send_new_password(session: Session, phone: str, sms: SmsGateway, settings: Settings) -> bool:
    """PASSWORD by SMS: a new password for a registered number, sent to that number.

    The new password waits until its first use (cp2hub.credentials): the current one
    keeps working, so nobody is locked out by a reset they did not ask for. Returns
    False, and does nothing, for a number without an account (the caller answers the
    same either way, so the webhook reveals no account).
    """
    try:
        number = normalise_phone(phone)
    except InvalidPhone:
        return False
    user = session.scalar(
        select(AppUser).where(AppUser.phone == number, AppUser.deleted.is_(False))
    )
    if user is None:
        return False
    password = new_password()
    credentials.set_pending(user, password, utcnow())
    sms.send(
        number,
        f"KNEC CP2: your new password is {password} (username {local_number(number)}). "
        f"It replaces your old one when you first sign in with it, within "
        f"{settings.password_reset_hours} hours.",
        secret=password,
    )
    return True


def change_password(
    session: Session,
    principal: Principal,
    old: str,
    new: str,
    settings: Settings,
    keep_web_session: str = "",
) -> None:
    """Change the caller's password. `old` may be the current password or a pending one
    sent by SMS; a wrong one counts towards the lockout. Every web session of the account
    ends but `keep_web_session` (the hash of the one it was changed in, if any): wherever
    the password changes, in the app or on the web, a browser left signed in elsewhere
    (a cyber café's) is signed out."""
    user = session.get(AppUser, principal.user_id)
    credentials.check(user, old, settings, utcnow(), "Your current password is not correct.")
    problem = password_problem(new, old, user.phone)
    if problem:
        raise WeakPassword(problem)
    credentials.set_password(user, new)
    session.execute(
        delete(WebSession).where(
            WebSession.user_id == user.id, WebSession.id_hash != keep_web_session
        )
    )


def change_own_password(
    db: Database,
    principal: Principal,
    old: str,
    new: str,
    settings: Settings,
    keep_web_session: str = "",
) -> str:
    """`change_password` in its own unit of work, committed even when the current password
    was wrong (the wrong attempt counts towards the lockout); returns the message."""
    failure: HubError | None = None
    with db.write() as session:
        try:
            change_password(session, principal, old, new, settings, keep_web_session)
        except (credentials.WrongPassword, credentials.AccountLocked) as exc:
            failure = exc
    if failure is not None:
        raise failure
    return "Your password was changed. Use the new one the next time you sign in."


def confirm_own_password(
    db: Database, principal: Principal, password: str, settings: Settings
) -> None:
    """The caller's current password, asked again before what a stolen session must not
    do (change where payments go). Raises WrongPassword or AccountLocked; a wrong one
    counts towards the lockout, so it is committed either way."""
    failure: HubError | None = None
    with db.write() as session:
        user = session.get(AppUser, principal.user_id)
        try:
            credentials.check(
                user, password, settings, utcnow(), "Your current password is not correct."
            )
        except (credentials.WrongPassword, credentials.AccountLocked) as exc:
            failure = exc
    if failure is not None:
        raise failure


def password_problem(new: str, old: str, phone: str) -> str | None:
    if len(new) < MIN_PASSWORD_LENGTH:
        return f"The new password must have at least {MIN_PASSWORD_LENGTH} characters."
    if new == old:
        return "The new password must be different from the current one."
    digits = "".join(c for c in new if c.isdigit())
    if new.isdigit() and (digits in phone or digits in local_number(phone)):
        return "Do not use your phone number as your password."
    return None
