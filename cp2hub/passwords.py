"""Password hashing for hub accounts: Argon2id, a memory-hard KDF (DESIGN.md, auth).

A thin wrapper so the rest of the hub never sees argon2's exceptions: a wrong
password, a corrupt hash or no account at all are all just `False`. Verifying
against a missing account still spends the full hashing cost, so the time a login
takes does not tell an attacker which phone numbers have accounts.
"""

from __future__ import annotations

import os
import threading
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2-cffi's RFC 9106 low-memory profile (64 MiB, t=3)
AT_ONCE = max(2, os.cpu_count() or 1)
"""Hashes made or checked at once in one process; more wait their turn. Each takes 64 MiB
and a core for a few hundred milliseconds: a crowd signing in at once would otherwise
take a request thread each (40 by default), 2.5 GB of memory and every core, and every
other request with them."""
_turns = threading.BoundedSemaphore(AT_ONCE)


def hash_password(password: str) -> str:
    """An encoded Argon2id hash (parameters and salt included) to store for `password`."""
    with _turns:
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches `password_hash`; never raises for a mismatch.

    Pass None when the account does not exist: the check then runs against a dummy
    hash and returns False, taking as long as a real one.
    """
    against = password_hash or _dummy_hash()
    try:
        with _turns:
            return _hasher.verify(against, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's; rehash at login."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@cache
def _dummy_hash() -> str:
    return _hasher.hash("no account has this password")
