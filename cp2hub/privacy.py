"""What of a person each device receives: only what its user's screens need.

Kenya's Data Protection Act, 2019 asks for minimisation. A row about a person goes
whole to that person's own devices (My CP2 edits it). Another user's device receives
a field only if the field's audience (below) includes that user; a withheld field goes
on the wire as null. Which rows a device receives at all is `scope.visible`'s business;
this module decides the fields of those rows. Every path that sends a hub row to a
device (pull pages, push answers, the vacancy and application answers) goes through
`page_columns` or `wire_row`, which find a field's audience with the one `_audience_of`.

Payment details (method, M-Pesa number and name, bank and account, KRA PIN) are the
owner's and KNEC's: no other device's audience includes them.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, case, false, literal, null, or_, select
from sqlalchemy.orm import Session

from cp2desk.sync.protocol import encode_value, table_layout
from cp2desk.sync.records import META_COLUMNS, wire_columns
from cp2hub import models as m

if TYPE_CHECKING:
    from cp2hub.scope import Scope

VERSION = 1
"""Raised whenever an audience below narrows: every device's scope key changes with it, so
each device is answered `reset` and re-pulls its scope without the withheld values."""


class Audience(Enum):
    """Who, besides the person the row is about, receives a field of it."""

    ANYONE = "every device the row reaches"
    REGISTER = "who runs the officer's station (centre manager, clerk) or directs its sub-county"
    DIRECTORS = "the sub-county directors of the officer's centre"
    OWNER = "the person alone"


ANYONE, REGISTER, DIRECTORS, OWNER = Audience

FIELDS: dict[str, dict[str, Audience]] = {
    "professional": {
        # Names and the national ID: the register, the custody check at the container's
        # gate, claims and redeployments name and identify the officer. The phone is the
        # account's username and the replica's unique key of the row; registers and
        # directors search by it.
        "phone": ANYONE,
        "national_id": ANYONE,
        "first_name": ANYONE,
        "middle_name": ANYONE,
        "last_name": ANYONE,
        # The register's and the directors' lists and searches.
        "tsc_number": REGISTER,
        # A director may not move an officer to their own school.
        "institution_code": DIRECTORS,
        "institution_name": OWNER,
        "gender": OWNER,
        "date_of_birth": OWNER,
        "teacher_level": OWNER,
        "county_id": OWNER,
        "sub_county_id": OWNER,
        "payment_method": OWNER,
        "mpesa_phone": OWNER,
        "mpesa_name": OWNER,
        "bank_name": OWNER,
        "bank_account": OWNER,
        "kra_pin": OWNER,
    },
    "work_experience": {
        "professional_id": ANYONE,
        "employer": OWNER,
        "title": OWNER,
        "start_on": OWNER,
        "end_on": OWNER,
    },
    "qualification": {
        "professional_id": ANYONE,
        "level": OWNER,
        "title": OWNER,
        "institution": OWNER,
        "year": OWNER,
    },
    "app_user": {"phone": OWNER, "professional_id": ANYONE, "display_name": OWNER},
    "application": {
        "vacancy_id": ANYONE,
        "professional_id": ANYONE,
        "status": OWNER,
        "submitted_at": OWNER,
        "reason": OWNER,
    },
    # A director follows up the claims of the sub-county: what is owed and what blocks it.
    "claim": {
        "series_id": ANYONE,
        "professional_id": ANYONE,
        "sessions": ANYONE,
        "days": ANYONE,
        "amount": ANYONE,
        "blocked": ANYONE,
        "status": ANYONE,
        # That it was paid, and when, is part of following it up; the payment's
        # reference (an M-Pesa receipt, a bank transfer's) is a payment detail.
        "paid_amount": ANYONE,
        "paid_at": ANYONE,
        "paid_ref": OWNER,
    },
}
"""Every field of every table about a person, with its audience. A field missing here
is the owner's alone (`audience`), so a new personal field is withheld until decided."""

OWNER_COLUMN: dict[str, tuple[str, str]] = {
    "professional": ("id", "professional"),
    "work_experience": ("professional_id", "professional"),
    "qualification": ("professional_id", "professional"),
    "application": ("professional_id", "professional"),
    "claim": ("professional_id", "professional"),
    "app_user": ("id", "user"),
}
"""The column naming whom a row is about, and whether it holds a professional or a user."""


def audience(table: str, column: str) -> Audience:
    if column in META_COLUMNS:
        return ANYONE
    return FIELDS[table].get(column, OWNER)


def page_columns(model: type, scope: Scope) -> list[ColumnElement]:
    """The pull page's columns of `model` for `scope`, in wire order (`shown_column`)."""
    columns, _, _ = table_layout(model.__tablename__)
    return [shown_column(model, name, scope) for name in columns]


def shown_column(model: type, name: str, scope: Scope) -> ColumnElement:
    """A column as `scope`'s device receives it: a withheld value is selected as NULL
    (`CASE WHEN <own row, or a person in the field's audience> THEN value END`), so a
    page still comes from the driver's raw rows (decision 27)."""
    table = model.__table__
    if table.name not in FIELDS or audience(table.name, name) is ANYONE:
        return table.c[name]
    owner = table.c[OWNER_COLUMN[table.name][0]]
    own = _own(table.name, scope)
    shown = owner == own if own else false()
    people = _audience_of(table.name, audience(table.name, name), scope)
    if people is not None:
        shown = or_(shown, owner.in_(people))
    return case((shown, table.c[name]), else_=null()).label(name)


def wire_row(session: Session, obj: Any, scope: Scope | None) -> dict[str, Any] | None:
    """A hub row as `scope`'s device may receive it, withheld fields as None: the same
    audiences as the pull page, asked of the database for this row's person. `scope` None
    is allowed only for tables that hold nothing about a person."""
    if obj is None:
        return None
    table = obj.__tablename__
    row = {c: encode_value(getattr(obj, c)) for c in wire_columns(type(obj))}
    if table not in FIELDS:
        return row
    if scope is None:
        raise ValueError(f"A {table} row is about a person: say whose device it goes to.")
    owner = getattr(obj, OWNER_COLUMN[table][0])
    if owner == _own(table, scope):
        return row
    shown: dict[Audience, bool] = {ANYONE: True, OWNER: False}
    for name in row:
        wanted = audience(table, name)
        if wanted not in shown:
            people = _audience_of(table, wanted, scope)
            with session.no_autoflush:
                found = people is not None and session.scalar(select(literal(owner).in_(people)))
            shown[wanted] = bool(found)
        if not shown[wanted]:
            row[name] = None
    return row


def _own(table: str, scope: Scope) -> str | None:
    """The id a row of `table` about the device's own user holds in its owner column."""
    return scope.user_id if OWNER_COLUMN[table][1] == "user" else scope.professional_id


def _audience_of(table: str, wanted: Audience, scope: Scope):
    """The people (a subquery of professional ids) whose field of audience `wanted`
    reaches `scope`'s device, besides its own user; None when nobody's does."""
    if wanted is OWNER or OWNER_COLUMN[table][1] == "user":
        return None
    stations = []
    if wanted is REGISTER and scope.station_ids:
        stations.append(m.Deployment.station_id.in_(scope.station_ids))
    if scope.sub_county_ids:
        directed = select(m.Station.id).where(m.Station.sub_county_id.in_(scope.sub_county_ids))
        stations.append(m.Deployment.station_id.in_(directed))
    if not stations:
        return None
    return select(m.Deployment.professional_id).where(or_(*stations))
