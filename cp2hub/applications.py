"""Applying for a vacancy, withdrawing, and KNEC's selection of applicants into deployments.

The hub decides every application, online (`POST /vacancies/{id}/apply`) or pushed from
a device that applied offline (`rules.application`), with the same checks: the vacancy
is open, its deadline has not passed (by the hub's date), a position is left, and the
professional is eligible. One application row per professional and vacancy
(`natural_id('application', vacancy, professional)`): withdrawing and applying again
re-submit the same row. Applications to one vacancy lock its row, so on PostgreSQL two
professionals can never both take the last position.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cp2desk.sync.completeness import missing_for_payment
from cp2desk.sync.portal import Applicant, SelectAnswer, Skipped
from cp2desk.sync.records import natural_id
from cp2hub import feed
from cp2hub.errors import HubError
from cp2hub.models import (
    Application,
    Deployment,
    Position,
    Professional,
    Series,
    Station,
    Vacancy,
)
from cp2hub.series import exam_title
from cp2hub.sms import SmsGateway

TEACHING_POSITIONS = ("centre_manager", "supervisor", "invigilator")
HOLDS_A_POSITION = ("submitted", "selected")
"""The statuses of an application that hold one of its vacancy's positions."""


class ApplicationRefused(HubError):
    status = 409
    code = "application_refused"


class NotFound(HubError):
    status = 404
    code = "not_found"


class NotConfirmed(HubError):
    code = "not_confirmed"


def check_confirmed(confirm: bool) -> None:
    """An application is submitted only once its applicant ticked that their details
    are correct (KNEC's confirmation page)."""
    if not confirm:
        raise NotConfirmed(
            "Tick the box to confirm that your details are correct before you submit."
        )


def positions_left(session: Session, vacancy_ids: Iterable[str]) -> dict[str, int]:
    """How many applications hold a position of each vacancy."""
    ids = list(vacancy_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Application.vacancy_id, func.count())
        .where(Application.vacancy_id.in_(ids), Application.status.in_(HOLDS_A_POSITION))
        .group_by(Application.vacancy_id)
    ).all()
    return dict(rows)


def application_id(vacancy_id: str, professional_id: str) -> str:
    return natural_id("application", vacancy_id, professional_id)


def a_or_an(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


# --- rules --------------------------------------------------------------------------


def eligibility(
    session: Session,
    person: Professional,
    vacancy: Vacancy,
    position: Position,
    series: Series,
    active: list[tuple[str, str, str]] | None = None,
) -> str | None:
    """Why this professional may not apply for this vacancy, or None if they may.

    `active` is `active_applications(session, person.id)` when the caller has it.
    """
    missing = []
    if not (person.first_name or "").strip() or not (person.last_name or "").strip():
        missing.append("your first and last names")
    if not (person.national_id or "").strip():
        missing.append("your ID number")
    if missing:
        return f"Complete your profile before applying: add {' and '.join(missing)}."
    if position.code in TEACHING_POSITIONS and not (person.tsc_number or "").strip():
        return (
            f"A TSC number is needed to apply as {a_or_an(position.name.lower())}. "
            "Add it to your profile."
        )
    if (
        position.code == "invigilator"
        and series.exam == "KCSE"
        and person.teacher_level == "secondary"
    ):
        return (
            "Secondary school teachers supervise but do not invigilate KCSE. "
            "Apply as a supervisor instead."
        )
    held = active if active is not None else active_applications(session, person.id)
    other = next((name for sid, vid, name in held if sid == series.id and vid != vacancy.id), None)
    if other is not None:
        return (
            f"You have already applied to be {a_or_an(other.lower())} for {series.name}. "
            "Withdraw that application first to apply for another."
        )
    return None


def active_applications(session: Session, professional_id: str) -> list[tuple[str, str, str]]:
    """(series id, vacancy id, position name) of each application holding a position."""
    rows = session.execute(
        select(Vacancy.series_id, Vacancy.id, Position.name)
        .select_from(Application)
        .join(Vacancy, Vacancy.id == Application.vacancy_id)
        .join(Position, Position.id == Vacancy.position_id)
        .where(
            Application.professional_id == professional_id,
            Application.status.in_(HOLDS_A_POSITION),
        )
    ).all()
    return [tuple(r) for r in rows]


def open_problem(vacancy: Vacancy, today: dt.date, remaining: int) -> str | None:
    """Why the vacancy takes no application now, or None."""
    if vacancy.status != "open":
        return "This vacancy is closed."
    if vacancy.deadline < today:
        return f"The deadline for this vacancy was {vacancy.deadline:%d %b %Y}."
    if remaining <= 0:
        if vacancy.positions == 1:
            return "The only position of this vacancy has been filled."
        return f"All {vacancy.positions} positions of this vacancy have been filled."
    return None


def mine_by_vacancy(
    session: Session, professional_id: str, vacancy_ids: list[str]
) -> dict[str, Application]:
    rows = session.scalars(
        select(Application).where(
            Application.professional_id == professional_id, Application.vacancy_id.in_(vacancy_ids)
        )
    )
    return {a.vacancy_id: a for a in rows}


# --- applying and withdrawing -------------------------------------------------------


def submit(
    session: Session, person: Professional, vacancy_id: str, now: dt.datetime
) -> Application:
    """Submit (or re-submit) this professional's application; ApplicationRefused says why not."""
    vacancy = session.get(Vacancy, vacancy_id, with_for_update=True)
    if vacancy is None:
        raise NotFound("That vacancy is not known to the hub.")
    existing = _existing(session, vacancy.id, person.id)
    if existing is not None and existing.status in HOLDS_A_POSITION:
        return existing  # a repeated submission (a retry, a second click) changes nothing
    position = session.get(Position, vacancy.position_id)
    series = session.get(Series, vacancy.series_id)
    held = positions_left(session, [vacancy.id]).get(vacancy.id, 0)
    problem = open_problem(vacancy, now.date(), vacancy.positions - held)
    problem = problem or eligibility(session, person, vacancy, position, series)
    if problem:
        raise ApplicationRefused(problem)
    application = existing or Application(
        id=application_id(vacancy.id, person.id), vacancy_id=vacancy.id, professional_id=person.id
    )
    application.status = "submitted"
    application.submitted_at = now.replace(microsecond=0)
    application.reason = ""
    session.add(application)
    return application


def refuse(
    session: Session, person: Professional, vacancy_id: str, reason: str, now: dt.datetime
) -> Application:
    """Record that an application which reached the hub offline was not accepted, and why."""
    application = _existing(session, vacancy_id, person.id) or Application(
        id=application_id(vacancy_id, person.id), vacancy_id=vacancy_id, professional_id=person.id
    )
    if application.status in HOLDS_A_POSITION:
        return application
    application.status = "refused"
    application.reason = reason
    application.submitted_at = now.replace(microsecond=0)
    session.add(application)
    return application


def withdraw(session: Session, professional_id: str, application_id: str) -> Application:
    application = session.get(Application, application_id, with_for_update=True)
    if application is None or application.professional_id != professional_id:
        raise NotFound("That application is not on the hub, or it is not yours.")
    if application.status == "withdrawn":
        return application
    if application.status == "selected":
        raise ApplicationRefused(
            "You have been selected and deployed for this vacancy, so the application cannot be "
            "withdrawn here. Call your sub-county office if you cannot serve."
        )
    if application.status != "submitted":
        raise ApplicationRefused(
            "This application was not accepted, so there is nothing to withdraw."
        )
    application.status = "withdrawn"
    application.reason = ""
    return application


def _existing(session: Session, vacancy_id: str, professional_id: str) -> Application | None:
    return session.scalar(
        select(Application).where(
            Application.vacancy_id == vacancy_id, Application.professional_id == professional_id
        )
    )


def thanks(session: Session, application: Application) -> str:
    vacancy = session.get(Vacancy, application.vacancy_id)
    position = session.get(Position, vacancy.position_id)
    series = session.get(Series, vacancy.series_id)
    return (
        f"Thank you for applying to be {a_or_an(position.name)} for {series.name}. "
        "We will tell you by SMS if you are selected."
    )


def withdrawn_message(session: Session, application: Application) -> str:
    vacancy = session.get(Vacancy, application.vacancy_id)
    position = session.get(Position, vacancy.position_id)
    series = session.get(Series, vacancy.series_id)
    return (
        f"Your application to be {a_or_an(position.name)} for {series.name} was withdrawn. "
        f"You can apply again until {vacancy.deadline:%d %b %Y}."
    )


# --- administration -----------------------------------------------------------------


def set_status(session: Session, vacancy_id: str, status: str) -> Vacancy:
    vacancy = find_vacancy(session, vacancy_id)
    if status not in ("open", "closed"):
        raise HubError("A vacancy is either open or closed.")
    vacancy.status = status
    return vacancy


def find_vacancy(session: Session, key: str) -> Vacancy:
    """A vacancy by its id, or by the start of its id (as `cp2hub vacancies` shows it)."""
    vacancy = session.get(Vacancy, key)
    if vacancy is not None:
        return vacancy
    found = (
        session.scalars(select(Vacancy).where(Vacancy.id.startswith(key)).limit(2)).all()
        if len(key) >= 6
        else []
    )
    if len(found) == 1:
        return found[0]
    raise NotFound(
        f"No vacancy {key!r}." if not found else f"More than one vacancy starts with {key!r}."
    )


def applicants(session: Session, vacancy_id: str) -> list[Applicant]:
    vacancy = find_vacancy(session, vacancy_id)
    rows = session.execute(
        select(Application, Professional)
        .join(Professional, Professional.id == Application.professional_id)
        .where(Application.vacancy_id == vacancy.id)
        .order_by(Application.submitted_at, Professional.last_name)
    ).all()
    return [
        Applicant(
            application_id=a.id,
            professional_id=p.id,
            name=p.full_name or p.phone,
            phone=p.phone,
            status=a.status,
            reason=a.reason or "",
            submitted_at=a.submitted_at,
            missing_for_payment=missing_for_payment(p),
        )
        for a, p in rows
    ]


def select_applicants(
    session: Session,
    vacancy_id: str,
    station_id: str,
    application_ids: list[str],
    sms: SmsGateway | None,
) -> SelectAnswer:
    """Deploy the chosen applicants to a station; those who cannot be are skipped with why.

    Each selected officer gets a new active deployment, and their professional row is
    touched so the station's devices receive it (the row entered their scope).
    """
    vacancy = find_vacancy(session, vacancy_id)
    vacancy = session.get(Vacancy, vacancy.id, with_for_update=True)
    station = session.get(Station, station_id) or session.scalar(
        select(Station).where(Station.code == station_id)
    )
    _check_station(vacancy, station)
    position = session.get(Position, vacancy.position_id)
    series = session.get(Series, vacancy.series_id)
    selected: list[str] = []
    skipped: list[Skipped] = []
    for app_id in dict.fromkeys(application_ids):
        application = session.get(Application, app_id)
        if application is None or application.vacancy_id != vacancy.id:
            skipped.append(
                Skipped(application_id=app_id, reason="Not an application to this vacancy.")
            )
            continue
        person = session.get(Professional, application.professional_id)
        reason = _cannot_deploy(session, application, person, station, series)
        if reason:
            skipped.append(Skipped(application_id=app_id, reason=reason))
            continue
        session.add(
            Deployment(
                series_id=series.id,
                professional_id=person.id,
                station_id=station.id,
                position_id=position.id,
                status="active",
            )
        )
        application.status = "selected"
        application.reason = ""
        person.hlc = feed.clock.now()  # re-sent, so the station's devices receive the officer
        selected.append(person.full_name or person.phone)
        if sms is not None:
            sms.send(
                person.phone,
                f"KNEC CP2: you have been selected as {a_or_an(position.name)} at {station.name} "
                f"for {series.name}. Sign in to CP2 to see your deployment.",
            )
    if selected:
        station.hlc = feed.clock.now()  # the officers' own devices now see the station
    return SelectAnswer(selected=selected, skipped=skipped)


def _check_station(vacancy: Vacancy, station: Station | None) -> None:
    if station is None:
        raise NotFound("No such duty station.")
    if station.kind != vacancy.station_kind:
        raise HubError(f"{station.name} is not the kind of duty station this vacancy is for.")
    if vacancy.sub_county_id and station.sub_county_id != vacancy.sub_county_id:
        raise HubError(f"{station.name} is not in the sub-county of this vacancy.")
    if vacancy.county_id and station.county_id != vacancy.county_id:
        raise HubError(f"{station.name} is not in the county of this vacancy.")


def _cannot_deploy(
    session: Session,
    application: Application,
    person: Professional,
    station: Station,
    series: Series,
) -> str | None:
    name = person.full_name or person.phone
    if application.status == "selected":
        return f"{name} is already selected."
    if application.status != "submitted":
        return f"{name}'s application is {application.status}."
    if person.institution_code and person.institution_code == station.code:
        return f"{name} teaches at {station.name} and cannot serve at their own school."
    active = session.scalar(
        select(Station.name)
        .join(Deployment, Deployment.station_id == Station.id)
        .where(
            Deployment.professional_id == person.id,
            Deployment.series_id == series.id,
            Deployment.status == "active",
        )
    )
    if active is not None:
        return f"{name} is already deployed at {active} for {exam_title(series)}."
    return None


def notify(session: Session, vacancy_id: str, status: str, text: str, sms: SmsGateway) -> int:
    """SMS `text` to every applicant of the vacancy whose application has `status`."""
    vacancy = find_vacancy(session, vacancy_id)
    phones = session.scalars(
        select(Professional.phone)
        .join(Application, Application.professional_id == Professional.id)
        .where(Application.vacancy_id == vacancy.id, Application.status == status)
    ).all()
    for phone in phones:
        sms.send(phone, text)
    return len(phones)
