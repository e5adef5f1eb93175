"""Payments: batches (prepare from a series' payable claims, by county or all; approve,
by another administrator; run; cancel), a batch's bank transfer file and its
confirmation, and the audit log with its export (`cp2hub.payments`)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import select

from cp2hub import claims_report
from cp2hub.api.gateway import get_sms
from cp2hub.api.payments import get_payments
from cp2hub.errors import HubError
from cp2hub.models import County, Payment
from cp2hub.payments import audit, bank_file, batches, reconcile
from cp2hub.payments.run import run_batch
from cp2hub.web.console.access import Admin, act, actor
from cp2hub.web.forms import Form
from cp2hub.web.pages import HEADERS, render, web_router
from cp2hub.web.visitors import VisitorDep

router = web_router(prefix="/console")
SHOWN = 200
"""A batch's page lists this many of its payments (those needing attention first)."""


@router.get("/payments")
def batch_list(request: Request, _admin: Admin, visitor: VisitorDep) -> Response:
    with visitor.db.read() as session:
        lines = batches.listing(session)
        codes = claims_report.series_codes(session)
        counties = [(c.code, c.name) for c in session.scalars(select(County).order_by(County.name))]
    return render(
        request, "console/payments.html", section="payments", lines=lines, codes=codes,
        counties=counties,
    )  # fmt: skip


@router.post("/payments")
def prepare(request: Request, admin: Admin, visitor: VisitorDep, form: Form) -> Response:
    def done():
        with visitor.db.write() as session:
            return batches.prepare(session, form["series"], form["county"] or None, actor(admin))

    return act(
        request, "/console/payments", done,
        lambda line: f"Batch {line.short_id} prepared: {line.count:,} claims, KSh {line.total:,}. "
        "Another administrator must approve it.",
    )  # fmt: skip


@router.get("/payments/{batch_id}")
def batch_page(batch_id: str, request: Request, admin: Admin, visitor: VisitorDep) -> Response:
    with visitor.db.read() as session:
        line = batches.line(session, batch_id)
        batch = batches.find(session, batch_id)
        order = Payment.status.in_(("queued", "paid", "filed"))  # attention first
        shown = session.scalars(
            select(Payment).where(Payment.batch_id == batch.id)
            .order_by(order, Payment.payee).limit(SHOWN)
        ).all()  # fmt: skip
        log = audit.lines(session, batch.id, limit=100)
    return render(
        request, "console/batch.html", section="payments", batch=line, payments=shown,
        log=log, own=batch.prepared_by == admin.user_id,
    )  # fmt: skip


@router.post("/payments/{batch_id}/approve")
def approve(batch_id: str, request: Request, admin: Admin, visitor: VisitorDep) -> Response:
    def done():
        with visitor.db.write() as session:
            return batches.approve(session, batch_id, actor(admin))

    return act(
        request, f"/console/payments/{batch_id}", done,
        lambda line: f"Batch {line.short_id} approved: KSh {line.total:,} may now be paid.",
    )  # fmt: skip


@router.post("/payments/{batch_id}/cancel")
def cancel(batch_id: str, request: Request, admin: Admin, visitor: VisitorDep) -> Response:
    def done():
        with visitor.db.write() as session:
            return batches.cancel(session, batch_id, actor(admin))

    return act(request, f"/console/payments/{batch_id}", done, lambda line: "Batch cancelled.")


@router.post("/payments/{batch_id}/run")
def run(batch_id: str, request: Request, admin: Admin, visitor: VisitorDep) -> Response:
    payments = get_payments(request, visitor.db, visitor.settings)
    sms = get_sms(request, visitor.settings)
    return act(
        request, f"/console/payments/{batch_id}",
        lambda: run_batch(visitor.db, batch_id, actor(admin), payments, sms),
        lambda summary: "Run: " + ", ".join(
            f"{summary.counts[s]:,} {s} (KSh {summary.amounts[s]:,})" for s in sorted(summary.counts)
        ) + (f". Stopped: {summary.stopped}" if summary.stopped else "."),
    )  # fmt: skip


@router.post("/payments/{batch_id}/bank-file")
def bank_transfer_file(batch_id: str, _request: Request, admin: Admin, visitor: VisitorDep):
    """A form's POST with its token, not a link: each download is written to the audit
    log, so another site must not be able to make an administrator's browser fetch it."""
    with visitor.db.write() as session:
        name, text = bank_file.of_batch(session, batch_id, actor(admin))
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return PlainTextResponse(text, media_type="text/csv", headers=headers)


@router.post("/payments/{batch_id}/bank-paid")
def bank_paid(
    batch_id: str, request: Request, admin: Admin, visitor: VisitorDep, form: Form
) -> Response:
    sms = get_sms(request, visitor.settings)
    reference = form["reference"]

    def done():
        if len(reference) < 3:
            raise HubError("Give the bank's reference for the transfer.")
        with visitor.db.write() as session:
            return reconcile.confirm_bank_file(
                session, batch_id, reference, actor(admin), sms(session)
            )

    return act(
        request, f"/console/payments/{batch_id}", done,
        lambda count: f"{count:,} bank payments marked paid, ref {reference}.",
    )  # fmt: skip


@router.get("/audit")
def audit_page(request: Request, _admin: Admin, visitor: VisitorDep) -> Response:
    with visitor.db.read() as session:
        lines = audit.lines(session, limit=500)
    return render(request, "console/audit.html", section="audit", lines=list(reversed(lines)))


@router.get("/audit.csv")
def audit_export(_request: Request, _admin: Admin, visitor: VisitorDep):
    with visitor.db.read() as session:
        text = audit.export_csv(session)
    headers = {**HEADERS, "Content-Disposition": 'attachment; filename="payments-audit.csv"'}
    return PlainTextResponse(text, media_type="text/csv", headers=headers)
