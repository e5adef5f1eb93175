"""Claims as the desktop shows them: a professional's own, and a sub-county's with totals.

Claims are computed on the hub (`cp2hub.claims`) and replicated: the device only reads
them, joined with the deployments it holds to say where and as what each officer served.
A blocked claim's reasons arrive as lines "code: what is wrong"; `Reason` keeps both, so
a screen can name each problem in KNEC's words and say what to do about it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2desk.local_db.models import (
    AppUser,
    Claim,
    County,
    Deployment,
    ExamSession,
    Position,
    Professional,
    Rate,
    RoleGrant,
    Series,
    Station,
    SubCounty,
)
from cp2desk.local_db.replica import Replica
from cp2desk.services.timetable import span

TITLES = {
    "missing_name": "No name",
    "name_mismatch": "M-Pesa name differs",
    "missing_national_id": "No ID number",
    "missing_tsc_number": "No TSC number",
    "missing_payment": "No payment details",
    "no_attendance": "No attendance",
    "not_deployed": "Not on the deployment list",
    "duplicate": "Appears twice",
    "no_rate": "No rate set",
    "payment_failed": "Payment failed",
}
WHAT_TO_DO = {
    "missing_name": "Add your first and last names to your CP2 profile, as on your ID card.",
    "name_mismatch": "Correct your name in your CP2 profile to match the M-Pesa registration "
    "(or register the M-Pesa line in your own name).",
    "missing_national_id": "Add your national ID number to your CP2 profile.",
    "missing_tsc_number": "Add your TSC number to your CP2 profile.",
    "missing_payment": "Add your M-Pesa number or bank account to your CP2 profile.",
    "no_attendance": "Ask your centre manager to check your attendance marks; if they are "
    "missing, the sub-county director can reopen the session.",
    "not_deployed": "Ask the sub-county director to check the deployment list.",
    "duplicate": "Call KNEC: one person may hold only one CP2 account and one deployment.",
    "no_rate": "Nothing for you to do: KNEC must set the daily rate for your role.",
    "payment_failed": "Correct your M-Pesa number and its registered name, or your bank "
    "account, in your CP2 profile: KNEC pays again once they are corrected.",
}
DIRECTOR_ROLES = ("tsc_director", "scde")


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    text: str

    @property
    def title(self) -> str:
        return TITLES.get(self.code, self.code.replace("_", " ").capitalize())

    @property
    def what_to_do(self) -> str:
        return WHAT_TO_DO.get(self.code, "Call your sub-county office.")


def parse_reasons(blocked: str) -> list[Reason]:
    out = []
    for line in (blocked or "").splitlines():
        code, _, text = line.partition(": ")
        if line.strip():
            out.append(Reason(code.strip(), text.strip() or code.strip()))
    return out


@dataclass(frozen=True, slots=True)
class OwnClaim:
    series_code: str
    series_name: str
    sessions: int
    days: int
    amount: int
    status: str
    reasons: list[Reason]
    positions: list[str]
    """Where and as what the officer served in the series, e.g. 'Invigilator at Alpha'."""
    paid_amount: int = 0
    paid_ref: str | None = None
    paid_at: dt.datetime | None = None
    """Set once KNEC's payment of the claim is confirmed (status 'paid')."""

    @property
    def paid(self) -> bool:
        return self.status == "paid"

    @property
    def blocked(self) -> bool:
        return bool(self.reasons) and not self.paid


@dataclass(frozen=True, slots=True)
class SubCountyRef:
    id: str
    name: str
    county: str


@dataclass(frozen=True, slots=True)
class ClaimLine:
    professional_id: str
    name: str
    national_id: str
    tsc_number: str
    phone: str
    centre: str
    position: str
    position_rank: int
    sessions: int
    days: int
    daily_rate: int | None
    amount: int
    status: str
    reasons: list[Reason]

    @property
    def blocked(self) -> bool:
        return bool(self.reasons) and self.status != "paid"

    @property
    def reason_titles(self) -> str:
        return "; ".join(r.title for r in self.reasons)


@dataclass(frozen=True, slots=True)
class ClaimTotals:
    officers: int
    payable: int
    blocked: int
    sessions: int
    days: int
    amount_payable: int
    amount_blocked: int

    @property
    def amount(self) -> int:
        return self.amount_payable + self.amount_blocked


@dataclass(slots=True)
class SubCountyClaims:
    sub_county: SubCountyRef
    series_id: str
    series_code: str
    series_name: str
    lines: list[ClaimLine]
    totals: ClaimTotals
    series_choices: list[tuple[str, str]] = field(default_factory=list)  # (id, name)


def own_claims(replica: Replica, user_id: str) -> list[OwnClaim]:
    """The signed-in professional's claims, newest series first."""
    with replica.read() as session:
        professional_id = session.scalar(
            select(AppUser.professional_id).where(AppUser.id == user_id)
        )
        if professional_id is None:
            return []
        rows = session.execute(
            select(Claim, Series)
            .join(Series, Series.id == Claim.series_id)
            .where(Claim.professional_id == professional_id, Claim.deleted.is_(False))
            .order_by(Series.starts_on.desc())
        ).all()
        return [
            OwnClaim(
                series.code,
                series.name,
                claim.sessions,
                claim.days,
                claim.amount,
                claim.status,
                parse_reasons(claim.blocked),
                [f"{p} at {c}" for p, c, _r in _served(session, series.id, professional_id)],
                claim.paid_amount or 0,
                claim.paid_ref,
                claim.paid_at,
            )
            for claim, series in rows
        ]


def directed_sub_counties(replica: Replica, user_id: str) -> list[SubCountyRef]:
    """The sub-counties this user directs (TSC sub-county director or SCDE)."""
    with replica.read() as session:
        rows = session.execute(
            select(SubCounty.id, SubCounty.name, County.name)
            .join(RoleGrant, RoleGrant.sub_county_id == SubCounty.id)
            .join(County, County.id == SubCounty.county_id, isouter=True)
            .where(
                RoleGrant.user_id == user_id,
                RoleGrant.role.in_(DIRECTOR_ROLES),
                RoleGrant.deleted.is_(False),
            )
            .distinct()
            .order_by(SubCounty.name)
        ).all()
        return [SubCountyRef(i, name, county or "") for i, name, county in rows]


def sub_county_claims(
    replica: Replica, sub_county_id: str, series_id: str | None = None
) -> SubCountyClaims | None:
    """Every claim of officers deployed in the sub-county for a series (default: the latest
    series with claims here), with where they served and the totals."""
    with replica.read() as session:
        sub = session.execute(
            select(SubCounty.id, SubCounty.name, County.name)
            .join(County, County.id == SubCounty.county_id, isouter=True)
            .where(SubCounty.id == sub_county_id)
        ).first()
        if sub is None:
            return None
        stations = select(Station.id).where(Station.sub_county_id == sub_county_id)
        officers = select(Deployment.professional_id).where(Deployment.station_id.in_(stations))
        choices = session.execute(
            select(Series.id, Series.name)
            .where(
                Series.id.in_(
                    select(Claim.series_id).where(
                        Claim.professional_id.in_(officers), Claim.deleted.is_(False)
                    )
                )
            )
            .order_by(Series.starts_on.desc())
        ).all()
        if not choices:
            return None
        series = session.get(Series, series_id or choices[0][0])
        lines = _lines(session, series, sub_county_id)
        return SubCountyClaims(
            SubCountyRef(sub[0], sub[1], sub[2] or ""),
            series.id,
            series.code,
            series.name,
            lines,
            totals(lines),
            [(i, n) for i, n in choices],
        )


def totals(lines: list[ClaimLine]) -> ClaimTotals:
    payable = [x for x in lines if not x.blocked]
    blocked = [x for x in lines if x.blocked]
    return ClaimTotals(
        len(lines),
        len(payable),
        len(blocked),
        sum(x.sessions for x in lines),
        sum(x.days for x in lines),
        sum(x.amount for x in payable),
        sum(x.amount for x in blocked),
    )


def _lines(session: Session, series: Series, sub_county_id: str) -> list[ClaimLine]:
    """Set-based: one query each for stations, deployments, claims and rates, so a
    sub-county of thousands of officers opens as fast as one centre."""
    stations = {
        sid: (name, county_id)
        for sid, name, county_id in session.execute(
            select(Station.id, Station.name, Station.county_id).where(
                Station.sub_county_id == sub_county_id, Station.deleted.is_(False)
            )
        )
    }
    order = _session_order(session, series.id)
    postings: dict[str, list[tuple[int, str, int, str, str]]] = {}
    for dep, position, rank in session.execute(
        select(Deployment, Position.name, Position.rank)
        .join(Position, Position.id == Deployment.position_id)
        .where(
            Deployment.series_id == series.id,
            Deployment.station_id.in_(list(stations)),
            Deployment.deleted.is_(False),
        )
    ):
        first, stop = span(dep.from_session_id, dep.until_session_id, dep.status, order, len(order))
        if first < stop:
            where = (first, position, rank, dep.station_id, dep.position_id)
            postings.setdefault(dep.professional_id, []).append(where)
    rows = session.execute(
        select(Claim, Professional)
        .join(Professional, Professional.id == Claim.professional_id)
        .where(
            Claim.series_id == series.id,
            Claim.deleted.is_(False),
            Claim.professional_id.in_(
                select(Deployment.professional_id).where(
                    Deployment.series_id == series.id,
                    Deployment.station_id.in_(list(stations)),
                    Deployment.deleted.is_(False),
                )
            ),
        )
    ).all()
    rate_of = _rate_finder(session, series.id, stations)
    lines = []
    for claim, officer in rows:
        served = sorted(postings.get(officer.id, []))
        _first, position, rank, station_id, position_id = (
            served[-1] if served else (0, "", 99, None, None)
        )
        centres = list(dict.fromkeys(stations[s[3]][0] for s in served))
        lines.append(
            ClaimLine(
                officer.id,
                officer.full_name,
                officer.national_id or "",
                officer.tsc_number or "",
                officer.phone,
                " → ".join(centres),
                position,
                rank,
                claim.sessions,
                claim.days,
                rate_of(position_id, station_id),
                claim.amount,
                claim.status,
                parse_reasons(claim.blocked),
            )
        )
    return sorted(lines, key=lambda x: (x.centre, x.position_rank, x.name))


def _session_order(session: Session, series_id: str) -> dict[str, int]:
    ids = session.scalars(
        select(ExamSession.id)
        .where(ExamSession.series_id == series_id)
        .order_by(ExamSession.day, ExamSession.starts_at)
    )
    return {sid: i for i, sid in enumerate(ids)}


def _served(session: Session, series_id: str, professional_id: str) -> list[tuple[str, str, int]]:
    """(position, centre, rank) of each deployment in force, in the order they were served."""
    order = _session_order(session, series_id)
    rows = session.execute(
        select(Deployment, Position.name, Position.rank, Station.name)
        .join(Position, Position.id == Deployment.position_id)
        .join(Station, Station.id == Deployment.station_id, isouter=True)
        .where(
            Deployment.series_id == series_id,
            Deployment.professional_id == professional_id,
            Deployment.deleted.is_(False),
        )
    ).all()
    found = []
    for dep, position, rank, station in rows:
        first, stop = span(dep.from_session_id, dep.until_session_id, dep.status, order, len(order))
        if first < stop:
            found.append((first, position, station or "another centre", rank))
    return [(p, c, r) for _f, p, c, r in sorted(found)]


def _rate_finder(session: Session, series_id: str, stations: dict[str, tuple[str, str]]):
    """rate_of(position_id, station_id): the regional rate for the station's county (by
    name or code) if KNEC set one, else the standard rate; None when no rate is set."""
    rates = {
        (pid, region.strip().lower()): rate
        for pid, region, rate in session.execute(
            select(Rate.position_id, Rate.region, Rate.daily_rate).where(
                Rate.series_id == series_id, Rate.deleted.is_(False)
            )
        )
    }
    counties = {
        cid: (name.lower(), code.lower())
        for cid, name, code in session.execute(select(County.id, County.name, County.code))
    }

    def rate_of(position_id: str | None, station_id: str | None) -> int | None:
        if position_id is None or station_id is None:
            return None
        regions = counties.get(stations[station_id][1], ())
        for region in (*regions, "standard"):
            if (position_id, region) in rates:
                return rates[(position_id, region)]
        return None

    return rate_of
