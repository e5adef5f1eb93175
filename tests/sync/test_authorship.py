"""Who and when are the hub's to say: every role forges every such field of every table.

The cases are generated from the hub's map (`cp2hub.rules.authorship`) and from the
records (`cp2desk.sync.records`): a table a device may push whose wire columns the map
does not cover fails here, and each field the map gives to the token, the clock or the
hub is pushed forged, as every role, over real HTTP. The stored row must carry the hub's
value, or the change must be refused with a reason and leave the row as it was.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from cp2desk.sync.clock import HybridClock
from cp2desk.sync.records import RECORD_BY_TABLE, natural_id, wire_columns
from cp2hub import models as hm
from cp2hub.applications import application_id
from cp2hub.db import Database
from cp2hub.rules import RULES
from cp2hub.rules.authorship import (
    AUTHORSHIP,
    CHECKED,
    CLOCK,
    DECIDED,
    HUB,
    NOT_DELETED,
    TOKEN,
    kind_of,
    wall_clock,
)
from tests.sync import roles
from tests.sync.roles import CONTAINER, ROLES, VACANCY, Signed, stored, wire
from tests.sync.scenario import World

CLOCK_NOW = HybridClock()
hub_db, world, hub, users = roles.hub_db, roles.world, roles.hub, roles.users
FORGED_TIME = dt.datetime(2001, 1, 1, 9, 0)
PEOPLE = ("professional_id", "origin")  # checked fields that name a person or a device


# --- the rows each table's rightful user would push ------------------------------------


class Rows:
    """A valid row of each table, as its rightful user would push it, for a given pusher;
    `to_status` brings the hub to the state a variant needs first (with valid pushes)."""

    def __init__(self, db: Database, world: World, users: dict[str, Signed]) -> None:
        self.db, self.world, self.users = db, world, users

    def meta(self, signed: Signed, row_id: str) -> dict[str, Any]:
        return {"id": row_id, "hlc": CLOCK_NOW.now(), "origin": signed.device_id,
                "deleted": False, "seq": None}  # fmt: skip

    def attendance(self, signed: Signed, dep: str | None = None, session: int = 3):
        w = self.world
        dep = dep or w.deployments["alpha"][1]
        sitting = w.sessions[session]
        row = self.meta(signed, natural_id("attendance", dep, sitting)) | {
            "deployment_id": dep, "session_id": sitting, "station_id": w.centres["alpha"],
            "professional_id": w.officers[dep], "status": "present", "check_in": "07:45:00",
            "marked_by": signed.user_id,
        }  # fmt: skip
        return row, None

    def signoff_id(self) -> str:
        return natural_id("session_signoff", self.world.centres["alpha"], self.world.sessions[0])

    def signoff(self, signed: Signed, status: str):
        w = self.world
        current = stored(self.db, "session_signoff", self.signoff_id()) or {}
        row = self.meta(signed, self.signoff_id()) | {
            "station_id": w.centres["alpha"], "session_id": w.sessions[0], "status": status,
            "signed_by": current.get("signed_by"), "signed_at": current.get("signed_at"),
            "reopened_by": current.get("reopened_by"),
            "reopened_at": current.get("reopened_at"),
            "reason": "A late arrival was marked absent" if status == "reopened"
            else current.get("reason", ""),
        }  # fmt: skip
        return wire(row), current.get("hlc")

    def to_status(self, status: str) -> None:
        """Sign off (every officer marked first) or reopen, as the rightful users do."""
        current = stored(self.db, "session_signoff", self.signoff_id())
        if current is None:
            for dep in self.world.deployments["alpha"]:
                row, _ = self.attendance(self.users["centre_manager"], dep, session=0)
                assert self.users["centre_manager"].push("attendance", row)["outcome"] == "applied"
        if current is not None and current["status"] == status:
            return
        if status == "reopened" and current is None:
            self.to_status("signed")
        pusher = self.users["tsc_director" if status == "reopened" else "centre_manager"]
        answer = pusher.push("session_signoff", *self.signoff(pusher, status))
        assert answer["outcome"] == "applied", answer

    def professional(self, signed: Signed):
        row = stored(self.db, "professional", signed.professional_id)
        return wire(row | self.meta(signed, row["id"])), None

    def owned(self, table: str, signed: Signed):
        row = self.meta(signed, natural_id(table, signed.role))
        row["professional_id"] = signed.professional_id
        if table == "work_experience":
            row |= {"employer": "Kenya Power", "title": "Clerk", "start_on": "2019-01-01",
                    "end_on": None}  # fmt: skip
        else:
            row |= {"level": "Diploma", "title": "Education", "institution": "Kagumo",
                    "year": 2015}  # fmt: skip
        return row, None

    def movement(self, signed: Signed):
        w = self.world
        centre, sitting = w.centres["alpha"], w.sessions[2]
        at = max(wall_clock() - dt.timedelta(minutes=5),
                 dt.datetime.combine(dt.date.today(), dt.time(0)))  # fmt: skip
        row = self.meta(signed, natural_id("material_movement", centre, sitting, "collect")) | {
            "station_id": CONTAINER, "centre_id": centre, "session_id": sitting,
            "kind": "collect", "person_national_id": w.users["manager_alpha"][-8:],
            "professional_id": w.officers[w.deployments["alpha"][0]],
            "at": at.replace(second=0).isoformat(), "seals": "KN100, KN101",
            "recorded_by": signed.user_id,
        }  # fmt: skip
        return row, None

    def redeployment(self, signed: Signed):
        """A move of the first beta officer still there (each applied move uses one up)."""
        w = self.world
        with self.db.read() as s:
            old = next(
                d for d in (s.get(hm.Deployment, i) for i in w.deployments["beta"][1:])
                if d.status == "active"
            )  # fmt: skip
            base = old.hlc
        row = self.meta(signed, str(uuid.uuid4())) | {
            "professional_id": old.professional_id, "from_deployment_id": old.id,
            "to_deployment_id": str(uuid.uuid4()), "from_station_id": old.station_id,
            "to_station_id": w.centres["alpha"], "from_session_id": w.sessions[-1],
            "reason": "Alpha is short of invigilators", "by_user_id": signed.user_id,
            "at": wall_clock().isoformat(),
        }  # fmt: skip
        return row, base

    def application(self, signed: Signed):
        pid = signed.professional_id
        row = self.meta(signed, application_id(VACANCY, pid)) | {
            "vacancy_id": VACANCY, "professional_id": pid, "status": "submitted",
            "submitted_at": None, "reason": "",
        }  # fmt: skip
        return row, None


VARIANTS = {
    # name: (table, how to build the row, the state to bring the hub to first)
    "attendance": ("attendance", lambda r, u: r.attendance(u), None),
    "session_signoff signed": ("session_signoff", lambda r, u: r.signoff(u, "signed"),
                               "reopened"),
    "session_signoff reopened": ("session_signoff", lambda r, u: r.signoff(u, "reopened"),
                                 "signed"),
    "professional": ("professional", lambda r, u: r.professional(u), None),
    "work_experience": ("work_experience", lambda r, u: r.owned("work_experience", u), None),
    "qualification": ("qualification", lambda r, u: r.owned("qualification", u), None),
    "material_movement": ("material_movement", lambda r, u: r.movement(u), None),
    "redeployment": ("redeployment", lambda r, u: r.redeployment(u), None),
    "application": ("application", lambda r, u: r.application(u), None),
}  # fmt: skip


def test_the_map_covers_every_field_of_every_table_a_device_may_push():
    assert set(AUTHORSHIP) == set(RULES)
    assert {table for table, _, _ in VARIANTS.values()} == set(RULES)
    for table in RULES:
        columns = set(wire_columns(RECORD_BY_TABLE[table]))
        assert set(AUTHORSHIP[table]) == columns, (
            f"{table}: say who may set {sorted(columns - set(AUTHORSHIP[table]))}"
        )


def forged_value(table: str, name: str, users: dict[str, Signed], world: World) -> Any:
    """A value the device could not honestly send: another user, a long-gone time."""
    column = hm.MODEL_BY_TABLE[table].__table__.c[name]
    if name == "deleted":
        return True
    if name == "seq":
        return 987_654_321
    if name == "origin":
        return natural_id("device", "somebody else's")
    if name == "professional_id":
        return natural_id("prof", "beta", 0)  # the Beta centre manager, who pushes nothing
    if name == "phone":
        return "254799999999"
    if name in ("submitted_at", "signed_at", "reopened_at", "at"):
        return FORGED_TIME.isoformat()
    if name.endswith("_by") or name == "by_user_id":
        return natural_id("user", world.users["manager_beta"])
    assert column.type.python_type is str, f"{table}.{name}: no forged value"
    return "Forged by the device"


def cases(table: str, row: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, kind) of each field of the row the device must not be able to set."""
    out = []
    for name in wire_columns(RECORD_BY_TABLE[table]):
        kind = kind_of(table, name, row)
        if kind in (TOKEN, CLOCK, DECIDED, HUB, NOT_DELETED) or (
            kind == CHECKED and name in PEOPLE
        ):
            out.append((name, kind))
    return out


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_role_forging_every_hub_field_gets_the_hubs_value_or_a_reason(
    hub, hub_db, world, users, variant
):
    table, build, state = VARIANTS[variant]
    rows = Rows(hub_db, world, users)
    sample, _ = build(rows, users["centre_manager"])
    wrong, applied = [], set()
    for name, kind in cases(table, sample):
        for role in ROLES:
            if state:
                rows.to_status(state)
            signed = users[role]
            row, base = build(rows, signed)
            forged = forged_value(table, name, users, world)
            row[name] = forged
            before = stored(hub_db, table, row["id"])
            started = wall_clock() - dt.timedelta(seconds=2)
            answer = signed.push(table, row, base)
            ended = wall_clock() + dt.timedelta(seconds=2)
            after = stored(hub_db, table, row["id"])
            problem = judge(kind, name, forged, answer, before, after, signed, started, ended)
            if problem:
                wrong.append(f"{role} forging {table}.{name} ({kind}): {problem}")
            elif answer["outcome"] == "applied":
                applied.add(name)
    assert not wrong, "\n".join(wrong)
    expected = {n for n, k in cases(table, sample) if k in (TOKEN, CLOCK, DECIDED, HUB)}
    assert expected <= applied, f"never applied, so never checked: {expected - applied}"


def judge(kind, name, forged, answer, before, after, signed, started, ended) -> str | None:
    """What is wrong with the hub's handling of one forged field, if anything."""
    if answer["outcome"] != "applied":
        if not (answer.get("reason") or "").strip():
            return "not applied, and no reason given"
        if (before or {}).get(name) != (after or {}).get(name):
            return f"not applied, yet the row changed to {after.get(name)!r}"
        return None
    value = after[name]
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    if value == forged:
        return f"the forged value was stored ({forged!r})"
    if kind == TOKEN and after[name] != signed.user_id:
        return f"stored {after[name]!r}, not the signed-in user {signed.user_id!r}"
    if kind == CLOCK and not (started <= after[name] <= ended):
        return f"stored {after[name]!r}, not the hub's time ({started:%H:%M:%S})"
    return None


def test_a_handover_time_is_the_clerks_but_not_ahead_of_the_hub_nor_before_its_day(
    hub, hub_db, world, users
):
    clerk, rows = users["knec_clerk"], Rows(hub_db, world, users)
    today = dt.datetime.combine(dt.date.today(), dt.time(0))
    for at, reason in (
        (wall_clock() + dt.timedelta(hours=1), "is in the future"),
        (today - dt.timedelta(hours=2), "are handed over on"),
    ):
        row, _ = rows.movement(clerk)
        row["at"] = at.replace(second=0).isoformat()
        answer = clerk.push("material_movement", row)
        assert answer["outcome"] == "refused" and reason in answer["reason"], answer
    row, _ = rows.movement(clerk)
    said = max(today, wall_clock() - dt.timedelta(minutes=40)).replace(second=0)
    row["at"] = said.isoformat()
    assert clerk.push("material_movement", row)["outcome"] == "applied"
    assert stored(hub_db, "material_movement", row["id"])["at"] == said
