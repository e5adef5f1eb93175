"""`cp2hub payments-*`: the same batches, maker-checker and audit log from the command line."""

from __future__ import annotations

import pytest

from tests.hub.payments_world import PayWorld


@pytest.fixture
def world(hub_database) -> PayWorld:
    world = PayWorld(hub_database)
    world.officer(1650)
    world.officer(2200, bank=True)
    return world


def test_prepare_approve_run_and_read_the_log(run, world, tmp_path, monkeypatch):
    monkeypatch.setenv("CP2HUB_MODE", "demo")  # the outbox backend pays nobody: demo only
    for phone in ("254711000015", "254711000016"):
        world.set_password(phone, "Admin-pass-26")
    monkeypatch.setenv("CP2HUB_ADMIN_PASSWORD", "Admin-pass-26")
    status, out, _ = run("payments-prepare", "--series", "KCSE-2026", "--as", "0711000015")
    assert status == 0 and "2 claims  KSh 3,850" in out
    batch = out.split("Prepared ")[1].split()[0]
    status, _, err = run("payments-approve", batch, "--as", "0711000015")
    assert status == 2 and "another administrator must approve it" in err
    status, _, err = run("payments-approve", batch, "--as", "0722000000")
    assert status == 2 and "is not a KNEC administrator's account" in err
    assert run("payments-approve", batch, "--as", "0711000016")[0] == 0
    status, out, _ = run("payments-run", batch, "--as", "0711000015")
    assert status == 0 and "paid" in out and "filed" in out
    target = tmp_path / "bank.csv"
    status, out, _ = run("payments-bank-file", batch, "--as", "0711000016", "--output", str(target))
    assert status == 0 and "(1 payments)" in out and "Equity Bank" in target.read_text()
    status, out, _ = run("payments-bank-paid", batch, "--reference", "EQ-9", "--as", "0711000016")
    assert status == 0 and out.startswith("1 bank payments marked paid")
    status, out, _ = run("payments")
    assert "paid KSh 3,850" in out
    status, out, _ = run("payments-audit", "--csv")
    assert out.startswith("at_utc,actor,action") and ",254711000016,approved," in out


def test_the_outbox_backend_pays_nobody_so_a_real_hub_refuses_it(hub_database):
    from cp2hub.payments.backends import PaymentsNotConfigured, backend
    from cp2hub.settings import Settings

    if hub_database.is_sqlite:
        assert backend(Settings(), hub_database).name == "outbox"
    else:
        with pytest.raises(PaymentsNotConfigured, match="would mark claims paid"):
            backend(Settings(), hub_database)
    assert backend(Settings(mode="demo"), hub_database).name == "outbox"
    with pytest.raises(PaymentsNotConfigured, match="CP2HUB_PAYMENT_USERNAME"):
        backend(Settings(payment_backend="africastalking"), hub_database)


def test_the_command_line_acts_as_an_administrator_only_with_their_password(
    run, world, monkeypatch
):
    """`--as` alone is a claim anyone at the server's shell could make: an administrator
    who prepared a batch must not approve it by naming a colleague's number."""
    world.set_password("254711000015", "Maker-pass-15")
    world.set_password("254711000016", "Checker-pass-16")
    monkeypatch.setenv("CP2HUB_ADMIN_PASSWORD", "Maker-pass-15")
    status, out, _ = run("payments-prepare", "--series", "KCSE-2026", "--as", "0711000015")
    assert status == 0
    batch = out.split("Prepared ")[1].split()[0]
    status, _, err = run("payments-approve", batch, "--as", "0711000016")  # the maker's password
    assert status == 2 and "password" in err
    monkeypatch.delenv("CP2HUB_ADMIN_PASSWORD")
    status, _, err = run("payments-approve", batch, "--as", "0711000016")  # none, no terminal
    assert status == 2 and "CP2HUB_ADMIN_PASSWORD" in err
    monkeypatch.setenv("CP2HUB_ADMIN_PASSWORD", "Checker-pass-16")
    status, out, _ = run("payments-approve", batch, "--as", "0711000016")
    assert status == 0 and out.startswith("Approved")
