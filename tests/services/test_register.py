"""The centre manager's read queries: register, today at a glance, officers, own line."""

from __future__ import annotations

import datetime as dt

from cp2desk.services.attendance import mark_attendance
from cp2desk.services.glance import (
    glance,
    officers,
    own_attendance,
    professional_of,
    today_at_a_glance,
)
from cp2desk.services.register import load_register, managed_centres


def test_managed_centres(replica, centre):
    [found] = managed_centres(replica, centre.user_id)
    assert (found.name, found.code, found.sub_county, found.county) == (
        "Kangemi High School",
        "20403101",
        "Westlands",
        "Nairobi",
    )
    assert managed_centres(replica, centre.director_id) == []


def test_register_rows_sessions_and_redeployment_spans(replica, centre):
    register = load_register(replica, centre.station_id, centre.now.date())
    assert [s.label for s in register.sessions][:3] == [
        "Fri 6 Nov morning",
        "Fri 6 Nov afternoon",
        "Mon 9 Nov morning",
    ]
    names = [r.name for r in register.rows]
    assert names[0] == "Grace Wanjiru Mwangi", "sorted by position rank, then name"
    assert "Ann Moraa Nyaboke" not in names
    by_name = {r.name: r for r in register.rows}
    brian, esther = by_name["Brian Omondi Okoth"], by_name["Esther Naliaka Wafula"]
    assert brian.deployment_at(2) == centre.deployments["brian"]
    assert brian.deployment_at(3) is None
    assert esther.deployment_at(2) is None
    assert esther.deployment_at(3) == centre.deployments["esther"]
    mary = by_name["Mary Achieng Odhiambo"]
    assert (mary.national_id, mary.tsc_number, mary.phone) == ("28765432", "612345", "254711223344")
    assert mary.mark_at(1).status == "absent"
    assert register.is_locked(centre.sessions["fri_am"])
    assert not register.is_locked(centre.sessions["fri_pm"])


def test_today_at_a_glance_counts(replica, centre):
    mon_am = centre.sessions["mon_am"]
    for key, status in (("jane", "present"), ("john", "late"), ("mary", "absent")):
        mark_attendance(
            replica, centre.user_id, centre.deployments[key], mon_am, status, centre.now
        )
    found = today_at_a_glance(replica, centre.station_id, centre.now.date())
    morning, afternoon = found.sessions
    assert found.centre.name == "Kangemi High School"
    assert morning.session.paper_list == ["102/2 Kiswahili Paper 2", "233/1 Chemistry Paper 1"]
    assert (morning.expected, morning.present, morning.late, morning.absent, morning.unmarked) == (
        10,
        1,
        1,
        1,
        7,
    )
    assert afternoon.expected == 10, "Brian leaves, Esther arrives"


def test_glance_on_a_day_without_sessions(replica, centre):
    register = load_register(replica, centre.station_id, centre.now.date())
    assert glance(register, dt.date(2026, 11, 8)).sessions == []


def test_officers_list_notes_redeployments(replica, centre):
    register = load_register(replica, centre.station_id, centre.now.date())
    notes = {o.name: o.note for o in officers(register)}
    assert notes["Brian Omondi Okoth"] == "Redeployed out from Mon 9 Nov afternoon"
    assert notes["Esther Naliaka Wafula"] == "Redeployed here from Mon 9 Nov afternoon"
    assert notes["Jane Wanjiku Kamau"] == ""


def test_own_attendance_is_the_managers_line(replica, centre):
    register = load_register(replica, centre.station_id, centre.now.date())
    own = own_attendance(register, professional_of(replica, centre.user_id))
    assert len(own) == 6
    assert own[0].mark.status == "present"
    assert own[2].mark is None and own[2].deployment_id == centre.deployments["grace"]


def test_no_register_for_unknown_station(replica, centre):
    assert load_register(replica, "nowhere", centre.now.date()) is None
