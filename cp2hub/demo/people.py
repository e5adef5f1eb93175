"""Demo contracted professionals: Kenyan names, unique phones, IDs and TSC numbers,
home institutions, payment details, work experience and qualifications.

A person is generated as a plain dict (the professional row) plus its `kind`, which
decides the positions they can hold: primary and secondary teachers, police officers
(security) and support staff (clerks, drivers). Officials are the TSC, Ministry and
KNEC staff behind the demo accounts.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from cp2desk.sync.records import natural_id
from cp2hub.demo.accounts import DEMO_ACCOUNTS, SECOND_ADMIN
from cp2hub.demo.geography import SubCounty
from cp2hub.demo.reference import (
    BANKS,
    FIRST_NAMES_FEMALE,
    FIRST_NAMES_MALE,
    QUALIFICATIONS,
    SAFARICOM_PREFIXES,
    SURNAMES,
    TERTIARY_INSTITUTIONS,
)

KINDS = ("primary", "secondary", "police", "support")
POLICE = "National Police Service"
SUPPORT_EMPLOYERS = ("Ministry of Education", "Kenya National Examinations Council")
QUALIFICATIONS_BY_LEVEL = {
    "primary": [q for q in QUALIFICATIONS if "Primary" in q[1] or "Early" in q[1] or "P1" in q[1]]
    + [q for q in QUALIFICATIONS if q[1].startswith("Bachelor of Education (Arts")],
    "secondary": [
        q for q in QUALIFICATIONS if q[0] in ("Degree", "Postgraduate Diploma", "Masters")
    ]
    + [q for q in QUALIFICATIONS if q[1].startswith("Diploma in Education (")],
}
TEACHER_TITLES = ("Teacher", "Teacher", "Teacher", "Senior Teacher", "Head of Department")
POLICE_TITLES = ("Police Constable", "Police Constable", "Corporal", "Sergeant")


@dataclass
class Person:
    kind: str
    row: dict

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def full_name(self) -> str:
        r = self.row
        return " ".join(p for p in (r["first_name"], r["middle_name"], r["last_name"]) if p)


class UniqueNumbers:
    """Distinct random integers from a range, drawn one at a time (the range is large)."""

    def __init__(self, rng: random.Random, low: int, high: int, taken: set[int]) -> None:
        self.rng, self.low, self.high, self.taken = rng, low, high, set(taken)

    def next(self) -> int:
        while True:
            value = self.rng.randrange(self.low, self.high)
            if value not in self.taken:
                self.taken.add(value)
                return value


class PeopleFactory:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        demo = {_phone_index(phone) for phone in (*DEMO_ACCOUNTS.values(), SECOND_ADMIN)}
        self._phones = UniqueNumbers(rng, 0, len(SAFARICOM_PREFIXES) * 1_000_000, demo)
        self._national_ids = UniqueNumbers(rng, 10_000_000, 40_000_000, set())
        self._tsc = UniqueNumbers(rng, 100_000, 1_000_000, set())

    def phone(self) -> str:
        index = self._phones.next()
        prefix = SAFARICOM_PREFIXES[index // 1_000_000]
        return f"254{prefix[1:]}{index % 1_000_000:06d}"

    def person(
        self,
        kind: str,
        sc: SubCounty,
        school: tuple[str, str] | None = None,
        phone: str | None = None,
        employer: str | None = None,
    ) -> Person:
        """A complete, payable profile; defects are added later on purpose (see staffing)."""
        rng = self.rng
        female = rng.random() < 0.5
        first = rng.choice(FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE)
        if rng.random() < 0.6:
            middle = rng.choice(SURNAMES)
        else:
            middle = rng.choice(FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE)
        last = rng.choice(SURNAMES)
        phone = phone or self.phone()
        teacher = kind in ("primary", "secondary")
        if teacher and school:
            code, institution = school
        else:
            code, institution = (
                None,
                employer or (POLICE if kind == "police" else rng.choice(SUPPORT_EMPLOYERS)),
            )
        born = dt.date(rng.randint(1968, 2000), rng.randint(1, 12), rng.randint(1, 28))
        row = {
            "id": natural_id("professional", phone),
            "phone": phone,
            "national_id": str(self._national_ids.next()),
            "tsc_number": str(self._tsc.next()) if teacher or kind == "official" else None,
            "first_name": first,
            "middle_name": middle,
            "last_name": last,
            "gender": "F" if female else "M",
            "date_of_birth": born,
            "institution_code": code,
            "institution_name": institution,
            "teacher_level": kind if teacher else None,
            "county_id": sc.county_id,
            "sub_county_id": sc.id,
            "kra_pin": f"A{rng.randrange(10**9):09d}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}",
        }
        person = Person(kind, row)
        row.update(self._payment(person))
        return person

    def _payment(self, person: Person) -> dict:
        rng = self.rng
        if rng.random() < 0.88:
            return {
                "payment_method": "mpesa",
                "mpesa_phone": person.row["phone"],
                "mpesa_name": person.full_name,
                "bank_name": None,
                "bank_account": None,
            }
        return {
            "payment_method": "bank",
            "mpesa_phone": None,
            "mpesa_name": None,
            "bank_name": rng.choice(BANKS),
            "bank_account": f"{rng.randrange(10**12, 10**13)}",
        }

    def history(
        self, person: Person, other_schools: list[tuple[str, str]], share: float = 0.75
    ) -> tuple[list, list]:
        """Work experience and qualification rows; only `share` of people filled them in."""
        rng, row = self.rng, person.row
        work: list[dict] = []
        qualifications: list[dict] = []
        if person.kind == "official" or rng.random() >= share:
            return work, qualifications
        adult = row["date_of_birth"].year + 22
        started = dt.date(
            rng.randint(adult, max(adult, self.today.year - 1)), rng.choice((1, 5, 9)), 1
        )
        if person.kind in ("primary", "secondary"):
            title = rng.choice(TEACHER_TITLES)
            if other_schools and rng.random() < 0.4 and started.year > adult + 2:
                previous = rng.choice(other_schools)[1]
                moved = dt.date(rng.randint(adult, started.year - 1), 1, 1)
                work.append(_work(row, 0, previous, "Teacher", moved, started))
            work.append(_work(row, len(work), row["institution_name"], title, started, None))
            options = QUALIFICATIONS_BY_LEVEL[person.kind]
            for number in range(1 if rng.random() < 0.7 else 2):
                level, title = rng.choice(options)
                year = rng.randint(adult - 1, started.year)
                qualifications.append(
                    {
                        "id": natural_id("qualification", row["id"], number),
                        "professional_id": row["id"],
                        "level": level,
                        "title": title,
                        "institution": rng.choice(TERTIARY_INSTITUTIONS),
                        "year": year,
                    }
                )
        elif person.kind == "police":
            work.append(_work(row, 0, POLICE, rng.choice(POLICE_TITLES), started, None))
        else:
            title = (
                "Driver" if "Ministry" in (row["institution_name"] or "") else "Clerical Officer"
            )
            work.append(_work(row, 0, row["institution_name"], title, started, None))
        return work, qualifications


def _work(
    row: dict, number: int, employer: str, title: str, start: dt.date, end: dt.date | None
) -> dict:
    return {
        "id": natural_id("work_experience", row["id"], number),
        "professional_id": row["id"],
        "employer": employer,
        "title": title,
        "start_on": start,
        "end_on": end,
    }


def _phone_index(phone: str) -> int:
    """Where a 2547XXXXXXXX phone sits in the factory's number space (to keep it free)."""
    prefix = "0" + phone[3:6]
    return SAFARICOM_PREFIXES.index(prefix) * 1_000_000 + int(phone[6:])
