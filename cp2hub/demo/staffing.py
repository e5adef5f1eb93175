"""Demo deployments and attendance, following KNEC's rules.

- Nobody serves at their own school (institution code != station code).
- Nobody is deployed twice in a series (one active deployment per officer).
- Secondary teachers supervise and manage centres but never invigilate KCSE;
  invigilators are primary teachers. Police guard, support staff clerk and drive.
- A few centres are deliberately short of officers so the directors' shortfall
  views have something to show, and a few deployed officers have profile defects
  (KNEC's own reasons for unpaid claims) so claims have something to block.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass

from cp2desk.sync.records import natural_id
from cp2hub.demo.catalogue import Session
from cp2hub.demo.geography import Station
from cp2hub.demo.people import Person

KIND_FOR_POSITION = {
    "centre_manager": "secondary",
    "supervisor": "secondary",
    "invigilator": "primary",
    "security_officer": "police",
    "clerk": "support",
    "driver": "support",
}
DEFECTS = (
    "mpesa_name_mismatch",
    "missing_national_id",
    "missing_tsc_number",
    "missing_mpesa_phone",
)


@dataclass(frozen=True)
class Deployment:
    id: str
    person: Person
    station: Station
    position: str

    def row(self, series_id: str, position_ids: dict[str, str]) -> dict:
        return {
            "id": self.id,
            "series_id": series_id,
            "professional_id": self.person.id,
            "station_id": self.station.id,
            "position_id": position_ids[self.position],
            "from_session_id": None,
            "until_session_id": None,
            "status": "active",
        }


def needs_by_kind(stations: list[Station]) -> Counter[str]:
    needed: Counter[str] = Counter()
    for station in stations:
        for position, count in station.required.items():
            needed[KIND_FOR_POSITION[position]] += count
    return needed


def shortfalls(
    rng: random.Random, centres: list[Station], spare: set[str]
) -> dict[str, dict[str, int]]:
    """Officers each short centre will lack: about one centre in eight, never those in `spare`."""
    candidates = [c for c in centres if c.id not in spare]
    if not candidates:
        return {}
    count = max(1, round(len(centres) / 8))
    short = {}
    for centre in rng.sample(candidates, min(count, len(candidates))):
        lacking = {"invigilator": min(centre.required["invigilator"], rng.randint(1, 2))}
        if rng.random() < 0.3:
            lacking["security_officer"] = 1
        elif rng.random() < 0.3 and centre.required["supervisor"] > 0:
            lacking["supervisor"] = 1
        short[centre.id] = lacking
    return short


def deploy(
    series_id: str,
    stations: list[Station],
    pools: dict[str, list[Person]],
    lacking: dict[str, dict[str, int]],
    already: list[Deployment],
) -> list[Deployment]:
    """Fill every station's requirements from the pools, minus what it lacks on purpose.

    `already` are fixed deployments (the demo cast); they count towards requirements.
    Pools are consumed: a person is taken at most once.
    """
    filled = Counter((d.station.id, d.position) for d in already)
    deployments = list(already)
    for station in stations:
        for position, required in station.required.items():
            wanted = required - lacking.get(station.id, {}).get(position, 0)
            wanted -= filled[(station.id, position)]
            pool = pools[KIND_FOR_POSITION[position]]
            for _ in range(max(0, wanted)):
                person = _take(pool, station)
                if person is None:
                    break
                deployments.append(
                    Deployment(
                        natural_id("deployment", series_id, person.id), person, station, position
                    )
                )
    return deployments


def _take(pool: list[Person], station: Station) -> Person | None:
    """The next person in the pool who does not teach at `station`."""
    for index in range(len(pool) - 1, -1, -1):
        if pool[index].row["institution_code"] != station.code:
            return pool.pop(index)
    return None


def add_defects(rng: random.Random, deployed: list[Person]) -> dict[str, list[str]]:
    """Break about 3% of the deployed profiles (at least one of each defect); returns ids."""
    teachers = [p for p in deployed if p.row["tsc_number"]]
    mpesa = [p for p in deployed if p.row["payment_method"] == "mpesa"]
    each = max(1, round(len(deployed) * 0.03 / len(DEFECTS)))
    broken: dict[str, list[str]] = {}
    used: set[str] = set()
    for defect, pool in zip(DEFECTS, (mpesa, deployed, teachers, mpesa), strict=True):
        choices = [p for p in pool if p.id not in used]
        for person in rng.sample(choices, min(each, len(choices))):
            used.add(person.id)
            broken.setdefault(defect, []).append(person.id)
            row = person.row
            if defect == "mpesa_name_mismatch":
                row["mpesa_name"] = f"{row['first_name']} {rng.choice(_OTHER_SURNAMES)}"
            elif defect == "missing_national_id":
                row["national_id"] = None
            elif defect == "missing_tsc_number":
                row["tsc_number"] = None
            else:
                row["mpesa_phone"] = None
    return broken


_OTHER_SURNAMES = ("Otieno", "Kamau", "Wanjala", "Kiprop", "Mutua", "Hassan", "Nyaboke")


def attendance_rows(
    rng: random.Random,
    deployments: list[Deployment],
    sessions: list[Session],
    marked_by: dict[str, str],
) -> list[dict]:
    """Attendance of every deployment at every given (past) session.

    Most officers are present, checked in before the start; a few are late or absent.
    `marked_by` maps a station id to the user who marked it, where that user exists.
    """
    rows = []
    for session in sessions:
        start = dt.datetime.combine(session.day, session.starts_at)
        for deployment in deployments:
            roll = rng.random()
            if roll < 0.03:
                status, check_in = "absent", None
            elif roll < 0.09:
                status, check_in = "late", (start + dt.timedelta(minutes=rng.randint(5, 40))).time()
            else:
                status, check_in = (
                    "present",
                    (start - dt.timedelta(minutes=rng.randint(10, 75))).time(),
                )
            rows.append(
                {
                    "id": natural_id("attendance", deployment.id, session.id),
                    "deployment_id": deployment.id,
                    "session_id": session.id,
                    "station_id": deployment.station.id,
                    "professional_id": deployment.person.id,
                    "status": status,
                    "check_in": check_in.replace(second=0, microsecond=0) if check_in else None,
                    "marked_by": marked_by.get(deployment.station.id),
                }
            )
    return rows
