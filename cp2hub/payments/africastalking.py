"""Africa's Talking mobile B2C: KNEC's M-Pesa payments to officers, for production.

Configured from the environment: CP2HUB_PAYMENT_USERNAME, CP2HUB_PAYMENT_API_KEY and
CP2HUB_PAYMENT_PRODUCT (the payment product the money comes from); the username
`sandbox` uses Africa's Talking's sandbox. Requests go through the SDK's own transport
(`africastalking.Service`: its headers, timeouts, sandbox switch); its 2.x releases
dropped the Payment service, so `B2CService` makes the same request the 1.x SDK's
`Payment.mobile_b2c` made, plus the payment's idempotency key in `Idempotency-Key`.

Each recipient carries the payment's key in its metadata, which the provider's
callback returns (`requestMetadata`), so the callback names the payment. The answer
says per recipient whether it was queued (sent: the callback will say paid or failed)
or refused (failed, with the reason). An HTTP error is a refusal of the request: nothing
was paid, the payouts are unsent. A network failure leaves them in doubt.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import requests
from africastalking.Service import AfricasTalkingException, Service

from cp2desk.sync.phones import masked_phone
from cp2hub.payments.payouts import Outcome, PaymentsNotConfigured, Payout

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 10
"""Africa's Talking takes at most 10 recipients per B2C request."""
REASON = "BusinessPayment"


class B2CService(Service):
    """The B2C request on the SDK's transport."""

    def _init_service(self) -> None:
        domain = self._SANDBOX_DOMAIN if self._is_sandbox() else self._PRODUCTION_DOMAIN
        self._baseUrl = "https://payments." + domain

    def mobile_b2c(
        self, product_name: str, consumers: list[dict], idempotency_key: str | None = None
    ) -> Any:
        headers = dict(self._headers, **{"Content-Type": "application/json"})
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        data = json.dumps(
            {"username": self._username, "productName": product_name, "recipients": consumers}
        )
        return self._make_request(
            self._make_url("/mobile/b2c/request"), "POST", headers=headers, data=data, params=None
        )


class AfricasTalkingPayments:
    name = "africastalking"
    resend_unknown = False  # no record of ours proves a payout in doubt was not paid

    def __init__(self, username: str, api_key: str, product: str, service: Any = None) -> None:
        if service is None:
            if not username or not api_key or not product:
                raise PaymentsNotConfigured(
                    "Payments are not configured: set CP2HUB_PAYMENT_USERNAME, "
                    "CP2HUB_PAYMENT_API_KEY and CP2HUB_PAYMENT_PRODUCT (Africa's Talking), "
                    "or CP2HUB_PAYMENT_BACKEND=outbox."
                )
            service = B2CService(username, api_key)
        self.service = service
        self.product = product

    def pay(self, payouts: list[Payout]) -> dict[str, Outcome]:
        known: dict[str, Outcome] = {}
        for start in range(0, len(payouts), MAX_RECIPIENTS):
            group = payouts[start : start + MAX_RECIPIENTS]
            try:
                known |= self._request(group)
            except (requests.RequestException, OSError) as exc:
                log.warning("Africa's Talking payments unreachable: %s", type(exc).__name__)
                break  # in doubt: these and the rest wait for the provider's word
        return known

    def _request(self, group: list[Payout]) -> dict[str, Outcome]:
        consumers = [
            {
                "name": p.payee,
                "phoneNumber": "+" + p.phone,
                "currencyCode": "KES",
                "amount": p.amount,
                "reason": REASON,
                "metadata": {"payment": p.key},
            }
            for p in group
        ]
        try:
            answer = self.service.mobile_b2c(self.product, consumers, group[0].key)
        except AfricasTalkingException as exc:
            reason = " ".join(str(exc).split())[:200] or "no reason given"
            log.warning("Africa's Talking refused a payment request: %s", reason)
            return {
                p.key: Outcome("unsent", reason=f"The provider refused: {reason}") for p in group
            }
        return _outcomes(answer, group)

    def lookup(self, keys: list[str]) -> dict[str, Outcome]:
        return {}  # the provider's callbacks say; nothing to ask here


def _outcomes(answer: Any, group: list[Payout]) -> dict[str, Outcome]:
    """Each recipient's entry, matched by position and phone number; a payout with no
    entry we can read is in doubt (left out)."""
    if isinstance(answer, str | bytes):
        try:
            answer = json.loads(answer)
        except ValueError:
            answer = None
    entries = answer.get("entries") if isinstance(answer, dict) else None
    if not isinstance(entries, list):
        log.warning("Africa's Talking's payment answer was not understood")
        return {}
    found: dict[str, Outcome] = {}
    for payout, entry in zip(group, entries, strict=False):
        if not isinstance(entry, dict) or entry.get("phoneNumber") != "+" + payout.phone:
            break
        status = str(entry.get("status") or "")
        if status == "Queued" and entry.get("transactionId"):
            found[payout.key] = Outcome("sent", provider_id=str(entry["transactionId"]))
        elif status and status != "Queued":
            reason = str(entry.get("errorMessage") or status)[:200]
            log.warning("Africa's Talking did not pay %s: %s", masked_phone(payout.phone), reason)
            found[payout.key] = Outcome("failed", reason=reason)
    return found
