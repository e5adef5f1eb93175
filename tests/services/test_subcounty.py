"""The sub-county overview: staffing against requirement, attendance across centres,
absent officers and the officer search, on the Westlands fixture."""

from __future__ import annotations

import pytest

from cp2desk.services.subcounty import directorate, load_overview
from cp2desk.services.subcounty_summary import (
    absent,
    attendance_by_centre,
    find_officers,
    not_yet_marked,
    officers,
    staffing,
    staffing_totals,
)
from tests.services.subcounty_fixtures import build_subcounty


@pytest.fixture
def sub(replica):
    return build_subcounty(replica)


def by_name(lines):
    return {line.centre.name.split()[0]: line for line in lines}


def test_directorate_from_grants(replica, sub):
    tsc = directorate(replica, sub.director_id)
    assert tsc.title == "Westlands"
    assert tsc.role_titles == "TSC sub-county director"
    assert tsc.may_move("invigilator", sub.centre.sub_county_id)
    assert not tsc.may_move("security_officer", sub.centre.sub_county_id)
    assert not tsc.may_move("centre_manager", sub.centre.sub_county_id)
    scde = directorate(replica, sub.scde_id)
    assert scde.may_move("security_officer", sub.centre.sub_county_id)
    assert not directorate(replica, sub.centre.user_id).roles  # a centre manager directs nothing


def test_overview_is_the_current_session_of_the_sub_county_exam_centres(replica, sub):
    overview = load_overview(replica, sub.director_id, sub.now)
    assert overview.series_name == "KCSE 2026"
    assert overview.session.label == "Mon 9 Nov morning"
    assert overview.now_index == overview.session_index
    names = [c.name for c in overview.centres]
    assert names == sorted(names) and len(names) == 5
    assert "Lenana School" not in names  # another sub-county
    assert not any("Container" in n for n in names)  # not an exam centre
    assert [p.code for p in overview.positions] == [
        "centre_manager",
        "supervisor",
        "invigilator",
        "security_officer",
    ]


def test_staffing_shortfalls_and_surpluses(replica, sub):
    lines = by_name(staffing(load_overview(replica, sub.director_id, sub.now)))
    assert lines["Parklands"].staff["invigilator"].gap == -2
    assert (lines["Parklands"].shortfall, lines["Parklands"].surplus) == (2, 0)
    assert lines["Hospital"].staff["invigilator"].gap == 2
    assert (lines["Hospital"].shortfall, lines["Hospital"].surplus) == (0, 2)
    upper = lines["Upper"]
    assert (upper.staff["supervisor"].deployed, upper.staff["supervisor"].required) == (0, 1)
    assert (upper.shortfall, upper.surplus) == (1, 1)
    assert (lines["Kangemi"].shortfall, lines["Kangemi"].surplus) == (0, 0)
    totals = staffing_totals(list(lines.values()))
    assert (totals.centres, totals.centres_short, totals.officers_short) == (5, 2, 3)
    assert totals.officers_over == 3


def test_staffing_follows_redeployments_session_by_session(replica, sub):
    morning = load_overview(replica, sub.director_id, sub.now)
    afternoon = load_overview(replica, sub.director_id, sub.now, sub.sessions["mon_pm"])
    assert afternoon.session.label == "Mon 9 Nov afternoon"
    upper_am = by_name(staffing(morning))["Upper"].staff["invigilator"].deployed
    upper_pm = by_name(staffing(afternoon))["Upper"].staff["invigilator"].deployed
    assert (upper_am, upper_pm) == (4, 4)  # Esther leaves and Brian arrives
    brian = find_officers(afternoon, "Brian")[0]
    assert brian.centre == "Upper Hill School"
    assert find_officers(morning, "Brian")[0].centre == "Kangemi High School"
    assert find_officers(morning, "Brian")[0].note == "Leaves from Mon 9 Nov afternoon"


def test_attendance_across_centres_now(replica, sub):
    overview = load_overview(replica, sub.director_id, sub.now)
    lines = by_name(attendance_by_centre(overview))
    kangemi = lines["Kangemi"]
    assert (kangemi.expected, kangemi.marked, kangemi.state) == (10, 0, "not_marked")
    upper = lines["Upper"]
    assert (upper.present, upper.absent, upper.unmarked, upper.state) == (5, 1, 0, "done")
    hospital = lines["Hospital"]
    assert (hospital.present, hospital.late, hospital.absent, hospital.unmarked) == (3, 1, 1, 6)
    assert hospital.state == "marking"
    assert lines["Kitisuru"].state == "signed"
    waiting = [line.centre.name for line in not_yet_marked(list(lines.values()))]
    assert waiting == ["Kangemi High School", "Parklands Arya Girls High School"]
    missing = absent(overview)
    assert [(a.name, a.centre) for a in missing] == [
        ("Dennis Kerubo", "Hospital Hill High School"),
        ("Ann Moraa Nyaboke", "Upper Hill School"),
    ]


@pytest.mark.parametrize(
    "text",
    ["jane wanjiku", "27654321", "601234", "254733445566", "  KAMAU  "],
    ids=["name", "national id", "tsc number", "phone", "case and spaces"],
)
def test_find_any_officer_by_name_id_tsc_or_phone(replica, sub, text):
    found = find_officers(load_overview(replica, sub.director_id, sub.now), text)
    assert [o.name for o in found] == ["Jane Wanjiku Kamau"]
    assert found[0].centre == "Kangemi High School" and found[0].position == "Invigilator"


def test_officers_once_each_with_the_deployment_in_force(replica, sub):
    overview = load_overview(replica, sub.director_id, sub.now)
    lines = officers(overview)
    assert len({o.professional_id for o in lines}) == len(lines)
    esther = next(o for o in lines if o.name.startswith("Esther"))
    assert esther.centre == "Upper Hill School" and esther.mark.status == "present"
    assert find_officers(overview, "") == lines


def test_a_user_who_directs_nothing_sees_no_centres(replica, sub):
    overview = load_overview(replica, sub.centre.user_id, sub.now)
    assert overview.centres == [] and overview.series_id is None
