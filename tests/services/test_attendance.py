"""Marking and signing off: the row and its outbox entry together, natural ids, guard rails."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from cp2desk.local_db.models import Attendance, OutboxEntry, SessionSignoff
from cp2desk.services import errors
from cp2desk.services.attendance import (
    mark_all_present,
    mark_attendance,
    reopen_session,
    sign_off_session,
)
from cp2desk.sync.records import natural_id


def outbox(replica) -> list[OutboxEntry]:
    with replica.read() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.position)))


def test_mark_writes_row_and_outbox_entry_together(replica, centre):
    dep, mon_am = centre.deployments["jane"], centre.sessions["mon_am"]
    result = mark_attendance(replica, centre.user_id, dep, mon_am, "present", now=centre.now)

    assert result.attendance_id == natural_id("attendance", dep, mon_am)
    with replica.read() as session:
        row = session.get(Attendance, result.attendance_id)
    assert (row.status, row.check_in, row.marked_by) == ("present", dt.time(9, 40), centre.user_id)
    assert row.origin == replica.device_id and row.hlc > 0
    [entry] = outbox(replica)
    assert entry.table_name == "attendance" and entry.row_id == row.id
    assert entry.fields == "status,check_in"
    assert entry.summary == "Marked Jane Wanjiku Kamau present for Mon 9 Nov morning"
    assert json.loads(entry.row_json)["check_in"] == "09:40:00"


def test_absent_has_no_check_in_and_late_says_when(replica, centre):
    mon_am = centre.sessions["mon_am"]
    absent = mark_attendance(
        replica, centre.user_id, centre.deployments["mary"], mon_am, "absent", now=centre.now
    )
    late = mark_attendance(
        replica, centre.user_id, centre.deployments["john"], mon_am, "late", now=centre.now
    )
    assert absent.check_in is None
    assert late.check_in == dt.time(9, 40)
    assert late.summary.endswith("late for Mon 9 Nov morning, in at 09:40")


def test_changing_a_mark_updates_the_same_row(replica, centre):
    dep, mon_am = centre.deployments["jane"], centre.sessions["mon_am"]
    mark_attendance(replica, centre.user_id, dep, mon_am, "present", now=centre.now)
    mark_attendance(replica, centre.user_id, dep, mon_am, "absent", now=centre.now)
    mark_attendance(replica, centre.user_id, dep, mon_am, "absent", now=centre.now)
    with replica.read() as session:
        rows = session.scalars(select(Attendance).where(Attendance.session_id == mon_am)).all()
    assert [r.status for r in rows] == ["absent"]
    assert len(outbox(replica)) == 2, "marking the same status again queues nothing"


def test_a_failed_mark_leaves_neither_row_nor_outbox(replica, centre):
    with pytest.raises(errors.SessionNotStarted):
        mark_attendance(
            replica,
            centre.user_id,
            centre.deployments["jane"],
            centre.sessions["mon_pm"],
            "present",
            now=centre.now,
        )
    assert outbox(replica) == []


def test_mark_all_present_skips_officers_already_marked(replica, centre):
    mon_am = centre.sessions["mon_am"]
    mark_attendance(
        replica, centre.user_id, centre.deployments["mary"], mon_am, "absent", now=centre.now
    )
    marked = mark_all_present(replica, centre.user_id, centre.station_id, mon_am, now=centre.now)
    assert marked == 9, "ten deployed this morning (Esther arrives in the afternoon), Mary absent"
    with replica.read() as session:
        statuses = {
            a.professional_id: a.status
            for a in session.scalars(select(Attendance).where(Attendance.session_id == mon_am))
        }
    assert statuses[centre.professionals["mary"]] == "absent"
    assert statuses[centre.professionals["brian"]] == "present"
    assert centre.professionals["esther"] not in statuses
    assert len(outbox(replica)) == 10
    assert mark_all_present(replica, centre.user_id, centre.station_id, mon_am, centre.now) == 0


def test_sign_off_locks_the_session(replica, centre):
    mon_am = centre.sessions["mon_am"]
    mark_all_present(replica, centre.user_id, centre.station_id, mon_am, now=centre.now)
    result = sign_off_session(replica, centre.user_id, centre.station_id, mon_am, now=centre.now)

    assert result.signoff_id == natural_id("session_signoff", centre.station_id, mon_am)
    entry = outbox(replica)[-1]
    assert (entry.table_name, entry.base_hlc) == ("session_signoff", None)
    with pytest.raises(errors.SessionSignedOff, match="ask the sub-county director to reopen"):
        mark_attendance(
            replica, centre.user_id, centre.deployments["jane"], mon_am, "late", now=centre.now
        )
    with pytest.raises(errors.SessionSignedOff):
        mark_all_present(replica, centre.user_id, centre.station_id, mon_am, now=centre.now)
    with pytest.raises(errors.SessionSignedOff):
        sign_off_session(replica, centre.user_id, centre.station_id, mon_am, now=centre.now)


def test_sign_off_needs_every_officer_marked(replica, centre):
    mon_am = centre.sessions["mon_am"]
    with pytest.raises(errors.SessionIncomplete, match="10 officers still have no mark"):
        sign_off_session(replica, centre.user_id, centre.station_id, mon_am, now=centre.now)


def test_reopened_session_takes_marks_again_and_resigning_carries_base(replica, centre):
    fri_am = centre.sessions["fri_am"]
    signoff_id = natural_id("session_signoff", centre.station_id, fri_am)
    later = dt.datetime(2026, 11, 9, 12, 0)
    reopen_session(
        replica, centre.director_id, centre.station_id, fri_am, "John's time was wrong", now=later
    )
    with replica.read() as session:
        reopened_hlc = session.get(SessionSignoff, signoff_id).hlc

    mark_attendance(
        replica, centre.user_id, centre.deployments["john"], fri_am, "present", now=later
    )
    sign_off_session(replica, centre.user_id, centre.station_id, fri_am, now=later)
    assert outbox(replica)[-1].base_hlc == reopened_hlc


def test_only_the_sub_county_director_reopens(replica, centre):
    with pytest.raises(errors.NotAllowed):
        reopen_session(
            replica, centre.user_id, centre.station_id, centre.sessions["fri_am"], "why", centre.now
        )


@pytest.mark.parametrize(
    ("session_key", "now", "error", "words"),
    [
        ("mon_pm", dt.datetime(2026, 11, 9, 9, 40), errors.SessionNotStarted, "opens at 13:00"),
        ("mon_am", dt.datetime(2026, 11, 9, 6, 59), errors.SessionNotStarted, "opens at 07:00"),
        ("mon_am", dt.datetime(2026, 11, 9, 7, 0), None, ""),
        ("mon_am", dt.datetime(2026, 11, 9, 12, 30), None, ""),
        ("mon_am", dt.datetime(2026, 11, 9, 12, 31), errors.MarkingWindowClosed, "closed at 12:30"),
        ("fri_pm", dt.datetime(2026, 11, 9, 9, 40), errors.MarkingWindowClosed, "closed at 18:30"),
    ],
)
def test_marking_window(replica, centre, session_key, now, error, words):
    def mark():
        return mark_attendance(
            replica,
            centre.user_id,
            centre.deployments["jane"],
            centre.sessions[session_key],
            "present",
            now=now,
        )

    if error is None:
        assert mark().status == "present"
    else:
        with pytest.raises(error, match=words):
            mark()


def test_officer_redeployed_out_cannot_be_marked_after(replica, centre):
    at = dt.datetime(2026, 11, 9, 14, 5)
    with pytest.raises(errors.NotDeployedHere, match="Brian Omondi Okoth is not deployed"):
        mark_attendance(
            replica,
            centre.user_id,
            centre.deployments["brian"],
            centre.sessions["mon_pm"],
            "present",
            at,
        )
    result = mark_attendance(
        replica,
        centre.user_id,
        centre.deployments["esther"],
        centre.sessions["mon_pm"],
        "present",
        at,
    )
    assert result.status == "present"


def test_officer_redeployed_in_cannot_be_marked_before(replica, centre):
    with pytest.raises(errors.NotDeployedHere):
        mark_attendance(
            replica,
            centre.user_id,
            centre.deployments["esther"],
            centre.sessions["mon_am"],
            "present",
            centre.now,
        )


def test_officer_of_another_centre_cannot_be_marked(replica, centre):
    with pytest.raises(errors.NotDeployedHere, match="another centre"):
        mark_attendance(
            replica,
            centre.user_id,
            centre.elsewhere["ann"],
            centre.sessions["mon_am"],
            "present",
            centre.now,
        )


def test_a_user_who_is_not_a_centre_manager_is_refused(replica, centre):
    with pytest.raises(errors.NotAllowed):
        mark_attendance(
            replica,
            centre.director_id,
            centre.deployments["jane"],
            centre.sessions["mon_am"],
            "present",
            centre.now,
        )


def test_unknown_status_is_refused(replica, centre):
    with pytest.raises(errors.InvalidStatus):
        mark_attendance(
            replica,
            centre.user_id,
            centre.deployments["jane"],
            centre.sessions["mon_am"],
            "sick",
            centre.now,
        )
