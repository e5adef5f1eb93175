"""Home: who is signed in, how complete their profile is and what still blocks payment,
in KNEC's words (`cp2desk.sync.completeness`, the same list as the desktop's)."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import Response

from cp2hub import my_cp2, profile
from cp2hub.web.errors import PageForbidden, SignInNeeded
from cp2hub.web.pages import redirect, render, web_router
from cp2hub.web.portal.own import NO_PROFILE
from cp2hub.web.sign_in import DEFAULT_HOME, home_of
from cp2hub.web.visitors import VisitorDep

router = web_router()


@router.get("/")
def home(request: Request, visitor: VisitorDep) -> Response:
    principal = visitor.principal
    if principal is None:
        raise SignInNeeded("/")
    if not principal.has("professional") and home_of(principal) != DEFAULT_HOME:
        return redirect(request, home_of(principal))  # the back office, say
    if not principal.has("professional") or not principal.professional_id:
        raise PageForbidden(NO_PROFILE)
    with visitor.db.read() as session:
        own = profile.load(session, principal)
        mine = my_cp2.applications(session, own.person, dt.date.today())
        posted = my_cp2.deployments(session, own.person.id)
    return render(
        request,
        "portal/home.html",
        section="home",
        own=own,
        submitted=[a for a in mine if a.status in ("submitted", "selected")],
        deployment=posted[0] if posted else None,
    )
