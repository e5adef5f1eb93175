"""Errors a user can meet while signing in or syncing; each carries a message for them.

An error the hub answered with carries the hub's id of that request (`X-Request-ID`): the
app shows its start as a reference the user can read to the help desk, who finds the
request's lines in the hub's log by it.
"""

from __future__ import annotations

REFERENCE_LENGTH = 8
"""Characters of the request id a user reads out: one request in billions shares them."""


class SyncError(Exception):
    """Base of every sync error; `message` is written for the user."""

    code = "sync_error"

    def __init__(self, message: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id

    @property
    def reference(self) -> str | None:
        """The start of the hub's request id, or None when the hub did not answer."""
        return self.request_id[:REFERENCE_LENGTH] if self.request_id else None


class HubUnreachable(SyncError):
    code = "unreachable"


class HubFailed(SyncError):
    """The hub answered with a server error (5xx); try again later."""

    code = "hub_failed"


class HubBusy(HubFailed):
    """The hub sheds load (503): ask again after `retry_after` seconds."""

    code = "busy"

    def __init__(self, message: str, request_id: str | None = None, retry_after: float = 0):
        super().__init__(message, request_id)
        self.retry_after = retry_after


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
