"""Errors a user can see, each carrying a message written for them.

The UI shows `.message` as it is; a traceback belongs in the log, not on screen.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal the user can understand and act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """A row the operation needs is not on this device (not synced yet, or gone)."""


class NotAllowed(ServiceError):
    """The user's role grants do not cover this centre or this action."""


class SessionNotStarted(ServiceError):
    """The marking window of the session has not opened yet."""


class MarkingWindowClosed(ServiceError):
    """The marking window of the session has closed."""


class NotDeployedHere(ServiceError):
    """The officer is not deployed to this centre at that session."""


class SessionSignedOff(ServiceError):
    """The session is signed off at this centre, so its marks are locked."""


class SessionIncomplete(ServiceError):
    """Some officers still have no mark, so the session cannot be signed off."""


class InvalidStatus(ServiceError):
    """An attendance status other than present, absent or late."""
