"""Claims: compute a series' claims, totals by county and sub-county, and the blocked
claims by reason with each officer's contact (`cp2hub.claims`, `cp2hub.claims_report`)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from cp2hub import claims_report
from cp2hub.claims import REASONS, compute_claims
from cp2hub.web.console.access import Admin, act
from cp2hub.web.forms import Form
from cp2hub.web.pages import render, web_router
from cp2hub.web.visitors import VisitorDep

router = web_router(prefix="/console")
TITLES = {
    "missing_name": "No name", "name_mismatch": "M-Pesa name differs",
    "missing_national_id": "No ID number", "missing_tsc_number": "No TSC number",
    "missing_payment": "No payment details", "no_attendance": "No attendance",
    "not_deployed": "Not on the deployment list", "duplicate": "Appears twice",
    "no_rate": "No rate set", "payment_failed": "Payment failed",
}  # fmt: skip


@router.get("/claims")
def claims_page(
    request: Request, _admin: Admin, visitor: VisitorDep, series: str = "", reason: str = ""
) -> Response:
    with visitor.db.read() as session:
        codes = claims_report.series_codes(session)
        chosen = series or (codes[0][0] if codes else "")
        wanted = reason if reason in REASONS else None
        found = claims_report.report(session, chosen, wanted) if chosen else None
    return render(
        request, "console/claims.html", section="claims", codes=codes, chosen=chosen,
        report=found, reason=wanted or "", titles=TITLES,
    )  # fmt: skip


@router.post("/claims/compute")
def compute(request: Request, _admin: Admin, visitor: VisitorDep, form: Form) -> Response:
    code = form["series"]
    return act(
        request, f"/console/claims?series={code}",
        lambda: compute_claims(visitor.db, code),
        lambda s: f"Claims of {s.series_code} computed: {s.payable:,} payable "
        f"(KSh {s.amount_payable:,}), {s.blocked:,} blocked; {s.changed:,} claims changed.",
    )  # fmt: skip
