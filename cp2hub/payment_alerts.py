"""Telling a professional by SMS that their payment details changed.

Whoever holds a stolen session (a browser left signed in at a cyber café, a copied
token) could send the next payment to their own number. The owner hears of every change
of the fields a payment goes to, whichever way it came (the web form, a desktop's push),
on the account's own phone (never the new M-Pesa number), once per change: the push
machinery collects the changes as it applies them and they are told after the commit, so
a change answered again (delivered twice) or rolled back sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cp2desk.sync.phones import masked_phone
from cp2hub.auth import utcnow
from cp2hub.db import Database
from cp2hub.sms import SmsFailed, SmsGateway

log = logging.getLogger(__name__)



def changed_text(when: str, help_line: str) -> str:
    """The owner's SMS; one SMS long."""
    call = f"call KNEC on {help_line}" if help_line else "call KNEC at once"
    return f"Your CP2 payment details were changed on {when}; if this was not you, {call}."


@dataclass(frozen=True)
class PaymentAlerts:
    """The hub's SMS gateway (made per unit of work) and the number people are told to call."""

    sms: Callable[[Session], SmsGateway]
    help_line: str = ""

    def send(self, db: Database, phones: list[str]) -> None:
        """One SMS to each account phone in `phones` (one entry per change). A failure to
        send is logged: the change stands, its owner sees it in the profile."""
        if not phones:
            return
        when = utcnow().strftime("%d %b %Y %H:%M UTC")
        with db.write() as session:
            gateway = self.sms(session)
            for phone in phones:
                try:
                    gateway.send(phone, changed_text(when, self.help_line))
                except SmsFailed as exc:
                    log.warning(
                        "the payment-details SMS to %s could not go: %s",
                        masked_phone(phone), exc.message,
                    )  # fmt: skip
                    continue
                log.info("payment details changed: the owner %s told by SMS", masked_phone(phone))
