"""What the run tells a payment backend and what a backend answers (`backends`).

A backend is told a list of payouts and answers what it knows of each: paid, sent (the
provider took it; its callback will say), failed (nothing was paid), or unsent (the
provider refused the request itself; nothing was paid and it may be sent again). A
payout it says nothing of is in doubt: it stays "sending" until the provider says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from cp2hub.errors import HubError


class PaymentsNotConfigured(HubError):
    status = 503
    code = "payments_not_configured"


@dataclass(frozen=True)
class Payout:
    key: str
    """The idempotency key: the payment's id."""
    amount: int
    phone: str
    payee: str
    series_name: str


@dataclass(frozen=True)
class Outcome:
    status: Literal["paid", "sent", "failed", "unsent"]
    provider_id: str | None = None
    reference: str | None = None
    reason: str | None = None


class PaymentBackend(Protocol):
    name: str
    resend_unknown: bool
    """Whether a payout the backend has no record of may be sent again: true only where
    the backend's record is written with the money (the outbox)."""

    def pay(self, payouts: list[Payout]) -> dict[str, Outcome]:
        """Send the payouts; what is known of each, by key."""

    def lookup(self, keys: list[str]) -> dict[str, Outcome]:
        """What the backend knows of payouts sent before, by key (missing: unknown)."""
