"""The SMS gateway interface: one method, `send(phone, text)`, and the error it raises."""

from __future__ import annotations

from typing import Protocol

from cp2hub.errors import HubError


class SmsFailed(HubError):
    """The message could not be handed to the SMS provider; nothing was sent."""

    status = 503
    code = "sms_failed"


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send `text` to `phone` (2547XXXXXXXX); raise `SmsFailed` if it cannot go."""
