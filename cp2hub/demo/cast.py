"""The demo cast: the people behind the demo accounts, their deployments and logins.

They live in the demo sub-county (the first seeded one) and always have complete,
payable profiles, so a demo of the claim screen shows other people's defects, not
the demo user's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cp2desk.sync.records import natural_id
from cp2hub.demo.accounts import DEMO_ACCOUNTS, SECOND_ADMIN
from cp2hub.demo.geography import Station, SubCounty
from cp2hub.demo.people import PeopleFactory, Person
from cp2hub.demo.staffing import Deployment


@dataclass
class Cast:
    sub_county: SubCounty
    centre: Station
    container: Station
    people: dict[str, Person] = field(default_factory=dict)  # role -> person
    deployments: list[Deployment] = field(default_factory=list)

    @property
    def user_ids(self) -> dict[str, str]:
        return {role: user_id(phone) for role, phone in DEMO_ACCOUNTS.items()}

    def marked_by(self) -> dict[str, str]:
        """Who marks attendance at the cast's stations: the centre manager and the clerk."""
        users = self.user_ids
        return {self.centre.id: users["centre_manager"], self.container.id: users["knec_clerk"]}


def user_id(phone: str) -> str:
    return natural_id("app_user", phone)


SECOND = "second_admin"
"""The cast's key of the second administrator (`SECOND_ADMIN`)."""


def make_cast(
    factory: PeopleFactory,
    series_id: str,
    sc: SubCounty,
    centres: list[Station],
    container: Station,
    secondary_schools: list[tuple[str, str]],
    primary_schools: list[tuple[str, str]],
) -> Cast:
    """The demo people; the centre manager teaches at another centre, never the demo one."""
    centre = centres[0]
    cast = Cast(sc, centre, container)
    own_school = (centres[1].code, centres[1].name) if len(centres) > 1 else secondary_schools[0]
    offices = {
        "tsc_director": f"Teachers Service Commission, {sc.name} Sub-County Office",
        "scde": f"Ministry of Education, {sc.name} Sub-County Office",
        "knec_clerk": "Kenya National Examinations Council",
        "admin": "Kenya National Examinations Council",
    }
    phones = DEMO_ACCOUNTS
    people = cast.people
    people["centre_manager"] = factory.person("secondary", sc, own_school, phones["centre_manager"])
    people["professional"] = factory.person(
        "primary", sc, primary_schools[0], phones["professional"]
    )
    people["knec_clerk"] = factory.person(
        "support", sc, None, phones["knec_clerk"], offices["knec_clerk"]
    )
    for role in ("tsc_director", "scde", "admin"):
        people[role] = factory.person("official", sc, None, phones[role], offices[role])
        if role != "tsc_director":
            people[role].row["tsc_number"] = None
    people[SECOND] = factory.person("official", sc, None, SECOND_ADMIN, offices["admin"])
    people[SECOND].row["tsc_number"] = None
    for person in people.values():
        row = person.row  # always payable by M-Pesa under their own name
        row.update(payment_method="mpesa", mpesa_phone=row["phone"], mpesa_name=person.full_name)
        row.update(bank_name=None, bank_account=None)
    for role, station, position in (
        ("centre_manager", centre, "centre_manager"),
        ("professional", centre, "invigilator"),
        ("knec_clerk", container, "clerk"),
    ):
        person = people[role]
        cast.deployments.append(
            Deployment(natural_id("deployment", series_id, person.id), person, station, position)
        )
    return cast


def user_rows(cast: Cast, password_hash: str) -> tuple[list[dict], list[dict]]:
    """app_user rows and role_grant rows: each account's role plus 'professional'."""
    scope = {
        "centre_manager": {"station_id": cast.centre.id},
        "tsc_director": {"sub_county_id": cast.sub_county.id},
        "scde": {"sub_county_id": cast.sub_county.id},
        "knec_clerk": {"station_id": cast.container.id},
        "admin": {},
        "professional": {},
        SECOND: {},
    }
    users, grants = [], []
    for account, phone in (*DEMO_ACCOUNTS.items(), (SECOND, SECOND_ADMIN)):
        person = cast.people[account]
        role = "admin" if account == SECOND else account
        uid = user_id(phone)
        users.append(
            {
                "id": uid,
                "phone": phone,
                "professional_id": person.id,
                "display_name": person.full_name,
                "password_hash": password_hash,
            }
        )
        for granted in dict.fromkeys((role, "professional")):
            grants.append(
                {
                    "id": natural_id("role_grant", uid, granted),
                    "user_id": uid,
                    "role": granted,
                    "station_id": None,
                    "sub_county_id": None,
                    **(scope[account] if granted == role else {}),
                }
            )
    return users, grants
