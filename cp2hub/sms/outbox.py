"""The local outbox backend: messages are stored in `sms_message`, never sent.

For development, tests and the demo (`cp2hub sms-outbox` lists them). It writes in
the caller's transaction, so a message exists exactly when the change that sent it
(a new account, a new password) was committed. A message's secret is stored masked,
unless the hub runs in demo mode (`keep_secrets`), where reading it here is the point.
Many messages at once (`send_many`) are rows, not an object each (on PostgreSQL one
COPY, in the same transaction): a national payment run tells 100,000 officers they
were paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cp2hub.models import SmsMessage
from cp2hub.sms.base import SmsFailed, masked


class OutboxSms:
    def __init__(self, session: Session, keep_secrets: bool = False) -> None:
        self.session = session
        self.keep_secrets = keep_secrets

    def send(self, phone: str, text: str, secret: str | None = None) -> None:
        body = text if self.keep_secrets else masked(text, secret)
        self.session.add(SmsMessage(phone=phone, body=body, at=dt.datetime.now(), delivered=False))

    def send_many(self, messages: Sequence[tuple[str, str]]) -> list[tuple[str, SmsFailed]]:
        if not messages:
            return []
        now = dt.datetime.now()
        if self.session.get_bind().dialect.name == "postgresql":
            cursor = self.session.connection().connection.driver_connection.cursor()
            with (
                cursor,
                cursor.copy("COPY sms_message (phone, body, at, delivered) FROM STDIN") as copy,
            ):
                for phone, text in messages:
                    copy.write_row((phone, text, now, False))
        else:
            self.session.execute(
                insert(SmsMessage.__table__),
                [{"phone": phone, "body": text, "at": now, "delivered": False}
                 for phone, text in messages],
            )  # fmt: skip
        return []


def sent(session: Session, phone: str | None = None, limit: int = 50) -> list[SmsMessage]:
    """The latest messages in the outbox (to one phone if given), newest last."""
    query = select(SmsMessage).order_by(SmsMessage.id.desc()).limit(limit)
    if phone:
        query = query.where(SmsMessage.phone == phone)
    return list(reversed(session.scalars(query).all()))
