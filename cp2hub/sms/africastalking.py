"""Africa's Talking, through its official SDK (`africastalking`), for production.

Configured from the environment: CP2HUB_SMS_USERNAME, CP2HUB_SMS_API_KEY and,
optionally, CP2HUB_SMS_SENDER (an approved sender id or short code). The SDK's SMS
service answers each recipient with a status code; anything but processed, sent or
queued becomes `SmsFailed` with the provider's reason, as does an HTTP error, a
network failure or an answer we cannot read. Nothing is stored, and what is logged or
told passes through `masked`, in case the provider's answer repeats the text. The SDK's
service object can be passed in, which is how the tests run it without the network.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import requests

from cp2desk.sync.phones import InvalidPhone, masked_phone, normalise_phone
from cp2hub.sms.base import SmsFailed, masked

log = logging.getLogger(__name__)

ACCEPTED = {100: "Processed", 101: "Sent", 102: "Queued"}
REFUSED = {
    401: "RiskHold",
    402: "InvalidSenderId",
    403: "InvalidPhoneNumber",
    404: "UnsupportedNumberType",
    405: "InsufficientBalance",
    406: "UserInBlacklist",
    407: "CouldNotRoute",
    409: "DoNotDisturbRejection",
    500: "InternalServerError",
    501: "GatewayError",
    502: "RejectedByGateway",
}
RECIPIENT_PROBLEMS = {403, 404, 406, 409}
"""Refusals about the number itself: trying again later will not help."""


class SmsNotConfigured(SmsFailed):
    code = "sms_not_configured"


class AfricasTalkingSms:
    def __init__(self, username: str, api_key: str, sender: str = "", service: Any = None) -> None:
        if service is None:
            if not username or not api_key:
                raise SmsNotConfigured(
                    "The SMS gateway is not configured: set CP2HUB_SMS_USERNAME and "
                    "CP2HUB_SMS_API_KEY (Africa's Talking), or CP2HUB_SMS_BACKEND=outbox."
                )
            from africastalking.SMS import SMSService

            service = SMSService(username, api_key)
        self.service = service
        self.sender = sender or None

    def send(self, phone: str, text: str, secret: str | None = None) -> None:
        try:
            to = "+" + normalise_phone(phone)
        except InvalidPhone as exc:
            raise SmsFailed(str(exc)) from exc
        from africastalking.Service import AfricasTalkingException

        try:
            answer = self.service.send(text, [to], sender_id=self.sender)
        except AfricasTalkingException as exc:  # the provider answered with an HTTP error
            reason = _short(masked(str(exc), secret))
            log.warning("Africa's Talking refused a message: %s", reason)
            raise SmsFailed(
                f"The SMS provider refused the message ({reason}). Try again later."
            ) from None
        except requests.RequestException as exc:
            log.warning("Africa's Talking unreachable: %s", masked(str(exc), secret))
            raise SmsFailed("The SMS provider could not be reached. Try again later.") from exc
        except ValueError as exc:  # the SDK's own check of the number
            raise SmsFailed(f"The SMS provider cannot send to {to}.") from exc
        _check(answer, to, secret)

    def send_many(self, messages: Sequence[tuple[str, str]]) -> list[tuple[str, SmsFailed]]:
        """Each text is its own request, as `send` makes it (the texts differ, and each
        recipient's refusal is told apart)."""
        failed = []
        for phone, text in messages:
            try:
                self.send(phone, text)
            except SmsFailed as exc:
                failed.append((phone, exc))
        return failed


def _check(answer: Any, to: str, secret: str | None) -> None:
    if isinstance(answer, str | bytes):
        try:
            answer = json.loads(answer)
        except ValueError:
            answer = None
    data = answer.get("SMSMessageData") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        raise SmsFailed(
            "The SMS provider's answer was not understood; the message may not have gone."
        )
    recipients = data.get("Recipients") or []
    mine = next((r for r in recipients if isinstance(r, dict) and r.get("number") == to), None)
    if mine is None:
        reason = masked(str(data.get("Message") or "no recipient accepted"), secret)
        raise SmsFailed(f"The SMS provider did not accept the message ({reason}).")
    try:
        code = int(mine.get("statusCode"))
    except (TypeError, ValueError):
        code = 0
    if code in ACCEPTED:
        return
    reason = masked(str(mine.get("status") or REFUSED.get(code, f"status {code}")), secret)
    log.warning("Africa's Talking did not send to %s: %s (%s)", masked_phone(to), reason, code)
    if code in RECIPIENT_PROBLEMS:
        raise SmsFailed(f"The SMS provider cannot deliver to this number ({reason}).")
    raise SmsFailed(f"The SMS provider did not send the message ({reason}). Try again later.")


def _short(text: str) -> str:
    return " ".join(text.split())[:120] or "no reason given"
