"""Where the refresh token lives: the operating system's keyring, never a plain file.

On a machine without a keyring (keyring's `fail` backend raises NoKeyringError) the
token is kept in memory for this session only, and `persistent` says so, so the app
can tell the user once that they will be asked for the password at the next start.
"""

from __future__ import annotations

import contextlib
import logging

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

log = logging.getLogger(__name__)
SERVICE = "CP2 Desk"


class TokenStore:
    def __init__(self, hub_url: str, device_id: str) -> None:
        self.account = f"{hub_url.rstrip('/')}#{device_id}"
        self.persistent = True
        self._memory: str | None = None

    def save(self, refresh_token: str) -> None:
        self._memory = refresh_token
        try:
            keyring.set_password(SERVICE, self.account, refresh_token)
            self.persistent = True
        except (NoKeyringError, KeyringError, RuntimeError) as exc:
            if self.persistent:
                log.warning(
                    "No usable keyring (%s); the sign-in lasts this session only",
                    type(exc).__name__,
                )
            self.persistent = False

    def load(self) -> str | None:
        if self._memory:
            return self._memory
        try:
            return keyring.get_password(SERVICE, self.account)
        except (NoKeyringError, KeyringError, RuntimeError):
            self.persistent = False
            return None

    def clear(self) -> None:
        self._memory = None
        with contextlib.suppress(NoKeyringError, KeyringError, PasswordDeleteError, RuntimeError):
            keyring.delete_password(SERVICE, self.account)
