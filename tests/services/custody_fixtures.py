"""The Westlands container beside the demo centre: a clerk, its staff, the centres it serves.

Kangemi High School and Upper Hill School collect their papers from the container;
Grace Mwangi (ID 23456781) is Kangemi's centre manager; Upper Hill has none deployed.
The clerk, Wycliffe Barasa, and a driver are deployed at the container itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cp2desk.local_db import models as m
from cp2desk.local_db.replica import Replica
from cp2desk.sync.records import natural_id, new_id
from tests.services.fixtures import DemoCentre, build_centre

GRACE_ID = "23456781"


@dataclass
class DemoContainer:
    centre: DemoCentre
    station_id: str
    clerk_id: str
    clerk_professional_id: str
    driver_professional_id: str
    deployments: dict[str, str]


def build_container(replica: Replica) -> DemoContainer:
    centre = build_centre(replica)
    container = DemoContainer(centre, new_id(), new_id(), new_id(), new_id(), {})
    with replica.write() as s:
        kangemi = s.get(m.Station, centre.station_id)
        s.add(
            m.Station(
                id=container.station_id,
                code="DC04701",
                name="Westlands Sub-County Examination Container",
                kind="distribution_centre",
                county_id=kangemi.county_id,
                sub_county_id=kangemi.sub_county_id,
                seq=900,
            )
        )
        for station_id in (centre.station_id, centre.other_station_id):
            s.get(m.Station, station_id).distribution_centre_id = container.station_id
        positions = {
            code: m.Position(id=new_id(), code=code, name=name, rank=rank, seq=901 + rank)
            for code, name, rank in (("clerk", "Clerk", 5), ("driver", "Driver", 6))
        }
        s.add_all(positions.values())
        people = (
            (container.clerk_professional_id, "Wycliffe", "Barasa", "26789012", "254720300400",
             "clerk"),
            (container.driver_professional_id, "Moses", "Kiprop", "21098765", "254720500600",
             "driver"),
        )  # fmt: skip
        for pid, first, last, nid, phone, code in people:
            s.add(
                m.Professional(
                    id=pid, phone=phone, national_id=nid, first_name=first, last_name=last, seq=910
                )
            )
            dep_id = natural_id("deployment", centre.series_id, pid)
            container.deployments[code] = dep_id
            s.add(
                m.Deployment(
                    id=dep_id,
                    series_id=centre.series_id,
                    professional_id=pid,
                    station_id=container.station_id,
                    position_id=positions[code].id,
                    status="active",
                    seq=911,
                )
            )
        s.add(
            m.AppUser(
                id=container.clerk_id,
                phone="254720300400",
                professional_id=container.clerk_professional_id,
                display_name="Wycliffe Barasa",
                seq=920,
            )
        )
        for role, station in (("knec_clerk", container.station_id), ("professional", None)):
            s.add(
                m.RoleGrant(
                    id=new_id(),
                    user_id=container.clerk_id,
                    role=role,
                    station_id=station,
                    seq=921,
                )
            )
    return container


def morning(hour: int, minute: int = 0) -> dt.datetime:
    """A moment on Monday 9 November 2026, the demo centre's day."""
    return dt.datetime(2026, 11, 9, hour, minute)
