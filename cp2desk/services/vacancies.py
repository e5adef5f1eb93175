"""Vacancies and applications on the device: search online, apply and withdraw online or
queued offline, and the professional's own applications with their status.

Searching needs the hub (vacancies change by the minute and only the hub knows how many
positions are left). Applying and withdrawing go to the hub at once when it answers;
when it cannot be reached the change is written with its outbox entry in one
transaction and shows as waiting until a sync brings the hub's decision, which may be
a refusal with its reason (deadline passed, positions filled). The rows the hub answers
with are stored as a pull would store them, so "My applications" is right at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cp2desk.local_db.models import (
    MODEL_BY_TABLE,
    Application,
    AppUser,
    OutboxEntry,
    Position,
    Series,
    Vacancy,
)
from cp2desk.local_db.replica import Replica
from cp2desk.services.errors import NotFound, ServiceError
from cp2desk.services.profile import counties
from cp2desk.sync import errors
from cp2desk.sync.client import HubClient
from cp2desk.sync.portal import (
    CountyOption,
    Option,
    VacancyFilters,
    VacancyLine,
    VacancySearch,
)
from cp2desk.sync.protocol import table_layout
from cp2desk.sync.records import natural_id

STATUS_TEXT = {
    "submitted": "Submitted",
    "withdrawn": "Withdrawn",
    "selected": "Selected",
    "refused": "Not accepted",
}
STATION_KINDS = {"exam_centre": "Examination Centre", "distribution_centre": "Distribution Centre"}
OFFLINE_SEARCH = (
    "You are offline. Vacancies are searched on the KNEC hub, so connect to the network "
    "and search again. Your profile and applications stay available here."
)


class NotConfirmed(ServiceError):
    """The confirmation box was not ticked."""


class OfflineSearch(ServiceError):
    """The hub could not be reached for a search."""


@dataclass(frozen=True)
class Criteria:
    exam: str = ""
    activity: str = ""
    station_kind: str = ""
    position: str = ""
    county: str = ""
    sub_county: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to an apply or a withdrawal."""

    message: str
    status: str
    application_id: str
    queued: bool
    """True: saved on this computer, waiting to be sent to the hub."""


@dataclass(frozen=True, slots=True)
class _Ref:
    """What applying needs of a vacancy, from a search line or from my application."""

    id: str
    position: str
    series_name: str
    deadline: dt.date
    vacancy: dict[str, Any] | None

    @classmethod
    def of(cls, found: VacancyLine | MyApplication) -> _Ref:
        if isinstance(found, VacancyLine):
            return cls(found.id, found.position, found.series_name, found.deadline, found.vacancy)
        deadline = found.deadline or dt.date.max
        return cls(found.vacancy_id, found.position, found.series, deadline, None)


@dataclass(frozen=True, slots=True)
class MyApplication:
    id: str
    vacancy_id: str
    position: str
    exam: str
    series: str
    deadline: dt.date | None
    status: str
    status_text: str
    reason: str
    submitted_at: dt.datetime | None
    pending: bool

    @property
    def title(self) -> str:
        return f"{self.position}: {self.series}" if self.series else self.position

    @property
    def can_withdraw(self) -> bool:
        return self.status == "submitted"

    @property
    def can_apply_again(self) -> bool:
        return self.status in ("withdrawn", "refused") and (
            self.deadline is None or self.deadline >= dt.date.today()
        )


# --- online -------------------------------------------------------------------------


def filters(client: HubClient) -> VacancyFilters:
    try:
        return client.vacancy_filters()
    except errors.HubUnreachable as exc:
        raise OfflineSearch(OFFLINE_SEARCH) from exc


def local_filters(replica: Replica) -> VacancyFilters:
    """The filters this computer can offer without the hub (no activities: only the hub
    knows them), so the search form is usable at once and after a failed connection."""
    with replica.read() as session:
        series = session.scalars(select(Series).order_by(Series.exam, Series.starts_on)).all()
        positions = session.scalars(select(Position).order_by(Position.rank)).all()
    exams: dict[str, Option] = {}
    for found in series:
        title = found.name.removesuffix(str(found.year)).strip()
        exams.setdefault(found.exam, Option(value=found.exam, label=title))
    return VacancyFilters(
        exams=list(exams.values()),
        activities=[],
        station_kinds=[Option(value=k, label=v) for k, v in STATION_KINDS.items()],
        positions=[Option(value=p.code, label=p.name) for p in positions],
        counties=[
            CountyOption(
                value=c.id,
                label=c.name,
                sub_counties=[Option(value=i, label=n) for i, n in c.sub_counties],
            )
            for c in counties(replica)
        ],
    )


def search(client: HubClient, replica: Replica, criteria: Criteria) -> VacancySearch:
    """Search on the hub; the vacancies this user applied for are kept on this computer."""
    try:
        found = client.search_vacancies(**criteria.__dict__)
    except errors.HubUnreachable as exc:
        raise OfflineSearch(OFFLINE_SEARCH) from exc
    applied = [line.vacancy for line in found.lines if line.application and line.vacancy]
    if applied:
        with replica.write() as session:
            for row in applied:
                store_hub_row(session, "vacancy", row)
    return found


# --- apply and withdraw -------------------------------------------------------------


def apply(
    replica: Replica,
    client: HubClient | None,
    user_id: str,
    vacancy: VacancyLine | MyApplication,
    confirmed: bool,
    today: dt.date | None = None,
) -> Outcome:
    """Apply for a vacancy of a search result (or again, for one of my applications):
    online if the hub answers, else queued."""
    line = _Ref.of(vacancy)
    if not confirmed:
        raise NotConfirmed(
            "Tick the box to confirm that your details are correct before you submit."
        )
    today = today or dt.date.today()
    if line.deadline < today:
        raise ServiceError(f"The deadline for this vacancy was {line.deadline:%d %b %Y}.")
    pid = _professional(replica, user_id)
    app_id = natural_id("application", line.id, pid)
    if client is not None and not _waiting(replica, app_id):
        try:
            answer = client.apply_for(line.id, True)
        except errors.HubUnreachable:
            pass
        else:
            _store(replica, answer.application, answer.vacancy)
            return Outcome(answer.message, "submitted", app_id, queued=False)
    with replica.write() as session:
        if line.vacancy:
            store_hub_row(session, "vacancy", line.vacancy)
        application = session.get(Application, app_id) or Application(
            id=app_id, vacancy_id=line.id, professional_id=pid
        )
        application.status = "submitted"
        application.submitted_at = dt.datetime.now().replace(microsecond=0)
        application.reason = ""
        replica.record(
            session,
            application,
            ["status", "submitted_at", "reason"],
            f"Application: {line.position}, {line.series_name}",
        )
    return Outcome(
        f"You are offline, so your application to be {_a(line.position)} for "
        f"{line.series_name} is saved on this computer. It will be sent at the next sync, "
        "and shows as waiting until KNEC's hub accepts it.",
        "submitted",
        app_id,
        queued=True,
    )


def withdraw(
    replica: Replica, client: HubClient | None, user_id: str, application_id: str
) -> Outcome:
    """Withdraw an application: online if the hub answers, else queued."""
    pid = _professional(replica, user_id)
    with replica.read() as session:
        application = session.get(Application, application_id)
        if application is None or application.professional_id != pid:
            raise NotFound("That application is not on this computer. Sync, then try again.")
        if application.status not in ("submitted",):
            raise ServiceError(
                f"This application is {STATUS_TEXT.get(application.status, application.status).lower()}, "
                "so there is nothing to withdraw."
            )
    if client is not None and not _waiting(replica, application_id):
        try:
            answer = client.withdraw_application(application_id)
        except errors.HubUnreachable:
            pass
        else:
            _store(replica, answer.application, answer.vacancy)
            return Outcome(answer.message, "withdrawn", application_id, queued=False)
    with replica.write() as session:
        application = session.get(Application, application_id)
        application.status = "withdrawn"
        application.reason = ""
        replica.record(
            session, application, ["status", "reason"], _withdraw_summary(session, application)
        )
    return Outcome(
        "You are offline, so your withdrawal is saved on this computer and will be sent at "
        "the next sync.",
        "withdrawn",
        application_id,
        queued=True,
    )


def _withdraw_summary(session: Session, application: Application) -> str:
    mine = _describe(session, [application])
    return f"Withdrawal: {mine[0].title}" if mine else "Withdrawal of an application"


# --- my applications ----------------------------------------------------------------


def my_applications(replica: Replica, user_id: str) -> list[MyApplication]:
    """The user's applications, newest first, with whether a change is still waiting."""
    with replica.read() as session:
        user = session.get(AppUser, user_id)
        if user is None or not user.professional_id:
            return []
        rows = session.scalars(
            select(Application)
            .where(
                Application.professional_id == user.professional_id,
                Application.deleted.is_(False),
            )
            .order_by(Application.submitted_at.desc())
        ).all()
        return _describe(session, rows)


def _describe(session: Session, rows) -> list[MyApplication]:
    waiting = set(
        session.scalars(
            select(OutboxEntry.row_id).where(OutboxEntry.row_id.in_([r.id for r in rows]))
        )
    )
    out = []
    for row in rows:
        vacancy = session.get(Vacancy, row.vacancy_id)
        position = session.get(Position, vacancy.position_id) if vacancy else None
        series = session.get(Series, vacancy.series_id) if vacancy else None
        pending = row.id in waiting
        out.append(
            MyApplication(
                id=row.id,
                vacancy_id=row.vacancy_id,
                position=position.name if position else "A vacancy not on this computer yet",
                exam=series.exam if series else "",
                series=series.name if series else "",
                deadline=vacancy.deadline if vacancy else None,
                status=row.status,
                status_text=_status_text(row.status, pending),
                reason=row.reason or "",
                submitted_at=row.submitted_at,
                pending=pending,
            )
        )
    return out


def _status_text(status: str, pending: bool) -> str:
    if pending:
        return "Withdrawal waiting to be sent" if status == "withdrawn" else "Waiting to be sent"
    return STATUS_TEXT.get(status, status.title())


# --- rows from the hub --------------------------------------------------------------


def store_hub_row(session: Session, table: str, row: dict[str, Any]) -> None:
    """Store a row the hub answered with, as a pull would (the hub is the truth), unless
    a change of it made here is still waiting to be sent."""
    if session.scalar(select(OutboxEntry.position).where(OutboxEntry.row_id == row["id"]).limit(1)):
        return
    columns, _, parsers = table_layout(table)
    values = {name: row.get(name) for name in (*columns, "id")}
    for name, parse in parsers.items():
        if isinstance(values.get(name), str):
            values[name] = parse(values[name])
    session.execute(insert(MODEL_BY_TABLE[table]).prefix_with("OR REPLACE"), [values])


def _store(replica: Replica, application: dict[str, Any], vacancy: dict[str, Any] | None) -> None:
    with replica.write() as session:
        if vacancy:
            store_hub_row(session, "vacancy", vacancy)
        store_hub_row(session, "application", application)


def _waiting(replica: Replica, row_id: str) -> bool:
    """A change of this row is queued: a new one must queue behind it, in order."""
    with replica.read() as session:
        found = session.scalar(
            select(OutboxEntry.position).where(OutboxEntry.row_id == row_id).limit(1)
        )
        return found is not None


def _professional(replica: Replica, user_id: str) -> str:
    with replica.read() as session:
        user = session.get(AppUser, user_id)
    if user is None or not user.professional_id:
        raise NotFound("Your profile is not on this computer yet. Sync, then try again.")
    return user.professional_id


def _a(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
