"""Seed a hub with realistic, deterministic demo data (`cp2hub seed-demo`).

Same seed and same `today` give the same rows, ids and checksum on any database:
one `random.Random(seed)` drives every choice and ids are natural ids. The data:
the 47 counties and their real sub-counties; per sub-county used a
container and exam centres with KNEC-style codes; contracted professionals with
Kenyan names and payment details; a KCSE series around `today` with its timetable,
deployments that respect KNEC's rules, and attendance for the sessions already sat;
a KPSEA series ahead with open vacancies and applications; and the demo accounts
(`DEMO_ACCOUNTS`, password `DEMO_PASSWORD`).

Rows go in through `BulkWriter` (Core executemany, sequence numbers reserved per
chunk), all in one transaction: a seed is there whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from dataclasses import dataclass

from sqlalchemy import select

from cp2desk.sync.records import RECORD_BY_TABLE, wire_columns
from cp2hub import models as m
from cp2hub.db import Database, redacted
from cp2hub.demo import catalogue, geography, jobs, staffing
from cp2hub.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from cp2hub.demo.bulk import BulkWriter
from cp2hub.demo.cast import Cast, make_cast, user_rows
from cp2hub.demo.geography import Station, SubCounty
from cp2hub.demo.people import PeopleFactory, Person
from cp2hub.demo.reference import KCSE_PAPERS
from cp2hub.passwords import hash_password
from cp2hub.schema import clear, has_data

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "SIZES",
    "DatabaseNotEmpty",
    "content_checksum",
    "seed_demo",
]


@dataclass(frozen=True)
class Size:
    sub_counties: int | None  # None: every sub-county of every county
    centres: int
    professionals: int
    median_candidates: int
    attendance_sessions: int | None  # the most recent past sessions with attendance; None: all
    history_share: float = 0.75  # professionals who filled in work experience and qualifications


SIZES: dict[str, Size] = {
    "small": Size(1, 8, 150, 90, None),
    "medium": Size(3, 45, 1_200, 90, None),
    "large": Size(1, 120, 6_000, 700, None),  # stress: big urban centres, ~4,000 officers
    "national": Size(None, 10_000, 250_000, 85, 2, history_share=0.25),
}
SHARES = {"primary": 0.5, "secondary": 0.38, "police": 0.06, "support": 0.06}
"""How professionals beyond those needed split by kind."""


class DatabaseNotEmpty(Exception):
    """Seeding would mix demo rows with existing data; the user must ask for a reset."""


def seed_demo(
    db: Database,
    size: str = "small",
    seed: int = 2026,
    today: dt.date | None = None,
    reset: bool = False,
    insert_method: str = "auto",
) -> dict[str, int]:
    """Seed an already migrated database; returns rows written per table.

    Refuses (DatabaseNotEmpty) if the database has data, unless `reset`, which first
    empties every replicated and hub table. `insert_method` is BulkWriter's ("auto":
    COPY on PostgreSQL, Core executemany elsewhere).
    """
    if has_data(db):
        if not reset:
            raise DatabaseNotEmpty(
                f"{redacted(db.url)} already has data; use --reset to replace it with demo data."
            )
        clear(db)
    with db.write() as session:
        writer = BulkWriter(session, method=insert_method)
        try:
            Seeder(writer, SIZES[size], random.Random(seed), today or dt.date.today()).run()
        except BaseException:
            writer.close(abandon=True)
            raise
        writer.close()
        return dict(sorted(writer.counts.items()))


class Seeder:
    """One seeding run: the shared rows first, then one sub-county at a time (so a
    national seed holds one sub-county's people in memory, not 250,000), the demo
    sub-county and its cast first, the demo logins last."""

    def __init__(self, writer: BulkWriter, size: Size, rng: random.Random, today: dt.date) -> None:
        self.size = size
        self.rng = rng
        self.today = today
        self.writer = writer
        self.people = PeopleFactory(rng, today)
        self.position_ids = {code: catalogue.position_id(code) for code, _ in catalogue.POSITIONS}

    def run(self) -> None:
        add, rng = self.writer.add, self.rng
        add(m.County, geography.county_rows())
        chosen = geography.choose_sub_counties(rng, self.size.sub_counties)
        # Every county's sub-counties, whatever the size: the portal's and My CP2's
        # drop-downs list the chosen county's, so a professional of any county finds theirs.
        add(
            m.SubCounty,
            [geography.sub_county_row(sc) for c in geography.county_codes() for sc in
             geography.sub_counties_of(c)],
        )  # fmt: skip
        add(m.Position, catalogue.position_rows())
        self._series()
        plans = []
        for sc, count in zip(chosen, self._centre_counts(len(chosen)), strict=True):
            container = geography.distribution_centre(sc)
            median = self.size.median_candidates
            plans.append((sc, container, geography.exam_centres(rng, sc, count, median, container)))
        needs = [staffing.needs_by_kind([container, *centres]) for _sc, container, centres in plans]
        total_need = sum(sum(n.values()) for n in needs)
        cast = None
        for (sc, container, centres), need in zip(plans, needs, strict=True):
            pool = self.size.professionals * sum(need.values()) / total_need
            staffed = self._sub_county(sc, container, centres, need, pool, demo=cast is None)
            cast = cast or staffed
        users, grants = user_rows(cast, hash_password(DEMO_PASSWORD))
        add(m.AppUser, users)
        add(m.RoleGrant, grants)

    def _series(self) -> None:
        add = self.writer.add
        days = catalogue.kcse_days(self.rng, self.today)
        self.kcse = catalogue.series_row("KCSE", "Kenya Certificate of Secondary Education", days)
        kcse_rows, sessions = catalogue.timetable(self.rng, self.kcse, days, KCSE_PAPERS)
        self.kpsea = catalogue.series_row(
            "KPSEA", "Kenya Primary School Education Assessment", catalogue.kpsea_days(self.today)
        )
        kpsea_rows, _ = catalogue.kpsea_timetable(self.kpsea, catalogue.kpsea_days(self.today))
        add(m.Series, [self.kcse, self.kpsea])
        add(m.ExamSession, kcse_rows + kpsea_rows)
        add(m.Rate, catalogue.rate_rows(self.kcse["id"]) + catalogue.rate_rows(self.kpsea["id"]))
        past = [s for s in sessions if s.day < self.today]
        keep = self.size.attendance_sessions
        self.past_sessions = past if keep is None else past[-keep:]

    def _centre_counts(self, sub_counties: int) -> list[int]:
        """Exam centres per sub-county: even for a few, uneven (as in life) nationally."""
        if self.size.sub_counties is not None:
            base, extra = divmod(self.size.centres, sub_counties)
            return [base + (1 if i < extra else 0) for i in range(sub_counties)]
        weights = [self.rng.uniform(0.35, 1.65) for _ in range(sub_counties)]
        scale = self.size.centres / sum(weights)
        counts = [max(1, min(len(geography.CENTRE_NUMBERS), int(w * scale))) for w in weights]
        order = sorted(
            range(sub_counties), key=lambda i: weights[i] * scale - counts[i], reverse=True
        )
        for i in order[: max(0, self.size.centres - sum(counts))]:
            counts[i] += 1
        return counts

    def _sub_county(
        self,
        sc: SubCounty,
        container: Station,
        centres: list[Station],
        need: dict[str, int],
        pool_size: float,
        demo: bool,
    ) -> Cast | None:
        add, rng, series_id = self.writer.add, self.rng, self.kcse["id"]
        stations = [container, *centres]
        add(m.Station, [s.row() for s in stations])
        add(m.Requirement, [r for s in stations for r in s.requirement_rows(self.position_ids)])
        others = geography.schools(
            rng, sc, "secondary", geography.OTHER_SECONDARY_NUMBERS[: max(3, len(centres) // 2)]
        )
        primaries = geography.schools(
            rng, sc, "primary", geography.PRIMARY_NUMBERS[: max(4, min(500, 2 * len(centres)))]
        )
        cast = (
            make_cast(self.people, series_id, sc, centres, container, others, primaries)
            if demo
            else None
        )
        pools = self._pools(sc, centres, need, pool_size, others, primaries)
        everyone = [p for pool in pools.values() for p in pool]
        lacking = staffing.shortfalls(rng, centres, {cast.centre.id} if cast else set())
        fixed = cast.deployments if cast else []
        deployments = staffing.deploy(series_id, stations, pools, lacking, fixed)
        cast_ids = {p.id for p in cast.people.values()} if cast else set()
        staffing.add_defects(rng, [d.person for d in deployments if d.person.id not in cast_ids])
        people = [*(cast.people.values() if cast else ()), *everyone]
        self._people(people, others + [(c.code, c.name) for c in centres])
        add(m.Deployment, [d.row(series_id, self.position_ids) for d in deployments])
        marked_by = cast.marked_by() if cast else {}
        add(m.Attendance, staffing.attendance_rows(rng, deployments, self.past_sessions, marked_by))
        vacancies = jobs.vacancy_rows(
            rng, self.kpsea["id"], sc, stations, self.position_ids, self.today
        )
        add(m.Vacancy, list(vacancies.values()))
        applications = jobs.application_rows(rng, everyone, vacancies, self.today)
        if cast:
            mine = jobs.application(
                rng, vacancies["invigilator"], cast.people["professional"], self.today
            )
            applications = [a for a in applications if a["id"] != mine["id"]] + [mine]
        add(m.Application, applications)
        return cast

    def _pools(
        self,
        sc: SubCounty,
        centres: list[Station],
        need: dict[str, int],
        pool_size: float,
        others: list[tuple[str, str]],
        primaries: list[tuple[str, str]],
    ) -> dict[str, list[Person]]:
        """Professionals of each kind: what the stations need, plus a margin who are not
        deployed (they apply, they stand by, they are redeployed in)."""
        needed = sum(need.values())
        extra = max(pool_size - needed, 0.15 * needed + 4)
        secondary_schools = [(c.code, c.name) for c in centres]
        pools: dict[str, list[Person]] = {}
        for kind, share in SHARES.items():
            count = need.get(kind, 0) + math.ceil(extra * share)
            people = pools[kind] = []
            for _ in range(count):
                school = None
                if kind == "secondary":
                    at_centre = secondary_schools and self.rng.random() < 0.75
                    school = self.rng.choice(secondary_schools if at_centre else others)
                elif kind == "primary":
                    school = self.rng.choice(primaries)
                people.append(self.people.person(kind, sc, school))
        return pools

    def _people(self, people: list[Person], schools: list[tuple[str, str]]) -> None:
        add = self.writer.add
        add(m.Professional, [p.row for p in people])
        for person in people:
            work, qualifications = self.people.history(person, schools, self.size.history_share)
            add(m.WorkExperience, work)
            add(m.Qualification, qualifications)


def content_checksum(db: Database) -> str:
    """A digest of every replicated row's content (all wire columns but `hlc` and `seq`,
    which record when a row was written, not what it says)."""
    digest = hashlib.sha256()
    with db.read() as session:
        for model in m.REPLICATED:
            columns = [
                c
                for c in wire_columns(RECORD_BY_TABLE[model.__tablename__])
                if c not in ("hlc", "seq")
            ]
            table = model.__table__
            rows = session.execute(select(*(table.c[c] for c in columns))).all()
            digest.update(model.__tablename__.encode())
            for row in sorted(rows, key=lambda r: r[0]):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
