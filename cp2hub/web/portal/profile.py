"""Profile: Personal information, Work experience, Qualifications and payment details,
each shown to read, with Edit, and Add for another work station or qualification.

Every save goes through `cp2hub.profile`: the shared checks, then the push machinery,
so the professional's desktop receives it at its next sync. A refused form is shown
again as typed, the box at fault named.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from cp2desk.sync.profile_checks import (
    PAYMENT_FIELDS,
    PERSONAL_FIELDS,
    QUALIFICATION_LEVELS,
    ProfileProblem,
    Study,
    Work,
)
from cp2hub import accounts, profile, vacancies
from cp2hub.accounts import local_number
from cp2hub.api.gateway import get_sms
from cp2hub.errors import HubError
from cp2hub.models import Qualification, WorkExperience
from cp2hub.payment_alerts import PaymentAlerts
from cp2hub.web.forms import Fields, Form
from cp2hub.web.pages import redirect, render, web_router
from cp2hub.web.portal.own import Own
from cp2hub.web.visitors import VisitorDep

router = web_router(prefix="/profile")
PAYMENT = PAYMENT_FIELDS
PERSONAL = tuple(name for name in PERSONAL_FIELDS if name not in PAYMENT)
KINDS = {
    "work": (WorkExperience, "portal/work_form.html", "Work experience"),
    "qualifications": (Qualification, "portal/qualification_form.html", "Qualification"),
}


class BadDate(HubError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@router.get("")
def show(request: Request, principal: Own, visitor: VisitorDep) -> Response:
    with visitor.db.read() as session:
        own = profile.load(session, principal)
    return render(request, "portal/profile.html", section="profile", own=own)


@router.get("/personal")
def personal_page(request: Request, principal: Own, visitor: VisitorDep) -> Response:
    return _personal_form(request, principal, visitor, None, {}, None)


@router.post("/personal")
def save_personal(request: Request, principal: Own, visitor: VisitorDep, form: Form) -> Response:
    return _save(
        request, principal, visitor, form, PERSONAL, "Your personal information was saved."
    )


@router.get("/payment")
def payment_page(request: Request, principal: Own, visitor: VisitorDep) -> Response:
    return _personal_form(request, principal, visitor, None, {}, None, payment=True)


@router.post("/payment")
def save_payment(request: Request, principal: Own, visitor: VisitorDep, form: Form) -> Response:
    """Where payments go: asked with the current password (a session left open in a cyber
    café must not redirect the next payment), the owner told by SMS of each change."""
    try:
        accounts.confirm_own_password(
            visitor.db, principal, form.raw("current_password"), visitor.settings
        )
    except HubError as exc:
        errors = {"current_password": exc.message}
        return _personal_form(request, principal, visitor, form, errors, None, payment=True)
    return _save(request, principal, visitor, form, PAYMENT, "Your payment details were saved.")


def _save(request, principal, visitor, form: Fields, names, done: str) -> Response:
    values: dict[str, Any] = {name: form[name] for name in names}
    settings = visitor.settings
    alerts = PaymentAlerts(get_sms(request, settings), settings.help_line)
    try:
        if "date_of_birth" in values:
            values["date_of_birth"] = _date(form, "date_of_birth", "Date of birth")
        profile.save_personal(visitor.db, principal, values, alerts)
    except (ProfileProblem, BadDate) as exc:
        return _personal_form(
            request,
            principal,
            visitor,
            form,
            {exc.field: exc.message},
            None,
            payment=names is PAYMENT,
        )
    except HubError as exc:
        return _personal_form(
            request, principal, visitor, form, {}, exc.message, payment=names is PAYMENT
        )
    return redirect(request, "/profile", flash=done)


def _personal_form(request, principal, visitor, form, errors, error, payment=False) -> Response:
    with visitor.db.read() as session:
        own = profile.load(session, principal)
        counties = vacancies.filters(session).counties
    shown = form.as_dict() if form is not None else _as_text(own.values())
    if form is None and own.person.mpesa_phone:  # as Kenyans write it: 07XX XXX XXX
        shown["mpesa_phone"] = local_number(own.person.mpesa_phone)
    return render(
        request,
        "portal/payment_form.html" if payment else "portal/personal_form.html",
        status=400 if errors or error else 200,
        section="profile",
        form=shown,
        errors=errors,
        error=error,
        counties=counties,
    )


@router.get("/{kind}/new")
def new_entry(request: Request, kind: str, principal: Own) -> Response:
    return _entry_form(request, kind, None, {}, {}, None)


@router.get("/{kind}/{item_id}")
def edit_entry(
    request: Request, kind: str, item_id: str, principal: Own, visitor: VisitorDep
) -> Response:
    model = _kind(kind)[0]
    with visitor.db.read() as session:
        item = profile.entry(session, principal, model, item_id)
        shown = _as_text({c: getattr(item, c) for c in _columns(model)})
    return _entry_form(request, kind, item_id, shown, {}, None)


@router.post("/{kind}/new")
def add_entry(request: Request, kind: str, principal: Own, visitor: VisitorDep, form: Form):
    return _save_entry(request, kind, None, principal, visitor, form)


@router.post("/{kind}/{item_id}")
def save_entry(
    request: Request, kind: str, item_id: str, principal: Own, visitor: VisitorDep, form: Form
) -> Response:
    return _save_entry(request, kind, item_id, principal, visitor, form)


@router.post("/{kind}/{item_id}/remove")
def remove_entry(
    request: Request, kind: str, item_id: str, principal: Own, visitor: VisitorDep
) -> Response:
    model, _template, label = _kind(kind)
    profile.remove(visitor.db, principal, model, item_id)
    return redirect(request, "/profile", flash=f"{label} removed.")


def _save_entry(request, kind, item_id, principal, visitor, form: Fields) -> Response:
    model, _template, label = _kind(kind)
    try:
        if model is WorkExperience:
            item = Work(
                form["employer"],
                form["title"],
                _date(form, "start_on", "Start date"),
                _date(form, "end_on", "End date"),
            )
            profile.save_work(visitor.db, principal, item_id, item)
        else:
            year = form["year"]
            if year and not year.isdigit():
                raise BadDate("year", "The year: four digits, e.g. 2015.")
            item = Study(
                form["level"], form["title"], form["institution"], int(year) if year else None
            )
            profile.save_qualification(visitor.db, principal, item_id, item)
    except (ProfileProblem, BadDate) as exc:
        return _entry_form(request, kind, item_id, form.as_dict(), {exc.field: exc.message}, None)
    except profile.EntryNotFound:
        raise  # another's entry, or gone: the 404 page
    except HubError as exc:
        return _entry_form(request, kind, item_id, form.as_dict(), {}, exc.message)
    return redirect(request, "/profile", flash=f"{label} saved.")


def _entry_form(request, kind, item_id, shown, errors, error) -> Response:
    _model, template, label = _kind(kind)
    return render(
        request,
        template,
        status=400 if errors or error else 200,
        section="profile",
        kind=kind,
        item_id=item_id,
        label=label,
        form=shown,
        errors=errors,
        error=error,
        levels=[(level, level) for level in QUALIFICATION_LEVELS],
    )


def _kind(kind: str):
    if kind not in KINDS:
        raise profile.EntryNotFound("There is no such part of the profile.")
    return KINDS[kind]


def _columns(model) -> tuple[str, ...]:
    if model is WorkExperience:
        return ("employer", "title", "start_on", "end_on")
    return ("level", "title", "institution", "year")


def _date(form: Fields, name: str, label: str) -> dt.date | None:
    text = form[name]
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadDate(name, f"{label}: a date such as 2019-01-31.") from None


def _as_text(values: dict[str, Any]) -> dict[str, str]:
    return {
        k: "" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v))
        for k, v in values.items()
    }
