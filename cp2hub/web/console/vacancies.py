"""Vacancies: make one, open or close it; its applicants with what blocks each one's
payment; select applicants into deployments at a duty station (`cp2hub.applications`,
the rules of `cp2hub select`) and tell them by SMS."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select

from cp2hub import applications, vacancies, vacancy_making
from cp2hub.api.gateway import get_sms
from cp2hub.models import Station, SubCounty, Vacancy
from cp2hub.web.console.access import Admin, act
from cp2hub.web.forms import Fields, Form
from cp2hub.web.pages import redirect, render, web_router
from cp2hub.web.visitors import VisitorDep

router = web_router(prefix="/console")


@router.get("")
def console_home(request: Request, _admin: Admin) -> Response:
    return redirect(request, "/console/vacancies")


@router.get("/vacancies")
def vacancy_list(request: Request, _admin: Admin, visitor: VisitorDep) -> Response:
    return _list(request, visitor, Fields([]), {})


def _list(request: Request, visitor, form: Fields, errors: dict[str, str], status: int = 200):
    with visitor.db.read() as session:
        lines = vacancies.listing(session, "all", dt.date.today())
        choices = vacancy_making.choices(session)
        places = vacancies.filters(session).counties
    return render(
        request, "console/vacancies.html", status=status, section="vacancies", lines=lines,
        choices=choices, counties=places, form=form, errors=errors,
    )  # fmt: skip


@router.post("/vacancies")
def create(request: Request, _admin: Admin, visitor: VisitorDep, form: Form) -> Response:
    try:
        positions = int(form["positions"] or "0")
    except ValueError:
        positions = 0
    try:
        deadline = dt.date.fromisoformat(form["deadline"])
    except ValueError:
        return _list(request, visitor, form, {"deadline": "Give the deadline as a date."}, 400)
    try:
        with visitor.db.write() as session:
            vacancy_making.create(
                session, series_id=form["series"], activity=form["activity"],
                station_kind=form["station_kind"], position_id=form["position"],
                county_id=form["county"] or None, sub_county_id=form["sub_county"] or None,
                positions=positions, deadline=deadline, today=dt.date.today(),
            )  # fmt: skip
    except vacancy_making.VacancyRefused as refused:
        return _list(request, visitor, form, {refused.field: refused.message}, 400)
    return redirect(request, "/console/vacancies", "Vacancy made and open for applications.")


@router.post("/vacancies/{vacancy_id}/status")
def set_status(
    vacancy_id: str, request: Request, _admin: Admin, visitor: VisitorDep, form: Form
) -> Response:
    def done():
        with visitor.db.write() as session:
            return applications.set_status(session, vacancy_id, form["status"]).status

    back = form["back"] if form["back"].startswith("/console/") else "/console/vacancies"
    return act(request, back, done, lambda status: f"The vacancy is now {status}.")


@router.get("/vacancies/{vacancy_id}")
def vacancy_page(vacancy_id: str, request: Request, _admin: Admin, visitor: VisitorDep) -> Response:
    with visitor.db.read() as session:
        vacancy = applications.find_vacancy(session, vacancy_id)
        line = vacancies.line_of(session, None, vacancy, dt.date.today())
        applicants = applications.applicants(session, vacancy.id)
        stations = _stations(session, vacancy)
    return render(
        request, "console/vacancy.html", section="vacancies", vacancy=line,
        applicants=applicants, stations=stations,
    )  # fmt: skip


def _stations(session, vacancy: Vacancy) -> list[tuple[str, str]]:
    """The duty stations this vacancy may deploy to: its kind, in its county/sub-county."""
    query = select(Station.id, Station.name, Station.code, SubCounty.name).join(
        SubCounty, SubCounty.id == Station.sub_county_id
    ).where(Station.kind == vacancy.station_kind, Station.deleted.is_(False))  # fmt: skip
    if vacancy.sub_county_id:
        query = query.where(Station.sub_county_id == vacancy.sub_county_id)
    elif vacancy.county_id:
        query = query.where(Station.county_id == vacancy.county_id)
    rows = session.execute(query.order_by(SubCounty.name, Station.name).limit(2000)).all()
    return [(sid, f"{name} ({code}), {sub}") for sid, name, code, sub in rows]


@router.post("/vacancies/{vacancy_id}/select")
def select_applicants(
    vacancy_id: str, request: Request, _admin: Admin, visitor: VisitorDep, form: Form
) -> Response:
    chosen = form.get_all("application")
    back = f"/console/vacancies/{vacancy_id}"
    if not chosen:
        return redirect(request, back, "Not done: tick the applicants to select.")
    sms = get_sms(request, visitor.settings)

    def done():
        with visitor.db.write() as session:
            return applications.select_applicants(
                session, vacancy_id, form["station"], chosen,
                sms(session) if form.ticked("notify") else None,
            )  # fmt: skip

    def said(answer) -> str:
        text = f"Deployed {len(answer.selected)}: {', '.join(answer.selected) or 'nobody'}."
        if answer.skipped:
            text += " Not deployed: " + " ".join(s.reason for s in answer.skipped)
        return text

    return act(request, back, done, said)
