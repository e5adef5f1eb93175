"""KNEC administrators on the hub API: open and close vacancies, applicants, selection, SMS."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cp2hub import models as m
from cp2hub.scope import Scope, visible
from tests.hub.portal_world import Api, build_portal_world, outbox, portal_app


@pytest.fixture
def world(hub_database):
    return build_portal_world(hub_database)


@pytest.fixture
def client(hub_database, world):
    with portal_app(hub_database) as found:
        yield found


@pytest.fixture
def users(client, world):
    cache: dict[str, Api] = {}

    def get(name: str) -> Api:
        if name not in cache:
            cache[name] = Api(client).as_user(world.phones[name])
        return cache[name]

    return get


def applied(users, world, name: str, vacancy: str) -> str:
    answer = users(name).post(f"/vacancies/{world.vacancies[vacancy]}/apply", {"confirm": True})
    assert answer.status_code == 200, answer.text
    return answer.json()["application"]["id"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/admin/vacancies", None),
        ("post", "/admin/vacancies/x/status", {"status": "closed"}),
        ("get", "/admin/vacancies/x/applicants", None),
        ("post", "/admin/vacancies/x/select", {"station_id": "s", "application_ids": ["a"]}),
        ("post", "/admin/vacancies/x/notify", {"text": "hello"}),
    ],
)
def test_only_administrators(users, client, method, path, body):
    api = users("jane")
    answer = api.get(path) if method == "get" else api.post(path, body)
    assert answer.status_code == 403
    assert answer.json()["message"] == "Only KNEC administrators can do this."
    anonymous = client.get(path) if method == "get" else client.post(path, json=body)
    assert anonymous.status_code == 401


def test_list_close_and_open_a_vacancy(users, world):
    admin, vacancy = users("admin"), world.vacancies["kcse_invigilator"]
    listed = admin.get("/admin/vacancies").json()
    assert len(listed) == 6
    assert {x["status"] for x in admin.get("/admin/vacancies", status="closed").json()} == {
        "closed"
    }
    closed = admin.post(f"/admin/vacancies/{vacancy}/status", {"status": "closed"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert vacancy not in {x["id"] for x in users("jane").get("/vacancies").json()["lines"]}
    refused = users("jane").post(f"/vacancies/{vacancy}/apply", {"confirm": True})
    assert refused.json()["message"] == "This vacancy is closed."
    assert admin.post(f"/admin/vacancies/{vacancy}/status", {"status": "open"}).status_code == 200
    assert applied(users, world, "jane", "kcse_invigilator")


def test_bad_admin_requests(users, world):
    admin = users("admin")
    assert admin.post("/admin/vacancies/x/status", {"status": "maybe"}).status_code == 422
    missing = admin.get("/admin/vacancies/nothing-like-it/applicants")
    assert missing.status_code == 404 and "No vacancy" in missing.json()["message"]
    assert admin.get("/admin/vacancies", status="archived").status_code == 422
    empty = {"station_id": world.stations["kangemi"], "application_ids": []}
    assert (
        admin.post(
            f"/admin/vacancies/{world.vacancies['kcse_invigilator']}/select", empty
        ).status_code
        == 422
    )


def test_applicants_with_what_blocks_their_payment(users, world, hub_database):
    applied(users, world, "jane", "kcse_invigilator")
    applied(users, world, "mary", "kcse_invigilator")
    with hub_database.write() as s:
        s.get(m.Professional, world.people["mary"]).mpesa_name = "Mary Otieno"
    listed = (
        users("admin")
        .get(f"/admin/vacancies/{world.vacancies['kcse_invigilator'][:8]}/applicants")
        .json()
    )
    by_name = {a["name"]: a for a in listed}
    assert set(by_name) == {"Jane Wanjiku", "Mary Achieng"}
    assert by_name["Jane Wanjiku"]["missing_for_payment"] == []
    assert by_name["Mary Achieng"]["missing_for_payment"] == [
        "Your CP2 name (Mary Achieng) differs from the name registered for your M-Pesa "
        "number (Mary Otieno)"
    ]


def test_select_deploys_notifies_and_reaches_the_centre(users, world, hub_database):
    jane = applied(users, world, "jane", "kcse_invigilator")
    with hub_database.read() as s:
        before = s.get(m.Professional, world.people["jane"]).seq
    answer = users("admin").post(
        f"/admin/vacancies/{world.vacancies['kcse_invigilator']}/select",
        {"station_id": world.stations["kangemi"], "application_ids": [jane]},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"selected": ["Jane Wanjiku"], "skipped": []}
    with hub_database.read() as s:
        deployment = s.scalar(
            select(m.Deployment).where(m.Deployment.professional_id == world.people["jane"])
        )
        assert deployment.station_id == world.stations["kangemi"]
        assert deployment.position_id == world.positions["invigilator"]
        assert deployment.status == "active"
        assert s.get(m.Application, jane).status == "selected"
        person = s.get(m.Professional, world.people["jane"])
        assert person.seq > before  # re-sent, so the centre's devices receive her
        centre = Scope("u", None, frozenset({world.stations["kangemi"]}), frozenset(), False)
        seen = s.scalars(select(m.Professional.id).where(visible(m.Professional, centre))).all()
        assert world.people["jane"] in seen
    (sms,) = outbox(hub_database, world.phones["jane"])
    assert sms == (
        "KNEC CP2: you have been selected as an Invigilator at Kangemi High School for Kenya "
        "Certificate of Secondary Education 2030. Sign in to CP2 to see your deployment."
    )
    withdraw = users("jane").post(f"/applications/{jane}/withdraw")
    assert withdraw.status_code == 409


def test_select_skips_who_cannot_be_deployed_and_says_why(users, world, hub_database):
    admin, vacancy = users("admin"), world.vacancies["kcse_supervisor"]
    peter = applied(users, world, "peter", "kcse_supervisor")
    mary = applied(users, world, "mary", "kcse_supervisor")
    users("mary").post(f"/applications/{mary}/withdraw")
    other = applied(users, world, "jane", "kcse_invigilator")
    answer = admin.post(
        f"/admin/vacancies/{vacancy}/select",
        {
            "station_id": world.stations["upper_hill"],
            "application_ids": [peter, mary, other, "made-up"],
            "notify": False,
        },
    ).json()
    assert answer["selected"] == []
    reasons = {s["application_id"]: s["reason"] for s in answer["skipped"]}
    assert reasons == {
        peter: "Peter Ouma teaches at Upper Hill School and cannot serve at their own school.",
        mary: "Mary Achieng's application is withdrawn.",
        other: "Not an application to this vacancy.",
        "made-up": "Not an application to this vacancy.",
    }
    ok = admin.post(
        f"/admin/vacancies/{vacancy}/select",
        {"station_id": "20400001", "application_ids": [peter], "notify": False},
    ).json()
    assert ok["selected"] == ["Peter Ouma"]
    again = admin.post(
        f"/admin/vacancies/{vacancy}/select",
        {"station_id": "20400001", "application_ids": [peter]},
    ).json()
    assert again["skipped"][0]["reason"] == "Peter Ouma is already selected."
    assert outbox(hub_database, world.phones["peter"]) == []


def test_select_checks_the_station(users, world):
    admin = users("admin")
    jane = applied(users, world, "jane", "kcse_invigilator")
    url = f"/admin/vacancies/{world.vacancies['kcse_invigilator']}/select"
    container = admin.post(
        url, {"station_id": world.stations["container"], "application_ids": [jane]}
    )
    assert container.status_code == 400
    assert "not the kind of duty station" in container.json()["message"]
    elsewhere = admin.post(
        url, {"station_id": world.stations["kasarani"], "application_ids": [jane]}
    )
    assert "not in the sub-county of this vacancy" in elsewhere.json()["message"]
    unknown = admin.post(url, {"station_id": "nowhere", "application_ids": [jane]})
    assert unknown.status_code == 404


def test_an_officer_deployed_elsewhere_in_the_series_is_skipped(users, world, hub_database):
    jane = applied(users, world, "jane", "kcse_invigilator")
    with hub_database.write() as s:
        s.add(
            m.Deployment(
                series_id=world.series["KCSE"],
                professional_id=world.people["jane"],
                station_id=world.stations["upper_hill"],
                position_id=world.positions["invigilator"],
            )
        )
    answer = (
        users("admin")
        .post(
            f"/admin/vacancies/{world.vacancies['kcse_invigilator']}/select",
            {"station_id": world.stations["kangemi"], "application_ids": [jane]},
        )
        .json()
    )
    assert answer["skipped"][0]["reason"] == (
        "Jane Wanjiku is already deployed at Upper Hill School for Kenya Certificate of "
        "Secondary Education."
    )


def test_notify_applicants_by_status(users, world, hub_database):
    applied(users, world, "jane", "kcse_invigilator")
    applied(users, world, "mary", "kcse_invigilator")
    url = f"/admin/vacancies/{world.vacancies['kcse_invigilator']}/notify"
    answer = users("admin").post(url, {"text": "Training on Friday at 9.", "status": "submitted"})
    assert answer.json() == {"sent": 2}
    assert outbox(hub_database, world.phones["mary"]) == ["Training on Friday at 9."]
    assert users("admin").post(url, {"text": "x" * 500}).status_code == 422
    assert users("admin").post(url, {"text": "Hi", "status": "everyone"}).status_code == 422
