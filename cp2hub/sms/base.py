"""The SMS gateway interface: `send(phone, text, secret=None)`, `send_many(messages)` for
many texts at once (the paid SMS of a payment run), and the error they raise.

The caller names the part of a text that is secret (a new password), so no backend has
to guess what to keep out of its store and its logs: `masked` replaces it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from cp2hub.errors import HubError

MASK = "\u2022" * 8


class SmsFailed(HubError):
    """The message could not be handed to the SMS provider; nothing was sent."""

    status = 503
    code = "sms_failed"


class SmsGateway(Protocol):
    def send(self, phone: str, text: str, secret: str | None = None) -> None:
        """Send `text` to `phone` (2547XXXXXXXX); raise `SmsFailed` if it cannot go.

        `secret`, if given, is the part of `text` that must not be kept or logged."""

    def send_many(self, messages: Sequence[tuple[str, str]]) -> list[tuple[str, SmsFailed]]:
        """Send each (phone, text), none with a secret; the ones that could not go, with
        why. One failing never stops the others."""


def masked(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` replaced by bullets."""
    return text.replace(secret, MASK) if secret else text
