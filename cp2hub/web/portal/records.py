"""My deployments, my attendance and my claim: what KNEC holds of the professional's
work, read from the hub's rows (`cp2hub.my_cp2`), and what blocks payment in KNEC's
words (`cp2desk.sync.completeness`, as on the desktop)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from cp2desk.sync.completeness import missing_for_payment
from cp2hub import my_cp2
from cp2hub.models import Professional
from cp2hub.web.pages import render, web_router
from cp2hub.web.portal.own import Own
from cp2hub.web.visitors import VisitorDep

router = web_router()


@router.get("/my-deployments")
def my_deployments(request: Request, principal: Own, visitor: VisitorDep) -> Response:
    with visitor.db.read() as session:
        posted = my_cp2.deployments(session, principal.professional_id)
    return render(request, "portal/deployments.html", section="deployments", posted=posted)


@router.get("/my-claim")
def my_claim(request: Request, principal: Own, visitor: VisitorDep) -> Response:
    with visitor.db.read() as session:
        claims = my_cp2.claims(session, principal.professional_id)
        person = session.get(Professional, principal.professional_id)
        blocking = missing_for_payment(person)
    return render(request, "portal/claim.html", section="claim", claims=claims, blocking=blocking)
