"""The professional's own flows through a real hub on loopback: profile edits and
applications made offline queue, sync, and come back with the hub's decision."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cp2desk.local_db import models as local
from cp2desk.local_db.replica import Replica
from cp2desk.services import profile as profiles
from cp2desk.services import vacancies
from cp2desk.sync.client import HubClient
from cp2desk.sync.engine import SyncEngine
from cp2hub import models as m
from tests.hub.portal_world import PASSWORD, build_portal_world
from tests.sync.conftest import HubServer

NOWHERE = "http://127.0.0.1:9"  # nothing listens: a refused connection, i.e. offline


@pytest.fixture
def world(hub_db):
    return build_portal_world(hub_db)


@pytest.fixture
def hub(hub_db, world):
    with HubServer(hub_db) as server:
        yield server


class Desk:
    """One professional's computer: replica, client, engine; `offline()` cuts the link."""

    def __init__(self, path, url: str, phone: str) -> None:
        self.url = url
        self.replica = Replica(path)
        self.client = HubClient(url)
        pair = self.client.login(phone, PASSWORD, self.replica.device_id, "test desk")
        self.user_id = pair.user_id
        self.engine = SyncEngine(self.replica, self.client)

    def offline(self) -> None:
        self.client.base_url = NOWHERE

    def online(self) -> None:
        self.client.base_url = self.url

    def sync(self):
        return self.engine.sync()

    def applications(self):
        return {a.vacancy_id: a for a in vacancies.my_applications(self.replica, self.user_id)}


@pytest.fixture
def desk(tmp_path, hub, world):
    made = []

    def make(name: str) -> Desk:
        found = Desk(tmp_path / f"{name}-{len(made)}.sqlite3", hub.url, world.phones[name])
        found.sync()
        made.append(found)
        return found

    yield make
    for d in made:
        d.replica.dispose()


def line_of(d: Desk, vacancy_id: str):
    return next(x for x in d.client.search_vacancies().lines if x.id == vacancy_id)


def test_profile_edits_made_offline_reach_the_hub(desk, hub_db, world):
    jane = desk("jane")
    jane.offline()
    mine = profiles.load_profile(jane.replica, jane.user_id)
    assert mine.full_name == "Jane Wanjiku" and mine.blocking == []
    changed = profiles.save_personal(
        jane.replica,
        jane.user_id,
        profiles.with_values(mine, national_id="", kra_pin="a987654321b"),
    )
    assert [m.text for m in changed.blocking] == ["Your ID number"]
    assert changed.pending == 1
    profiles.save_work(
        jane.replica,
        jane.user_id,
        profiles.WorkItem(None, "Kangemi Primary", "Teacher", dt.date(2015, 1, 1)),
    )
    added = profiles.save_qualification(
        jane.replica,
        jane.user_id,
        profiles.QualificationItem(
            None, "Diploma", "Diploma in Primary Teacher Education", "Kenyatta University", 2012
        ),
    )
    profiles.remove_qualification(jane.replica, jane.user_id, added.qualifications[0].id)
    assert jane.replica.pending_count() == 4
    jane.online()
    report = jane.sync()
    assert report.pushed == 4 and report.refused == 0
    with hub_db.read() as s:
        person = s.get(m.Professional, world.people["jane"])
        assert person.national_id is None and person.kra_pin == "A987654321B"
        work = s.scalars(
            select(m.WorkExperience).where(m.WorkExperience.professional_id == person.id)
        ).all()
        assert [(w.employer, w.title) for w in work] == [("Kangemi Primary", "Teacher")]
        quals = s.scalars(
            select(m.Qualification).where(m.Qualification.professional_id == person.id)
        ).all()
        assert len(quals) == 1 and quals[0].deleted
    after = profiles.load_profile(jane.replica, jane.user_id)
    assert after.pending == 0 and after.qualifications == [] and len(after.work) == 1


def test_online_apply_withdraw_and_apply_again(desk, world):
    jane = desk("jane")
    line = line_of(jane, world.vacancies["kcse_invigilator"])
    done = vacancies.apply(jane.replica, jane.client, jane.user_id, line, confirmed=True)
    assert not done.queued and done.message.startswith("Thank you for applying")
    mine = jane.applications()[line.id]
    assert mine.status_text == "Submitted" and mine.title == (
        "Invigilator: Kenya Certificate of Secondary Education 2030"
    )
    gone = vacancies.withdraw(jane.replica, jane.client, jane.user_id, mine.id)
    assert not gone.queued and "was withdrawn" in gone.message
    assert jane.applications()[line.id].status_text == "Withdrawn"
    again = vacancies.apply(jane.replica, jane.client, jane.user_id, line, confirmed=True)
    assert again.application_id == mine.id
    jane.sync()
    assert jane.applications()[line.id].status == "submitted"
    assert jane.replica.pending_count() == 0


def test_apply_needs_the_tick(desk, world):
    jane = desk("jane")
    line = line_of(jane, world.vacancies["kcse_invigilator"])
    with pytest.raises(vacancies.NotConfirmed, match="Tick the box"):
        vacancies.apply(jane.replica, jane.client, jane.user_id, line, confirmed=False)


def test_an_offline_application_waits_then_is_accepted(desk, hub_db, world):
    jane = desk("jane")
    line = line_of(jane, world.vacancies["kcse_invigilator"])
    jane.offline()
    with pytest.raises(vacancies.OfflineSearch, match="You are offline"):
        vacancies.search(jane.client, jane.replica, vacancies.Criteria())
    done = vacancies.apply(jane.replica, jane.client, jane.user_id, line, confirmed=True)
    assert done.queued and "saved on this computer" in done.message
    waiting = jane.applications()[line.id]
    assert waiting.pending and waiting.status_text == "Waiting to be sent"
    assert waiting.position == "Invigilator"  # the vacancy was kept from the search
    jane.online()
    assert jane.sync().pushed == 1
    accepted = jane.applications()[line.id]
    assert not accepted.pending and accepted.status_text == "Submitted"
    with hub_db.read() as s:
        assert s.get(m.Application, accepted.id).status == "submitted"


def test_an_offline_application_arriving_after_the_positions_filled_is_refused_with_why(
    desk, world
):
    jane, mary = desk("jane"), desk("mary")
    line = line_of(jane, world.vacancies["kpsea_invigilator"])
    jane.offline()
    vacancies.apply(jane.replica, jane.client, jane.user_id, line, confirmed=True)
    vacancies.apply(mary.replica, mary.client, mary.user_id, line, confirmed=True)  # online
    jane.online()
    jane.sync()
    refused = jane.applications()[line.id]
    assert refused.status_text == "Not accepted"
    assert refused.reason == "The only position of this vacancy has been filled."
    assert refused.can_apply_again


def test_an_offline_application_arriving_after_the_deadline_is_refused(desk, hub_db, world):
    jane = desk("jane")
    line = line_of(jane, world.vacancies["kcse_supervisor"])
    jane.offline()
    vacancies.apply(jane.replica, jane.client, jane.user_id, line, confirmed=True)
    with hub_db.write() as s:  # the deadline passes while Jane is offline
        s.get(m.Vacancy, line.id).deadline = world.today - dt.timedelta(days=1)
    jane.online()
    jane.sync()
    refused = jane.applications()[line.id]
    assert refused.status == "refused"
    assert refused.reason.startswith("The deadline for this vacancy was")


def test_the_device_refuses_an_application_after_the_deadline_it_knows(desk, world):
    jane = desk("jane")
    line = line_of(jane, world.vacancies["kcse_supervisor"])
    later = line.deadline + dt.timedelta(days=1)
    with pytest.raises(vacancies.ServiceError, match="The deadline for this vacancy was"):
        vacancies.apply(jane.replica, None, jane.user_id, line, True, today=later)


def test_an_offline_withdrawal_of_a_selected_application_is_refused_and_undone(desk, hub_db, world):
    jane = desk("jane")
    line = line_of(jane, world.vacancies["kcse_invigilator"])
    done = vacancies.apply(jane.replica, jane.client, jane.user_id, line, confirmed=True)
    with hub_db.write() as s:
        s.get(m.Application, done.application_id).status = "selected"
    jane.offline()
    queued = vacancies.withdraw(jane.replica, jane.client, jane.user_id, done.application_id)
    assert queued.queued
    assert jane.applications()[line.id].status_text == "Withdrawal waiting to be sent"
    jane.online()
    report = jane.sync()
    assert report.refused == 1 and "You have been selected" in report.issues[0]
    assert jane.applications()[line.id].status_text == "Selected"


def test_an_offline_withdrawal_then_apply_again_queue_in_order(desk, hub_db, world):
    jane = desk("jane")
    line = line_of(jane, world.vacancies["kcse_invigilator"])
    done = vacancies.apply(jane.replica, jane.client, jane.user_id, line, confirmed=True)
    jane.offline()
    vacancies.withdraw(jane.replica, jane.client, jane.user_id, done.application_id)
    jane.online()  # back, but a change is still waiting: the new one must queue behind it
    again = vacancies.apply(jane.replica, jane.client, jane.user_id, line, confirmed=True)
    assert again.queued
    assert jane.sync().pushed == 2
    with hub_db.read() as s:
        assert s.get(m.Application, done.application_id).status == "submitted"


def test_a_device_cannot_apply_for_someone_else(desk, world):
    jane = desk("jane")
    with jane.replica.write() as session:
        forged = local.Application(
            id=vacancies.natural_id(
                "application", world.vacancies["kcse_invigilator"], world.people["mary"]
            ),
            vacancy_id=world.vacancies["kcse_invigilator"],
            professional_id=world.people["mary"],
            status="submitted",
        )
        jane.replica.record(session, forged, summary="forged")
        wrong_id = local.Application(
            id="00000000-0000-0000-0000-000000000001",
            vacancy_id=world.vacancies["kcse_invigilator"],
            professional_id=world.people["jane"],
            status="submitted",
        )
        jane.replica.record(session, wrong_id, summary="wrong id")
    report = jane.sync()
    assert report.refused == 2
    assert report.issues == [
        "You can only apply, or withdraw an application, for yourself.",
        "The application does not match its vacancy.",
    ]


def test_a_selected_officer_reaches_the_centre_managers_device(desk, hub_db, world, tmp_path):
    from cp2hub import applications

    jane = desk("jane")
    line = line_of(jane, world.vacancies["kcse_invigilator"])
    done = vacancies.apply(jane.replica, jane.client, jane.user_id, line, confirmed=True)
    with hub_db.write() as s:  # a manager of Kangemi who has synced before the selection
        manager = s.scalar(select(m.AppUser).where(m.AppUser.phone == world.phones["mary"]))
        s.add(
            m.RoleGrant(
                user_id=manager.id, role="centre_manager", station_id=world.stations["kangemi"]
            )
        )
    mary = desk("mary")
    with mary.replica.read() as session:
        assert session.get(local.Professional, world.people["jane"]) is None
    with hub_db.write() as s:
        applications.select_applicants(
            s, line.id, world.stations["kangemi"], [done.application_id], None
        )
    mary.sync()
    with mary.replica.read() as session:
        assert session.get(local.Professional, world.people["jane"]).first_name == "Jane"
        deployed = session.scalars(select(local.Deployment.professional_id)).all()
    assert world.people["jane"] in deployed
    jane.sync()
    assert jane.applications()[line.id].status_text == "Selected"
