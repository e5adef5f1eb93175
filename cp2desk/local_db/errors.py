"""Errors of the replica file that a user sees, each with a message written for them.

The replica is the only copy of changes not yet sent to the hub, so none of these
errors ever leads the app to modify, repair or overwrite the file: the message tells
the user the way out instead.
"""

from __future__ import annotations

from pathlib import Path

MOVE_ASIDE = "Move it aside (rename it) and sign in again to resync from the hub."


class ReplicaError(Exception):
    """Base of the replica's user-facing errors; `str(error)` is the user message."""

    @property
    def message(self) -> str:
        """The user message, under the name every typed error of the app uses for it."""
        return str(self)


class ReplicaUnreadable(ReplicaError):
    """The file at `path` is not a replica this version of CP2 Desk can open.

    Raised before anything is written to the file; `reason` says what is wrong with it.
    """

    way_out = MOVE_ASIDE

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(
            f"CP2 Desk cannot open its local data file {self.path}: {reason}. "
            f"The file has not been changed. {self.way_out}"
        )


class ReplicaFromNewerApp(ReplicaUnreadable):
    """The file was written by a newer CP2 Desk, whose schema this version does not know.

    Moving it aside would strand any changes it holds that the hub has not received, so
    the first way out is to update the app.
    """

    way_out = (
        "Update CP2 Desk to the latest version to open it. If you cannot, move it aside "
        "(rename it) and sign in again to resync from the hub; changes not yet sent to "
        "the hub stay in the renamed file."
    )


class ReplicaFull(ReplicaError):
    """A write failed because the disk (or the file's size limit) is full; nothing was saved."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        super().__init__(
            "The disk is full: your last change was NOT saved. Free some space and try "
            "again; everything saved before is safe."
        )
