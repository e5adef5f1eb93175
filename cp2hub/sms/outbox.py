"""The local outbox backend: messages are stored in `sms_message`, never sent.

For development, tests and the demo (`cp2hub sms-outbox` lists them). It writes in
the caller's transaction, so a message exists exactly when the change that sent it
(a new account, a new password) was committed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2hub.models import SmsMessage


class OutboxSms:
    def __init__(self, session: Session) -> None:
        self.session = session

    def send(self, phone: str, text: str) -> None:
        self.session.add(SmsMessage(phone=phone, body=text, at=dt.datetime.now(), delivered=False))


def sent(session: Session, phone: str | None = None, limit: int = 50) -> list[SmsMessage]:
    """The latest messages in the outbox (to one phone if given), newest last."""
    query = select(SmsMessage).order_by(SmsMessage.id.desc()).limit(limit)
    if phone:
        query = query.where(SmsMessage.phone == phone)
    return list(reversed(session.scalars(query).all()))
