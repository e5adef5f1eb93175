"""The local outbox backend: messages are stored in `sms_message`, never sent.

For development, tests and the demo (`cp2hub sms-outbox` lists them). It writes in
the caller's transaction, so a message exists exactly when the change that sent it
(a new account, a new password) was committed. A message's secret is stored masked,
unless the hub runs in demo mode (`keep_secrets`), where reading it here is the point.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2hub.models import SmsMessage
from cp2hub.sms.base import masked


class OutboxSms:
    def __init__(self, session: Session, keep_secrets: bool = False) -> None:
        self.session = session
        self.keep_secrets = keep_secrets

    def send(self, phone: str, text: str, secret: str | None = None) -> None:
        body = text if self.keep_secrets else masked(text, secret)
        self.session.add(SmsMessage(phone=phone, body=body, at=dt.datetime.now(), delivered=False))


def sent(session: Session, phone: str | None = None, limit: int = 50) -> list[SmsMessage]:
    """The latest messages in the outbox (to one phone if given), newest last."""
    query = select(SmsMessage).order_by(SmsMessage.id.desc()).limit(limit)
    if phone:
        query = query.where(SmsMessage.phone == phone)
    return list(reversed(session.scalars(query).all()))
