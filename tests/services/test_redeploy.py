"""Redeploying an officer: each rule the hub enforces, checked on the device first, the
shortfall warning, the one-transaction write with one outbox entry, and the history."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from cp2desk.local_db.models import Deployment, OutboxEntry, Redeployment
from cp2desk.services import redeploy as r
from cp2desk.services.attendance import mark_attendance
from cp2desk.services.redeploy_history import history
from cp2desk.services.subcounty import load_overview
from cp2desk.services.subcounty_summary import staffing
from tests.services.subcounty_fixtures import build_subcounty


@pytest.fixture
def sub(replica):
    return build_subcounty(replica)


def dep(sub, key: str) -> str:
    return sub.centre.deployments[key]


def move(replica, sub, who, key, to, session="mon_pm", reason="Shortfall at Parklands", now=None):
    deployment = sub.centre.deployments.get(key) or sub.deployments.get(key) or key
    return r.redeploy(
        replica,
        who,
        deployment,
        sub.stations[to],
        sub.sessions[session],
        reason,
        now or sub.now,
    )


def test_redeploy_ends_old_starts_new_and_queues_only_the_redeployment(replica, sub):
    with replica.read() as s:
        base = s.get(Deployment, dep(sub, "mary")).hlc
    result = move(replica, sub, sub.director_id, "mary", "parklands")
    assert result.summary == (
        "Redeployed Mary Achieng Odhiambo (invigilator) from Kangemi High School to "
        "Parklands Arya Girls High School from Mon 9 Nov afternoon"
    )
    with replica.read() as s:
        old = s.get(Deployment, result.from_deployment_id)
        new = s.get(Deployment, result.to_deployment_id)
        row = s.get(Redeployment, result.redeployment_id)
        [entry] = s.scalars(select(OutboxEntry)).all()
    assert (old.status, old.until_session_id) == ("redeployed", sub.sessions["mon_pm"])
    assert (new.station_id, new.from_session_id, new.status) == (
        sub.stations["parklands"],
        sub.sessions["mon_pm"],
        "active",
    )
    assert (new.professional_id, new.position_id) == (old.professional_id, old.position_id)
    assert (row.to_deployment_id, row.by_user_id, row.reason) == (
        new.id,
        sub.director_id,
        "Shortfall at Parklands",
    )
    assert row.at == sub.now
    assert (entry.table_name, entry.row_id, entry.base_hlc) == ("redeployment", row.id, base)
    assert json.loads(entry.row_json)["from_deployment_id"] == old.id
    afternoon = load_overview(replica, sub.director_id, sub.now, sub.sessions["mon_pm"])
    lines = {line.centre.name.split()[0]: line for line in staffing(afternoon)}
    assert lines["Parklands"].staff["invigilator"].deployed == 4
    assert lines["Kangemi"].staff["invigilator"].deployed == 6


def test_shortfall_warning_when_the_source_falls_below_its_requirement(replica, sub):
    check = r.check_redeploy(
        replica,
        sub.director_id,
        dep(sub, "mary"),
        sub.stations["parklands"],
        sub.sessions["mon_pm"],
        "Parklands is short",
        sub.now,
    )
    assert check.allowed
    assert check.warnings == [
        "Kangemi High School needs 7 invigilators. After this move it has 6 from "
        "Mon 9 Nov afternoon: 1 short."
    ]
    result = move(replica, sub, sub.director_id, "mary", "parklands")
    assert result.warnings == check.warnings


def test_no_warning_when_the_source_keeps_its_requirement(replica, sub):
    surplus = sub.deployments["hospital_hill/invigilator/0"]
    check = r.check_redeploy(
        replica,
        sub.director_id,
        surplus,
        sub.stations["parklands"],
        sub.sessions["mon_pm"],
        "Hospital Hill has two spare",
        sub.now,
    )
    assert check.allowed and check.warnings == []


def test_not_at_the_officers_own_institution(replica, sub):
    with pytest.raises(r.OwnInstitution, match="Jane Wanjiku Kamau teaches at Upper Hill School"):
        move(replica, sub, sub.director_id, "jane", "upper_hill")
    assert replica.pending_count() == 0


def test_not_twice_in_one_session(replica, sub):
    # Friday 07:00: Brian's Upper Hill deployment starts on Monday afternoon, and until
    # then he serves at Kangemi; moving him from Friday afternoon would double him.
    friday = dt.datetime(2026, 11, 6, 7, 0)
    with pytest.raises(r.ServingTwice) as refused:
        at_upper_hill = sub.centre.elsewhere["brian"]
        move(replica, sub, sub.director_id, at_upper_hill, "hospital_hill", "fri_pm", now=friday)
    assert refused.value.message == (
        "Brian Omondi Okoth is already deployed to Kangemi High School for Fri 6 Nov "
        "afternoon; nobody serves at two centres in one session."
    )


def test_not_before_the_deployment_starts(replica, sub):
    friday = dt.datetime(2026, 11, 6, 7, 0)
    with replica.write() as s:
        s.get(
            Deployment, sub.deployments["parklands/invigilator/0"]
        ).from_session_id = sub.sessions["mon_am"]
    with pytest.raises(r.BeforeDeployment, match="only from Mon 9 Nov morning"):
        move(
            replica,
            sub,
            sub.director_id,
            "parklands/invigilator/0",
            "kitisuru",
            "fri_pm",
            now=friday,
        )


@pytest.mark.parametrize(
    ("who", "key", "message"),
    [
        ("scde", "mary", "Only the TSC sub-county director redeploys supervisors and invigilators"),
        ("tsc", "daniel", "Only the sub-county director of education redeploys security officers"),
        ("tsc", "grace", "A centre manager cannot be redeployed from the sub-county office."),
        ("manager", "mary", "Only the TSC sub-county director redeploys"),
    ],
)
def test_only_roles_the_director_may_move(replica, sub, who, key, message):
    user = {"scde": sub.scde_id, "tsc": sub.director_id, "manager": sub.centre.user_id}[who]
    with pytest.raises(r.RoleNotYours, match=message):
        move(replica, sub, user, key, "parklands")


def test_scde_moves_security_officers(replica, sub):
    result = move(replica, sub, sub.scde_id, "daniel", "parklands", reason="Second gate")
    assert result.summary.startswith("Redeployed Daniel Kiptoo Langat (security officer)")
    assert result.warnings == [
        "Kangemi High School needs 1 security officers. After this move it has 0 from "
        "Mon 9 Nov afternoon: 1 short."
    ]


@pytest.mark.parametrize(
    ("target", "error", "message"),
    [
        ("lenana", r.OutsideScope, "Lenana School is outside your sub-county"),
        ("container", r.BadTarget, "is not an examination centre"),
        ("kangemi", r.BadTarget, "is already deployed to Kangemi High School"),
    ],
)
def test_target_inside_the_directors_scope_and_an_exam_centre(replica, sub, target, error, message):
    with pytest.raises(error, match=message):
        move(replica, sub, sub.director_id, "mary", target)


def test_only_from_a_session_that_has_not_started(replica, sub):
    with pytest.raises(r.SessionStarted, match="The Mon 9 Nov morning session has already started"):
        move(replica, sub, sub.director_id, "mary", "parklands", "mon_am")


def test_a_reason_is_required(replica, sub):
    with pytest.raises(r.ReasonMissing, match="Say why"):
        move(replica, sub, sub.director_id, "mary", "parklands", reason="   ")


def test_not_an_officer_already_marked_for_that_session(replica, sub):
    at_13_10 = dt.datetime(2026, 11, 9, 13, 10)
    mark_attendance(
        replica, sub.centre.user_id, dep(sub, "mary"), sub.sessions["mon_pm"], "present", at_13_10
    )
    with pytest.raises(r.AlreadyMarked, match="already has a mark at Kangemi High School"):
        move(replica, sub, sub.director_id, "mary", "parklands", now=at_13_10)


def test_an_officer_already_moved_says_who_moved_them_and_when(replica, sub):
    move(replica, sub, sub.director_id, "mary", "parklands")
    with pytest.raises(r.AlreadyMoved) as moved:
        move(replica, sub, sub.director_id, "mary", "hospital_hill")
    assert moved.value.message == (
        "Mary Achieng Odhiambo was already moved to Parklands Arya Girls High School by you "
        "at 09:40 on 09 Nov."
    )


def test_check_lists_every_problem_at_once(replica, sub):
    check = r.check_redeploy(
        replica,
        sub.scde_id,
        dep(sub, "jane"),
        sub.stations["upper_hill"],
        sub.sessions["mon_am"],
        "",
        sub.now,
    )
    assert [p.rule for p in check.problems] == ["role", "own_school", "started", "reason"]
    assert not check.allowed


def test_an_officer_moved_twice_offline_chains_on_the_unsynced_deployment(replica, sub):
    first = move(replica, sub, sub.director_id, "mary", "parklands")
    second = r.redeploy(
        replica,
        sub.director_id,
        first.to_deployment_id,
        sub.stations["hospital_hill"],
        sub.sessions["tue_am"],
        "Parklands got its own",
        sub.now,
    )
    with replica.read() as s:
        entries = s.scalars(select(OutboxEntry).order_by(OutboxEntry.position)).all()
        middle = s.get(Deployment, first.to_deployment_id)
    assert [e.row_id for e in entries] == [first.redeployment_id, second.redeployment_id]
    assert entries[1].base_hlc is None  # no hub version of a deployment born here
    assert (middle.status, middle.until_session_id) == ("redeployed", sub.sessions["tue_am"])


def test_history_per_officer_and_per_centre(replica, sub):
    move(replica, sub, sub.director_id, "mary", "parklands")
    move(replica, sub, sub.scde_id, "daniel", "hospital_hill", reason="Gate cover")
    every = history(replica, sub.director_id)
    assert len(every) == 2 and all(m.waiting for m in every)
    [mary] = history(replica, sub.director_id, professional_id=sub.centre.professionals["mary"])
    assert (mary.officer, mary.from_centre, mary.to_centre, mary.by) == (
        "Mary Achieng Odhiambo",
        "Kangemi High School",
        "Parklands Arya Girls High School",
        "you",
    )
    assert mary.from_session == "Mon 9 Nov afternoon"
    kangemi = history(replica, sub.director_id, station_id=sub.stations["kangemi"])
    assert {m.officer for m in kangemi} == {"Mary Achieng Odhiambo", "Daniel Kiptoo Langat"}
    [into_hospital] = history(replica, sub.director_id, station_id=sub.stations["hospital_hill"])
    assert into_hospital.by == "Wycliffe Barasa" and into_hospital.reason == "Gate cover"
