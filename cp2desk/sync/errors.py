"""Errors a user can meet while signing in or syncing; each carries a message for them."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every sync error; `message` is written for the user."""

    code = "sync_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HubUnreachable(SyncError):
    code = "unreachable"


class HubFailed(SyncError):
    """The hub answered with a server error (5xx); try again later."""

    code = "hub_failed"


class CorruptResponse(SyncError):
    code = "corrupt_response"


class RequestRefused(SyncError):
    """The hub refused the request itself (4xx), e.g. a malformed batch."""

    code = "refused"


class WrongPassword(SyncError):
    code = "wrong_password"


class AccountLocked(SyncError):
    code = "account_locked"


class DeviceRevoked(SyncError):
    code = "device_revoked"


class UpdateRequired(SyncError):
    code = "update_required"


class SessionExpired(SyncError):
    """No valid token: the user must sign in online again."""

    code = "unauthenticated"


BY_CODE: dict[str, type[SyncError]] = {
    cls.code: cls
    for cls in (WrongPassword, AccountLocked, DeviceRevoked, UpdateRequired, SessionExpired)
}
