"""KNEC administrators: open and close vacancies, list applicants, select, notify by SMS."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from cp2desk.sync.portal import (
    Applicant,
    NotifyAnswer,
    NotifyRequest,
    SelectAnswer,
    SelectRequest,
    VacancyLine,
    VacancyStatusRequest,
)
from cp2hub import applications, vacancies
from cp2hub.api.answers import problems
from cp2hub.api.deps import DB, CurrentUser, check_protocol
from cp2hub.api.gateway import Sms
from cp2hub.auth import Principal
from cp2hub.errors import Forbidden


def require_admin(principal: CurrentUser) -> Principal:
    if not principal.has("admin"):
        raise Forbidden("Only KNEC administrators can do this.")
    return principal


router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(check_protocol), Depends(require_admin)],
    responses=problems(403),
)


@router.get("/vacancies")
def list_vacancies(
    db: DB, status: Annotated[Literal["open", "closed", "all"], Query()] = "all"
) -> list[VacancyLine]:
    with db.read() as session:
        return vacancies.listing(session, status, dt.date.today())


@router.post("/vacancies/{vacancy_id}/status", responses=problems(404))
def set_status(vacancy_id: str, body: VacancyStatusRequest, db: DB) -> VacancyLine:
    with db.write() as session:
        vacancy = applications.set_status(session, vacancy_id, body.status)
        session.flush()
        return vacancies.line_of(session, None, vacancy, dt.date.today())


@router.get("/vacancies/{vacancy_id}/applicants", responses=problems(404))
def list_applicants(vacancy_id: str, db: DB) -> list[Applicant]:
    with db.read() as session:
        return applications.applicants(session, vacancy_id)


@router.post("/vacancies/{vacancy_id}/select", responses=problems(404, 503))
def select(vacancy_id: str, body: SelectRequest, db: DB, sms: Sms) -> SelectAnswer:
    with db.write() as session:
        return applications.select_applicants(
            session,
            vacancy_id,
            body.station_id,
            body.application_ids,
            sms(session) if body.notify else None,
        )


@router.post("/vacancies/{vacancy_id}/notify", responses=problems(404, 503))
def notify(vacancy_id: str, body: NotifyRequest, db: DB, sms: Sms) -> NotifyAnswer:
    with db.write() as session:
        sent = applications.notify(session, vacancy_id, body.status, body.text, sms(session))
    return NotifyAnswer(sent=sent)
