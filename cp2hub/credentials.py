"""A login's passwords: the current one, a pending one sent by SMS, and the lockout.

A password sent by SMS ("PASSWORD" to the short code) never replaces the current one
on its own: it waits as pending until it is first used to sign in, then becomes the
password. Until then both work, so a reset nobody asked for locks nobody out. A pending
password expires after `Settings.password_reset_hours`; a newer reset replaces it.

Too many wrong passwords lock the current password for a while; the pending one still
signs in, so a stranger typing wrong passwords for someone's number cannot keep them
out: they send PASSWORD and sign in with what arrives. Only the provider can deliver
that message (cp2hub.api.sms), and the pending password is random (about 40 bits) and
short-lived, so trying it while locked is no way in either.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from cp2hub.errors import AccountLocked, WrongPassword
from cp2hub.models import AppUser
from cp2hub.passwords import hash_password, verify_password
from cp2hub.settings import Settings

log = logging.getLogger(__name__)


def set_pending(user: AppUser, password: str, now: dt.datetime) -> None:
    """`password` becomes the pending one (replacing any earlier); the current is untouched."""
    user.pending_password_hash = hash_password(password)
    user.pending_password_at = now


def set_password(user: AppUser, password: str) -> None:
    """A password chosen by its owner: it is the password, and any pending reset is dropped."""
    user.password_hash = hash_password(password)
    user.pending_password_hash = None
    user.pending_password_at = None
    user.failed_logins = 0


@dataclass(frozen=True)
class Verdict:
    """Which of a login's passwords a typed password is, found without changing the login
    (so the slow hash check can run outside any write), and the hashes it was checked
    against."""

    current: bool
    pending: bool
    password_hash: str | None
    pending_hash: str | None


def verify(user: AppUser, password: str, settings: Settings, now: dt.datetime) -> Verdict:
    """Check `password` against the login's current and pending passwords; changes nothing."""
    locked = user.locked_until is not None and user.locked_until > now
    current = not locked and verify_password(user.password_hash, password)
    pending = (
        not current
        and _pending_live(user, settings, now)
        and verify_password(user.pending_password_hash, password)
    )
    return Verdict(current, pending, user.password_hash, user.pending_password_hash)


def settle(user: AppUser, verdict: Verdict, settings: Settings, now: dt.datetime, wrong: str):
    """What a verdict does to the login: accept it (a pending password becomes the
    password), or raise `AccountLocked` or `WrongPassword(wrong)`, a wrong one counting
    towards the lockout. A verdict on hashes the login no longer has accepts nothing."""
    if (verdict.password_hash, verdict.pending_hash) != (
        user.password_hash,
        user.pending_password_hash,
    ):
        raise WrongPassword(wrong)  # the password changed meanwhile: try again
    locked = user.locked_until is not None and user.locked_until > now
    if verdict.current and not locked:
        _accepted(user)
        return
    if verdict.pending and _pending(user, settings, now):
        user.password_hash = user.pending_password_hash
        user.pending_password_hash = None
        user.pending_password_at = None
        _accepted(user)
        return
    if locked:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise AccountLocked(
            f"This account is locked after too many wrong passwords. Try again in {minutes} "
            f"minutes, or send PASSWORD to {settings.sms_short_code} for a new password."
        )
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= settings.max_failed_logins:
        user.locked_until = now + dt.timedelta(minutes=settings.lockout_minutes)
        user.failed_logins = 0
        log.warning(
            "account locked after too many wrong passwords",
            extra={
                "event": "account_locked",
                "user_id": user.id,
                "minutes": settings.lockout_minutes,
            },
        )
    raise WrongPassword(wrong)


def check(user: AppUser, password: str, settings: Settings, now: dt.datetime, wrong: str) -> None:
    """Accept `password` for `user`, or raise `AccountLocked` or `WrongPassword(wrong)`.

    The first use of a pending password makes it the password. A wrong one counts
    towards the lockout."""
    settle(user, verify(user, password, settings, now), settings, now, wrong)


def _pending_live(user: AppUser, settings: Settings, now: dt.datetime) -> bool:
    if not user.pending_password_hash or user.pending_password_at is None:
        return False
    return user.pending_password_at + dt.timedelta(hours=settings.password_reset_hours) > now


def _pending(user: AppUser, settings: Settings, now: dt.datetime) -> bool:
    if not user.pending_password_hash or user.pending_password_at is None:
        return False
    expires = user.pending_password_at + dt.timedelta(hours=settings.password_reset_hours)
    if expires > now:
        return True
    user.pending_password_hash = None
    user.pending_password_at = None
    return False


def _accepted(user: AppUser) -> None:
    user.failed_logins = 0
    user.locked_until = None
