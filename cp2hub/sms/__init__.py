"""Sending SMS: the gateway interface and its two backends, chosen by Settings.sms_backend.

`outbox` (the default) stores messages in `sms_message` for development, tests and
the demo, with secrets masked outside demo mode; `africastalking` sends them through
Africa's Talking. A gateway is made per unit of work (`gateway(settings, session)`):
the outbox writes in that session's transaction, Africa's Talking ignores it. Each
gateway counts what it sends and fails to send (`cp2hub.metrics`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy.orm import Session

from cp2hub import metrics
from cp2hub.metrics import CountedSms
from cp2hub.settings import Settings
from cp2hub.sms.africastalking import AfricasTalkingSms, SmsNotConfigured
from cp2hub.sms.base import SmsFailed, SmsGateway
from cp2hub.sms.outbox import OutboxSms

__all__ = ["SmsFailed", "SmsGateway", "gateway"]

BACKENDS = ("outbox", "africastalking")


class _Outbox(CountedSms, OutboxSms):
    backend = "outbox"

    def send_many(self, messages: Sequence[tuple[str, str]]) -> list[tuple[str, SmsFailed]]:
        # Counted here: the outbox writes them in one statement, not through `send`.
        failed = super().send_many(messages)
        if metrics.counting:
            metrics.SMS.labels(self.backend, "sent").inc(len(messages) - len(failed))
            if failed:
                metrics.SMS.labels(self.backend, "failed").inc(len(failed))
        return failed


class _AfricasTalking(CountedSms, AfricasTalkingSms):
    backend = "africastalking"


def gateway(settings: Settings, session: Session) -> SmsGateway:
    if settings.sms_backend == "outbox":
        return _Outbox(session, keep_secrets=settings.demo)
    if settings.sms_backend == "africastalking":
        return _africastalking(settings.sms_username, settings.sms_api_key, settings.sms_sender)
    raise SmsNotConfigured(
        f"Unknown SMS backend {settings.sms_backend!r}: set CP2HUB_SMS_BACKEND to "
        + " or ".join(BACKENDS)
        + "."
    )


@lru_cache(maxsize=4)
def _africastalking(username: str, api_key: str, sender: str) -> AfricasTalkingSms:
    return _AfricasTalking(username, api_key, sender)
