"""A director reopens a signed-off session, with a reason, recorded and queued."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cp2desk.local_db.models import OutboxEntry, SessionSignoff
from cp2desk.services.attendance import mark_attendance, signoff_id
from cp2desk.services.errors import NotAllowed, NotFound
from cp2desk.services.reopen import ReasonRequired, reopen_session, signoff_facts
from tests.services.subcounty_fixtures import build_subcounty


@pytest.fixture
def sub(replica):
    return build_subcounty(replica)


def test_reopen_records_who_when_why_against_the_signoff_seen(replica, sub):
    kangemi, friday = sub.stations["kangemi"], sub.sessions["fri_am"]
    with replica.read() as s:
        base = s.get(SessionSignoff, signoff_id(kangemi, friday)).hlc
    facts = signoff_facts(replica, kangemi, friday)
    assert facts.can_reopen and facts.signed_by == "Grace Wanjiru Mwangi"
    result = reopen_session(
        replica, sub.director_id, kangemi, friday, " Mary was marked absent by mistake ", sub.now
    )
    assert result.summary == "Reopened Fri 6 Nov morning at Kangemi High School"
    with replica.read() as s:
        row = s.get(SessionSignoff, signoff_id(kangemi, friday))
        [entry] = s.scalars(select(OutboxEntry)).all()
    assert (row.status, row.reopened_by, row.reopened_at) == ("reopened", sub.director_id, sub.now)
    assert row.reason == "Mary was marked absent by mistake"
    assert (entry.table_name, entry.row_id, entry.base_hlc) == ("session_signoff", row.id, base)
    assert entry.fields == "status,reopened_by,reopened_at,reason"
    assert json.loads(entry.row_json)["status"] == "reopened"
    assert not signoff_facts(replica, kangemi, friday).can_reopen


def test_the_centre_can_correct_a_mark_once_reopened(replica, sub):
    kangemi, friday = sub.stations["kangemi"], sub.sessions["fri_am"]
    reopen_session(replica, sub.scde_id, kangemi, friday, "Wrong check-in time", sub.now)
    mark = mark_attendance(
        replica, sub.centre.user_id, sub.centre.deployments["mary"], friday, "late", sub.now
    )
    assert mark.status == "late"


def test_reason_required(replica, sub):
    with pytest.raises(ReasonRequired):
        reopen_session(
            replica, sub.director_id, sub.stations["kangemi"], sub.sessions["fri_am"], " "
        )


def test_only_signed_off_sessions_reopen(replica, sub):
    with pytest.raises(
        NotFound, match="Fri 6 Nov afternoon at Kangemi High School is not signed off"
    ):
        reopen_session(
            replica, sub.director_id, sub.stations["kangemi"], sub.sessions["fri_pm"], "x", sub.now
        )
    reopen_session(replica, sub.director_id, sub.stations["kangemi"], sub.sessions["fri_am"], "x")
    with pytest.raises(NotFound, match="already reopened"):
        reopen_session(
            replica, sub.director_id, sub.stations["kangemi"], sub.sessions["fri_am"], "y"
        )


@pytest.mark.parametrize("station", ["kangemi", "lenana"])
def test_only_the_sub_county_director_of_the_centre_reopens(replica, sub, station):
    who = sub.centre.user_id if station == "kangemi" else sub.director_id
    with pytest.raises(NotAllowed):
        reopen_session(
            replica, who, sub.stations[station], sub.sessions["fri_am"], "please", sub.now
        )
    assert replica.pending_count() == 0


def test_facts_of_a_session_not_signed_off(replica, sub):
    facts = signoff_facts(replica, sub.stations["parklands"], sub.sessions["mon_am"])
    assert facts.status is None and not facts.can_reopen
    assert (facts.centre, facts.session) == (
        "Parklands Arya Girls High School",
        "Mon 9 Nov morning",
    )
    assert signoff_facts(replica, "nowhere", sub.sessions["mon_am"]) is None
