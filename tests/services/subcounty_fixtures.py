"""Westlands sub-county during KCSE 2026, written straight into a replica as a pull would.

Builds on the demo centre (`fixtures.build_centre`: Kangemi High School and Upper Hill
School, `NOW` = Monday 9 November 2026 09:40 in the morning session) and adds three more
exam centres, the sub-county's container, a centre of another sub-county, each centre's
requirement, and the SCDE. At the morning session:

- Kangemi (7 of 7 invigilators) has marked nobody yet; Friday morning is signed off.
- Upper Hill lacks a supervisor; everyone there is marked, Ann Nyaboke absent.
- Hospital Hill has two invigilators more than it needs; half marked, one absent.
- Parklands Arya is two invigilators short and has marked nobody.
- Kitisuru is staffed exactly, all marked, and signed off.

Jane Kamau (Kangemi) teaches at Upper Hill School. Joseph Njenga is the TSC director,
Wycliffe Barasa the SCDE; both direct Westlands.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from sqlalchemy import select

from cp2desk.local_db import models as m
from cp2desk.local_db.replica import Replica
from cp2desk.sync.clock import pack
from cp2desk.sync.records import natural_id, new_id
from tests.services.fixtures import NOW, DemoCentre, build_centre

UPPER_HILL_CODE = "20403102"

# key: (code, name, candidates, {position: (required, deployed)}, marks at Monday morning)
CENTRES = {
    "hospital_hill": (
        "20403103",
        "Hospital Hill High School",
        380,
        {"manager": (1, 1), "supervisor": (2, 2), "invigilator": (5, 7), "security": (1, 1)},
        "half",
    ),
    "parklands": (
        "20403104",
        "Parklands Arya Girls High School",
        290,
        {"manager": (1, 1), "supervisor": (1, 1), "invigilator": (5, 3), "security": (1, 1)},
        "none",
    ),
    "kitisuru": (
        "20403105",
        "Kitisuru Secondary School",
        150,
        {"manager": (1, 1), "supervisor": (1, 1), "invigilator": (3, 3), "security": (1, 1)},
        "signed",
    ),
}
REQUIRED = {
    "kangemi": {"manager": 1, "supervisor": 1, "invigilator": 7, "security": 1},
    "upper_hill": {"manager": 1, "supervisor": 1, "invigilator": 3, "security": 1},
}
UPPER_HILL_EXTRA = {"manager": 1, "invigilator": 2, "security": 1}
CHECK_IN = {"present": dt.time(7, 40), "late": dt.time(8, 10)}

FIRST = (
    "Alice", "Kevin", "Mercy", "Dennis", "Purity", "Collins", "Winnie", "Moses", "Ruth",
    "Brenda", "Victor", "Caroline", "Tom", "Nancy", "Felix", "Diana", "George", "Agnes",
)  # fmt: skip
LAST = (
    "Kariuki", "Onyango", "Kiptanui", "Mutiso", "Wekesa", "Kerubo", "Atieno", "Maina",
    "Chepkoech", "Ndungu", "Owino", "Jeptoo", "Mwende", "Simiyu", "Wairimu", "Omollo",
)  # fmt: skip


@dataclass
class DemoSubcounty:
    centre: DemoCentre
    scde_id: str
    stations: dict[str, str] = field(default_factory=dict)
    """key -> station id: kangemi, upper_hill, hospital_hill, parklands, kitisuru,
    container, lenana (another sub-county)."""
    deployments: dict[str, str] = field(default_factory=dict)
    """Deployments added here: '<centre>/<position>/<n>' -> id."""
    professionals: dict[str, str] = field(default_factory=dict)
    positions: dict[str, str] = field(default_factory=dict)
    now: dt.datetime = NOW

    @property
    def director_id(self) -> str:
        return self.centre.director_id

    @property
    def sessions(self) -> dict[str, str]:
        return self.centre.sessions


class _Stamp:
    def __init__(self) -> None:
        self.seq = itertools.count(1000)
        self.millis = int(dt.datetime(2026, 11, 1, 6).timestamp() * 1000)

    def __call__(self, row):
        row.seq = next(self.seq)
        row.hlc = pack(self.millis + row.seq)
        row.origin = "hub"
        row.deleted = False
        return row


def build_subcounty(replica: Replica) -> DemoSubcounty:
    centre = build_centre(replica)
    stamp = _Stamp()
    rows: list = []
    with replica.read() as session:
        positions = {
            key: session.scalar(select(m.Position.id).where(m.Position.code == code))
            for key, code in (
                ("manager", "centre_manager"),
                ("supervisor", "supervisor"),
                ("invigilator", "invigilator"),
                ("security", "security_officer"),
            )
        }
        county_id = session.scalar(select(m.County.id))
    demo = DemoSubcounty(centre, new_id(), positions=positions)
    demo.stations.update(kangemi=centre.station_id, upper_hill=centre.other_station_id)
    _places(demo, county_id, rows.append)
    names = _names()
    for key, (_code, _name, _candidates, staff, _state) in CENTRES.items():
        for position, (required, deployed) in staff.items():
            _require(demo, key, position, required, rows.append)
            for n in range(deployed):
                _deploy(demo, key, position, n, next(names), rows.append)
    for key, staff in REQUIRED.items():
        for position, required in staff.items():
            _require(demo, key, position, required, rows.append)
    for position, count in UPPER_HILL_EXTRA.items():
        for n in range(count):
            _deploy(demo, "upper_hill", position, n, next(names), rows.append)
    _scde(demo, rows.append)
    _marks(demo, rows.append)
    with replica.write() as session:
        session.add_all(stamp(r) for r in rows)
        jane = session.get(m.Professional, centre.professionals["jane"])
        jane.institution_code, jane.institution_name = UPPER_HILL_CODE, "Upper Hill School"
    return demo


def _places(demo: DemoSubcounty, county_id: str, add) -> None:
    sub = demo.centre.sub_county_id
    for key, (code, name, candidates, _staff, _state) in CENTRES.items():
        demo.stations[key] = new_id()
        add(
            m.Station(
                id=demo.stations[key],
                code=code,
                name=name,
                kind="exam_centre",
                county_id=county_id,
                sub_county_id=sub,
                candidates=candidates,
            )
        )
    demo.stations["container"] = new_id()
    add(
        m.Station(
            id=demo.stations["container"],
            code="DC04701",
            name="Westlands Sub-County Examination Container",
            kind="distribution_centre",
            county_id=county_id,
            sub_county_id=sub,
        )
    )
    other = m.SubCounty(id=new_id(), county_id=county_id, code="04704", name="Dagoretti South")
    add(other)
    demo.stations["lenana"] = new_id()
    add(
        m.Station(
            id=demo.stations["lenana"],
            code="20404101",
            name="Lenana School",
            kind="exam_centre",
            county_id=county_id,
            sub_county_id=other.id,
            candidates=700,
        )
    )


def _names():
    for i in itertools.count():
        first = FIRST[i % len(FIRST)]
        last = LAST[(i * 7 + i // len(FIRST)) % len(LAST)]
        yield i, first, last


def _require(demo: DemoSubcounty, key: str, position: str, required: int, add) -> None:
    station = demo.stations[key]
    add(
        m.Requirement(
            id=natural_id("requirement", station, position),
            station_id=station,
            position_id=demo.positions[position],
            required=required,
        )
    )


def _deploy(demo: DemoSubcounty, key: str, position: str, n: int, name, add) -> None:
    i, first, last = name
    person = new_id()
    label = f"{key}/{position}/{n}"
    demo.professionals[label] = person
    demo.deployments[label] = new_id()
    add(
        m.Professional(
            id=person,
            phone=f"25472{i:07d}",
            national_id=f"3{i:07d}",
            tsc_number=None if position == "security" else f"8{i:05d}",
            first_name=first,
            middle_name="",
            last_name=last,
            institution_code=f"20403{900 + i % 90}",
        )
    )
    add(
        m.Deployment(
            id=demo.deployments[label],
            series_id=demo.centre.series_id,
            professional_id=person,
            station_id=demo.stations[key],
            position_id=demo.positions[position],
            status="active",
        )
    )


def _scde(demo: DemoSubcounty, add) -> None:
    person = new_id()
    add(
        m.Professional(
            id=person,
            phone="254720555444",
            national_id="21098765",
            first_name="Wycliffe",
            middle_name="",
            last_name="Barasa",
        )
    )
    add(
        m.AppUser(
            id=demo.scde_id,
            phone="254720555444",
            professional_id=person,
            display_name="Wycliffe Barasa",
        )
    )
    add(
        m.RoleGrant(
            id=new_id(), user_id=demo.scde_id, role="scde", sub_county_id=demo.centre.sub_county_id
        )
    )


def _marks(demo: DemoSubcounty, add) -> None:
    """Monday morning's marks at Upper Hill, Hospital Hill and Kitisuru."""
    session_id = demo.sessions["mon_am"]
    centre = demo.centre
    upper_hill = [
        (centre.elsewhere["ann"], centre.professionals["ann"], "absent"),
        (centre.elsewhere["esther"], centre.professionals["esther"], "present"),
    ]
    for label, dep in demo.deployments.items():
        key = label.split("/")[0]
        if key == "upper_hill":
            upper_hill.append((dep, demo.professionals[label], "present"))
    for dep, person, status in upper_hill:
        _mark(demo, "upper_hill", dep, person, session_id, status, add)
    hospital = sorted(k for k in demo.deployments if k.startswith("hospital_hill/"))
    for n, label in enumerate(hospital[: len(hospital) // 2]):
        status = "absent" if n == 0 else ("late" if n == 1 else "present")
        person = demo.professionals[label]
        _mark(demo, "hospital_hill", demo.deployments[label], person, session_id, status, add)
    for label in (k for k in demo.deployments if k.startswith("kitisuru/")):
        person = demo.professionals[label]
        _mark(demo, "kitisuru", demo.deployments[label], person, session_id, "present", add)
    station = demo.stations["kitisuru"]
    add(
        m.SessionSignoff(
            id=natural_id("session_signoff", station, session_id),
            station_id=station,
            session_id=session_id,
            status="signed",
            signed_at=dt.datetime(2026, 11, 9, 9, 5),
        )
    )


def _mark(demo, key, deployment_id, professional_id, session_id, status, add) -> None:
    add(
        m.Attendance(
            id=natural_id("attendance", deployment_id, session_id),
            deployment_id=deployment_id,
            session_id=session_id,
            station_id=demo.stations[key],
            professional_id=professional_id,
            status=status,
            check_in=CHECK_IN.get(status),
        )
    )
