"""Claims: what each officer of a series is owed, computed on the hub from synced attendance.

An officer is paid per day attended (present or late at one session of the day or more;
absent is not paid) at the daily rate of their position in the series, for the region
of the centre where they served when a regional rate is set. A redeployment ends one
deployment and starts another, so an officer moved mid-series is counted across both.

Officers whose profiles KNEC could not pay are listed as blocked, each reason named
(KNEC's own list of why officers go unpaid): the M-Pesa registered name differs from
the account name, no ID number, no TSC number, no attendance or not on the deployment
list, appearing twice in different centres or roles; plus missing payment details.
The claim keeps the amount it would pay, so a director sees what is held up.

Claims are replicated rows (`claim`): a recomputation writes only the claims that
changed, so devices receive only those, and tombstones the claims of officers no
longer deployed in the series.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from cp2desk.sync.completeness import full_name, missing_items
from cp2desk.sync.records import natural_id
from cp2hub.db import Database
from cp2hub.errors import HubError
from cp2hub.models import (
    Attendance,
    Claim,
    County,
    Deployment,
    ExamSession,
    Payment,
    Position,
    Professional,
    Rate,
    Series,
    Station,
)

PAID_STATUSES = ("present", "late")
STANDARD_REGION = "standard"

REASONS = (
    "missing_name",
    "name_mismatch",
    "missing_national_id",
    "missing_tsc_number",
    "missing_payment",
    "no_attendance",
    "not_deployed",
    "duplicate",
    "no_rate",
    "payment_failed",
)
"""Every reason a claim can be blocked for, in the order a claim lists them."""


class UnknownSeries(HubError):
    status = 404
    code = "unknown_series"


@dataclass(frozen=True)
class ClaimSummary:
    series_code: str
    officers: int
    payable: int
    blocked: int
    amount_payable: int
    amount_blocked: int
    changed: int
    reasons: dict[str, int]

    def lines(self) -> list[str]:
        """The summary as the CLI prints it."""
        out = [
            f"Claims for {self.series_code}: {self.officers:,} officers, "
            f"{self.changed:,} claims written.",
            f"  payable  {self.payable:>7,}   KSh {self.amount_payable:>13,}",
            f"  blocked  {self.blocked:>7,}   KSh {self.amount_blocked:>13,}",
        ]
        out += [f"    {code:<20} {count:>7,}" for code, count in self.reasons.items() if count]
        return out


@dataclass
class _Posting:
    """One deployment of an officer, with the session indexes it covers [first, stop)."""

    id: str
    station_id: str
    position_id: str
    first: int
    stop: int
    status: str


@dataclass
class _Officer:
    id: str
    profile: dict
    postings: list[_Posting] = field(default_factory=list)
    attended: dict[int, list[_Posting]] = field(default_factory=dict)  # session index -> where


@dataclass(frozen=True)
class ComputedClaim:
    professional_id: str
    sessions: int
    days: int
    amount: int
    reasons: list[tuple[str, str]]

    @property
    def blocked(self) -> str:
        return "\n".join(f"{code}: {text}" for code, text in self.reasons)

    @property
    def status(self) -> str:
        return "blocked" if self.reasons else "payable"


def claim_id(series_id: str, professional_id: str) -> str:
    return natural_id("claim", series_id, professional_id)


def compute_claims(db: Database, series_code: str) -> ClaimSummary:
    """Compute every claim of the series and write the changed ones, in one transaction."""
    with db.write() as session:
        series = session.scalar(select(Series).where(Series.code == series_code))
        if series is None or series.deleted:
            known = ", ".join(session.scalars(select(Series.code).order_by(Series.code))) or "none"
            raise UnknownSeries(f"There is no series {series_code!r} (known: {known}).")
        computed = claims_of(session, series)
        changed = _write(session, series.id, computed)
    return _summary(series_code, computed, changed)


def claims_of(session: Session, series: Series) -> list[ComputedClaim]:
    """The claims of a series from the hub's rows; nothing is written."""
    context = _Context(session, series)
    officers = context.officers()
    twins = context.shared_numbers(officers)
    failed = _failed_payments(session, series.id)
    return [
        context.claim(o, twins.get(o.id, []), failed.get(claim_id(series.id, o.id)))
        for o in officers.values()
    ]


class _Context:
    """What the computation looks up, loaded once per series in a few set-based queries."""

    def __init__(self, session: Session, series: Series) -> None:
        self.session, self.series = session, series
        order = session.execute(
            select(ExamSession.id, ExamSession.day, ExamSession.slot)
            .where(ExamSession.series_id == series.id, ExamSession.deleted.is_(False))
            .order_by(ExamSession.day, ExamSession.starts_at)
        ).all()
        self.index_of = {sid: i for i, (sid, _day, _slot) in enumerate(order)}
        self.sessions = [(day, slot) for _sid, day, slot in order]
        self.positions = {
            pid: (code, name)
            for pid, code, name in session.execute(
                select(Position.id, Position.code, Position.name)
            )
        }
        self.rates = {
            (pid, region.strip().lower()): rate
            for pid, region, rate in session.execute(
                select(Rate.position_id, Rate.region, Rate.daily_rate).where(
                    Rate.series_id == series.id, Rate.deleted.is_(False)
                )
            )
        }
        deployed = select(Deployment.station_id).where(Deployment.series_id == series.id)
        counties = {
            cid: (code.lower(), name.lower())
            for cid, code, name in session.execute(select(County.id, County.code, County.name))
        }
        self.stations = {
            sid: (name, counties.get(county_id, ("", "")))
            for sid, name, county_id in session.execute(
                select(Station.id, Station.name, Station.county_id).where(Station.id.in_(deployed))
            )
        }

    def officers(self) -> dict[str, _Officer]:
        s, series_id = self.session, self.series.id
        profile_columns = (
            Professional.id,
            Professional.national_id,
            Professional.tsc_number,
            Professional.first_name,
            Professional.middle_name,
            Professional.last_name,
            Professional.teacher_level,
            Professional.payment_method,
            Professional.mpesa_phone,
            Professional.mpesa_name,
            Professional.bank_name,
            Professional.bank_account,
        )
        deployed = select(Deployment.professional_id).where(
            Deployment.series_id == series_id, Deployment.deleted.is_(False)
        )
        officers = {
            row.id: _Officer(row.id, dict(row._mapping))
            for row in s.execute(select(*profile_columns).where(Professional.id.in_(deployed)))
        }
        postings: dict[str, _Posting] = {}
        for dep in s.execute(
            select(
                Deployment.id,
                Deployment.professional_id,
                Deployment.station_id,
                Deployment.position_id,
                Deployment.from_session_id,
                Deployment.until_session_id,
                Deployment.status,
            ).where(Deployment.series_id == series_id, Deployment.deleted.is_(False))
        ):
            first, stop = self._span(dep.from_session_id, dep.until_session_id, dep.status)
            posting = _Posting(dep.id, dep.station_id, dep.position_id, first, stop, dep.status)
            postings[dep.id] = posting
            officers[dep.professional_id].postings.append(posting)
        marks = s.execute(
            select(Attendance.professional_id, Attendance.deployment_id, Attendance.session_id)
            .join(Deployment, Deployment.id == Attendance.deployment_id)
            .where(
                Deployment.series_id == series_id,
                Attendance.deleted.is_(False),
                Attendance.status.in_(PAID_STATUSES),
            )
            .execution_options(yield_per=10_000)
        )
        for professional_id, deployment_id, session_id in marks:
            posting, index = postings.get(deployment_id), self.index_of.get(session_id)
            if posting is None or index is None or not posting.first <= index < posting.stop:
                continue  # a mark outside the deployment's sessions is not on the list: unpaid
            officers[professional_id].attended.setdefault(index, []).append(posting)
        return officers

    def _span(self, from_id: str | None, until_id: str | None, status: str) -> tuple[int, int]:
        """Session indexes a deployment covers: as `cp2desk.services.timetable.span`."""
        count = len(self.index_of)
        if status == "cancelled" or (status == "redeployed" and until_id is None):
            return (0, 0)
        first = self.index_of.get(from_id, 0) if from_id else 0
        stop = self.index_of.get(until_id, count) if until_id else count
        return (first, max(first, stop))

    def shared_numbers(self, officers: dict[str, _Officer]) -> dict[str, list[str]]:
        """Officers whose ID or TSC number is on another deployed account: one person twice."""
        by_number: dict[tuple[str, str], list[_Officer]] = defaultdict(list)
        for officer in officers.values():
            if not any(p.stop > p.first for p in officer.postings):
                continue
            for kind in ("national_id", "tsc_number"):
                number = (officer.profile[kind] or "").strip().upper()
                if number:
                    by_number[(kind, number)].append(officer)
        found: dict[str, list[str]] = defaultdict(list)
        for (kind, number), group in by_number.items():
            if len(group) < 2:
                continue
            label = "ID number" if kind == "national_id" else "TSC number"
            for officer in group:
                others = "; ".join(self._where(o) for o in group if o is not officer)
                found[officer.id].append(
                    f"The same {label} {number} is on another CP2 account deployed in "
                    f"{self.series.code}: {others}."
                )
        return found

    def claim(
        self, officer: _Officer, twins: list[str], failed: Payment | None = None
    ) -> ComputedClaim:
        reasons: list[tuple[str, str]] = []
        reasons += _profile_reasons(officer)
        if failed is not None and _same_destination(failed, officer.profile):
            text = failed_payment_text(failed.method, failed.amount, failed.reason or "")
            reasons.append(("payment_failed", text))
        days: dict[object, int] = {}
        for index, where in officer.attended.items():
            day = self.sessions[index][0]
            days[day] = max(days.get(day, 0), *(self._rate(p) or 0 for p in where))
        in_force = [p for p in officer.postings if p.stop > p.first]
        if not in_force:
            reasons.append(
                (
                    "not_deployed",
                    f"Not on the deployment list for {self.series.code}: "
                    "the deployment was cancelled.",
                )
            )
        elif not officer.attended:
            reasons.append(
                ("no_attendance", f"No attendance marked present or late in {self.series.code}.")
            )
        reasons += [("duplicate", text) for text in twins]
        reasons += [("duplicate", text) for text in self._overlaps(officer)]
        missing = sorted(
            {self.positions[p.position_id][1] for p in in_force if self._rate(p) is None}
        )
        if missing:
            reasons.append(
                (
                    "no_rate",
                    f"KNEC has not set a daily rate for {', '.join(missing)} "
                    f"in {self.series.code}.",
                )
            )
        order = {code: i for i, code in enumerate(REASONS)}
        reasons.sort(key=lambda r: order[r[0]])
        return ComputedClaim(
            officer.id, len(officer.attended), len(days), sum(days.values()), reasons
        )

    def _overlaps(self, officer: _Officer) -> list[str]:
        """Deployments in force at the same sessions, or marks at two places for one session."""
        out = []
        live = [p for p in officer.postings if p.stop > p.first]
        for i, a in enumerate(live):
            for b in live[i + 1 :]:
                both = range(max(a.first, b.first), min(a.stop, b.stop))
                if both and (a.station_id, a.position_id) != (b.station_id, b.position_id):
                    out.append(
                        f"Deployed twice for the same sessions (from {self._label(both[0])}): "
                        f"{self._posting(a)} and {self._posting(b)}."
                    )
        for index, where in sorted(officer.attended.items()):
            places = {(p.station_id, p.position_id) for p in where}
            if len(places) > 1:
                shown = " and ".join(self._posting(p) for p in where)
                out.append(f"Marked at two places for {self._label(index)}: {shown}.")
        return out

    def _rate(self, posting: _Posting) -> int | None:
        _name, (county_code, county_name) = self.stations.get(posting.station_id, ("", ("", "")))
        for region in (county_name, county_code, STANDARD_REGION):
            rate = self.rates.get((posting.position_id, region))
            if region and rate is not None:
                return rate
        return None

    def _posting(self, posting: _Posting) -> str:
        station = self.stations.get(posting.station_id, ("another centre",))[0]
        return f"{station} as {self.positions[posting.position_id][1]}"

    def _where(self, officer: _Officer) -> str:
        live = [p for p in officer.postings if p.stop > p.first] or officer.postings
        return ", ".join(self._posting(p) for p in live)

    def _label(self, index: int) -> str:
        day, slot = self.sessions[index]
        return f"{day:%a} {day.day} {day:%b} {slot}"


FIELD_REASON = {
    "first_name": "missing_name",
    "national_id": "missing_national_id",
    "tsc_number": "missing_tsc_number",
    "mpesa_name": "name_mismatch",
}
"""The profile field `completeness` names -> the claim's reason (any other: payment)."""
PAYMENT_TEXT = {
    "mpesa_phone": "No M-Pesa number on the profile.",
    "bank_name": "No bank on the profile.",
    "bank_account": "No bank account number on the profile.",
}


def _profile_reasons(officer: _Officer) -> list[tuple[str, str]]:
    """What blocks payment on the profile, decided by the one completeness function the
    app's indicator and the applicant lists use too, worded for the claim."""
    person = SimpleNamespace(**officer.profile)
    reasons: list[tuple[str, str]] = []
    for item in missing_items(person):
        if not item.blocks_payment:
            continue
        code = FIELD_REASON.get(item.field, "missing_payment")
        reason = (code, _reason_text(code, item.field, person))
        if reason not in reasons:
            reasons.append(reason)
    return reasons


def _reason_text(code: str, field_name: str, person: SimpleNamespace) -> str:
    if code == "missing_name":
        return "No first and last names on the profile."
    if code == "missing_national_id":
        return "No national ID number on the profile."
    if code == "missing_tsc_number":
        return "No TSC number on the profile (teachers are paid against it)."
    if code == "name_mismatch":
        if not (person.mpesa_name or "").strip():
            return (
                "The name registered for the M-Pesa number is not on the profile, so it "
                "cannot be checked against the account name."
            )
        # The M-Pesa registered name is a payment detail: the claim reaches the
        # sub-county's directors, so it names only the account's name (decision 30).
        return (
            "The name registered for the M-Pesa number is not the CP2 account name "
            f"“{full_name(person)}”."
        )
    return PAYMENT_TEXT.get(field_name, "No payment details (M-Pesa or bank) on the profile.")


def failed_payment_text(method: str, amount: int, reason: str) -> str:
    """A failed payment as its claim's blocker, in words the officer can act on."""
    where = "bank account" if method == "bank" else "M-Pesa number and its registered name"
    return (
        f"KNEC's payment of KSh {amount:,} did not go through ({reason.rstrip('.')}). "
        f"Check the {where} on your profile: KNEC pays again once they are corrected."
    )


def _failed_payments(session: Session, series_id: str) -> dict[str, Payment]:
    """Each claim's latest failed payment, where no payment of it may still move money."""
    of_series = select(Claim.id).where(Claim.series_id == series_id)
    live = set(
        session.scalars(
            select(Payment.claim_id).where(
                Payment.claim_id.in_(of_series), Payment.live_claim_id.is_not(None)
            )
        )
    )
    failed = session.scalars(
        select(Payment)
        .where(Payment.claim_id.in_(of_series), Payment.status == "failed")
        .order_by(Payment.settled_at)
    )
    return {p.claim_id: p for p in failed if p.claim_id not in live}


def _same_destination(payment: Payment, profile: dict) -> bool:
    """Whether the profile still sends the money where it failed to go."""
    if payment.method == "bank":
        return (profile["bank_name"], profile["bank_account"]) == (
            payment.bank_name,
            payment.bank_account,
        )
    payee = profile["mpesa_name"] or full_name(SimpleNamespace(**profile))
    return (profile["mpesa_phone"], payee) == (payment.phone, payment.payee)


def _write(session: Session, series_id: str, computed: list[ComputedClaim]) -> int:
    existing = {c.id: c for c in session.scalars(select(Claim).where(Claim.series_id == series_id))}
    changed = 0
    seen = set()
    for item in computed:
        cid = claim_id(series_id, item.professional_id)
        seen.add(cid)
        values = {
            "sessions": item.sessions,
            "days": item.days,
            "amount": item.amount,
            "blocked": item.blocked,
            "status": item.status,
            "deleted": False,
        }
        claim = existing.get(cid)
        if claim is not None and claim.status == "paid":
            continue  # paid: what was paid stands (`cp2hub.payments`)
        if claim is None:
            session.add(
                Claim(id=cid, series_id=series_id, professional_id=item.professional_id, **values)
            )
            changed += 1
            continue
        if any(getattr(claim, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(claim, k, v)
            claim.hlc = 0  # restamped by the hub's clock, not kept from a device
            changed += 1
    for cid, claim in existing.items():
        if cid not in seen and not claim.deleted and claim.status != "paid":
            claim.deleted = True
            claim.hlc = 0
            changed += 1
    return changed


def _summary(code: str, computed: list[ComputedClaim], changed: int) -> ClaimSummary:
    reasons = dict.fromkeys(REASONS, 0)
    for item in computed:
        for reason in {r for r, _ in item.reasons}:
            reasons[reason] += 1
    payable = [c for c in computed if not c.reasons]
    blocked = [c for c in computed if c.reasons]
    return ClaimSummary(
        code,
        len(computed),
        len(payable),
        len(blocked),
        sum(c.amount for c in payable),
        sum(c.amount for c in blocked),
        changed,
        reasons,
    )
