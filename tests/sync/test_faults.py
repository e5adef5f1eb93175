"""Ten devices mark attendance offline and sync through a proxy that drops, delays,
fails, cuts and duplicates their requests; at the end nothing is lost, nothing is
applied twice, and every replica equals the hub's view of its scope."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from cp2desk.sync.errors import SyncError
from cp2desk.sync.records import natural_id
from cp2hub import models as hm
from cp2hub.passwords import hash_password
from tests.sync.conftest import Device
from tests.sync.invariants import check_converged, check_marks, count
from tests.sync.marks import Mark, mark
from tests.sync.proxy import FaultProxy
from tests.sync.scenario import PASSWORD, World

SEED = 20260314
ROUNDS = 5
MAX_ATTEMPTS = 80


def extend_world(db, world: World) -> None:
    """A fourth centre (delta, in Kasarani) with its manager, and Kasarani's SCDE."""
    county, kasarani = natural_id("county", "047"), natural_id("sub", "Kasarani")
    password_hash = hash_password(PASSWORD)
    with db.write() as s:
        delta = hm.Station(
            id=natural_id("station", "delta"), code="20400009", name="Delta Primary School",
            kind="exam_centre", county_id=county, sub_county_id=kasarani, candidates=120,
        )
        s.add(delta)
        s.flush()
        world.centres["delta"] = delta.id
        world.deployments["delta"] = []
        people = []
        for k in range(6):
            phone = f"25474400{k:04d}"
            people.append(hm.Professional(
                id=natural_id("prof", "delta", k), phone=phone, first_name=f"Officer{k}",
                last_name="Delta", national_id=phone[-8:],
            ))
        scde = hm.Professional(
            id=natural_id("prof", "scde"), phone="254733000002", first_name="Peter",
            last_name="Scde",
        )
        s.add_all([*people, scde])
        s.flush()
        for k, person in enumerate(people):
            position = "centre_manager" if k == 0 else "invigilator"
            dep = hm.Deployment(
                id=natural_id("dep", "delta", k), series_id=world.series,
                professional_id=person.id, station_id=delta.id,
                position_id=natural_id("position", position),
            )
            s.add(dep)
            world.deployments["delta"].append(dep.id)
            world.officers[dep.id] = person.id
        for name, person, grant in (
            ("manager_delta", people[0], ("centre_manager", delta.id, None)),
            ("scde", scde, ("scde", None, kasarani)),
        ):
            user = hm.AppUser(
                id=natural_id("user", person.phone), phone=person.phone,
                professional_id=person.id, display_name=f"{person.first_name} {person.last_name}",
                password_hash=password_hash,
            )
            s.add(user)
            s.flush()
            for role, station_id, sub_id in (("professional", None, None), grant):
                s.add(hm.RoleGrant(
                    id=natural_id("grant", user.id, role), user_id=user.id, role=role,
                    station_id=station_id, sub_county_id=sub_id,
                ))
            world.users[name] = person.phone


@dataclass
class Actor:
    name: str
    user: str
    centres: tuple[str, ...]  # the centres this user may mark
    device: Device | None = None


ACTORS = [
    Actor("alpha-1", "manager_alpha", ("alpha",)),
    Actor("alpha-2", "manager_alpha", ("alpha",)),
    Actor("beta-1", "manager_beta", ("beta",)),
    Actor("gamma-1", "manager_gamma", ("gamma",)),
    Actor("gamma-2", "manager_gamma", ("gamma",)),
    Actor("delta-1", "manager_delta", ("delta",)),
    Actor("director-1", "director", ("alpha", "beta")),
    Actor("director-2", "director", ("alpha", "beta")),
    Actor("scde-1", "scde", ("gamma", "delta")),
    Actor("scde-2", "scde", ("gamma", "delta")),
]


def sync_through(actor: Actor) -> int:
    """Sync until one sync completes; returns the failed attempts."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            actor.device.sync()
            return attempt
        except SyncError:
            continue
    raise AssertionError(f"{actor.name} could not sync in {MAX_ATTEMPTS} attempts")


@pytest.fixture
def proxy(hub):
    with FaultProxy(hub.url, seed=SEED, max_delay=0.15) as p:
        yield p


def test_many_devices_through_a_faulty_network(tmp_path, hub, hub_db, world, proxy):
    extend_world(hub_db, world)
    rng = random.Random(SEED)
    for actor in ACTORS:
        phone = world.users[actor.user]
        actor.device = Device(tmp_path / f"{actor.name}.sqlite3", hub.url, phone)
        actor.device.user_id = natural_id("user", phone)
        client = actor.device.client
        client.base_url = proxy.url  # signed in directly; every sync goes through the faults
        client.http.headers["Connection"] = "close"
        client.timeout = (2.0, 10.0)
        actor.device.engine.batch_size = 4  # several pushes and pages per sync, to cut between
        actor.device.engine.page_size = 40
    marks: list[Mark] = []

    def random_mark(actor: Actor, centre: str, session: str, in_scope: bool = True) -> None:
        dep = rng.choice(world.deployments[centre])
        marks.append(mark(
            actor.device.replica, dep, session, rng.choice(("present", "absent", "late")),
            world.centres[centre], world.officers[dep], actor.device.user_id, in_scope,
        ))

    failures = 0
    with ThreadPoolExecutor(len(ACTORS)) as pool:
        for _ in range(ROUNDS):
            for actor in ACTORS:  # offline work
                for _ in range(rng.randint(2, 5)):
                    random_mark(actor, rng.choice(actor.centres), rng.choice(world.sessions))
                if rng.random() < 0.3:  # a mark outside the user's centres: must be refused
                    outside = [c for c in world.centres if c not in actor.centres]
                    random_mark(actor, rng.choice(outside), rng.choice(world.sessions), False)
            for a, b in (("alpha-1", "alpha-2"), ("gamma-2", "scde-1"), ("alpha-2", "director-1")):
                # two devices mark the same officer's attendance differently while offline
                first, second = (next(x for x in ACTORS if x.name == n) for n in (a, b))
                centre = next(c for c in first.centres if c in second.centres)
                dep, session = rng.choice(world.deployments[centre]), rng.choice(world.sessions)
                for actor, status in ((first, "present"), (second, "absent")):
                    marks.append(mark(
                        actor.device.replica, dep, session, status, world.centres[centre],
                        world.officers[dep], actor.device.user_id,
                    ))
            failures += sum(pool.map(sync_through, ACTORS))
    assert failures > 10, "the proxy injected too few faults to prove anything"
    assert all(proxy.stats[f] > 0 for f in ("drop", "error", "cut", "lost", "twice", "delay"))

    proxy.enabled = False  # the network heals: everyone syncs twice (push, then catch up)
    for _ in range(2):
        for actor in ACTORS:
            actor.device.sync()

    replicas = [a.device.replica for a in ACTORS]
    outcomes = check_marks(hub_db, marks, replicas)
    assert outcomes["applied"] > 100 and outcomes["refused"] > 5 and outcomes["conflict"] > 0
    assert count(hub_db, hm.AttendanceHistory) > 0
    for actor in ACTORS:
        assert check_converged(hub_db, actor.device.replica, actor.device.user_id) > 0
    for actor in ACTORS:
        actor.device.replica.dispose()
