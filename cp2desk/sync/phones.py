"""Kenyan mobile numbers: the forms people type, and the one form the hub stores."""

from __future__ import annotations

import re

_FORMS = (
    re.compile(r"^0(7\d{8}|1\d{8})$"),
    re.compile(r"^254(7\d{8}|1\d{8})$"),
    re.compile(r"^\+254(7\d{8}|1\d{8})$"),
)


class InvalidPhone(ValueError):
    pass


def normalise_phone(text: str) -> str:
    """07XXXXXXXX, 2547XXXXXXXX or +2547XXXXXXXX -> 2547XXXXXXXX; anything else refused."""
    compact = re.sub(r"[\s-]", "", text or "")
    for form in _FORMS:
        match = form.match(compact)
        if match:
            return "254" + match.group(1)
    raise InvalidPhone(
        f"'{text}' is not a Kenyan mobile number. Enter it as 07XXXXXXXX, "
        "2547XXXXXXXX or +2547XXXXXXXX."
    )


def masked_phone(phone: str) -> str:
    """A phone number as a log may keep it: its first four and last three digits (of the
    stored form, 2547XXXXXXXX, when it is a valid number), enough for the help desk to
    match a caller ("my number ends 678"), too few to call anyone."""
    try:
        digits = normalise_phone(phone)
    except InvalidPhone:
        digits = "".join(c for c in phone if c.isdigit())[:15]
    if len(digits) < 9:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 7) + digits[-3:]
