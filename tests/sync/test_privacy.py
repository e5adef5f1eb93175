"""Each device holds only what its user's screens need of other people (decision 30).

A real hub over HTTP, a device of every role, and a world where every field of every
person is filled in. After a sync, each replica is read field by field: the user's own
rows are whole, other people's rows carry only the fields this test's table says their
role's screens use, and payment details reach nobody but their owner. A refused push
answers with the hub's row cut the same way, and a replica that already holds another
officer's bank details loses them at its next sync, keeping its own unsent changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import select

from cp2desk.local_db import models as lm
from cp2desk.sync.engine import SyncReport
from cp2desk.sync.protocol import encode_value
from cp2desk.sync.records import (
    META_COLUMNS,
    RECORD_BY_TABLE,
    RECORDS,
    column_types,
    natural_id,
    ref_columns,
    wire_columns,
)
from cp2hub import models as hm
from cp2hub import privacy
from cp2hub.db import Database
from cp2hub.passwords import hash_password
from cp2hub.push import as_wire
from cp2hub.scope import scope_of
from tests.sync.conftest import BACKENDS, Device, HubServer, migrated_database
from tests.sync.invariants import principal_of
from tests.sync.scenario import PASSWORD, _user, build_world

# Who besides the owner receives each field of a row about a person:
#   "row"       every device the row reaches at all (its scope);
#   "register"  devices of users who run the officer's station (centre manager, clerk)
#               or direct its sub-county;
#   "directors" devices of the directors (TSC, SCDE) of the officer's sub-county;
#   "owner"     the person's own devices alone.
OTHERS_SEE: dict[str, dict[str, str]] = {
    "professional": {
        "phone": "row",
        "national_id": "row",
        "first_name": "row",
        "middle_name": "row",
        "last_name": "row",
        "tsc_number": "register",
        "institution_code": "directors",
        "institution_name": "owner",
        "gender": "owner",
        "date_of_birth": "owner",
        "teacher_level": "owner",
        "county_id": "owner",
        "sub_county_id": "owner",
        "payment_method": "owner",
        "mpesa_phone": "owner",
        "mpesa_name": "owner",
        "bank_name": "owner",
        "bank_account": "owner",
        "kra_pin": "owner",
    },
    "work_experience": dict.fromkeys(("employer", "title", "start_on", "end_on"), "owner")
    | {"professional_id": "row"},
    "qualification": dict.fromkeys(("level", "title", "institution", "year"), "owner")
    | {"professional_id": "row"},
    "app_user": {"phone": "owner", "professional_id": "row", "display_name": "owner"},
    "application": dict.fromkeys(("status", "submitted_at", "reason"), "owner")
    | {"vacancy_id": "row", "professional_id": "row"},
    "claim": dict.fromkeys(
        ("series_id", "professional_id", "sessions", "days", "amount", "blocked", "status"), "row"
    )
    | {"paid_amount": "row", "paid_at": "row", "paid_ref": "owner"},
}
OWNER_COLUMN = {"app_user": "id", "professional": "id"}  # others: professional_id
PAYMENT = ("payment_method", "mpesa_phone", "mpesa_name", "bank_name", "bank_account", "kra_pin")

ROLES = {  # role -> the world's user holding it
    "centre_manager": "manager_alpha",
    "tsc_director": "director",
    "scde": "scde",
    "knec_clerk": "clerk",
    "admin": "admin",
    "professional": "officer",
}

# --- the world ------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def hub_db(request, tmp_path_factory):
    with migrated_database(request.param, tmp_path_factory.mktemp("hub")) as db:
        yield db


@pytest.fixture(scope="module")
def world(hub_db):
    world = build_world(hub_db)
    _add_people(hub_db, world)
    _fill_every_field(hub_db)
    return world


@pytest.fixture(scope="module")
def hub(hub_db, world):
    with HubServer(hub_db) as server:
        yield server


@pytest.fixture(scope="module")
def synced(hub, world, tmp_path_factory):
    """One device per role, synced once."""
    folder = tmp_path_factory.mktemp("devices")
    made = {}
    for role, user in ROLES.items():
        made[role] = Device(folder / f"{role}.sqlite3", hub.url, world.users[user])
        made[role].sync()
    yield made
    for d in made.values():
        d.replica.dispose()


CONTAINER = natural_id("station", "DC1")
WESTLANDS = natural_id("sub", "Westlands")


def _add_people(db: Database, world) -> None:
    """The roles the scenario lacks, a container's own staff, and each table about a
    person holding rows of two people."""
    password = hash_password(PASSWORD)
    position = {code: natural_id("position", code) for code in ("invigilator", "security_officer")}
    with db.write() as s:

        def person(key: str, phone: str) -> hm.Professional:
            p = hm.Professional(
                id=natural_id("prof", key), phone=phone, first_name=key.title(), last_name="X"
            )
            s.add(p)
            s.flush()
            return p

        _user(
            s,
            world,
            "clerk",
            person("clerk", "254744000001"),
            password,
            [("knec_clerk", CONTAINER, None)],
        )
        _user(
            s, world, "scde", person("scde", "254744000002"), password, [("scde", None, WESTLANDS)]
        )
        _user(s, world, "admin", person("admin", "254744000003"), password, [("admin", None, None)])
        porter = person("porter", "254744000004")
        s.add(
            hm.Deployment(
                id=natural_id("dep", "porter"),
                series_id=world.series,
                professional_id=porter.id,
                station_id=CONTAINER,
                position_id=position["security_officer"],
            )
        )
        officer = s.get(hm.Professional, world.officers[world.deployments["alpha"][3]])
        _user(s, world, "officer", officer, password, [])
        vacancy = hm.Vacancy(
            id=natural_id("vacancy", 1),
            series_id=world.series,
            position_id=position["invigilator"],
            activity="Invigilation",
            station_kind="exam_centre",
            deadline=dt.date.today(),
            positions=9,
        )
        s.add(vacancy)
        s.flush()
        others = [world.officers[world.deployments[c][k]] for c, k in (("alpha", 4), ("gamma", 2))]
        for pid in [officer.id, porter.id, *others]:
            s.add(
                hm.WorkExperience(
                    id=natural_id("work", pid),
                    professional_id=pid,
                    employer="Ministry",
                    title="Teacher",
                )
            )
            s.add(
                hm.Qualification(
                    id=natural_id("qual", pid),
                    professional_id=pid,
                    level="degree",
                    title="BEd",
                    institution="Moi University",
                )
            )
            s.add(
                hm.Application(
                    id=natural_id("application", vacancy.id, pid),
                    vacancy_id=vacancy.id,
                    professional_id=pid,
                )
            )
            s.add(
                hm.Claim(
                    id=natural_id("claim", world.series, pid),
                    series_id=world.series,
                    professional_id=pid,
                    sessions=2,
                    days=1,
                    amount=550,
                    blocked="missing_payment: No payment details.",
                )
            )


def _fill_every_field(db: Database) -> None:
    """Every empty field of every row about a person gets a value of its type, made from
    records.py: a field added there is filled, pulled and checked without this test
    naming it."""
    with db.write() as s:
        for table in privacy.FIELDS:
            record = RECORD_BY_TABLE[table]
            types, refs = column_types(record), ref_columns(record)
            model = hm.MODEL_BY_TABLE[table]
            length = {c.name: getattr(c.type, "length", None) for c in model.__table__.c}
            for n, row in enumerate(s.scalars(select(model)).all()):
                for name in wire_columns(record):
                    if name in META_COLUMNS or getattr(row, name) not in (None, ""):
                        continue
                    if name in refs:
                        value = natural_id(table, name, n)
                    elif types[name] is dt.date:
                        value = dt.date(1980, 1, 1) + dt.timedelta(days=n)
                    elif types[name] is dt.datetime:
                        value = dt.datetime(2026, 1, 1, 8, n % 60)
                    elif types[name] is int:
                        value = n + 1
                    else:
                        value = f"{name}{n}"[-(length[name] or 40) :]
                    setattr(row, name, value)


# --- what each role's device holds ----------------------------------------------------


def test_the_policy_decides_every_field_of_every_record_about_a_person():
    """A field added to records.py must be decided here and in the policy, or this fails."""
    assert set(privacy.FIELDS) == set(OTHERS_SEE)
    for table, fields in OTHERS_SEE.items():
        data = set(wire_columns(RECORD_BY_TABLE[table])) - set(META_COLUMNS)
        assert set(fields) == data, (table, data ^ set(fields))
        assert set(privacy.FIELDS[table]) == data, (table, data ^ set(privacy.FIELDS[table]))
        for name, who in fields.items():
            assert privacy.audience(table, name).name.lower() == {"row": "anyone"}.get(who, who)
    for name in PAYMENT:
        assert OTHERS_SEE["professional"][name] == "owner"


def test_no_other_record_names_a_person_outside_the_policy():
    """Columns of the other records that could hold personal data are the operational ones
    listed here (places' names, the national ID a clerk checks at a handover)."""
    personal = ("phone", "national_id", "name", "birth", "bank", "mpesa", "kra", "gender")
    allowed = {
        ("material_movement", "person_national_id"),
        *((t, "name") for t in ("county", "sub_county", "series", "position", "station")),
    }
    for record in RECORDS:
        if record.__tablename__ in privacy.FIELDS:
            continue
        for name in wire_columns(record):
            if any(word in name for word in personal):
                assert (record.__tablename__, name) in allowed, (record.__tablename__, name)


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_receives_only_its_fields_of_other_people(hub_db, world, synced, role):
    device = synced[role]
    me = _who(hub_db, world.users[ROLES[role]])
    others = 0
    for table in OTHERS_SEE:
        model, local = hm.MODEL_BY_TABLE[table], lm.MODEL_BY_TABLE[table]
        with device.replica.read() as rs, hub_db.read() as hs:
            rows = rs.scalars(select(local)).all()
            assert rows or role != "professional", table  # every table holds the user's own
            for row in rows:
                owner = getattr(row, OWNER_COLUMN.get(table, "professional_id"))
                hub_row = hs.get(model, row.id)
                mine = owner == (me["user"] if table == "app_user" else me["professional"])
                others += not mine
                for name in wire_columns(RECORD_BY_TABLE[table]):
                    shown = mine or _reaches(me, OTHERS_SEE[table].get(name, "row"), owner)
                    expected = getattr(hub_row, name) if shown else None
                    assert getattr(row, name) == expected, (role, table, name, mine)
                    if name in PAYMENT and not mine:
                        assert getattr(row, name) is None
    if role in ("admin", "professional"):
        assert others == 0  # their scope holds no one else
    else:
        assert others > 0


def test_a_clerk_receives_the_tsc_number_of_the_container_staff_only(synced, world):
    porter = natural_id("prof", "porter")
    alpha_officer = world.officers[world.deployments["alpha"][2]]
    with synced["knec_clerk"].replica.read() as s:
        assert s.get(lm.Professional, porter).tsc_number is not None
        seen = s.get(lm.Professional, alpha_officer)
        assert seen.national_id and seen.first_name and seen.tsc_number is None


def _who(db: Database, phone: str) -> dict:
    """The user's own ids and the officers each of the user's audiences reaches."""
    with db.read() as s:
        user = s.scalar(select(hm.AppUser).where(hm.AppUser.phone == phone))
        grants = s.scalars(select(hm.RoleGrant).where(hm.RoleGrant.user_id == user.id)).all()
        run = {g.station_id for g in grants if g.role in ("centre_manager", "knec_clerk")}
        subs = {g.sub_county_id for g in grants if g.role in ("tsc_director", "scde")}
        directed = set(s.scalars(select(hm.Station.id).where(hm.Station.sub_county_id.in_(subs))))

        def at(stations: set) -> set:
            query = select(hm.Deployment.professional_id).where(
                hm.Deployment.station_id.in_(stations)
            )
            return set(s.scalars(query))

        return {
            "user": user.id,
            "professional": user.professional_id,
            "register": at(run | directed),
            "directors": at(directed),
        }


def _reaches(me: dict, who: str, owner: str) -> bool:
    return who == "row" or (who in ("register", "directors") and owner in me[who])


# --- every other path a row takes to a device -----------------------------------------


def test_a_refused_change_to_another_officers_profile_answers_without_their_details(
    hub_db, world, hub, tmp_path
):
    """A centre manager forging a change of an officer's profile is refused; the hub's row
    the refusal carries (and that the device puts back) is cut like a pulled one."""
    device = Device(tmp_path / "forger.sqlite3", hub.url, world.users["manager_alpha"])
    try:
        device.sync()
        officer = world.officers[world.deployments["alpha"][2]]
        with device.replica.write() as s:
            row = s.get(lm.Professional, officer)
            row.bank_account = "999999"
            device.replica.record(s, row, ["bank_account"], "forged")
        report = device.sync()
        assert report.refused == 1
        with device.replica.read() as s:
            issue = s.scalars(select(lm.SyncIssue)).one()
            carried = json.loads(issue.hub_json)
            restored = s.get(lm.Professional, officer)
        with hub_db.read() as s:
            hub_row = s.get(hm.Professional, officer)
            assert hub_row.bank_account != "999999"
        for name in PAYMENT + ("date_of_birth", "gender", "institution_code"):
            assert getattr(hub_row, name) is not None
            assert carried[name] is None, name
            assert getattr(restored, name) is None, name
        assert carried["national_id"] == hub_row.national_id
        assert carried["tsc_number"] == hub_row.tsc_number
    finally:
        device.replica.dispose()


def test_a_row_carried_by_an_answer_follows_the_policy_for_every_role(hub_db, world):
    """`as_wire`, which every answer carrying a row uses, gives each role the same fields
    of a person as its pull; it refuses to send a row about a person to nobody in
    particular."""
    for user in ROLES.values():
        me = _who(hub_db, world.users[user])
        scope = scope_of(principal_of(hub_db, me["user"], "device"))
        with hub_db.read() as s:
            for person in s.scalars(select(hm.Professional)):
                row = as_wire(person, scope)
                mine = person.id == me["professional"]
                for name, who in OTHERS_SEE["professional"].items():
                    shown = mine or _reaches(me, who, person.id)
                    expected = encode_value(getattr(person, name)) if shown else None
                    assert row[name] == expected, (user, person.id, name)
            with pytest.raises(ValueError):
                as_wire(s.get(hm.Professional, me["professional"]))


# --- replicas that already hold what they should not ----------------------------------


def test_a_replica_holding_another_officers_bank_details_loses_them_at_the_next_sync(
    hub_db, world, hub, tmp_path
):
    """As a replica synced before the policy: another officer's payment details on file
    under the scope key the hub then gave. The next pull is answered `reset`; the device
    keeps its own unsent profile change and re-pulls its scope without those details."""
    device = Device(tmp_path / "old.sqlite3", hub.url, world.users["manager_beta"])
    try:
        device.sync()
        me = _who(hub_db, world.users["manager_beta"])
        officer = world.officers[world.deployments["beta"][2]]
        with hub_db.read() as s:
            hub_officer = s.get(hm.Professional, officer)
            leaked = {name: getattr(hub_officer, name) for name in PAYMENT}
        with device.replica.write() as s:
            row = s.get(lm.Professional, officer)
            for name, value in leaked.items():
                setattr(row, name, value)
            device.replica.set_state(s, "scope_key", _key_before_the_policy(me, world))
            own = s.get(lm.Professional, me["professional"])
            own.bank_account = "0123456789"
            device.replica.record(s, own, ["bank_account"], "New bank account")
        device.engine.pull(SyncReport(), lambda *_: None)  # the change is still unsent
        with device.replica.read() as s:
            row = s.get(lm.Professional, officer)
            assert all(getattr(row, name) is None for name in PAYMENT), row.bank_account
            assert row.national_id == hub_officer.national_id  # the register still has it
            assert s.get(lm.Professional, me["professional"]).bank_account == "0123456789"
            assert device.replica.get_state(s, "scope_key") != _key_before_the_policy(me, world)
        device.sync()
        with hub_db.read() as s:
            assert s.get(hm.Professional, me["professional"]).bank_account == "0123456789"
    finally:
        device.replica.dispose()


def _key_before_the_policy(me: dict, world) -> str:
    """The scope key a centre manager's device was given before fields were withheld."""
    text = "|".join([me["user"], me["professional"], world.centres["beta"], "", "False"])
    return hashlib.sha256(text.encode()).hexdigest()[:16]
