"""Claims on the hub: days attended x the daily rate of the role, and why a claim is blocked."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from cp2desk.sync.records import natural_id
from cp2hub import models as m
from cp2hub.claims import claim_id, compute_claims
from cp2hub.cli import main

DAYS = [dt.date(2026, 11, 9), dt.date(2026, 11, 10), dt.date(2026, 11, 11)]
_phones = itertools.count(254700100001)


class Hub:
    """A series of three days (six sessions), two Nairobi centres and one in Kiambu."""

    def __init__(self, db) -> None:
        self.db = db
        with db.write() as s:
            nairobi = m.County(code="047", name="Nairobi")
            kiambu = m.County(code="022", name="Kiambu")
            s.add_all([nairobi, kiambu])
            s.flush()
            westlands = m.SubCounty(county_id=nairobi.id, code="04701", name="Westlands")
            thika = m.SubCounty(county_id=kiambu.id, code="02201", name="Thika")
            self.series = m.Series(
                code="KCSE-2026", exam="KCSE", name="KCSE 2026", year=2026,
                starts_on=DAYS[0], ends_on=DAYS[-1],
            )  # fmt: skip
            s.add_all([westlands, thika, self.series])
            s.flush()
            self.sessions = []
            for day in DAYS:
                for slot, start in (("morning", 8), ("afternoon", 14)):
                    sitting = m.ExamSession(
                        series_id=self.series.id, day=day, slot=slot,
                        starts_at=dt.time(start), ends_at=dt.time(start + 2, 30),
                    )  # fmt: skip
                    s.add(sitting)
                    self.sessions.append(sitting)
            self.positions = {
                code: m.Position(code=code, name=code.replace("_", " ").title(), rank=i)
                for i, code in enumerate(("centre_manager", "supervisor", "invigilator", "driver"))
            }
            s.add_all(self.positions.values())
            s.flush()
            for code, rate in (("centre_manager", 550), ("supervisor", 680), ("invigilator", 550)):
                s.add(m.Rate(series_id=self.series.id, position_id=self.positions[code].id,
                             region="standard", daily_rate=rate))  # fmt: skip
            s.add(m.Rate(series_id=self.series.id, position_id=self.positions["invigilator"].id,
                         region="Nairobi", daily_rate=700))  # fmt: skip
            self.centres = {}
            for name, sub in (("Alpha", westlands), ("Beta", westlands), ("Gamma", thika)):
                station = m.Station(
                    code=f"{name[:3].upper()}001", name=f"{name} Secondary School",
                    kind="exam_centre", county_id=sub.county_id, sub_county_id=sub.id,
                )  # fmt: skip
                s.add(station)
                self.centres[name] = station
            s.flush()

    def officer(self, first="Jane", last="Wanjiru", **profile) -> m.Professional:
        phone = str(next(_phones))
        values = dict(
            phone=phone, national_id=phone[-8:], tsc_number=phone[-6:], first_name=first,
            last_name=last, teacher_level="primary", payment_method="mpesa", mpesa_phone=phone,
            mpesa_name=f"{first} {last}",
        )  # fmt: skip
        values.update(profile)
        with self.db.write() as s:
            person = m.Professional(**values)
            s.add(person)
        return person

    def deploy(self, person, centre="Alpha", position="invigilator", **bounds) -> m.Deployment:
        values = {k: self.sessions[v].id if isinstance(v, int) else v for k, v in bounds.items()}
        with self.db.write() as s:
            dep = m.Deployment(
                series_id=self.series.id, professional_id=person.id,
                station_id=self.centres[centre].id, position_id=self.positions[position].id,
                **{"status": "active", **values},
            )  # fmt: skip
            s.add(dep)
        return dep

    def mark(self, dep, statuses: str, start: int = 0) -> None:
        """P present, L late, A absent, '.' unmarked: one letter per session from `start`."""
        codes = {"P": "present", "L": "late", "A": "absent"}
        with self.db.write() as s:
            for offset, code in enumerate(statuses):
                if code == ".":
                    continue
                sitting = self.sessions[start + offset]
                s.add(
                    m.Attendance(
                        id=natural_id("attendance", dep.id, sitting.id), deployment_id=dep.id,
                        session_id=sitting.id, station_id=dep.station_id,
                        professional_id=dep.professional_id, status=codes[code],
                        check_in=None if code == "A" else dt.time(7, 40),
                    )
                )  # fmt: skip

    def claim(self, person) -> m.Claim:
        with self.db.read() as s:
            return s.get(m.Claim, claim_id(self.series.id, person.id))


@pytest.fixture
def hub(hub_database) -> Hub:
    return Hub(hub_database)


def reasons(claim) -> list[str]:
    return [line.split(":", 1)[0] for line in claim.blocked.splitlines()]


def test_attended_sessions_are_paid_by_the_day(hub):
    jane = hub.officer()
    hub.mark(hub.deploy(jane, "Gamma"), "PP.P..")
    compute_claims(hub.db, "KCSE-2026")
    claim = hub.claim(jane)
    assert (claim.sessions, claim.days, claim.amount) == (3, 2, 2 * 550)
    assert (claim.status, claim.blocked) == ("payable", "")


def test_absent_is_not_paid_and_late_is(hub):
    mary, john = hub.officer("Mary", "Odhiambo"), hub.officer("John", "Cheruiyot")
    hub.mark(hub.deploy(mary, "Gamma"), "PAAAAP")
    hub.mark(hub.deploy(john, "Gamma"), "LL.L.L")
    compute_claims(hub.db, "KCSE-2026")
    assert (hub.claim(mary).sessions, hub.claim(mary).days, hub.claim(mary).amount) == (2, 2, 1100)
    assert (hub.claim(john).sessions, hub.claim(john).days) == (4, 3)


def test_absent_throughout_is_blocked_for_no_attendance(hub):
    peter = hub.officer("Peter", "Ouma")
    hub.mark(hub.deploy(peter, "Gamma"), "AAAAAA")
    compute_claims(hub.db, "KCSE-2026")
    claim = hub.claim(peter)
    assert claim.status == "blocked" and reasons(claim) == ["no_attendance"]
    assert claim.blocked == "no_attendance: No attendance marked present or late in KCSE-2026."
    assert claim.amount == 0


def test_role_and_region_set_the_rate(hub):
    nairobi, supervisor = hub.officer("Faith", "Njoroge"), hub.officer("Samuel", "Musyoka")
    hub.mark(hub.deploy(nairobi, "Alpha"), "PPPPPP")
    hub.mark(hub.deploy(supervisor, "Gamma", "supervisor"), "P.P.P.")
    compute_claims(hub.db, "KCSE-2026")
    assert hub.claim(nairobi).amount == 3 * 700, "Nairobi's regional rate for invigilators"
    assert hub.claim(supervisor).amount == 3 * 680


def test_redeployed_mid_series_is_counted_across_both_centres(hub):
    brian = hub.officer("Brian", "Okoth")
    first = hub.deploy(brian, "Alpha", status="redeployed", until_session_id=3)
    second = hub.deploy(brian, "Beta", from_session_id=3)
    hub.mark(first, "PPPPPP")  # marks after the move at Alpha are not his: not paid there
    hub.mark(second, "PPP", start=3)
    compute_claims(hub.db, "KCSE-2026")
    claim = hub.claim(brian)
    assert (claim.sessions, claim.days, claim.amount, claim.status) == (6, 3, 3 * 700, "payable")


def test_incomplete_profiles_name_exactly_what_is_missing(hub):
    renamed = hub.officer("Lucy", "Rono", mpesa_name="Lucy Otieno")
    no_id = hub.officer("Esther", "Wafula", national_id=None)
    no_tsc = hub.officer("Ann", "Nyaboke", tsc_number="  ")
    no_phone = hub.officer("Daniel", "Langat", mpesa_phone=None)
    fine = hub.officer("Grace", "Mwangi", middle_name="Wanjiru", mpesa_name="GRACE MWANGI")
    for person in (renamed, no_id, no_tsc, no_phone, fine):
        hub.mark(hub.deploy(person, "Gamma"), "PP")
    summary = compute_claims(hub.db, "KCSE-2026")
    assert hub.claim(renamed).blocked == (
        "name_mismatch: The name registered for the M-Pesa number is not the CP2 account "
        "name “Lucy Rono”."
    )
    assert "Otieno" not in hub.claim(renamed).blocked, "directors see claims, not M-Pesa names"
    assert hub.claim(no_id).blocked == "missing_national_id: No national ID number on the profile."
    assert reasons(hub.claim(no_tsc)) == ["missing_tsc_number"]
    assert hub.claim(no_phone).blocked == "missing_payment: No M-Pesa number on the profile."
    assert hub.claim(fine).status == "payable"
    assert hub.claim(renamed).amount == 550, "the amount held up is still shown"
    assert (summary.payable, summary.blocked) == (1, 4)
    assert summary.amount_blocked == 4 * 550
    assert summary.reasons["name_mismatch"] == 1 and summary.reasons["no_attendance"] == 0


def test_police_and_drivers_need_no_tsc_number_but_need_a_rate(hub):
    driver = hub.officer("Moses", "Kiprop", tsc_number=None, teacher_level=None)
    hub.mark(hub.deploy(driver, "Gamma", "driver"), "P")
    compute_claims(hub.db, "KCSE-2026")
    claim = hub.claim(driver)
    assert reasons(claim) == ["no_rate"]
    assert "has not set a daily rate for Driver" in claim.blocked


def test_one_person_on_two_accounts_in_different_centres_is_blocked(hub):
    first = hub.officer("Kevin", "Onyango", national_id="31234567")
    second = hub.officer("Kevin", "Onyango", national_id="31234567")
    hub.mark(hub.deploy(first, "Alpha"), "PP")
    hub.mark(hub.deploy(second, "Beta", "supervisor"), "PP")
    compute_claims(hub.db, "KCSE-2026")
    for claim, other in ((hub.claim(first), "Beta"), (hub.claim(second), "Alpha")):
        assert claim.status == "blocked" and reasons(claim) == ["duplicate"]
        assert "The same ID number 31234567 is on another CP2 account" in claim.blocked
        assert f"{other} Secondary School as" in claim.blocked


def test_deployed_twice_for_the_same_sessions_in_different_roles_is_blocked(hub):
    mercy = hub.officer("Mercy", "Kerubo")
    supervising = hub.deploy(mercy, "Alpha", "supervisor", status="redeployed", until_session_id=4)
    invigilating = hub.deploy(mercy, "Beta", from_session_id=2)
    hub.mark(supervising, "PP")
    hub.mark(invigilating, "PP", start=2)
    compute_claims(hub.db, "KCSE-2026")
    claim = hub.claim(mercy)
    assert reasons(claim) == ["duplicate"]
    assert claim.blocked == (
        "duplicate: Deployed twice for the same sessions (from Tue 10 Nov morning): "
        "Alpha Secondary School as Supervisor and Beta Secondary School as Invigilator."
    )


def test_a_cancelled_deployment_is_not_on_the_list(hub):
    ruth = hub.officer("Ruth", "Atieno")
    hub.deploy(ruth, "Gamma", status="cancelled")
    compute_claims(hub.db, "KCSE-2026")
    assert reasons(hub.claim(ruth)) == ["not_deployed"]


def test_recomputing_writes_only_what_changed(hub):
    jane, mary = hub.officer(), hub.officer("Mary", "Odhiambo")
    dep = hub.deploy(jane, "Gamma")
    hub.mark(dep, "PP")
    other = hub.deploy(mary, "Gamma")
    hub.mark(other, "P")
    assert compute_claims(hub.db, "KCSE-2026").changed == 2
    before = hub.claim(mary).seq
    assert compute_claims(hub.db, "KCSE-2026").changed == 0
    hub.mark(dep, "P", start=2)
    assert compute_claims(hub.db, "KCSE-2026").changed == 1
    assert hub.claim(jane).days == 2 and hub.claim(mary).seq == before
    with hub.db.write() as s:
        s.get(m.Deployment, other.id).deleted = True
    assert compute_claims(hub.db, "KCSE-2026").changed == 1
    assert hub.claim(mary).deleted and hub.claim(mary).seq > before


def test_teachers_need_a_tsc_number_whatever_their_role(hub):
    """The profile's teacher level says who is a teacher (one completeness rule for the app,
    the applicant lists and claims); police and support staff have no TSC number."""
    teacher = hub.officer("Ruth", "Kerubo", tsc_number=None, teacher_level="secondary")
    police = hub.officer("Moses", "Kiprop", tsc_number=None, teacher_level=None)
    hub.mark(hub.deploy(teacher, "Gamma", "supervisor"), "P")
    hub.mark(hub.deploy(police, "Gamma", "invigilator"), "P")
    compute_claims(hub.db, "KCSE-2026")
    assert reasons(hub.claim(teacher)) == ["missing_tsc_number"]
    assert hub.claim(police).status == "payable"


def test_a_profile_without_a_name_or_bank_details_says_so(hub):
    nameless = hub.officer("", "", mpesa_name="")
    banked = hub.officer("Ann", "Moraa", payment_method="bank", bank_name="KCB", bank_account=None)
    for person in (nameless, banked):
        hub.mark(hub.deploy(person, "Gamma"), "P")
    compute_claims(hub.db, "KCSE-2026")
    assert reasons(hub.claim(nameless)) == ["missing_name", "name_mismatch"]
    assert hub.claim(banked).blocked == "missing_payment: No bank account number on the profile."


def test_cli_computes_and_prints_totals(hub, capsys):
    jane = hub.officer()
    hub.mark(hub.deploy(jane, "Gamma"), "PP")
    url = hub.db.engine.url.render_as_string(hide_password=False)
    assert main(["compute-claims", "--series", "KCSE-2026", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert "Claims for KCSE-2026: 1 officers, 1 claims written." in out
    assert "payable        1   KSh           550" in out
    assert main(["compute-claims", "--series", "KCSE-1999", "--database-url", url]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "cp2hub: There is no series 'KCSE-1999' (known: KCSE-2026)."
    with hub.db.read() as s:
        assert len(s.scalars(select(m.Claim)).all()) == 1
