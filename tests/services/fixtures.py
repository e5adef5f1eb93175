"""A small, realistic KCSE centre written straight into a replica, as a pull would.

Kangemi High School in Westlands, Nairobi, during KCSE 2026. `NOW` is Monday
9 November 2026 at 09:40, while the morning session (08:00-10:30) is running.
Brian Okoth is redeployed out to Upper Hill School from the Monday afternoon session
and Esther Wafula is redeployed in from it; Ann Nyaboke serves at Upper Hill only.
Friday's sessions are history: marked, and the morning signed off.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from cp2desk.local_db import models as m
from cp2desk.local_db.replica import Replica
from cp2desk.sync.clock import pack
from cp2desk.sync.records import natural_id, new_id

NOW = dt.datetime(2026, 11, 9, 9, 40)

SESSIONS = {
    "fri_am": (dt.date(2026, 11, 6), "morning", "08:00", "10:30", "101/1 English Paper 1"),
    "fri_pm": (dt.date(2026, 11, 6), "afternoon", "14:00", "16:30", "121/1 Mathematics Paper 1"),
    "mon_am": (
        dt.date(2026, 11, 9),
        "morning",
        "08:00",
        "10:30",
        "102/2 Kiswahili Paper 2; 233/1 Chemistry Paper 1",
    ),
    "mon_pm": (dt.date(2026, 11, 9), "afternoon", "14:00", "16:30", "231/1 Biology Paper 1"),
    "tue_am": (dt.date(2026, 11, 10), "morning", "08:00", "10:30", "121/2 Mathematics Paper 2"),
    "tue_pm": (dt.date(2026, 11, 10), "afternoon", "14:00", "16:30", "311/1 History Paper 1"),
}

# key: (first, middle, last, national id, TSC number, phone, position)
OFFICERS = {
    "grace": ("Grace", "Wanjiru", "Mwangi", "23456781", "512345", "254712345678", "manager"),
    "peter": ("Peter", "Otieno", "Ouma", "24567812", "498761", "254722100200", "supervisor"),
    "jane": ("Jane", "Wanjiku", "Kamau", "27654321", "601234", "254733445566", "invigilator"),
    "mary": ("Mary", "Achieng", "Odhiambo", "28765432", "612345", "254711223344", "invigilator"),
    "john": ("John", "Kiprono", "Cheruiyot", "29876543", "623456", "254701987654", "invigilator"),
    "faith": ("Faith", "Nyambura", "Njoroge", "30987654", "634567", "254745112233", "invigilator"),
    "samuel": ("Samuel", "Mutua", "Musyoka", "31098765", "645678", "254756778899", "invigilator"),
    "lucy": ("Lucy", "Chebet", "Rono", "32109876", "656789", "254768990011", "invigilator"),
    "brian": ("Brian", "Omondi", "Okoth", "33210987", "667890", "254779001122", "invigilator"),
    "esther": ("Esther", "Naliaka", "Wafula", "34321098", "678901", "254780112233", "invigilator"),
    "daniel": ("Daniel", "Kiptoo", "Langat", "25432109", None, "254791223344", "security"),
    "ann": ("Ann", "Moraa", "Nyaboke", "35432109", "689012", "254702334455", "invigilator"),
    "joseph": ("Joseph", "Kamau", "Njenga", "22345678", "400123", "254710555666", "supervisor"),
}

POSITIONS = {
    "manager": ("centre_manager", "Centre Manager", 1),
    "supervisor": ("supervisor", "Supervisor", 2),
    "invigilator": ("invigilator", "Invigilator", 3),
    "security": ("security_officer", "Security Officer", 4),
}

MARKED_ON_FRIDAY = (
    "grace",
    "peter",
    "jane",
    "mary",
    "john",
    "faith",
    "samuel",
    "lucy",
    "brian",
    "daniel",
)

FIRST = ("Alice", "Kevin", "Mercy", "Dennis", "Purity", "Collins", "Winnie", "Moses", "Ruth")
LAST = ("Kariuki", "Onyango", "Kiptanui", "Mutiso", "Wekesa", "Barasa", "Kerubo", "Atieno")


@dataclass
class DemoCentre:
    station_id: str
    other_station_id: str
    sub_county_id: str
    series_id: str
    user_id: str
    director_id: str
    now: dt.datetime = NOW
    sessions: dict[str, str] = field(default_factory=dict)
    professionals: dict[str, str] = field(default_factory=dict)
    deployments: dict[str, str] = field(default_factory=dict)
    """Each officer's deployment at Kangemi (Ann's and Brian's second: at Upper Hill)."""
    elsewhere: dict[str, str] = field(default_factory=dict)


class _Feed:
    """Hands out hub sequence numbers and clocks, as rows pulled from a hub carry."""

    def __init__(self) -> None:
        self.seq = itertools.count(1)
        self.millis = int(dt.datetime(2026, 11, 1).timestamp() * 1000)

    def stamp(self, row):
        row.seq = next(self.seq)
        row.hlc = pack(self.millis + row.seq)
        row.origin = "hub"
        return row


def build_centre(replica: Replica, extra_officers: int = 0) -> DemoCentre:
    """Write the demo centre into `replica`; `extra_officers` more invigilators for scale."""
    feed = _Feed()
    rows: list = []
    add = rows.append
    county = m.County(id=new_id(), code="047", name="Nairobi")
    sub = m.SubCounty(id=new_id(), county_id=county.id, code="04701", name="Westlands")
    series = m.Series(
        id=new_id(),
        code="KCSE2026",
        exam="KCSE",
        name="KCSE 2026",
        year=2026,
        starts_on=dt.date(2026, 11, 2),
        ends_on=dt.date(2026, 11, 25),
        mark_opens_min=60,
        mark_closes_min=120,
    )
    for r in (county, sub, series):
        add(r)
    demo = DemoCentre(new_id(), new_id(), sub.id, series.id, new_id(), new_id())
    for key, (day, slot, start, end, papers) in SESSIONS.items():
        demo.sessions[key] = new_id()
        add(
            m.ExamSession(
                id=demo.sessions[key],
                series_id=series.id,
                day=day,
                slot=slot,
                starts_at=dt.time.fromisoformat(start),
                ends_at=dt.time.fromisoformat(end),
                papers=papers,
            )
        )
    positions = {
        k: m.Position(id=new_id(), code=c, name=n, rank=r) for k, (c, n, r) in POSITIONS.items()
    }
    rows.extend(positions.values())
    for sid, code, name, candidates in (
        (demo.station_id, "20403101", "Kangemi High School", 412),
        (demo.other_station_id, "20403102", "Upper Hill School", 530),
    ):
        add(
            m.Station(
                id=sid,
                code=code,
                name=name,
                kind="exam_centre",
                county_id=county.id,
                sub_county_id=sub.id,
                candidates=candidates,
            )
        )
    officers = dict(OFFICERS)
    for i in range(extra_officers):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        officers[f"extra{i}"] = (
            first,
            "",
            f"{last} {i}",
            f"4{i:07d}",
            f"7{i:05d}",
            f"2547{i:08d}",
            "invigilator",
        )
    for key, (first, middle, last, nid, tsc, phone, _pos) in officers.items():
        demo.professionals[key] = new_id()
        add(
            m.Professional(
                id=demo.professionals[key],
                phone=phone,
                national_id=nid,
                tsc_number=tsc,
                first_name=first,
                middle_name=middle,
                last_name=last,
            )
        )
    _add_deployments(demo, officers, positions, series.id, add)
    _add_accounts(demo, add)
    _add_history(demo, add)
    with replica.write() as session:
        session.add_all(feed.stamp(r) for r in rows)
    return demo


def _add_deployments(
    demo: DemoCentre, officers: dict, positions: dict, series_id: str, add
) -> None:
    mon_pm = demo.sessions["mon_pm"]
    for key, spec in officers.items():
        if key == "joseph":
            continue
        here = key != "ann"
        dep = m.Deployment(
            id=new_id(),
            series_id=series_id,
            professional_id=demo.professionals[key],
            station_id=demo.station_id if here else demo.other_station_id,
            position_id=positions[spec[6]].id,
            status="active",
        )
        if key == "brian":
            dep.status, dep.until_session_id = "redeployed", mon_pm
        if key == "esther":
            dep.from_session_id = mon_pm
        (demo.deployments if here else demo.elsewhere)[key] = dep.id
        add(dep)
    for key, status, bound in (("brian", "active", "from"), ("esther", "redeployed", "until")):
        dep = m.Deployment(
            id=new_id(),
            series_id=series_id,
            professional_id=demo.professionals[key],
            station_id=demo.other_station_id,
            position_id=positions["invigilator"].id,
            status=status,
        )
        setattr(dep, f"{bound}_session_id", mon_pm)
        demo.elsewhere[key] = dep.id
        add(dep)


def _add_accounts(demo: DemoCentre, add) -> None:
    add(
        m.AppUser(
            id=demo.user_id,
            phone=OFFICERS["grace"][5],
            professional_id=demo.professionals["grace"],
            display_name="Grace Wanjiru Mwangi",
        )
    )
    add(
        m.AppUser(
            id=demo.director_id,
            phone=OFFICERS["joseph"][5],
            professional_id=demo.professionals["joseph"],
            display_name="Joseph Kamau Njenga",
        )
    )
    add(
        m.RoleGrant(
            id=new_id(), user_id=demo.user_id, role="centre_manager", station_id=demo.station_id
        )
    )
    add(m.RoleGrant(id=new_id(), user_id=demo.user_id, role="professional"))
    add(
        m.RoleGrant(
            id=new_id(),
            user_id=demo.director_id,
            role="tsc_director",
            sub_county_id=demo.sub_county_id,
        )
    )


def _add_history(demo: DemoCentre, add) -> None:
    """Friday was marked (Mary absent in the afternoon, John late) and the morning signed off."""
    for session_key in ("fri_am", "fri_pm"):
        session_id = demo.sessions[session_key]
        for key in MARKED_ON_FRIDAY:
            status = "present"
            check_in = dt.time(7, 30) if session_key == "fri_am" else dt.time(13, 30)
            if key == "mary" and session_key == "fri_pm":
                status, check_in = "absent", None
            if key == "john":
                status = "late"
                check_in = dt.time(8, 25) if session_key == "fri_am" else dt.time(14, 20)
            dep = demo.deployments[key]
            add(
                m.Attendance(
                    id=natural_id("attendance", dep, session_id),
                    deployment_id=dep,
                    session_id=session_id,
                    station_id=demo.station_id,
                    professional_id=demo.professionals[key],
                    status=status,
                    check_in=check_in,
                    marked_by=demo.user_id,
                )
            )
    add(
        m.SessionSignoff(
            id=natural_id("session_signoff", demo.station_id, demo.sessions["fri_am"]),
            station_id=demo.station_id,
            session_id=demo.sessions["fri_am"],
            status="signed",
            signed_by=demo.user_id,
            signed_at=dt.datetime(2026, 11, 6, 11, 5),
        )
    )
