"""Where the refresh token lives: a keyring that protects secrets, never a plain file.

Only the operating system's own secret stores count: the Windows Credential Manager,
the macOS Keychain, Secret Service (GNOME Keyring, KeePassXC) and KWallet. keyring
would otherwise take whatever is installed, and wherever keyrings.alt is (the
development tools) its first choice is a plain-text file in the user's home, outside
CP2 Desk's own folder. Without a protecting keyring the token is kept in memory for
this session only, and `persistent` says so, so the app can tell the user that they
will be asked for the password at the next start.

A program that has chosen its store itself (the test suite: a file keyring in a
temporary folder) says so with `choose_keyring(backend)`.
"""

from __future__ import annotations

import contextlib
import logging
from functools import cache

import keyring
import keyring.backend
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyring.errors import KeyringError, PasswordDeleteError

log = logging.getLogger(__name__)
SERVICE = "CP2 Desk"
SESSION_ONLY = (
    "Signed in for this session only: this computer has no keyring that protects "
    "passwords (such as the Windows Credential Manager, the macOS Keychain or GNOME "
    "Keyring), so CP2 Desk keeps your sign-in in memory and will ask for your password "
    "when you next open it."
)

PROTECTING = frozenset(
    {
        "keyring.backends.Windows.WinVaultKeyring",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
    }
)
"""keyring's backends that keep a secret in the operating system's protected store (by
class name: importing the macOS one elsewhere fails)."""

_chosen: list[KeyringBackend] = []


def protects_secrets(backend: KeyringBackend) -> bool:
    """Whether `backend` keeps secrets in a protected store. keyring's chainer writes to
    the first of its backends that accepts, so it counts only if every one of them does."""
    if isinstance(backend, ChainerBackend):
        chained = list(backend.backends)
        return bool(chained) and all(protects_secrets(b) for b in chained)
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}" in PROTECTING


@cache
def system_keyring() -> KeyringBackend | None:
    """The keyring keyring chose (as configured, else by priority) if it protects secrets,
    else the best viable one that does; None when this computer has none. Decided once."""
    configured = keyring.get_keyring()
    if protects_secrets(configured):
        return configured
    found = [b for b in keyring.backend.get_all_keyring() if protects_secrets(b)]
    return max(found, key=keyring.backend.by_priority, default=None)


def choose_keyring(backend: KeyringBackend | None) -> None:
    """Keep refresh tokens in `backend` from now on, whatever kind it is: for a program
    that chose its store knowingly. None goes back to `system_keyring()`."""
    _chosen[:] = [backend] if backend is not None else []


def token_keyring() -> KeyringBackend | None:
    """The keyring new token stores use: the chosen one, else the system's protecting one."""
    return _chosen[0] if _chosen else system_keyring()


class TokenStore:
    def __init__(self, hub_url: str, device_id: str) -> None:
        self.account = f"{hub_url.rstrip('/')}#{device_id}"
        self.backend = token_keyring()
        self.persistent = self.backend is not None
        self._memory: str | None = None
        if self.backend is None:
            log.warning("No keyring that protects secrets; the sign-in lasts this session only")

    def save(self, refresh_token: str) -> None:
        self._memory = refresh_token
        if self.backend is None:
            return
        try:
            self.backend.set_password(SERVICE, self.account, refresh_token)
        except (KeyringError, RuntimeError) as exc:
            if self.persistent:
                log.warning(
                    "The keyring refused the token (%s); the sign-in lasts this session only",
                    type(exc).__name__,
                )
            self.persistent = False

    def load(self) -> str | None:
        if self._memory or self.backend is None:
            return self._memory
        try:
            return self.backend.get_password(SERVICE, self.account)
        except (KeyringError, RuntimeError):
            self.persistent = False
            return None

    def clear(self) -> None:
        self._memory = None
        if self.backend is not None:
            with contextlib.suppress(KeyringError, PasswordDeleteError, RuntimeError):
                self.backend.delete_password(SERVICE, self.account)
