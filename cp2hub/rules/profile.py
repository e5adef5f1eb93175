"""A professional's own profile: personal details, work experience, qualifications."""

from __future__ import annotations

from typing import Any

from cp2desk.sync.profile_checks import PAYMENT_FIELDS
from cp2desk.sync.protocol import Change
from cp2hub.models import Professional, Qualification, WorkExperience
from cp2hub.push_context import PushContext, Refused
from cp2hub.rules.common import copy_fields

OWNED = {"work_experience": WorkExperience, "qualification": Qualification}


def apply_professional(ctx: PushContext, change: Change, row: dict[str, Any]) -> Professional:
    if row["id"] != ctx.principal.professional_id:
        raise Refused("You can only change your own profile.")
    person = ctx.session.get(Professional, row["id"])
    if person is None:
        raise Refused("Your profile is not known to the hub yet.")
    before = [getattr(person, name) for name in PAYMENT_FIELDS]
    copy_fields(person, row)  # not the phone: the account itself, it changes through KNEC
    if [getattr(person, name) for name in PAYMENT_FIELDS] != before:
        ctx.payment_changed.append(person.phone)  # its owner is told, by SMS, once committed
    return person


def apply_owned(ctx: PushContext, change: Change, row: dict[str, Any]):
    if row["professional_id"] != ctx.principal.professional_id:
        raise Refused("You can only change your own profile.")
    model = OWNED[change.table]
    item = ctx.session.get(model, row["id"])
    if item is not None and item.professional_id != ctx.principal.professional_id:
        raise Refused("You can only change your own profile.")
    if item is None:
        item = model(id=row["id"])
        ctx.session.add(item)
    copy_fields(item, row)
    return item
