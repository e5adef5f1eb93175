"""`cp2hub` administrators' commands and the SMS outbox, in-process through main(argv)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cp2hub import models as m
from cp2hub.sms.outbox import OutboxSms
from tests.hub.portal_world import build_portal_world


@pytest.fixture
def world(hub_database):
    return build_portal_world(hub_database)


def apply(db, world, name: str, vacancy: str) -> str:
    from cp2hub import applications

    with db.write() as s:
        person = s.get(m.Professional, world.people[name])
        found = applications.submit(s, person, world.vacancies[vacancy], dt.datetime.now())
        return found.id


def test_sms_outbox_lists_what_was_sent(run, hub_database, world):
    assert run("sms-outbox")[1] == "No messages in the SMS outbox.\n"
    with hub_database.write() as s:
        OutboxSms(s).send("254712345678", "KNEC CP2: your account is ready.")
        OutboxSms(s).send("254799000111", "KNEC CP2: another.")
    status, out, _ = run("sms-outbox")
    assert status == 0
    assert "0712345678  KNEC CP2: your account is ready." in out
    assert "0799000111  KNEC CP2: another." in out
    only = run("sms-outbox", "--phone", "+254712345678")[1]
    assert "another" not in only and "account is ready" in only
    status, _, err = run("sms-outbox", "--phone", "12")
    assert status == 2 and "not a Kenyan mobile number" in err


def test_sms_outbox_says_when_passwords_are_masked(run, hub_database, world):
    with hub_database.write() as s:
        OutboxSms(s).send("254712345678", "Password: K7PQ3MXA", secret="K7PQ3MXA")
    out = run("sms-outbox")[1]
    assert "0712345678  Password: \u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022\n" in out
    assert "K7PQ3MXA" not in out
    assert out.endswith(
        "(Passwords are masked; the outbox keeps them only for a hub in CP2HUB_MODE=demo.)\n"
    )
    with hub_database.write() as s:
        OutboxSms(s, keep_secrets=True).send("254712345678", "Password: K7PQ3MXB", "K7PQ3MXB")
    assert "Password: K7PQ3MXB" in run("sms-outbox")[1]


def test_list_close_and_open_vacancies(run, world):
    status, out, _ = run("vacancies", "--status", "open")
    assert status == 0
    short = world.vacancies["kcse_invigilator"][:8]
    assert f"{short}  open    Invigilator: Exam 2030/3 Kenya Certificate" in out
    assert "(Westlands, Nairobi; 0 applied)" in out
    assert "kjsea_closed" not in out and len(out.strip().splitlines()) == 5
    status, out, _ = run("vacancy-close", short)
    assert status == 0 and out.startswith(f"{short} is now closed: Invigilator")
    assert short not in run("vacancies", "--status", "open")[1]
    assert run("vacancy-open", short)[0] == 0


def test_applicants_select_and_notify(run, hub_database, world):
    vacancy = world.vacancies["kcse_invigilator"][:8]
    assert run("applicants", vacancy)[1] == "Nobody has applied for this vacancy.\n"
    jane = apply(hub_database, world, "jane", "kcse_invigilator")
    apply(hub_database, world, "mary", "kcse_invigilator")
    out = run("applicants", vacancy)[1]
    assert f"{jane[:8]}  submitted  Jane Wanjiku" in out and "0711500001" in out
    status, out, _ = run("select", vacancy, "--station", "20400001", jane[:8], "0711500004")
    assert status == 0
    assert out == ("Selected Jane Wanjiku (told by SMS)\nSelected Mary Achieng (told by SMS)\n")
    with hub_database.read() as s:
        deployed = s.scalars(select(m.Deployment.professional_id)).all()
    assert sorted(deployed) == sorted([world.people["jane"], world.people["mary"]])
    status, out, _ = run("notify", vacancy, "Report at 7 am on the first day.")
    assert out == "Sent to 2 applicants (selected).\n"
    assert "Report at 7 am" in run("sms-outbox", "--phone", "0711500004")[1]


@pytest.mark.parametrize(
    "argv",
    [
        ("vacancy-close", "nothing"),
        ("applicants", "zz"),
        ("select", "nothing", "--station", "20400001", "0711500001"),
        ("notify", "nothing", "hello"),
    ],
)
def test_unknown_vacancies_are_one_line(run, world, argv):
    status, out, err = run(*argv)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "No vacancy" in err


def test_select_names_what_it_cannot_find(run, world):
    vacancy = world.vacancies["kcse_invigilator"][:8]
    status, _, err = run("select", vacancy, "--station", "20400001", "0799999999")
    assert status == 2 and "'0799999999' is not one application to this vacancy." in err
    status, _, err = run("select", vacancy, "--station", "nowhere", "0711500001")
    assert status == 2
