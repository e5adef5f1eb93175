"""A real `cp2hub payments-run` process killed (SIGKILL) in the middle of a batch, then
the batch run again: every officer paid exactly once, the total paid the total approved."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from cp2desk.sync.records import new_id
from cp2hub import models as m
from cp2hub.claims import claim_id
from cp2hub.payments import batches
from cp2hub.payments.backends import OutboxPayments
from cp2hub.payments.run import run_batch
from tests.hub.payments_world import PayWorld

OFFICERS = 600
ROOT = Path(__file__).resolve().parents[2]


def many_claims(world: PayWorld, count: int) -> None:
    place = world.place
    people, postings, owed = [], [], []
    for i in range(count):
        pid, phone = str(uuid.uuid4()), f"2547{30000000 + i:08d}"
        people.append(dict(
            id=pid, phone=phone, national_id=f"3{i:07d}", first_name="Officer", last_name=f"N{i}",
            payment_method="mpesa", mpesa_phone=phone, mpesa_name=f"Officer N{i}", hlc=1,
            origin="hub", deleted=False,
        ))  # fmt: skip
        postings.append(dict(
            id=new_id(), series_id=place.series.id, professional_id=pid, station_id=place.centre.id,
            position_id=place.invigilator.id, status="active", hlc=1, origin="hub", deleted=False,
        ))  # fmt: skip
        owed.append(dict(
            id=claim_id(place.series.id, pid), series_id=place.series.id, professional_id=pid,
            sessions=2, days=1, amount=550 * (1 + i % 7), blocked="", status="payable", hlc=1,
            origin="hub", deleted=False, paid_amount=0,
        ))  # fmt: skip
    with world.db.write() as s:
        for model, rows in ((m.Professional, people), (m.Deployment, postings), (m.Claim, owed)):
            s.execute(insert(model), rows)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_run_killed_mid_batch_and_run_again_pays_each_once(hub_database):
    world = PayWorld(hub_database)
    many_claims(world, OFFICERS)
    with hub_database.write() as s:
        batch = batches.prepare(s, world.series_code, None, world.admins[0])
        batches.approve(s, batch.id, world.admins[1])
    world.set_password("254711000015", "Admin-pass-26")
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "CP2HUB_MODE": "demo",
        "CP2HUB_ADMIN_PASSWORD": "Admin-pass-26",
    }  # fmt: skip
    child = subprocess.Popen(
        [sys.executable, "-m", "cp2hub.cli", "payments-run", batch.id, "--as", "0711000015",
         "--chunk", "20", "--database-url", hub_database.url],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    paid_at_kill = 0
    while time.monotonic() < deadline and child.poll() is None:
        with hub_database.read() as s:
            paid_at_kill = s.scalar(select(func.count()).select_from(m.PaymentOutbox))
        if paid_at_kill >= 100:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert 0 < paid_at_kill < OFFICERS, "killed in the middle of the batch"

    summary = run_batch(hub_database, batch.id, world.admins[0], OutboxPayments(hub_database), None)
    assert sum(summary.counts.values()) < OFFICERS, "the run again pays only the unpaid"
    with hub_database.read() as s:
        keys = s.scalar(select(func.count()).select_from(m.PaymentOutbox))
        outbox = s.scalar(select(func.sum(m.PaymentOutbox.amount)))
        paid = s.scalar(select(func.sum(m.Payment.amount)).where(m.Payment.status == "paid"))
        claims_paid = s.scalar(select(func.count()).where(m.Claim.status == "paid"))
        left = s.scalar(select(func.count()).where(m.Payment.status != "paid"))
    assert keys == claims_paid == OFFICERS and left == 0
    assert int(outbox) == int(paid) == batch.total
