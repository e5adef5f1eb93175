"""Search vacancies, apply, withdraw: the professional's online portal."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from cp2desk.sync.portal import (
    ApplicationAnswer,
    ApplyRequest,
    VacancyFilters,
    VacancySearch,
)
from cp2hub import applications, vacancies
from cp2hub.api.answers import problems
from cp2hub.api.deps import DB, CurrentUser, check_protocol
from cp2hub.auth import Principal
from cp2hub.errors import Forbidden
from cp2hub.models import Professional, Vacancy
from cp2hub.push import as_wire
from cp2hub.scope import scope_of

router = APIRouter(tags=["vacancies"], dependencies=[Depends(check_protocol)])
Filter = Annotated[str, Query(max_length=60)]


def _professional_id(principal: Principal) -> str:
    if not principal.professional_id:
        raise Forbidden("This account has no CP2 profile, so it cannot apply for vacancies.")
    return principal.professional_id


@router.get("/vacancies/filters")
def vacancy_filters(principal: CurrentUser, db: DB) -> VacancyFilters:
    with db.read() as session:
        return vacancies.filters(session)


@router.get("/vacancies", responses=problems(400))
def search_vacancies(
    principal: CurrentUser,
    db: DB,
    exam: Filter = "",
    activity: Filter = "",
    station_kind: Filter = "",
    position: Filter = "",
    county: Filter = "",
    sub_county: Filter = "",
) -> VacancySearch:
    criteria = vacancies.Criteria(exam, activity, station_kind, position, county, sub_county)
    with db.read() as session:
        person = session.get(Professional, principal.professional_id or "")
        return vacancies.search(session, person, criteria, dt.date.today())


@router.post("/vacancies/{vacancy_id}/apply", responses=problems(403, 404, 409))
def apply(vacancy_id: str, body: ApplyRequest, principal: CurrentUser, db: DB) -> ApplicationAnswer:
    mine = _professional_id(principal)
    applications.check_confirmed(body.confirm)
    with db.write() as session:
        person = session.get(Professional, mine)
        application = applications.submit(session, person, vacancy_id, dt.datetime.now())
        session.flush()
        return ApplicationAnswer(
            message=applications.thanks(session, application),
            application=as_wire(application, scope_of(principal)),
            vacancy=as_wire(session.get(Vacancy, application.vacancy_id)),
        )


@router.post("/applications/{application_id}/withdraw", responses=problems(403, 404, 409))
def withdraw(application_id: str, principal: CurrentUser, db: DB) -> ApplicationAnswer:
    mine = _professional_id(principal)
    with db.write() as session:
        application = applications.withdraw(session, mine, application_id)
        session.flush()
        return ApplicationAnswer(
            message=applications.withdrawn_message(session, application),
            application=as_wire(application, scope_of(principal)),
            vacancy=as_wire(session.get(Vacancy, application.vacancy_id)),
        )
