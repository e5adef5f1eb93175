"""Vacancy search with six filters, apply, withdraw, apply again: the hub enforces the rules."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from cp2hub import models as m
from tests.hub.portal_world import Api, build_portal_world, portal_app


@pytest.fixture
def world(hub_database):
    return build_portal_world(hub_database)


@pytest.fixture
def client(hub_database, world):
    with portal_app(hub_database) as found:
        yield found


@pytest.fixture
def users(client, world):
    """Signed-in API clients by name (logins are slow: argon2, so made once per test)."""
    cache: dict[str, Api] = {}

    def get(name: str) -> Api:
        if name not in cache:
            cache[name] = Api(client).as_user(world.phones[name])
        return cache[name]

    return get


def search(api: Api, **filters) -> dict:
    answer = api.get("/vacancies", **filters)
    assert answer.status_code == 200, answer.text
    return answer.json()


def line(api: Api, vacancy_id: str, **filters) -> dict:
    return next(x for x in search(api, **filters)["lines"] if x["id"] == vacancy_id)


def apply(api: Api, vacancy_id: str, confirm: bool = True):
    return api.post(f"/vacancies/{vacancy_id}/apply", {"confirm": confirm})


def test_filters_offer_the_six_choices(users, world):
    filters = users("jane").get("/vacancies/filters").json()
    assert [o["value"] for o in filters["exams"]] == ["KCSE", "KJSEA", "KPSEA"]
    assert filters["exams"][0]["label"] == "Kenya Certificate of Secondary Education"
    assert [o["value"] for o in filters["activities"]] == [
        "Security of examination materials",
        "Supervision & Invigilation",
    ]
    assert [o["label"] for o in filters["station_kinds"]] == [
        "Examination Centre",
        "Distribution Centre",
    ]
    assert [o["value"] for o in filters["positions"]][:3] == [
        "centre_manager",
        "supervisor",
        "invigilator",
    ]
    counties = {c["label"]: c for c in filters["counties"]}
    assert [s["label"] for s in counties["Nairobi"]["sub_counties"]] == ["Kasarani", "Westlands"]
    assert [s["label"] for s in counties["Kiambu"]["sub_counties"]] == ["Thika Town"]


def test_a_result_line_reads_like_the_portal(users, world):
    found = line(users("jane"), world.vacancies["kcse_invigilator"])
    deadline = world.today + dt.timedelta(days=20)
    assert found["line"] == (
        "Invigilator: Exam 2030/3 Kenya Certificate of Secondary Education, Activity: "
        f"Supervision & Invigilation, Duty Station: Examination Centre, Deadline "
        f"{deadline:%d %b %Y}, 83 positions"
    )
    assert found["county"] == "Nairobi" and found["sub_county"] == "Westlands"
    assert found["daily_rate"] == 550 and found["eligible"] is True
    assert found["application"] is None
    assert found["vacancy"]["id"] == world.vacancies["kcse_invigilator"]


def test_open_vacancies_only_by_deadline_and_each_filter_narrows(users, world):
    api = users("jane")
    v = world.vacancies
    everything = search(api)
    ids = [x["id"] for x in everything["lines"]]
    assert everything["total"] == 4
    assert v["kjsea_closed"] not in ids and v["kjsea_past"] not in ids
    assert ids[-1] == v["kcse_security"]  # the latest deadline last

    def found(**filters) -> set[str]:
        return {x["id"] for x in search(api, **filters)["lines"]}

    assert found(exam="KPSEA") == {v["kpsea_invigilator"]}
    assert found(activity="Security of examination materials") == {v["kcse_security"]}
    assert found(station_kind="distribution_centre") == {v["kcse_security"]}
    assert found(position="supervisor") == {v["kcse_supervisor"]}
    assert found(county=world.counties["Kiambu"]) == {v["kcse_security"]}
    assert found(county=world.counties["Nairobi"], sub_county=world.sub_counties["Kasarani"]) == {
        v["kpsea_invigilator"]
    }
    assert found(exam="KCSE", position="invigilator", county=world.counties["Nairobi"]) == {
        v["kcse_invigilator"]
    }
    assert found(exam="KCSE", position="centre_manager") == set()


@pytest.mark.parametrize(
    ("filters", "words"),
    [
        ({"county": "nowhere"}, "Choose the county"),
        ({"sub_county": "nowhere"}, "Choose the sub-county"),
        ({"station_kind": "school"}, "Choose the duty station"),
    ],
)
def test_bad_filters_are_refused_clearly(users, filters, words):
    answer = users("jane").get("/vacancies", **filters)
    assert answer.status_code == 400 and words in answer.json()["message"]


def test_a_sub_county_must_be_in_the_chosen_county(users, world):
    answer = users("jane").get(
        "/vacancies", county=world.counties["Kiambu"], sub_county=world.sub_counties["Westlands"]
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == (
        "That sub-county is not in the chosen county. Choose the county first."
    )
    assert users("jane").get("/vacancies", exam="K" * 61).status_code == 422


def test_vacancies_need_a_sign_in(client):
    assert client.get("/vacancies").status_code == 401
    assert client.get("/vacancies/filters").status_code == 401


def test_apply_withdraw_apply_again_is_one_row(users, world, hub_database):
    api, vacancy = users("jane"), world.vacancies["kcse_invigilator"]
    refused = apply(api, vacancy, confirm=False)
    assert refused.status_code == 400 and refused.json()["code"] == "not_confirmed"
    answer = apply(api, vacancy)
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"] == (
        "Thank you for applying to be an Invigilator for Kenya Certificate of Secondary "
        "Education 2030. We will tell you by SMS if you are selected."
    )
    row = answer.json()["application"]
    assert row["status"] == "submitted" and row["seq"] and answer.json()["vacancy"]["id"] == vacancy
    found = line(api, vacancy)
    assert found["remaining"] == 82 and found["application"]["status"] == "submitted"
    assert found["line"].endswith("82 positions")
    assert apply(api, vacancy).json()["application"]["id"] == row["id"]  # a second click
    assert line(api, vacancy)["remaining"] == 82

    gone = api.post(f"/applications/{row['id']}/withdraw")
    assert gone.status_code == 200
    assert gone.json()["application"]["status"] == "withdrawn"
    assert gone.json()["message"].startswith(
        "Your application to be an Invigilator for Kenya Certificate of Secondary Education "
        "2030 was withdrawn. You can apply again until"
    )
    assert line(api, vacancy)["remaining"] == 83
    again = apply(api, vacancy)
    assert again.json()["application"]["id"] == row["id"]
    assert again.json()["application"]["status"] == "submitted"
    with hub_database.read() as s:
        count = s.scalar(select(func.count()).select_from(m.Application))
    assert count == 1


def test_deadline_closed_and_unknown_vacancies_are_refused(users, world):
    api = users("jane")
    past = apply(api, world.vacancies["kjsea_past"])
    assert past.status_code == 409 and past.json()["code"] == "application_refused"
    yesterday = world.today - dt.timedelta(days=1)
    assert past.json()["message"] == f"The deadline for this vacancy was {yesterday:%d %b %Y}."
    closed = apply(api, world.vacancies["kjsea_closed"])
    assert closed.json()["message"] == "This vacancy is closed."
    unknown = apply(api, "no-such-vacancy")
    assert unknown.status_code == 404


def test_the_last_position_goes_once(users, world):
    vacancy = world.vacancies["kpsea_invigilator"]
    assert apply(users("mary"), vacancy).status_code == 200
    full = apply(users("jane"), vacancy)
    assert full.status_code == 409
    assert full.json()["message"] == "The only position of this vacancy has been filled."
    found = line(users("jane"), vacancy)
    assert found["remaining"] == 0 and found["line"].endswith("no positions left")
    assert found["eligible"] is False and "filled" in found["not_eligible"]


def test_eligibility_is_enforced_on_the_hub(users, world, hub_database):
    v = world.vacancies
    no_id = apply(users("newton"), v["kcse_invigilator"])
    assert no_id.json()["message"] == "Complete your profile before applying: add your ID number."
    peter = users("peter")
    kcse = apply(peter, v["kcse_invigilator"])
    assert kcse.json()["message"] == (
        "Secondary school teachers supervise but do not invigilate KCSE. "
        "Apply as a supervisor instead."
    )
    assert line(peter, v["kcse_invigilator"])["eligible"] is False
    assert apply(peter, v["kcse_supervisor"]).status_code == 200
    with hub_database.write() as s:
        s.get(m.Professional, world.people["mary"]).tsc_number = None
    no_tsc = apply(users("mary"), v["kcse_supervisor"])
    assert no_tsc.json()["message"] == (
        "A TSC number is needed to apply as a supervisor. Add it to your profile."
    )


def test_one_application_per_series(users, world):
    api = users("jane")
    assert apply(api, world.vacancies["kcse_invigilator"]).status_code == 200
    second = apply(api, world.vacancies["kcse_supervisor"])
    assert second.status_code == 409
    assert second.json()["message"] == (
        "You have already applied to be an invigilator for Kenya Certificate of Secondary "
        "Education 2030. Withdraw that application first to apply for another."
    )
    assert apply(api, world.vacancies["kpsea_invigilator"]).status_code == 200  # another series


def test_withdraw_only_your_own_and_not_once_selected(users, world, hub_database):
    mine = apply(users("jane"), world.vacancies["kcse_invigilator"]).json()["application"]
    theirs = users("mary").post(f"/applications/{mine['id']}/withdraw")
    assert theirs.status_code == 404
    with hub_database.write() as s:
        s.get(m.Application, mine["id"]).status = "selected"
    selected = users("jane").post(f"/applications/{mine['id']}/withdraw")
    assert selected.status_code == 409
    assert "You have been selected and deployed" in selected.json()["message"]


def test_an_account_without_a_profile_cannot_apply(client, hub_database, world):
    with hub_database.write() as s:
        user = s.scalar(select(m.AppUser).where(m.AppUser.phone == world.phones["admin"]))
        user.professional_id = None
    api = Api(client).as_user(world.phones["admin"])
    answer = apply(api, world.vacancies["kcse_invigilator"])
    assert answer.status_code == 403
    assert search(api)["lines"][0]["application"] is None


def test_two_professionals_racing_for_the_last_position(hub_database, world):
    """Each application locks the vacancy's row: on PostgreSQL one of two concurrent
    applications for the last position waits, then sees it taken."""
    import threading

    from cp2hub import applications

    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(name: str) -> None:
        barrier.wait()
        try:
            with hub_database.write() as s:
                person = s.get(m.Professional, world.people[name])
                applications.submit(
                    s, person, world.vacancies["kpsea_invigilator"], dt.datetime.now()
                )
            outcomes[name] = "applied"
        except applications.ApplicationRefused as exc:
            outcomes[name] = exc.message

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("jane", "mary")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == [
        "The only position of this vacancy has been filled.",
        "applied",
    ]
