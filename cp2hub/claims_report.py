"""Claims as KNEC's back office follows them: totals by county and sub-county, and the
blocked claims by reason with each officer's contact, so someone can call them while
the examination still runs.

Read-only, from the hub's claim rows (`cp2hub.claims` computes them). An officer counts
where they serve: the station of their deployment in force (the last one started).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2hub.claims import REASONS, UnknownSeries
from cp2hub.models import Claim, County, Deployment, Professional, Series, Station, SubCounty

STATES = ("payable", "blocked", "paid")


@dataclass
class Totals:
    place: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    amounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    def add(self, status: str, amount: int) -> None:
        key = status if status in STATES else "blocked"
        self.counts[key] += 1
        self.amounts[key] += amount


@dataclass(frozen=True)
class BlockedClaim:
    name: str
    phone: str
    centre: str
    sub_county: str
    amount: int
    reasons: list[tuple[str, str]]


@dataclass
class Report:
    series_code: str
    series_name: str
    national: Totals
    counties: list[tuple[Totals, list[Totals]]]
    """Each county's totals with its sub-counties'."""
    reasons: dict[str, int]
    blocked: list[BlockedClaim]


def report(
    session: Session, series_code: str, reason: str | None = None, limit: int = 500
) -> Report:
    series = session.scalar(select(Series).where(Series.code == series_code))
    if series is None:
        raise UnknownSeries(f"There is no series {series_code!r}.")
    where = _where_served(session, series.id)
    places = {
        sid: (sub, county)
        for sid, sub, county in session.execute(
            select(SubCounty.id, SubCounty.name, County.name).join(
                County, County.id == SubCounty.county_id
            )
        )
    }
    national = Totals("Kenya")
    counties: dict[str, Totals] = {}
    subs: dict[str, dict[str, Totals]] = defaultdict(dict)
    reasons = dict.fromkeys(REASONS, 0)
    blocked: list[BlockedClaim] = []
    rows = session.execute(
        select(Claim.status, Claim.amount, Claim.blocked, Professional.id, Professional.phone,
               Professional.first_name, Professional.last_name)
        .join(Professional, Professional.id == Claim.professional_id)
        .where(Claim.series_id == series.id, Claim.deleted.is_(False))
        .order_by(Professional.last_name, Professional.first_name)
    ).all()  # fmt: skip
    for status, amount, text, pid, phone, first, last in rows:
        centre, sub_id = where.get(pid, ("", ""))
        sub_name, county_name = places.get(sub_id, ("Not deployed", "Not deployed"))
        national.add(status, amount)
        counties.setdefault(county_name, Totals(county_name)).add(status, amount)
        subs[county_name].setdefault(sub_name, Totals(sub_name)).add(status, amount)
        if status != "blocked":
            continue
        codes = [line.partition(": ") for line in text.splitlines() if line.strip()]
        found = [(code, why) for code, _sep, why in codes]
        for code in {c for c, _w in found}:
            reasons[code] = reasons.get(code, 0) + 1
        if (reason is None or any(c == reason for c, _w in found)) and len(blocked) < limit:
            blocked.append(
                BlockedClaim(f"{first} {last}".strip(), phone, centre, sub_name, amount, found)
            )
    ordered = [
        (counties[name], [subs[name][s] for s in sorted(subs[name])]) for name in sorted(counties)
    ]
    return Report(series.code, series.name, national, ordered, reasons, blocked)


def _where_served(session: Session, series_id: str) -> dict[str, tuple[str, str]]:
    """Officer -> (centre's name, sub-county id) of their deployment in force."""
    rows = session.execute(
        select(Deployment.professional_id, Station.name, Station.sub_county_id)
        .join(Station, Station.id == Deployment.station_id)
        .where(Deployment.series_id == series_id, Deployment.deleted.is_(False))
        .order_by(Deployment.professional_id, Deployment.status == "active")
    ).all()
    return {pid: (name, sub) for pid, name, sub in rows}


def series_codes(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every series: those begun first (the latest begun on top: the one
    whose claims are followed now), then those still to come."""
    today = dt.date.today()
    rows = session.execute(
        select(Series.code, Series.name, Series.starts_on).where(Series.deleted.is_(False))
    ).all()
    rows.sort(key=lambda r: (r.starts_on > today, -r.starts_on.toordinal()))
    return [(code, name) for code, name, _starts in rows]
