"""Users of every role on one hub per backend, shared by a test module, pushing raw changes.

The scenario's world (`tests.sync.scenario`) has centre managers and a TSC director; this
adds a sub-county director of education, a KNEC clerk, an admin and a professional with no
other role, each signed in on a device of their own, and a vacancy to apply to. A test
module takes the fixtures by name: `hub_db, world, hub, users = roles.hub_db, ...`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from cp2desk.sync.client import HubClient
from cp2desk.sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, encode_value
from cp2desk.sync.records import natural_id, wire_columns
from cp2hub import models as hm
from cp2hub.db import Database
from cp2hub.passwords import hash_password
from tests.sync.conftest import BACKENDS, HubServer, migrated_database
from tests.sync.scenario import PASSWORD, World, _user, build_world

ROLES = ("centre_manager", "tsc_director", "scde", "knec_clerk", "admin", "professional")
USER_OF_ROLE = {
    "centre_manager": "manager_alpha",
    "tsc_director": "director",
    "scde": "scde",
    "knec_clerk": "clerk",
    "admin": "admin",
    "professional": "applicant",
}
CONTAINER = natural_id("station", "DC1")
VACANCY = natural_id("vacancy", "security")


@pytest.fixture(scope="module", params=BACKENDS)
def hub_db(request, tmp_path_factory):
    with migrated_database(request.param, tmp_path_factory.mktemp("hub")) as db:
        yield db


def add_roles(db: Database, world: World) -> None:
    """The roles the scenario lacks: a sub-county director of education, a KNEC clerk, an
    admin and a professional with no other role; and a vacancy to apply to."""
    password = hash_password(PASSWORD)
    sub = natural_id("sub", "Westlands")
    with db.write() as s:
        specs = (
            ("scde", "254755000001", [("scde", None, sub)]),
            ("clerk", "254755000002", [("knec_clerk", CONTAINER, None)]),
            ("admin", "254755000003", [("admin", None, None)]),
            ("applicant", "254755000004", []),
        )
        for name, phone, grants in specs:
            person = hm.Professional(
                id=natural_id("prof", name), phone=phone, national_id=phone[-8:],
                first_name=name.title(), last_name="Tester",
            )  # fmt: skip
            s.add(person)
            s.flush()
            _user(s, world, name, person, password, grants)
        s.add(
            hm.Vacancy(
                id=VACANCY, series_id=world.series,
                position_id=natural_id("position", "security_officer"), activity="Security",
                station_kind="exam_centre", deadline=dt.date.today() + dt.timedelta(days=30),
                positions=100, status="open",
            )
        )  # fmt: skip


@pytest.fixture(scope="module")
def world(hub_db):
    made = build_world(hub_db)
    add_roles(hub_db, made)
    return made


@pytest.fixture(scope="module")
def hub(hub_db, world):
    with HubServer(hub_db) as server:
        yield server


@dataclass
class Signed:
    """A user signed in on a device of their own, pushing raw changes."""

    role: str
    user_id: str
    professional_id: str
    device_id: str
    url: str
    token: str

    def push(self, table: str, row: dict[str, Any], base_hlc: int | None = None) -> dict:
        return self.push_many([(table, row, base_hlc)])[0]

    def push_many(self, changes: list[tuple[str, dict[str, Any], int | None]]) -> list[dict]:
        """One push of several changes (table, row, base clock), answered in order."""
        body = {"changes": [
            {"key": str(uuid.uuid4()), "table": table, "row": row, "fields": [],
             "base_hlc": base_hlc}
            for table, row, base_hlc in changes
        ]}  # fmt: skip
        response = requests.post(
            self.url + "/sync/push", json=body, timeout=10,
            headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION),
                     "Authorization": f"Bearer {self.token}"},
        )  # fmt: skip
        assert response.status_code == 200, response.text[:300]
        return response.json()["answers"]


def sign_in(hub, world: World, name: str, role: str = "") -> Signed:
    """`name` of the world's users signed in on a new device of their own."""
    client = HubClient(hub.url)
    device_id = str(uuid.uuid4())
    phone = world.users[name]
    client.login(phone, PASSWORD, device_id, f"{role or name} device")
    with hub.db.read() as s:
        user = s.get(hm.AppUser, natural_id("user", phone))
    return Signed(role, user.id, user.professional_id, device_id, hub.url, client.access_token)


@pytest.fixture(scope="module")
def users(hub, world) -> dict[str, Signed]:
    """A user of each role, signed in."""
    return {role: sign_in(hub, world, name, role) for role, name in USER_OF_ROLE.items()}


def stored(db: Database, table: str, row_id: str) -> dict[str, Any] | None:
    model = hm.MODEL_BY_TABLE[table]
    with db.read() as s:
        obj = s.get(model, row_id)
        return None if obj is None else {c: getattr(obj, c) for c in wire_columns(model)}


def wire(values: dict[str, Any]) -> dict[str, Any]:
    return {k: encode_value(v) for k, v in values.items()}
