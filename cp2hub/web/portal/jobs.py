"""Jobs/vacancies and My applications: search with KNEC's six drop-downs, the
confirmation page (details to check, the tick box, Submit Application), thanks, and
Withdraw Application / apply again.

Searching, eligibility, applying and withdrawing are the hub's functions
(`cp2hub.vacancies`, `cp2hub.applications`), the same as the app's and the API's; an
application written here is a replicated row, so the professional's desktop receives
it at its next sync.
"""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import Response

from cp2hub import applications, my_cp2, vacancies
from cp2hub.auth import Principal
from cp2hub.errors import HubError
from cp2hub.models import Application, Professional, Vacancy
from cp2hub.web.forms import Form
from cp2hub.web.pages import redirect, render, web_router
from cp2hub.web.portal.own import Own
from cp2hub.web.visitors import VisitorDep

router = web_router()
FILTERS = ("exam", "activity", "station_kind", "position", "county", "sub_county")
LONGEST_FILTER = 60


@router.get("/jobs")
def search(request: Request, principal: Own, visitor: VisitorDep) -> Response:
    chosen = {name: request.query_params.get(name, "")[:LONGEST_FILTER] for name in FILTERS}
    searched = "search" in request.query_params
    found, error = None, None
    with visitor.db.read() as session:
        choices = vacancies.filters(session)
        if searched:
            person = session.get(Professional, principal.professional_id)
            try:
                found = vacancies.search(
                    session, person, vacancies.Criteria(**chosen), dt.date.today()
                )
            except HubError as exc:
                error = exc.message
    return render(
        request,
        "portal/jobs.html",
        status=400 if error else 200,
        section="jobs",
        choices=choices,
        chosen=chosen,
        found=found,
        error=error,
    )


@router.get("/jobs/{vacancy_id}")
def confirm_page(request: Request, vacancy_id: str, principal: Own, visitor: VisitorDep):
    return _confirmation(request, vacancy_id, principal, visitor)


@router.post("/jobs/{vacancy_id}")
def apply(
    request: Request, vacancy_id: str, principal: Own, visitor: VisitorDep, form: Form
) -> Response:
    try:
        applications.check_confirmed(form.ticked("confirm"))
        with visitor.db.write() as session:
            person = session.get(Professional, principal.professional_id)
            applications.submit(session, person, vacancy_id, dt.datetime.now())
    except HubError as exc:
        return _confirmation(request, vacancy_id, principal, visitor, error=exc.message)
    return redirect(request, f"/jobs/{vacancy_id}/thanks")


@router.get("/jobs/{vacancy_id}/thanks")
def thanks(request: Request, vacancy_id: str, principal: Own, visitor: VisitorDep):
    with visitor.db.read() as session:
        mine = session.get(
            Application, applications.application_id(vacancy_id, principal.professional_id)
        )
        if mine is None or mine.status not in applications.HOLDS_A_POSITION:
            return redirect(request, f"/jobs/{vacancy_id}")
        message = applications.thanks(session, mine)
    return render(request, "portal/thanks.html", section="jobs", message=message)


@router.get("/my-applications")
def my_applications(request: Request, principal: Own, visitor: VisitorDep) -> Response:
    with visitor.db.read() as session:
        person = session.get(Professional, principal.professional_id)
        mine = my_cp2.applications(session, person, dt.date.today())
    return render(request, "portal/applications.html", section="applications", mine=mine)


@router.post("/my-applications/{application_id}/withdraw")
def withdraw(
    request: Request, application_id: str, principal: Own, visitor: VisitorDep
) -> Response:
    with visitor.db.write() as session:
        application = applications.withdraw(session, principal.professional_id, application_id)
        session.flush()
        message = applications.withdrawn_message(session, application)
    return redirect(request, "/my-applications", flash=message)


def _confirmation(
    request: Request,
    vacancy_id: str,
    principal: Principal,
    visitor,
    error: str | None = None,
) -> Response:
    with visitor.db.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        if vacancy is None:
            raise applications.NotFound("That vacancy is not known to the hub.")
        person = session.get(Professional, principal.professional_id)
        line = vacancies.line_of(session, person, vacancy, dt.date.today())
    return render(
        request,
        "portal/confirm.html",
        status=409 if error else 200,
        section="jobs",
        line=line,
        person=person,
        error=error,
    )
