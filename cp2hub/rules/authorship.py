"""Who may set each field of a row a device pushes: the one map the push path applies.

A device asserts only what its user did (a mark's status and check-in, what was typed).
Every field that names a user, or a time the hub can know, is the hub's: set from the
token and the hub's clock before the table's rule runs, whatever the device sent. Fields
the hub decides are dropped from the row, so a rule that copies the row keeps the stored
value. A table a device may push has an entry here for every one of its wire columns (a
test holds the map to `cp2desk.sync.records`), so a new field cannot slip through as the
device's by omission (until it is mapped, the hub drops it from every pushed row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cp2hub.auth import Principal

DEVICE = "device"
"""The user's own statement, kept as sent (the table's rule checks it)."""
CHECKED = "checked"
"""The device's, refused unless it matches the token or the hub's rows."""
TOKEN = "token"
"""The signed-in user, from the token."""
CLOCK = "clock"
"""The hub's clock when the change is applied."""
DECIDED = "decided"
"""The hub's rule decides; the device's value is dropped and the stored one kept."""
HUB = "hub"
"""The hub's own bookkeeping, never from a device."""
NOT_DELETED = "not deleted"
"""The row cannot be deleted from a device: a tombstone is refused."""


@dataclass(frozen=True)
class When:
    """A field set as `kind` when the row's `field` is `value`, else kept as stored."""

    field: str
    value: str
    kind: str

    def of(self, row: dict[str, Any]) -> str:
        return self.kind if row.get(self.field) == self.value else DECIDED


META = {"id": CHECKED, "hlc": CHECKED, "origin": CHECKED, "seq": HUB}
OWNED = {"professional_id": CHECKED, "deleted": DEVICE}  # a profile's own entries

AUTHORSHIP: dict[str, dict[str, str | When]] = {
    "attendance": {
        **META, "deleted": NOT_DELETED,
        "deployment_id": CHECKED, "session_id": CHECKED, "station_id": CHECKED,
        "professional_id": CHECKED, "status": DEVICE, "check_in": DEVICE, "marked_by": TOKEN,
    },
    "session_signoff": {
        **META, "deleted": NOT_DELETED,
        "station_id": CHECKED, "session_id": CHECKED, "status": DEVICE,
        "signed_by": When("status", "signed", TOKEN),
        "signed_at": When("status", "signed", CLOCK),
        "reopened_by": When("status", "reopened", TOKEN),
        "reopened_at": When("status", "reopened", CLOCK),
        "reason": When("status", "reopened", DEVICE),
    },
    "professional": {
        **META, "deleted": NOT_DELETED, "phone": DECIDED,
        **dict.fromkeys((
            "national_id", "tsc_number", "first_name", "middle_name", "last_name", "gender",
            "date_of_birth", "institution_code", "institution_name", "teacher_level",
            "county_id", "sub_county_id", "payment_method", "mpesa_phone", "mpesa_name",
            "bank_name", "bank_account", "kra_pin",
        ), DEVICE),
    },
    "work_experience": {
        **META, **OWNED,
        **dict.fromkeys(("employer", "title", "start_on", "end_on"), DEVICE),
    },
    "qualification": {
        **META, **OWNED,
        **dict.fromkeys(("level", "title", "institution", "year"), DEVICE),
    },
    "material_movement": {
        **META, "deleted": NOT_DELETED,
        "station_id": CHECKED, "centre_id": CHECKED, "session_id": CHECKED, "kind": CHECKED,
        "person_national_id": DEVICE, "professional_id": DECIDED, "at": DEVICE,
        "seals": DEVICE, "recorded_by": TOKEN,
    },
    "redeployment": {
        **META, "deleted": NOT_DELETED,
        "professional_id": CHECKED, "from_deployment_id": CHECKED, "to_deployment_id": CHECKED,
        "from_station_id": CHECKED, "to_station_id": CHECKED, "from_session_id": CHECKED,
        "reason": DEVICE, "by_user_id": TOKEN, "at": CLOCK,
    },
    "application": {
        **META, "deleted": NOT_DELETED,
        "vacancy_id": CHECKED, "professional_id": CHECKED, "status": DEVICE,
        "submitted_at": DECIDED, "reason": DECIDED,
    },
}  # fmt: skip


def wall_clock() -> dt.datetime:
    """The hub's time as the timetable and the desktop read times: the examinations'
    wall-clock time (the hub machine keeps the examination time zone), to the second.
    The hub's own records (tokens, answers given) are UTC (`cp2hub.auth.utcnow`)."""
    return dt.datetime.now().replace(microsecond=0)


def kind_of(table: str, name: str, row: dict[str, Any]) -> str:
    rule = AUTHORSHIP[table][name]
    return rule.of(row) if isinstance(rule, When) else rule


def stamp(table: str, principal: Principal, row: dict[str, Any]) -> str | None:
    """Set in `row` what the hub says about it; the reason a change is refused, if it is.
    Conditions (`When`) read the device's values, so they are decided before any is set."""
    kinds = {name: kind_of(table, name, row) for name in AUTHORSHIP[table]}
    kinds |= {name: HUB for name in row if name not in kinds}  # unmapped: fail closed
    if kinds.get("deleted") == NOT_DELETED and row.get("deleted"):
        return "This record cannot be deleted from a device; it was not changed."
    now = wall_clock()
    for name, kind in kinds.items():
        if kind == TOKEN:
            row[name] = principal.user_id
        elif kind == CLOCK:
            row[name] = now
        elif kind in (DECIDED, HUB, NOT_DELETED):
            row.pop(name, None)
    return None
