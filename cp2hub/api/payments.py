"""Payments: KNEC administrators prepare, approve and run batches; the provider's callback.

The administrators' routes (`/admin/payments/...`) call `cp2hub.payments` and nothing
else decides there: maker-checker, never twice, the audit log are its rules. The
callback (`POST /payments/callback`) takes Africa's Talking's payment notifications:
it answers as if it did not exist until CP2HUB_PAYMENT_CALLBACK_KEY is set, and then
wants that secret, compared in constant time, as for inbound SMS (`cp2hub.api.sms`):
the password of HTTP Basic credentials, an `X-Callback-Key` header, or `?key=`.
"""

from __future__ import annotations

import json
import logging
import secrets
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from cp2hub.api.admin import require_admin
from cp2hub.api.answers import problems
from cp2hub.api.deps import DB, AppSettings, check_protocol
from cp2hub.api.gateway import Sms
from cp2hub.api.sms import digest, presented_key
from cp2hub.auth import Principal
from cp2hub.errors import Forbidden, HubError
from cp2hub.payments import audit, bank_file, batches, reconcile
from cp2hub.payments.audit import Actor
from cp2hub.payments.backends import PaymentBackend, backend
from cp2hub.payments.run import RunSummary, run_batch
from cp2hub.settings import Settings

log = logging.getLogger(__name__)
MAX_BODY = 16_384
CALLBACK_HEADER = "x-callback-key"

Admin = Annotated[Principal, Depends(require_admin)]
router = APIRouter(
    prefix="/admin/payments",
    tags=["payments"],
    dependencies=[Depends(check_protocol)],
    responses=problems(403),
)
callbacks = APIRouter(prefix="/payments", tags=["payments"])


def get_payments(request: Request, db: DB, settings: AppSettings) -> PaymentBackend:
    """The app's payment backend: `app.state.payments` when set (tests), else the setting."""
    return getattr(request.app.state, "payments", None) or backend(settings, db)


Payments = Annotated[PaymentBackend, Depends(get_payments)]


class PrepareRequest(BaseModel):
    series: str = Field(max_length=20, description="The series' code, e.g. KCSE-2026.")
    county: str | None = Field(None, max_length=60, description="A county's code or name.")


class BankPaidRequest(BaseModel):
    reference: str = Field(min_length=3, max_length=64, description="The bank's reference.")


@router.get("/batches")
def list_batches(_admin: Admin, db: DB) -> list[batches.BatchLine]:
    with db.read() as session:
        return batches.listing(session)


@router.post("/batches", responses=problems(404, 409))
def prepare(body: PrepareRequest, admin: Admin, db: DB) -> batches.BatchLine:
    with db.write() as session:
        return batches.prepare(session, body.series, body.county, Actor.of(admin))


@router.post("/batches/{batch_id}/approve", responses=problems(404, 409))
def approve(batch_id: str, admin: Admin, db: DB) -> batches.BatchLine:
    with db.write() as session:
        return batches.approve(session, batch_id, Actor.of(admin))


@router.post("/batches/{batch_id}/cancel", responses=problems(404, 409))
def cancel(batch_id: str, admin: Admin, db: DB) -> batches.BatchLine:
    with db.write() as session:
        return batches.cancel(session, batch_id, Actor.of(admin))


@router.post("/batches/{batch_id}/run", responses=problems(404, 409, 503))
def run(batch_id: str, admin: Admin, db: DB, payments: Payments, sms: Sms) -> RunSummary:
    """Send the batch's unpaid payments (again, after a stop: only the unpaid)."""
    return run_batch(db, batch_id, Actor.of(admin), payments, sms)


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


CSV = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}}


@router.get(
    "/batches/{batch_id}/bank-file",
    response_class=CsvResponse,
    responses={**CSV, **problems(404)},
)
def bank_transfer_file(batch_id: str, admin: Admin, db: DB) -> CsvResponse:
    with db.write() as session:
        name, text = bank_file.of_batch(session, batch_id, Actor.of(admin))
    return CsvResponse(
        text,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/batches/{batch_id}/bank-paid", responses=problems(404))
def bank_paid(
    batch_id: str, body: BankPaidRequest, admin: Admin, db: DB, sms: Sms
) -> batches.BatchLine:
    """The bank paid the batch's transfer file: its payments are paid."""
    with db.write() as session:
        reconcile.confirm_bank_file(
            session, batch_id, body.reference, Actor.of(admin), sms(session)
        )
        return batches.line(session, batch_id)


@router.get("/audit")
def audit_log(_admin: Admin, db: DB, batch: str | None = None) -> list[audit.AuditLine]:
    with db.read() as session:
        return audit.lines(session, batch)


@router.get("/audit.csv", response_class=CsvResponse, responses=CSV)
def audit_export(_admin: Admin, db: DB, batch: str | None = None) -> CsvResponse:
    with db.read() as session:
        text = audit.export_csv(session, batch)
    return CsvResponse(
        text,
        headers={"Content-Disposition": 'attachment; filename="payments-audit.csv"'},
    )


@callbacks.post("/callback", responses=problems(403, 404))
async def callback(request: Request, db: DB, settings: AppSettings, sms: Sms) -> dict:
    """A payment provider's result for one payment (Africa's Talking's notification)."""
    check_callback_key(request, settings)
    notice = _notice(await _json(request))
    if notice is None:
        return {"status": "ignored"}

    def settle() -> str:
        with db.write() as session:
            return reconcile.apply_notice(session, notice, sms(session))

    result = await run_in_threadpool(settle)
    log.info("payment result", extra={"event": "payment_callback", "result": result})
    return {"status": result}


def check_callback_key(request: Request, settings: Settings) -> None:
    expected = settings.payment_callback_key.get_secret_value()
    if not expected:
        raise HTTPException(status_code=404)  # as the router answers a path it does not have
    presented = presented_key(request, CALLBACK_HEADER)
    if not secrets.compare_digest(digest(presented), digest(expected)):
        log.warning("payment callback refused: the caller did not present the callback key")
        raise Forbidden("This address only takes results from the payment provider.")


async def _json(request: Request) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HubError("The notification is too long.")
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise HubError("The notification was not understood.") from None
    if not isinstance(data, dict):
        raise HubError("The notification was not understood.")
    return data


def _notice(data: dict[str, Any]) -> reconcile.Notice | None:
    """Africa's Talking's payment notification: `transactionId`, `status` (Success or
    Failed), `providerRefId` (the M-Pesa receipt), `description`, `value` ("KES 1650.0000":
    what was paid), `destination` (the number it went to), and our metadata."""
    status = str(data.get("status") or "")
    if status not in ("Success", "Failed"):
        return None
    metadata = data.get("requestMetadata")
    key = metadata.get("payment") if isinstance(metadata, dict) else None
    return reconcile.Notice(
        key=str(key)[:36] if key else None,
        provider_id=str(data.get("transactionId") or "")[:64] or None,
        paid=status == "Success",
        reference=str(data.get("providerRefId") or "")[:64] or None,
        reason=str(data.get("description") or "")[:200] or None,
        amount=_shillings(data.get("value")),
        destination=str(data.get("destination") or "")[:16] or None,
    )


def _shillings(value: object) -> Decimal | None:
    """ "KES 1650.0000" as Decimal 1650; None for another currency or what is no amount
    (a paid result without one is then refused: money is never taken on trust)."""
    currency, _space, number = str(value or "").strip().partition(" ")
    if currency != "KES":
        return None
    try:
        amount = Decimal(number.strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
