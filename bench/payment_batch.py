"""Benchmark: a national payment batch of 100,000 claims, prepared, approved and paid.

    CP2HUB_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        python3 bench/payment_batch.py [--claims 100000]

The database is EMPTIED. 100,000 officers deployed in one series across the 47
counties, each with a payable claim (5% paid by bank), are written straight in with
Core inserts. Then, timed: one administrator prepares the national batch, another
approves it, and the run pays it through the outbox backend, which settles each payment
as it goes (reconciled: payment paid with its reference, claim marked paid, the paid
SMS in the SMS outbox), and the bank file's payments are confirmed paid. Target: the
whole under 60 s. Baseline in the same run: the plain driver writing the same work's
rows (one payment row per claim, the claims marked paid, one SMS row each) with
executemany in one transaction.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
import uuid
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from cp2desk.sync.records import natural_id  # noqa: E402
from cp2hub import models as m  # noqa: E402
from cp2hub.claims import claim_id  # noqa: E402
from cp2hub.db import Database, redacted  # noqa: E402
from cp2hub.payments import batches, reconcile  # noqa: E402
from cp2hub.payments.audit import Actor  # noqa: E402
from cp2hub.payments.backends import OutboxPayments  # noqa: E402
from cp2hub.payments.run import run_batch  # noqa: E402
from cp2hub.schema import clear, upgrade  # noqa: E402
from cp2hub.settings import Settings  # noqa: E402
from cp2hub.sms import gateway  # noqa: E402

TARGET_S = 60.0
COUNTIES = 47


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("CP2HUB_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("set CP2HUB_DATABASE_URL to a PostgreSQL URL (its data is replaced)", file=sys.stderr)
        print(
            "RESULT "
            + json.dumps(
                {
                    "name": "payment_batch",
                    "target": f"< {TARGET_S:.0f} s",
                    "skipped": "needs PostgreSQL URL (--postgres)",
                }
            )
        )
        return 2
    db = Database(url)
    upgrade(db)
    clear(db)
    began = time.perf_counter()
    series_code, maker, checker = build(db, args.claims)
    print(
        f"{args.claims:,} payable claims written into {redacted(url)} "
        f"in {time.perf_counter() - began:.1f} s"
    )
    settings = Settings(database_url=url, mode="demo")
    steps: dict[str, float] = {}

    began = time.perf_counter()
    with db.write() as session:
        batch = batches.prepare(session, series_code, None, maker)
    steps["prepare"] = time.perf_counter() - began

    mark = time.perf_counter()
    with db.write() as session:
        batches.approve(session, batch.id, checker)
    steps["approve"] = time.perf_counter() - mark

    mark = time.perf_counter()
    summary = run_batch(db, batch.id, maker, OutboxPayments(db), partial(gateway, settings))
    steps["run and reconcile"] = time.perf_counter() - mark

    mark = time.perf_counter()
    with db.write() as session:
        banked = reconcile.confirm_bank_file(
            session, batch.id, "EQ-BENCH-1", checker, gateway(settings, session)
        )
    steps["bank file confirmed"] = time.perf_counter() - mark
    seconds = time.perf_counter() - began

    with db.read() as session:
        paid, paid_total = session.execute(
            select(func.count(), func.sum(m.Payment.amount)).where(m.Payment.status == "paid")
        ).one()
        claims_paid = session.scalar(select(func.count()).where(m.Claim.status == "paid"))
        sms = session.scalar(select(func.count()).select_from(m.SmsMessage))
    assert paid == batch.count == claims_paid == sms, (paid, batch.count, claims_paid, sms)
    assert int(paid_total) == batch.total
    print(
        f"batch of {batch.count:,} claims, KSh {batch.total:,}: {summary.counts}, "
        f"{banked:,} by bank"
    )
    for step, spent in steps.items():
        print(f"  {step:<20} {spent:6.1f} s")
    print(f"  {'total':<20} {seconds:6.1f} s   ({batch.count / seconds:,.0f} claims/s)")
    db.dispose()
    baseline = _baseline(url, args.claims)
    print(f"baseline: psycopg executemany of the same rows in one transaction {baseline:.1f} s")
    print(
        "RESULT "
        + json.dumps(
            {
                "name": "payment_batch",
                "what": f"prepare, approve, pay and reconcile {batch.count:,} claims (PostgreSQL)",
                "figure": round(seconds, 1),
                "unit": "s",
                "target": f"< {TARGET_S:.0f} s",
                "baseline": round(baseline, 1),
                "baseline_what": "psycopg executemany of the same rows, one transaction",
                "ratio": round(seconds / baseline, 2),
                "ok": seconds < TARGET_S,
            }
        )
    )
    return 0


def build(db: Database, claims: int) -> tuple[str, Actor, Actor]:
    """Counties, a centre in each, a series, and `claims` deployed officers with claims."""
    series_id, position_id = natural_id("series", "bench"), natural_id("position", "bench")
    with db.write() as s:
        s.add(
            m.Series(
                id=series_id,
                code="KCSE-2026",
                exam="KCSE",
                name="KCSE 2026",
                year=2026,
                starts_on=dt.date(2026, 10, 19),
                ends_on=dt.date(2026, 11, 20),
            )
        )
        s.add(m.Position(id=position_id, code="invigilator", name="Invigilator", rank=3))
        stations = []
        for c in range(COUNTIES):
            county = m.County(code=f"{c + 1:03d}", name=f"County {c + 1}")
            s.add(county)
            s.flush()
            sub = m.SubCounty(county_id=county.id, code=f"{c + 1:03d}01", name=f"Sub {c + 1}")
            s.add(sub)
            s.flush()
            station = m.Station(
                code=f"{c + 1:03d}001",
                name=f"Centre {c + 1}",
                kind="exam_centre",
                county_id=county.id,
                sub_county_id=sub.id,
            )
            s.add(station)
            s.flush()
            stations.append(station.id)
        admins = []
        for phone in ("254711000005", "254711000007"):
            user = m.AppUser(phone=phone, display_name=f"Admin {phone[-1]}")
            s.add(user)
            s.flush()
            s.add(m.RoleGrant(user_id=user.id, role="admin"))
            admins.append(Actor(user.id, phone))
    with db.write() as s:
        for start in range(0, claims, 20_000):
            people, deployments, owed = [], [], []
            for i in range(start, min(start + 20_000, claims)):
                pid, phone = str(uuid.uuid4()), f"2547{i:08d}"
                bank = i % 20 == 0
                people.append(dict(
                    id=pid, phone=phone, national_id=f"{i:08d}", tsc_number=f"{i:06d}",
                    first_name="Officer", last_name=f"N{i}", teacher_level="primary",
                    payment_method="bank" if bank else "mpesa", mpesa_phone=phone,
                    mpesa_name=f"Officer N{i}", bank_name="Equity Bank" if bank else None,
                    bank_account=f"01{i:010d}" if bank else None, hlc=1, origin="hub",
                    deleted=False,
                ))  # fmt: skip
                deployments.append(dict(
                    id=str(uuid.uuid4()), series_id=series_id, professional_id=pid,
                    station_id=stations[i % COUNTIES], position_id=position_id, status="active",
                    hlc=1, origin="hub", deleted=False,
                ))  # fmt: skip
                owed.append(dict(
                    id=claim_id(series_id, pid), series_id=series_id, professional_id=pid,
                    sessions=20, days=10, amount=550 * (5 + i % 12), blocked="",
                    status="payable", hlc=1, origin="hub", deleted=False, paid_amount=0,
                ))  # fmt: skip
            s.execute(insert(m.Professional), people)
            s.execute(insert(m.Deployment), deployments)
            s.execute(insert(m.Claim), owed)
    return "KCSE-2026", admins[0], admins[1]


def _baseline(url: str, claims: int) -> float:
    """The essential rows of the same work written by the plain driver, rolled back: a
    payment row per claim, the claim marked paid, an SMS row each."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn, conn.transaction(force_rollback=True), conn.cursor() as c:
        rows = c.execute("SELECT id, professional_id, amount FROM claim").fetchall()[:claims]
        c.execute("CREATE TEMP TABLE bench_payment (LIKE payment INCLUDING ALL)")
        began = time.perf_counter()
        c.executemany(
            "INSERT INTO bench_payment (id, batch_id, claim_id, live_claim_id, professional_id,"
            " amount, method, payee, status) VALUES (%s, 'b', %s, %s, %s, %s, 'mpesa', 'x',"
            " 'paid')",
            [(str(uuid.uuid4()), cid, cid, pid, amount) for cid, pid, amount in rows],
        )
        c.executemany(
            "UPDATE claim SET status = 'paid', paid_amount = %s, paid_ref = %s WHERE id = %s",
            [(amount, "REF", cid) for cid, _pid, amount in rows],
        )
        c.executemany(
            "INSERT INTO sms_message (phone, body, at, delivered) VALUES (%s, %s, now(), false)",
            [("254700000000", f"KNEC has paid you KSh {amount:,}") for _c, _p, amount in rows],
        )
        return time.perf_counter() - began


if __name__ == "__main__":
    sys.exit(main())
