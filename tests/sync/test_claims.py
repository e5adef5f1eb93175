"""Claims over real HTTP: computed by an administrator from synced attendance, then pulled
by each officer (their own) and by the sub-county director (all of the sub-county's)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cp2desk.local_db import models as lm
from cp2desk.services import attendance, claims
from cp2desk.sync.records import natural_id
from cp2hub import models as hm
from tests.sync.scenario import PASSWORD

ADMIN_PHONE = "254755000001"


@pytest.fixture
def admin(hub_db, world):
    from cp2hub.passwords import hash_password

    with hub_db.write() as s:
        user = hm.AppUser(
            id=natural_id("user", ADMIN_PHONE), phone=ADMIN_PHONE, display_name="KNEC Admin",
            password_hash=hash_password(PASSWORD),
        )  # fmt: skip
        s.add(user)
        s.flush()
        s.add(hm.RoleGrant(id=natural_id("grant", user.id, "admin"), user_id=user.id, role="admin"))
        for code, rate in (("centre_manager", 550), ("supervisor", 680), ("invigilator", 550)):
            s.add(hm.Rate(
                series_id=world.series, position_id=natural_id("position", code),
                region="standard", daily_rate=rate,
            ))  # fmt: skip
    return ADMIN_PHONE


def compute(device, series: str = "KCSE-2026"):
    client = device.client
    return client.http.post(
        f"{client.base_url}/admin/claims/{series}/compute",
        headers={"Authorization": f"Bearer {client.access_token}"},
        timeout=30,
    )


def test_claims_reach_the_officer_and_the_director(device, world, admin, hub):
    alpha = device(world.users["manager_alpha"], "alpha")
    alpha.sync()
    manager_user = natural_id("user", world.users["manager_alpha"])
    yesterday = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(9))
    for dep in world.deployments["alpha"]:
        attendance.mark_attendance(
            alpha.replica, manager_user, dep, world.sessions[0], "present", yesterday
        )
    absent = world.deployments["alpha"][3]
    attendance.mark_attendance(
        alpha.replica, manager_user, absent, world.sessions[0], "absent", yesterday
    )
    assert alpha.sync().pushed == 7

    refused = compute(alpha)
    assert refused.status_code == 403 and "administrator" in refused.json()["message"]
    office = device(admin, "admin")
    answer = compute(office)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["officers"] == 18 and summary["payable"] == 0
    assert summary["amount_blocked"] == 550 + 680 + 3 * 550, "five marked present yesterday"
    assert summary["reasons"]["missing_payment"] == 18, "the scenario's officers set no payment"
    assert compute(office, "KCSE-1999").status_code == 404

    alpha.sync()
    with alpha.replica.read() as s:  # claims are personal: the manager holds only their own
        held = set(s.scalars(select(lm.Claim.professional_id)))
    assert held == {world.officers[world.deployments["alpha"][0]]}
    own = claims.own_claims(alpha.replica, manager_user)
    assert [(c.series_code, c.sessions, c.days) for c in own] == [("KCSE-2026", 1, 1)]
    assert own[0].amount == 550 and own[0].reasons[0].code == "missing_payment"
    assert "Centre Manager" in own[0].positions[0]

    director = device(world.users["director"], "director")
    director.sync()
    director_user = natural_id("user", world.users["director"])
    sub_county = claims.directed_sub_counties(director.replica, director_user)[0]
    report = claims.sub_county_claims(director.replica, sub_county.id)
    assert report.series_code == "KCSE-2026"
    assert {line.centre for line in report.lines} == {
        "Alpha Secondary School",
        "Beta Secondary School",
    }
    assert len(report.lines) == 12 and report.totals.officers == 12
    missing = next(x for x in report.lines if x.professional_id == world.officers[absent])
    assert missing.reasons[0].code == "missing_payment"
    assert [r.code for r in missing.reasons] == ["missing_payment", "no_attendance"]
    assert report.totals.amount_blocked == 550 + 680 + 3 * 550 and report.totals.payable == 0

    gamma = device(world.users["manager_gamma"], "gamma")
    gamma.sync()
    with gamma.replica.read() as s:
        seen = set(s.scalars(select(lm.Claim.professional_id)))
    assert world.officers[absent] not in seen


def test_a_paid_claim_reaches_its_owner_with_the_reference_and_the_director_without(
    device, world, admin, hub, hub_db
):
    from cp2hub.claims import claim_id, compute_claims
    from cp2hub.payments import batches
    from cp2hub.payments.audit import Actor
    from cp2hub.payments.backends import OutboxPayments
    from cp2hub.payments.run import run_batch

    alpha = device(world.users["manager_alpha"], "alpha")
    alpha.sync()
    manager_user = natural_id("user", world.users["manager_alpha"])
    manager = world.officers[world.deployments["alpha"][0]]
    yesterday = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(9))
    attendance.mark_attendance(
        alpha.replica, manager_user, world.deployments["alpha"][0], world.sessions[0], "present",
        yesterday,
    )  # fmt: skip
    alpha.sync()
    with hub_db.write() as s:  # the manager's profile can be paid by M-Pesa
        person = s.get(hm.Professional, manager)
        person.payment_method, person.mpesa_phone = "mpesa", person.phone
        person.mpesa_name = f"{person.first_name} {person.last_name}"
        person.national_id = person.national_id or "20000001"
        person.tsc_number = person.tsc_number or "700001"
        checker = hm.AppUser(phone="254755000002", display_name="Second Admin")
        s.add(checker)
        s.flush()
        s.add(hm.RoleGrant(user_id=checker.id, role="admin"))
    compute_claims(hub_db, "KCSE-2026")
    with hub_db.read() as s:
        series_id = s.scalar(select(hm.Series.id).where(hm.Series.code == "KCSE-2026"))
        assert s.get(hm.Claim, claim_id(series_id, manager)).status == "payable"
    maker = Actor(natural_id("user", admin), admin)
    with hub_db.write() as s:
        batch = batches.prepare(s, "KCSE-2026", None, maker)
        batches.approve(s, batch.id, Actor(checker.id, checker.phone))
    run_batch(hub_db, batch.id, maker, OutboxPayments(hub_db), None)

    alpha.sync()
    (own,) = claims.own_claims(alpha.replica, manager_user)
    assert own.paid and own.paid_amount == 550 and own.paid_ref.startswith("OUT")
    director = device(world.users["director"], "director")
    director.sync()
    with director.replica.read() as s:
        seen = s.get(lm.Claim, claim_id(series_id, manager))
        assert (seen.status, seen.paid_amount, seen.paid_ref) == ("paid", 550, None)
