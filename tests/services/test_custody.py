"""The clerk's custody log, offline: handovers, the centre manager check, seals, corrections."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from cp2desk.local_db.models import MaterialMovement, OutboxEntry
from cp2desk.services import attendance, custody
from cp2desk.services.custody import (
    AlreadyLogged,
    InvalidHandover,
    NotCollected,
    NotTheCentreManager,
    centre_materials,
    custody_log,
    log_collection,
    log_return,
)
from cp2desk.services.errors import NotAllowed
from tests.services.custody_fixtures import GRACE_ID, build_container, morning


@pytest.fixture
def dc(replica):
    return build_container(replica)


def outbox(replica) -> list[OutboxEntry]:
    with replica.read() as s:
        return list(s.scalars(select(OutboxEntry).order_by(OutboxEntry.position)))


def line(replica, dc, session_key: str, now, centre_id=None):
    log = custody_log(replica, dc.station_id, now)
    wanted = (dc.centre.sessions[session_key], centre_id or dc.centre.station_id)
    return next(x for x in log.lines if (x.session.id, x.centre.station_id) == wanted)


def collect(replica, dc, at, seals="KN0412783, kn0412784", who=GRACE_ID, **kw):
    return log_collection(
        replica, dc.clerk_id, dc.centre.station_id, dc.centre.sessions["mon_am"], who, seals, at,
        **kw,
    )  # fmt: skip


def give_back(replica, dc, at, seals="KN0412784 KN0412783", who=GRACE_ID, **kw):
    return log_return(
        replica, dc.clerk_id, dc.centre.station_id, dc.centre.sessions["mon_am"], who, seals, at,
        **kw,
    )  # fmt: skip


def test_collection_by_the_centre_manager_is_one_row_and_one_outbox_entry(replica, dc):
    result = collect(replica, dc, morning(6, 55))
    assert result.by_manager and "Grace Wanjiru Mwangi collected the papers" in result.summary
    entries = outbox(replica)
    assert [(e.table_name, e.row_id) for e in entries] == [
        ("material_movement", result.movement_id)
    ]
    sent = json.loads(entries[0].row_json)
    assert sent["station_id"] == dc.station_id and sent["centre_id"] == dc.centre.station_id
    assert sent["kind"] == "collect" and sent["seals"] == "KN0412783, KN0412784"
    assert sent["person_national_id"] == GRACE_ID
    assert sent["professional_id"] == dc.centre.professionals["grace"]
    assert sent["recorded_by"] == dc.clerk_id
    row = line(replica, dc, "mon_am", morning(9, 40))
    assert row.state == "out" and row.collected.seals == ("KN0412783", "KN0412784")
    assert row.manager.name == "Grace Wanjiru Mwangi" and not row.flags


def test_scripts_not_back_after_the_session_are_outstanding(replica, dc):
    collect(replica, dc, morning(6, 55))
    assert line(replica, dc, "mon_am", morning(10, 0)).state == "out"
    late = line(replica, dc, "mon_am", morning(11, 0))
    assert late.state == "outstanding" and late.flags == ["Scripts not returned"]
    log = custody_log(replica, dc.station_id, morning(11, 0))
    assert [x.centre.name for x in log.outstanding()] == ["Kangemi High School"]


def test_return_with_the_same_seals_completes_the_line(replica, dc):
    collect(replica, dc, morning(6, 55))
    give_back(replica, dc, morning(10, 50))
    done = line(replica, dc, "mon_am", morning(11, 0))
    assert done.state == "returned" and not done.needs_attention
    assert done.returned.at == morning(10, 50)
    assert len(outbox(replica)) == 2


def test_mismatched_seals_are_named(replica, dc):
    collect(replica, dc, morning(6, 55))
    give_back(replica, dc, morning(10, 50), seals="KN0412783, KN0499999")
    row = line(replica, dc, "mon_am", morning(11, 0))
    assert row.state == "seals_differ"
    assert row.missing_seals == ("KN0412784",) and row.unknown_seals == ("KN0499999",)
    assert row.flags == ["Seals not returned: KN0412784", "Seals not issued: KN0499999"]
    log = custody_log(replica, dc.station_id, morning(11, 0))
    assert log.mismatched() == [row]


def test_someone_else_is_refused_until_the_clerk_confirms(replica, dc):
    with pytest.raises(NotTheCentreManager) as refused:
        collect(replica, dc, morning(6, 55), who="29876543")
    assert "Grace Wanjiru Mwangi" in refused.value.message
    assert "29876543" in refused.value.message and GRACE_ID not in refused.value.message
    assert outbox(replica) == []
    result = collect(replica, dc, morning(6, 55), who="29876543", allow_other=True)
    assert not result.by_manager and result.summary.startswith("John Kiprono Cheruiyot")
    row = line(replica, dc, "mon_am", morning(9, 40))
    assert row.flags == ["Collected by John Kiprono Cheruiyot, not the centre manager"]
    assert row.needs_attention


def test_a_centre_without_a_deployed_manager_says_so(replica, dc):
    with pytest.raises(NotTheCentreManager, match="No centre manager is deployed"):
        log_collection(
            replica, dc.clerk_id, dc.centre.other_station_id, dc.centre.sessions["mon_am"],
            "30000001", "KN1", morning(7),
        )  # fmt: skip


def test_a_return_needs_its_collection_first(replica, dc):
    with pytest.raises(NotCollected, match="Log the collection first"):
        give_back(replica, dc, morning(10, 50))
    collect(replica, dc, morning(9, 0))
    with pytest.raises(InvalidHandover, match="before the papers were collected at 09:00"):
        give_back(replica, dc, morning(8, 0))


def test_logging_again_is_a_correction_of_the_same_row(replica, dc):
    collect(replica, dc, morning(6, 55), seals="KN1")
    with pytest.raises(AlreadyLogged, match="06:55, seals KN1"):
        collect(replica, dc, morning(7, 5), seals="KN2")
    collect(replica, dc, morning(7, 5), seals="KN2", replace=True)
    with replica.read() as s:
        rows = s.scalars(select(MaterialMovement)).all()
    assert [(r.seals, r.at) for r in rows] == [("KN2", morning(7, 5))]
    assert len(outbox(replica)) == 2


@pytest.mark.parametrize(
    ("who", "seals", "message"),
    [
        ("", "KN1", "national ID number"),
        ("23-456-781", "", "number of every seal"),
        ("23456781", "KN1, K", "does not look like a seal number"),
    ],
)
def test_bad_input_is_explained(replica, dc, who, seals, message):
    with pytest.raises(InvalidHandover, match=message):
        collect(replica, dc, morning(7), seals=seals, who=who)


def test_only_the_clerk_of_the_container_logs(replica, dc):
    with pytest.raises(NotAllowed, match="does not collect its materials from your"):
        log_collection(
            replica, dc.centre.user_id, dc.centre.station_id, dc.centre.sessions["mon_am"],
            GRACE_ID, "KN1", morning(7),
        )  # fmt: skip


def test_papers_are_not_handed_over_before_their_day(replica, dc):
    with pytest.raises(InvalidHandover, match="not before"):
        log_collection(
            replica, dc.clerk_id, dc.centre.station_id, dc.centre.sessions["tue_am"],
            GRACE_ID, "KN1", morning(16),
        )  # fmt: skip


def test_the_centre_manager_sees_their_collections(replica, dc):
    collect(replica, dc, morning(6, 55))
    lines = centre_materials(replica, dc.centre.station_id, morning(9, 40))
    assert len(lines) == len(dc.centre.sessions)
    mine = next(x for x in lines if x.session.id == dc.centre.sessions["mon_am"])
    assert mine.collected.person.name == "Grace Wanjiru Mwangi" and mine.state == "out"
    friday = next(x for x in lines if x.session.id == dc.centre.sessions["fri_am"])
    assert friday.state == "not_collected"


def test_the_log_covers_every_served_centre_and_session(replica, dc):
    log = custody_log(replica, dc.station_id, morning(9, 40))
    assert log.centre.name == "Westlands Sub-County Examination Container"
    assert [c.name for c in log.centres] == ["Kangemi High School", "Upper Hill School"]
    assert len(log.lines) == 2 * len(dc.centre.sessions) and log.series_code == "KCSE2026"
    assert custody.clerk_centres(replica, dc.clerk_id)[0].station_id == dc.station_id
    assert custody.clerk_centres(replica, dc.centre.user_id) == []


def test_the_clerk_marks_the_container_staff_but_not_a_centre(replica, dc):
    session_id = dc.centre.sessions["mon_am"]
    mark = attendance.mark_attendance(
        replica, dc.clerk_id, dc.deployments["driver"], session_id, "late", morning(9, 40)
    )
    assert mark.status == "late"
    with pytest.raises(NotAllowed):
        attendance.mark_attendance(
            replica, dc.clerk_id, dc.centre.deployments["jane"], session_id, "present",
            morning(9, 40),
        )  # fmt: skip
    with replica.read() as s:
        assert s.scalar(select(func.count()).select_from(OutboxEntry)) == 1
