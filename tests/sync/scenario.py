"""A small, fully known world on a hub: one county, two sub-counties, three centres.

Written straight into the hub's database (as KNEC's administrators would), so the sync
tests know every id and every rule that applies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cp2desk.sync.records import natural_id
from cp2hub import models as m
from cp2hub.db import Database
from cp2hub.passwords import hash_password

PASSWORD = "field-pass-1"


@dataclass
class World:
    series: str = ""
    sessions: list[str] = field(default_factory=list)
    centres: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # name -> phone
    deployments: dict[str, list[str]] = field(default_factory=dict)  # centre -> ids
    officers: dict[str, str] = field(default_factory=dict)  # deployment -> professional


def build_world(db: Database, officers_per_centre: int = 6, days: int = 3) -> World:
    world = World()
    today = dt.date.today()
    _hash = hash_password(PASSWORD)
    with db.write() as s:
        county = m.County(id=natural_id("county", "047"), code="047", name="Nairobi")
        subs = [
            m.SubCounty(id=natural_id("sub", name), county_id=county.id, code=code, name=name)
            for code, name in (("04701", "Westlands"), ("04702", "Kasarani"))
        ]
        series = m.Series(
            id=natural_id("series", "KCSE-2026"),
            code="KCSE-2026",
            exam="KCSE",
            name="Kenya Certificate of Secondary Education 2026",
            year=2026,
            starts_on=today - dt.timedelta(days=1),
            ends_on=today + dt.timedelta(days=days),
            mark_opens_min=60,
            mark_closes_min=120,
        )
        s.add(county)
        s.flush()
        s.add_all([*subs, series])
        s.flush()
        world.series = series.id
        for day in range(-1, days):
            for slot, start, end in (("morning", 8, 10), ("afternoon", 14, 16)):
                sid = natural_id("session", day, slot)
                s.add(
                    m.ExamSession(
                        id=sid,
                        series_id=series.id,
                        day=today + dt.timedelta(days=day),
                        slot=slot,
                        starts_at=dt.time(start),
                        ends_at=dt.time(end, 30),
                        papers="101/1 English",
                    )
                )
                world.sessions.append(sid)
        positions = {
            code: m.Position(id=natural_id("position", code), code=code, name=name, rank=i)
            for i, (code, name) in enumerate(
                (
                    ("centre_manager", "Centre Manager"),
                    ("supervisor", "Supervisor"),
                    ("invigilator", "Invigilator"),
                    ("security_officer", "Security Officer"),
                )
            )
        }
        s.add_all(positions.values())
        s.flush()
        container = m.Station(
            id=natural_id("station", "DC1"),
            code="04701000",
            name="Westlands Container",
            kind="distribution_centre",
            county_id=county.id,
            sub_county_id=subs[0].id,
        )
        s.add(container)
        s.flush()
        centre_specs = (("alpha", subs[0]), ("beta", subs[0]), ("gamma", subs[1]))
        for index, (name, sub) in enumerate(centre_specs):
            centre = m.Station(
                id=natural_id("station", name),
                code=f"2040{index:04d}",
                name=f"{name.title()} Secondary School",
                kind="exam_centre",
                county_id=county.id,
                sub_county_id=sub.id,
                candidates=300,
                distribution_centre_id=container.id if sub is subs[0] else None,
            )
            s.add(centre)
            world.centres[name] = centre.id
        s.flush()
        phone = 254722000000
        for name, centre_id in world.centres.items():
            world.deployments[name] = []
            for k in range(officers_per_centre):
                phone += 1
                person = m.Professional(
                    id=natural_id("prof", name, k),
                    phone=str(phone),
                    national_id=f"{phone % 10**8}",
                    tsc_number=f"T{phone % 10**6}",
                    first_name=f"Officer{k}",
                    last_name=name.title(),
                    institution_code="other",
                )
                role = "centre_manager" if k == 0 else ("supervisor" if k == 1 else "invigilator")
                dep = m.Deployment(
                    id=natural_id("dep", name, k),
                    series_id=series.id,
                    professional_id=person.id,
                    station_id=centre_id,
                    position_id=positions[role].id,
                )
                s.add(person)
                s.flush()
                s.add(dep)
                world.deployments[name].append(dep.id)
                world.officers[dep.id] = person.id
                if k == 0:
                    _user(
                        s,
                        world,
                        f"manager_{name}",
                        person,
                        _hash,
                        [("centre_manager", centre_id, None)],
                    )
        s.flush()
        director = m.Professional(
            id=natural_id("prof", "director"),
            phone="254733000001",
            first_name="Grace",
            last_name="Director",
        )
        s.add(director)
        s.flush()
        _user(s, world, "director", director, _hash, [("tsc_director", None, subs[0].id)])
    return world


def _user(s, world, name, person, password_hash, grants) -> None:
    user = m.AppUser(
        id=natural_id("user", person.phone),
        phone=person.phone,
        professional_id=person.id,
        display_name=f"{person.first_name} {person.last_name}",
        password_hash=password_hash,
    )
    s.add(user)
    s.flush()
    for role, station_id, sub_county_id in [("professional", None, None), *grants]:
        s.add(
            m.RoleGrant(
                id=natural_id("grant", user.id, role),
                user_id=user.id,
                role=role,
                station_id=station_id,
                sub_county_id=sub_county_id,
            )
        )
    world.users[name] = person.phone
