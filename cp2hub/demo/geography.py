"""Demo places: the 47 counties, real sub-counties, exam centres and containers.

Codes follow KNEC's shape: a centre's 8 digits are the county (2), the sub-county's
number within it (3) and the school's number (3). School numbers 001-299 are the
seeded exam centres, 300-499 other secondary schools, 500-999 primary schools, so
a teacher's institution code never collides with a station it is not.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field

from cp2desk.sync.records import natural_id
from cp2hub.demo.reference import (
    COUNTIES,
    COUNTY_TOWNS,
    SAINTS,
    SCHOOL_NAME_PATTERNS,
    SUB_COUNTIES,
)

CENTRE_NUMBERS = range(1, 300)
OTHER_SECONDARY_NUMBERS = range(300, 500)
PRIMARY_NUMBERS = range(500, 1000)


@dataclass(frozen=True)
class SubCounty:
    id: str
    county_id: str
    county_code: str
    number: int
    code: str
    name: str

    def school_code(self, school_number: int) -> str:
        return f"{self.county_code[-2:]}{self.number:03d}{school_number:03d}"


@dataclass
class Station:
    id: str
    code: str
    name: str
    kind: str
    sub_county: SubCounty
    candidates: int = 0
    distribution_centre_id: str | None = None
    required: dict[str, int] = field(default_factory=dict)

    def row(self) -> dict:
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "county_id": self.sub_county.county_id,
            "sub_county_id": self.sub_county.id,
            "candidates": self.candidates,
            "distribution_centre_id": self.distribution_centre_id,
        }

    def requirement_rows(self, position_ids: dict[str, str]) -> list[dict]:
        return [
            {
                "id": natural_id("requirement", self.id, code),
                "station_id": self.id,
                "position_id": position_ids[code],
                "required": count,
            }
            for code, count in self.required.items()
        ]


def county_id(code: str) -> str:
    return natural_id("county", code)


def county_codes() -> list[str]:
    return [code for code, _name in COUNTIES]


def county_rows() -> list[dict]:
    return [{"id": county_id(code), "code": code, "name": name} for code, name in COUNTIES]


def sub_counties_of(county_code: str) -> list[SubCounty]:
    return [
        SubCounty(
            id=natural_id("sub_county", f"{county_code}{number:02d}"),
            county_id=county_id(county_code),
            county_code=county_code,
            number=number,
            code=f"{county_code}{number:02d}",
            name=name,
        )
        for number, name in enumerate(SUB_COUNTIES[county_code], start=1)
    ]


def sub_county_row(sc: SubCounty) -> dict:
    return {"id": sc.id, "county_id": sc.county_id, "code": sc.code, "name": sc.name}


def choose_sub_counties(rng: random.Random, wanted: int | None) -> list[SubCounty]:
    """`wanted` sub-counties of one county (the first is the demo one), or all if None."""
    if wanted is None:
        return [sc for code, _name in COUNTIES for sc in sub_counties_of(code)]
    eligible = [code for code, _ in COUNTIES if len(SUB_COUNTIES[code]) >= wanted]
    return rng.sample(sub_counties_of(rng.choice(eligible)), wanted)


def requirements(candidates: int) -> dict[str, int]:
    """Officers an exam centre needs, from its candidates."""
    return {
        "centre_manager": 1,
        "supervisor": max(1, math.ceil(candidates / 200)),
        "invigilator": max(1, math.ceil(candidates / 30)),
        "security_officer": 1 if candidates < 250 else 2,
    }


CONTAINER_NEEDS = {"clerk": 2, "driver": 2, "security_officer": 2}


def distribution_centre(sc: SubCounty) -> Station:
    return Station(
        id=natural_id("station", f"DC{sc.code}"),
        code=f"DC{sc.code}",
        name=f"{sc.name} Sub-County Examination Container",
        kind="distribution_centre",
        sub_county=sc,
        required=dict(CONTAINER_NEEDS),
    )


def exam_centres(
    rng: random.Random, sc: SubCounty, count: int, median_candidates: int, container: Station
) -> list[Station]:
    names = SchoolNames(rng, "secondary", sc)
    centres = []
    for number in CENTRE_NUMBERS[:count]:
        code = sc.school_code(number)
        spread = rng.lognormvariate(math.log(median_candidates), 0.55)
        candidates = max(12, min(1400, int(spread)))
        centres.append(
            Station(
                id=natural_id("station", code),
                code=code,
                name=names.next(),
                kind="exam_centre",
                sub_county=sc,
                candidates=candidates,
                distribution_centre_id=container.id,
                required=requirements(candidates),
            )
        )
    return centres


DIRECTIONS = re.compile(r"\s+(North|South|East|West|Central|Town|Township|Rural)\b.*$")


NO_MISSION_SCHOOLS = {"007", "008", "009"}
"""Garissa, Wajir and Mandera: almost wholly Muslim, their schools are public ones named
after their place, not after a saint or a church."""
MISSION = re.compile(r"St\. |AIC |ACK |PCEA |Friends ")


def place_of(sc: SubCounty) -> str:
    """The place a sub-county is named after: 'Wajir North' -> 'Wajir',
    "Chuka/Igambang'ombe" -> 'Chuka'."""
    return DIRECTIONS.sub("", sc.name.split("/")[0]).strip() or sc.name


class SchoolNames:
    """School names from the reference patterns, unique within one sub-county, each named
    after the sub-county's own place (as often as not) or another town of its county, so
    that a school in Tarbaj is never called after Taveta."""

    def __init__(self, rng: random.Random, level: str, sc: SubCounty) -> None:
        self.rng = rng
        self.patterns = SCHOOL_NAME_PATTERNS[level]
        if sc.county_code in NO_MISSION_SCHOOLS:
            self.patterns = tuple(p for p in self.patterns if not MISSION.search(p))
        self.home = place_of(sc)
        self.places = tuple(t for t in COUNTY_TOWNS[sc.county_code] if t != self.home)
        self.used: set[str] = set()

    def next(self) -> str:
        for _ in range(50):
            place = self.home if self.rng.random() < 0.4 else self.rng.choice(self.places)
            name = self.rng.choice(self.patterns).format(place=place, saint=self.rng.choice(SAINTS))
            if name not in self.used:
                break
        self.used.add(name)
        return name


def schools(rng: random.Random, sc: SubCounty, level: str, numbers: range) -> list[tuple[str, str]]:
    """(code, name) of schools that are not seeded stations: where teachers teach."""
    names = SchoolNames(rng, level, sc)
    return [(sc.school_code(n), names.next()) for n in numbers]
