"""The bank transfer file of a batch: officers paid by bank, one CSV line each.

The run files bank-paid payments here instead of sending them to the mobile money
provider ("filed"); KNEC's finance office uploads the file to the bank, and once the
bank has paid it an administrator confirms it with the bank's reference
(`reconcile.confirm_bank_file`). Each download is in the audit log. Text an officer
typed (their bank's name) never becomes a spreadsheet formula (`spreadsheet_text`).
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2hub.models import Payment, Series
from cp2hub.payments import audit
from cp2hub.payments.audit import Actor
from cp2hub.payments.batches import find
from cp2hub.payments.spreadsheet_text import as_text

COLUMNS = ("payment_ref", "payee", "bank", "account", "amount_ksh", "narration")


def of_batch(session: Session, batch_id: str, actor: Actor) -> tuple[str, str]:
    """(file name, CSV text) of the batch's filed bank payments."""
    batch = find(session, batch_id)
    series = session.get(Series, batch.series_id)
    payments = session.scalars(
        select(Payment)
        .where(Payment.batch_id == batch.id, Payment.status == "filed")
        .order_by(Payment.payee, Payment.id)
    ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for p in payments:
        writer.writerow(
            as_text(cell)
            for cell in (
                p.id,
                p.payee,
                p.bank_name or "",
                p.bank_account or "",
                p.amount,
                f"KNEC {series.name} claim",
            )
        )
    total = sum(p.amount for p in payments)
    audit.record(session, actor, "bank_file", batch.id, count=len(payments), amount=total)
    return f"knec-{series.code.lower()}-bank-{batch.id[:8]}.csv", out.getvalue()
