"""`cp2hub` commands for KNEC administrators and for the SMS outbox.

    cp2hub sms-outbox [--phone P]            what the outbox SMS backend "sent" (passwords
                                             masked unless the hub ran in demo mode)
    cp2hub vacancies [--status open]         vacancies with short ids and applicant counts
    cp2hub vacancy-open ID / vacancy-close ID
    cp2hub applicants ID                     who applied, and what blocks their payment
    cp2hub select ID --station CODE WHO...   deploy applicants (application id or phone)
    cp2hub notify ID [--status S] TEXT       SMS every applicant with that status

A vacancy or application id may be shortened to its first 8 characters, as listed.
The same functions serve the hub's /admin API (`cp2hub.applications`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cp2desk.sync.phones import InvalidPhone, normalise_phone
from cp2hub import applications, vacancies
from cp2hub.accounts import local_number, phone_of
from cp2hub.cli_commands import CommandMaker
from cp2hub.db import Database
from cp2hub.errors import HubError
from cp2hub.models import Application, Professional
from cp2hub.settings import Settings
from cp2hub.sms import gateway
from cp2hub.sms.base import MASK
from cp2hub.sms.outbox import sent


def add_commands(command: CommandMaker) -> None:
    """Add the commands to `cp2hub` with its `command(name, help, run)`."""

    outbox = command("sms-outbox", "list the SMS in the outbox (the development backend)", _outbox)
    outbox.add_argument("--phone", help="only messages to this number")
    outbox.add_argument("--limit", type=int, default=50)
    listing = command("vacancies", "list vacancies with their short ids", _vacancies)
    listing.add_argument("--status", choices=("open", "closed", "all"), default="all")
    for name, status in (("vacancy-open", "open"), ("vacancy-close", "closed")):
        parser = command(name, f"mark a vacancy {status}", _set_status)
        parser.add_argument("vacancy")
        parser.set_defaults(status=status)
    who = command("applicants", "list a vacancy's applicants", _applicants)
    who.add_argument("vacancy")
    choose = command("select", "deploy applicants of a vacancy to a duty station", _select)
    choose.add_argument("vacancy")
    choose.add_argument("--station", required=True, help="the station's code (or id)")
    choose.add_argument("applicants", nargs="+", help="application ids or phone numbers")
    choose.add_argument("--no-sms", action="store_true", help="do not tell them by SMS")
    tell = command("notify", "send an SMS to a vacancy's applicants", _notify)
    tell.add_argument("vacancy")
    tell.add_argument("text")
    tell.add_argument(
        "--status",
        choices=("submitted", "selected", "withdrawn", "refused"),
        default="selected",
    )


def _outbox(args, db: Database, settings: Settings) -> None:
    phone = phone_of(args.phone) if args.phone else None
    with db.read() as session:
        messages = sent(session, phone, args.limit)
    if not messages:
        print("No messages in the SMS outbox" + (f" to {local_number(phone)}." if phone else "."))
    for sms in messages:
        print(f"{sms.at:%Y-%m-%d %H:%M}  {local_number(sms.phone)}  {sms.body}")
    if any(MASK in sms.body for sms in messages):
        print("(Passwords are masked; the outbox keeps them only for a hub in CP2HUB_MODE=demo.)")
    if settings.sms_backend != "outbox":
        print(f"(The hub sends SMS through {settings.sms_backend}; only outbox messages are kept.)")


def _vacancies(args, db: Database, settings: Settings) -> None:
    with db.read() as session:
        lines = vacancies.listing(session, args.status, dt.date.today())
        counts = dict(
            session.execute(
                select(Application.vacancy_id, func.count()).group_by(Application.vacancy_id)
            ).all()
        )
    if not lines:
        print("No vacancies.")
    for line in lines:
        place = f"{line.sub_county}, {line.county}"
        applied = counts.get(line.id, 0)
        print(f"{line.id[:8]}  {line.status:<6}  {line.line}  ({place}; {applied} applied)")


def _set_status(args, db: Database, settings: Settings) -> None:
    with db.write() as session:
        vacancy = applications.set_status(session, args.vacancy, args.status)
        session.flush()
        line = vacancies.line_of(session, None, vacancy, dt.date.today())
    print(f"{line.id[:8]} is now {args.status}: {line.line}")


def _applicants(args, db: Database, settings: Settings) -> None:
    with db.read() as session:
        found = applications.applicants(session, args.vacancy)
    if not found:
        print("Nobody has applied for this vacancy.")
    for a in found:
        when = f"{a.submitted_at:%d %b %H:%M}" if a.submitted_at else "-"
        missing = f"  missing for payment: {'; '.join(a.missing_for_payment)}"
        print(
            f"{a.application_id[:8]}  {a.status:<9}  {a.name:<28}  {local_number(a.phone)}  "
            f"{when}" + (missing if a.missing_for_payment else "")
        )


def _select(args, db: Database, settings: Settings) -> None:
    with db.write() as session:
        vacancy = applications.find_vacancy(session, args.vacancy)
        ids = [_application(session, vacancy.id, who) for who in args.applicants]
        sms = None if args.no_sms else gateway(settings, session)
        answer = applications.select_applicants(session, vacancy.id, args.station, ids, sms)
    for name in answer.selected:
        print(f"Selected {name}" + ("" if args.no_sms else " (told by SMS)"))
    for skipped in answer.skipped:
        print(f"Skipped {skipped.application_id[:8]}: {skipped.reason}")


def _application(session: Session, vacancy_id: str, who: str) -> str:
    """An application of the vacancy named by its id, the start of its id, or a phone."""
    try:
        phone = normalise_phone(who)
    except InvalidPhone:
        phone = None
    query = select(Application.id).where(Application.vacancy_id == vacancy_id)
    if phone:
        query = query.join(Professional, Professional.id == Application.professional_id).where(
            Professional.phone == phone
        )
    else:
        query = query.where(Application.id.startswith(who))
    found = session.scalars(query.limit(2)).all()
    if len(found) != 1 or (not phone and len(who) < 6):
        raise HubError(f"{who!r} is not one application to this vacancy.")
    return found[0]


def _notify(args, db: Database, settings: Settings) -> None:
    with db.write() as session:
        count = applications.notify(
            session, args.vacancy, args.status, args.text, gateway(settings, session)
        )
    print(f"Sent to {count} applicant{'s' if count != 1 else ''} ({args.status}).")
