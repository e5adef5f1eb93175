"""The SMS gateway interface: `send(phone, text, secret=None)`, and the error it raises.

The caller names the part of a text that is secret (a new password), so no backend has
to guess what to keep out of its store and its logs: `masked` replaces it.
"""

from __future__ import annotations

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


def masked(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` replaced by bullets."""
    return text.replace(secret, MASK) if secret else text
