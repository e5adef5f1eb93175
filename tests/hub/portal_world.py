"""A small, fully known world for the CP2 portal flows: series, vacancies, professionals.

Written straight into a hub database. Three series in 2030 (KPSEA, KJSEA, then KCSE,
so KCSE is "2030/3"); vacancies in Nairobi (Westlands, Kasarani) and Kiambu (Thika),
one closed, one past its deadline, one with a single position; professionals with
known profiles: a primary teacher (Jane), a secondary teacher (Peter), a teacher with
no ID number (Newton), a second primary teacher (Mary) and a KNEC administrator.
Deadlines are relative to today so the open vacancies stay open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from sqlalchemy import select

from cp2desk.sync.records import natural_id
from cp2hub import models as m
from cp2hub.app import create_app
from cp2hub.db import Database
from cp2hub.passwords import hash_password
from cp2hub.settings import Settings

PASSWORD = "portal-pass-1"
ACTIVITY = "Supervision & Invigilation"


@dataclass
class PortalWorld:
    today: dt.date
    counties: dict[str, str] = field(default_factory=dict)
    sub_counties: dict[str, str] = field(default_factory=dict)
    series: dict[str, str] = field(default_factory=dict)
    positions: dict[str, str] = field(default_factory=dict)
    stations: dict[str, str] = field(default_factory=dict)
    vacancies: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)  # name -> professional id
    phones: dict[str, str] = field(default_factory=dict)  # name -> phone


def build_portal_world(db: Database, today: dt.date | None = None) -> PortalWorld:
    today = today or dt.date.today()
    w = PortalWorld(today)
    password_hash = hash_password(PASSWORD)
    with db.write() as s:
        for code, name, subs in (
            ("047", "Nairobi", (("04701", "Westlands"), ("04702", "Kasarani"))),
            ("022", "Kiambu", (("02201", "Thika Town"),)),
        ):
            county = m.County(id=natural_id("county", code), code=code, name=name)
            s.add(county)
            s.flush()
            w.counties[name] = county.id
            for sub_code, sub_name in subs:
                sub = m.SubCounty(
                    id=natural_id("sub", sub_code),
                    county_id=county.id,
                    code=sub_code,
                    name=sub_name,
                )
                s.add(sub)
                w.sub_counties[sub_name] = sub.id
        for rank, (code, name) in enumerate(
            (
                ("centre_manager", "Centre Manager"),
                ("supervisor", "Supervisor"),
                ("invigilator", "Invigilator"),
                ("security_officer", "Security Officer"),
            ),
            start=1,
        ):
            s.add(m.Position(id=natural_id("position", code), code=code, name=name, rank=rank))
            w.positions[code] = natural_id("position", code)
        for exam, title, start, days in (
            ("KPSEA", "Kenya Primary School Education Assessment", dt.date(2030, 10, 28), 3),
            ("KJSEA", "Kenya Junior School Education Assessment", dt.date(2030, 10, 31), 3),
            ("KCSE", "Kenya Certificate of Secondary Education", dt.date(2030, 11, 4), 17),
        ):
            code = f"{exam}-2030"
            s.add(
                m.Series(
                    id=natural_id("series", code),
                    code=code,
                    exam=exam,
                    name=f"{title} 2030",
                    year=2030,
                    starts_on=start,
                    ends_on=start + dt.timedelta(days=days),
                )
            )
            w.series[exam] = natural_id("series", code)
        s.flush()
        for exam in w.series:
            for code, rate in (("supervisor", 680), ("invigilator", 550), ("centre_manager", 550)):
                s.add(
                    m.Rate(
                        series_id=w.series[exam],
                        position_id=w.positions[code],
                        region="standard",
                        daily_rate=rate,
                    )
                )
        for key, code, name, kind, sub in (
            ("kangemi", "20400001", "Kangemi High School", "exam_centre", "Westlands"),
            ("upper_hill", "20400002", "Upper Hill School", "exam_centre", "Westlands"),
            ("kasarani", "20400003", "Kasarani Mixed Secondary", "exam_centre", "Kasarani"),
            ("container", "04701000", "Westlands Container", "distribution_centre", "Westlands"),
        ):
            sub_id = w.sub_counties[sub]
            county_id = w.counties["Nairobi"]
            s.add(
                m.Station(
                    id=natural_id("station", key),
                    code=code,
                    name=name,
                    kind=kind,
                    county_id=county_id,
                    sub_county_id=sub_id,
                )
            )
            w.stations[key] = natural_id("station", key)
        s.flush()
        soon = today + dt.timedelta(days=20)
        for key, exam, position, kind, county, sub, deadline, positions, status in (
            (
                "kcse_invigilator",
                "KCSE",
                "invigilator",
                "exam_centre",
                "Nairobi",
                "Westlands",
                soon,
                83,
                "open",
            ),
            (
                "kcse_supervisor",
                "KCSE",
                "supervisor",
                "exam_centre",
                "Nairobi",
                "Westlands",
                soon,
                5,
                "open",
            ),
            (
                "kpsea_invigilator",
                "KPSEA",
                "invigilator",
                "exam_centre",
                "Nairobi",
                "Kasarani",
                soon + dt.timedelta(days=2),
                1,
                "open",
            ),
            (
                "kcse_security",
                "KCSE",
                "security_officer",
                "distribution_centre",
                "Kiambu",
                "Thika Town",
                soon + dt.timedelta(days=5),
                4,
                "open",
            ),
            (
                "kjsea_closed",
                "KJSEA",
                "invigilator",
                "exam_centre",
                "Nairobi",
                "Westlands",
                soon,
                10,
                "closed",
            ),
            (
                "kjsea_past",
                "KJSEA",
                "supervisor",
                "exam_centre",
                "Nairobi",
                "Westlands",
                today - dt.timedelta(days=1),
                10,
                "open",
            ),
        ):
            vacancy = m.Vacancy(
                id=natural_id("vacancy", key),
                series_id=w.series[exam],
                position_id=w.positions[position],
                activity=ACTIVITY if kind == "exam_centre" else "Security of examination materials",
                station_kind=kind,
                county_id=w.counties[county],
                sub_county_id=w.sub_counties[sub],
                deadline=deadline,
                positions=positions,
                status=status,
            )
            s.add(vacancy)
            w.vacancies[key] = vacancy.id
        s.flush()
        phone = 254711500000
        for name, first, last, level, school, national_id, tsc, roles in (
            ("jane", "Jane", "Wanjiku", "primary", None, "27654321", "601234", ()),
            ("peter", "Peter", "Ouma", "secondary", "20400002", "24567812", "498761", ()),
            ("newton", "Newton", "Kariuki", "primary", None, None, "611111", ()),
            ("mary", "Mary", "Achieng", "primary", None, "28765432", "612345", ()),
            ("admin", "Alice", "Admin", None, None, "22222222", None, ("admin",)),
        ):
            phone += 1
            number = str(phone)
            person = m.Professional(
                id=natural_id("professional", number),
                phone=number,
                national_id=national_id,
                tsc_number=tsc,
                first_name=first,
                middle_name="",
                last_name=last,
                gender="F" if first in ("Jane", "Mary", "Alice") else "M",
                date_of_birth=dt.date(1985, 3, 14),
                institution_code=school,
                institution_name="Upper Hill School" if school else "Kangemi Primary School",
                teacher_level=level,
                county_id=w.counties["Nairobi"],
                sub_county_id=w.sub_counties["Westlands"],
                payment_method="mpesa",
                mpesa_phone=number,
                mpesa_name=f"{first} {last}",
                kra_pin="A123456789Z",
            )
            s.add(person)
            s.flush()
            user = m.AppUser(
                id=natural_id("app_user", number),
                phone=number,
                professional_id=person.id,
                display_name=f"{first} {last}",
                password_hash=password_hash,
            )
            s.add(user)
            s.flush()
            for role in ("professional", *roles):
                s.add(
                    m.RoleGrant(
                        id=natural_id("role_grant", user.id, role), user_id=user.id, role=role
                    )
                )
            w.people[name] = person.id
            w.phones[name] = number
    return w


def outbox(db: Database, phone: str | None = None) -> list[str]:
    """The bodies of the SMS in the outbox (to `phone` if given), oldest first."""
    with db.read() as s:
        query = select(m.SmsMessage).order_by(m.SmsMessage.id)
        if phone:
            query = query.where(m.SmsMessage.phone == phone)
        return [row.body for row in s.scalars(query)]


def sent_password(db: Database, phone: str) -> str:
    """The password in the latest SMS to `phone`."""
    body = outbox(db, phone)[-1]
    word = body.split("assword: ")[-1] if "assword: " in body else body.split("password is ")[1]
    return word.split()[0]


class Api:
    """A TestClient over the hub app, signed in as one user (or nobody)."""

    def __init__(self, client: TestClient, token: str | None = None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params):
        return self.client.get(path, params=params, headers=self.headers)

    def post(self, path: str, body=None, **kwargs):
        return self.client.post(path, json=body, headers=self.headers, **kwargs)

    def as_user(self, phone: str, password: str = PASSWORD) -> Api:
        answer = self.client.post(
            "/auth/login",
            json={"phone": phone, "password": password, "device_id": f"device-{phone}"},
        )
        assert answer.status_code == 200, answer.text
        return Api(self.client, answer.json()["access_token"])


def portal_app(db: Database, **settings) -> TestClient:
    """The hub app over `db`, in demo mode unless told otherwise: the tests read the
    passwords it sends from the outbox."""
    return TestClient(create_app(db, Settings(**{"mode": "demo", **settings})))
