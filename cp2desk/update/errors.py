"""Why an update was refused or failed, in words for the user. The installed app is
never touched by a failed update: each message says so where it helps."""

from __future__ import annotations

KEEPS_WORKING = "CP2 Desk keeps working as it is."


class UpdateFailed(Exception):
    """An update check or download that did not succeed; `message` is for the user."""

    code = "update_failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UpdateUnverified(UpdateFailed):
    """The hub's update does not carry KNEC's valid signature, or its metadata expired."""

    code = "update_unverified"


class UpdateDamaged(UpdateFailed):
    """A downloaded file is not what KNEC signed (altered, or cut short)."""

    code = "update_damaged"


class UpdateInterrupted(UpdateFailed):
    """The download stopped (the link dropped, the hub went away); try again later."""

    code = "update_interrupted"


class NoSpaceForUpdate(UpdateFailed):
    code = "no_space"


class UpdatesUnavailable(UpdateFailed):
    """This build cannot check (no root metadata), or the hub publishes no updates."""

    code = "updates_unavailable"
