"""The sub-county's claims on paper: each officer's sessions, days, rate and amount, the
reasons a claim is blocked, and the totals payable and held up."""

from __future__ import annotations

import datetime as dt

from cp2desk.local_db.replica import Replica
from cp2desk.reports.table import Column, Report, money
from cp2desk.services.claims import SubCountyClaims, sub_county_claims


def claims_report(
    replica: Replica, sub_county_id: str, series_id: str | None = None,
    now: dt.datetime | None = None,
) -> Report | None:  # fmt: skip
    found = sub_county_claims(replica, sub_county_id, series_id)
    return build(found, now or dt.datetime.now()) if found else None


def build(claims: SubCountyClaims, now: dt.datetime) -> Report:
    sub = claims.sub_county
    report = Report(
        "Claims",
        claims.series_name,
        "Sub-county",
        f"{sub.name}, {sub.county}".strip(", "),
        now,
        [
            Column("No.", 0.45, "right"),
            Column("Officer", 2.3),
            Column("ID number", 1.05),
            Column("TSC no.", 0.85),
            Column("Centre", 2.4),
            Column("Role", 1.2),
            Column("Sessions", 0.95, "right"),
            Column("Days", 0.6, "right"),
            Column("Rate (KSh)", 0.9, "right"),
            Column("Amount (KSh)", 1.1, "right"),
            Column("Status", 0.85),
            Column("Blocked because", 3.2),
        ],
    )
    for number, line in enumerate(claims.lines, start=1):
        report.add(
            [
                str(number),
                line.name,
                line.national_id,
                line.tsc_number,
                line.centre,
                line.position,
                str(line.sessions),
                str(line.days),
                money(line.daily_rate),
                money(line.amount),
                "Blocked" if line.blocked else "Payable",
                "; ".join(r.text for r in line.reasons),
            ],
            "error" if line.blocked else "",
        )
    t = claims.totals
    report.totals = [
        ("Officers", f"{t.officers:,}"),
        ("Payable", f"{t.payable:,} officers, KSh {t.amount_payable:,}"),
        ("Blocked", f"{t.blocked:,} officers, KSh {t.amount_blocked:,}"),
        ("Total", f"KSh {t.amount:,} for {t.days:,} days"),
    ]
    report.notes = [
        "Amounts are the days attended (present or late) times the daily rate of the role. "
        "A blocked claim is paid once its profile is corrected."
    ]
    report.signatures = ["Sub-county director"]
    return report
