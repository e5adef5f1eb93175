"""What a professional's profile still lacks, named the way KNEC names it.

One pure function of the profile's fields, shared by the hub (eligibility, the
administrators' applicant lists) and the app (the completeness indicator), so both
always agree. It reads attributes only, so it takes a hub row, a replica row or any
object with the `ProfessionalRecord` fields. KNEC's own list of why officers go
unpaid: the CP2 name differs from the name registered for the M-Pesa number; no ID
number; no TSC/PF number; no payment details. Those items *block payment*; the
others only make the profile complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cp2desk.sync.profile_checks import PAYMENT_FIELDS

TEACHER_LEVELS = ("primary", "secondary")


@dataclass(frozen=True, slots=True)
class Missing:
    field: str
    """The profile field to fill in (the first one, when several would do)."""
    text: str
    """What is missing, for the user."""
    blocks_payment: bool


def _text(person: Any, name: str) -> str:
    return (getattr(person, name, None) or "").strip()


def _name_words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s'\-.]+", text.casefold()) if w]


def full_name(person: Any) -> str:
    parts = (_text(person, "first_name"), _text(person, "middle_name"), _text(person, "last_name"))
    return " ".join(p for p in parts if p)


def mpesa_name_matches(person: Any) -> bool:
    """Whether the M-Pesa registered name is this person's CP2 name.

    M-Pesa often registers two of a person's three names, in any order: every word of
    the M-Pesa name must be one of the CP2 names, and it must have at least two.
    """
    mpesa = _name_words(_text(person, "mpesa_name"))
    own = set(_name_words(full_name(person)))
    return len(mpesa) >= 2 and all(word in own for word in mpesa)


def missing_items(
    person: Any, work_experience: int | None = None, qualifications: int | None = None
) -> list[Missing]:
    """Everything the profile lacks, payment blockers first.

    `work_experience` and `qualifications` are how many entries the profile has
    (None: not checked).
    """
    blocking: list[Missing] = []
    other: list[Missing] = []
    if not _text(person, "first_name") or not _text(person, "last_name"):
        blocking.append(Missing("first_name", "Your first and last names", True))
    if not _text(person, "national_id"):
        blocking.append(Missing("national_id", "Your ID number", True))
    if _text(person, "teacher_level") in TEACHER_LEVELS and not _text(person, "tsc_number"):
        blocking.append(Missing("tsc_number", "Your TSC number", True))
    blocking.extend(_payment(person))
    if not _text(person, "gender"):
        other.append(Missing("gender", "Your gender", False))
    if getattr(person, "date_of_birth", None) is None:
        other.append(Missing("date_of_birth", "Your date of birth", False))
    if not getattr(person, "county_id", None) or not getattr(person, "sub_county_id", None):
        other.append(Missing("county_id", "Your home county and sub-county", False))
    if not _text(person, "institution_name"):
        other.append(Missing("institution_name", "Where you work (your institution)", False))
    if not _text(person, "kra_pin"):
        other.append(Missing("kra_pin", "Your KRA PIN", False))
    if work_experience == 0:
        other.append(Missing("work_experience", "At least one work experience entry", False))
    if qualifications == 0:
        other.append(Missing("qualification", "At least one qualification", False))
    return blocking + other


def _payment(person: Any) -> list[Missing]:
    method = _text(person, "payment_method")
    if method == "mpesa":
        out = []
        if not _text(person, "mpesa_phone"):
            out.append(Missing("mpesa_phone", "Your M-Pesa number", True))
        if not _text(person, "mpesa_name"):
            out.append(Missing("mpesa_name", "The name registered for your M-Pesa number", True))
        elif not mpesa_name_matches(person):
            out.append(
                Missing(
                    "mpesa_name",
                    f"Your CP2 name ({full_name(person) or 'none'}) differs from the name "
                    f"registered for your M-Pesa number ({_text(person, 'mpesa_name')})",
                    True,
                )
            )
        return out
    if method == "bank":
        out = []
        if not _text(person, "bank_name"):
            out.append(Missing("bank_name", "Your bank", True))
        if not _text(person, "bank_account"):
            out.append(Missing("bank_account", "Your bank account number", True))
        return out
    return [Missing("payment_method", "Your payment details (M-Pesa or bank account)", True)]


def missing_for_payment(person: Any) -> list[str]:
    """Only what blocks payment, in KNEC's words (empty: the officer can be paid)."""
    return [m.text for m in missing_items(person) if m.blocks_payment]


def percent_complete(
    person: Any, work_experience: int | None = None, qualifications: int | None = None
) -> int:
    """How much of the profile is filled in: one step per item (payment details are one)."""
    steps = 8 + (_text(person, "teacher_level") in TEACHER_LEVELS)
    steps += (work_experience is not None) + (qualifications is not None)
    missing = {
        "payment" if m.field in PAYMENT_FIELDS else m.field
        for m in missing_items(person, work_experience, qualifications)
    }
    return round(100 * (steps - len(missing)) / steps)
