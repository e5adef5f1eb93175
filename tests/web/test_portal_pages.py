"""The portal's pages over real HTTP, without a browser: what each refuses, what it
writes, its weight on the wire and its labels; and a web edit reaching a desktop."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import uuid
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from cp2desk.local_db import models as local
from cp2desk.local_db.replica import Replica
from cp2desk.services import profile as desk_profile
from cp2desk.sync.client import HubClient
from cp2desk.sync.engine import SyncEngine
from cp2hub.models import (
    Application,
    AppUser,
    Professional,
    RoleGrant,
    Vacancy,
    WorkExperience,
)
from cp2hub.passwords import hash_password
from tests.web.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD, WebClient

PROFESSIONAL = DEMO_ACCOUNTS["professional"]
PAGE_LIMIT = 60 * 1024
PAGES = (
    "/",
    "/profile",
    "/profile/personal",
    "/profile/payment",
    "/profile/work/new",
    "/profile/qualifications/new",
    "/jobs",
    "/jobs?search=1",
    "/my-applications",
    "/my-deployments",
    "/my-claim",
    "/password",
)
OPEN_PAGES = ("/sign-in", "/register", "/forgot-password")


class Fields(HTMLParser):
    """The form fields of a page and the labels that name them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.fields.append((a.get("name", ""), a.get("id", "")))
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"])


@pytest.fixture
def professional(web):
    assert web.sign_in(PROFESSIONAL).status_code == 303
    return web


def test_every_page_is_light_labelled_and_needs_no_script(professional, web_hub):
    stranger = WebClient(base_url=web_hub.url, headers={"Accept": "text/html"})
    for path in PAGES + OPEN_PAGES:
        browser = stranger if path in OPEN_PAGES else professional
        page = browser.get(path, headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200, (path, page.text[:500])
        assert page.num_bytes_downloaded <= PAGE_LIMIT, (path, page.num_bytes_downloaded)
        assert "<script src=" not in page.text or "defer" in page.text  # enhancement only
        found = Fields()
        found.feed(page.text)
        unlabelled = [name for name, id_ in found.fields if id_ not in found.labelled]
        assert unlabelled == [], (path, unlabelled)
    stranger.close()
    css = professional.get("/static/cp2.css", headers={"Accept-Encoding": "gzip"})
    assert len(gzip.compress(css.content)) < 4 * 1024


def test_the_tabs_say_which_page_is_open(professional):
    for path, tab in (("/", "Home"), ("/jobs", "Jobs"), ("/my-claim", "My claim")):
        current = re.findall(
            r'<a href="[^"]*" aria-current="page">([^<]*)</a>', professional.get(path).text
        )
        assert current == [tab], (path, current)


def test_pages_need_a_signed_in_professional(web, web_hub):
    answer = web.get("/my-applications")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/my-applications"
    with web_hub.db.write() as session:  # a KNEC officer with no CP2 profile
        user = AppUser(phone="254733000111", password_hash=hash_password(DEMO_PASSWORD))
        session.add(user)
        session.flush()
        session.add(RoleGrant(id=str(uuid.uuid4()), user_id=user.id, role="admin"))
    assert web.sign_in("0733000111").status_code == 303
    home = web.get("/")  # an administrator's home is the back office
    assert home.status_code == 303 and home.headers["location"] == "/console"
    for path in ("/profile", "/my-claim"):
        refused = web.get(path)
        assert refused.status_code == 403, path
        assert "this account has no CP2 profile" in refused.text


def test_submit_needs_the_tick_and_writes_nothing_without_it(professional, web_hub):
    with web_hub.db.read() as session:
        vacancy = session.scalars(select(Vacancy).where(Vacancy.status == "open")).first()
    token = professional.csrf(f"/jobs/{vacancy.id}")
    answer = professional.post(f"/jobs/{vacancy.id}", data={"csrf_token": token})
    assert answer.status_code == 409
    assert "Tick the box to confirm that your details are correct" in answer.text


def test_a_form_without_its_token_changes_nothing(professional, web_hub):
    with web_hub.db.read() as session:
        person = session.scalar(select(Professional).where(Professional.phone == PROFESSIONAL))
        before = person.first_name
    answer = professional.post(
        "/profile/personal", data={"first_name": "Mallory", "last_name": "Evil"}
    )
    assert answer.status_code == 403 and "This form has expired" in answer.text
    with web_hub.db.read() as session:
        assert session.get(Professional, person.id).first_name == before


def test_nobody_withdraws_or_edits_what_is_not_theirs(professional, web_hub):
    with web_hub.db.read() as session:
        me = session.scalar(select(Professional).where(Professional.phone == PROFESSIONAL))
        theirs = session.scalars(
            select(Application).where(
                Application.professional_id != me.id, Application.status == "submitted"
            )
        ).first()
        their_work = session.scalars(
            select(WorkExperience).where(WorkExperience.professional_id != me.id)
        ).first()
    token = professional.csrf("/my-applications")
    if theirs is not None:
        answer = professional.post(
            f"/my-applications/{theirs.id}/withdraw", data={"csrf_token": token}
        )
        assert answer.status_code == 404, answer.text
        with web_hub.db.read() as session:
            assert session.get(Application, theirs.id).status == "submitted"
    if their_work is not None:
        assert professional.get(f"/profile/work/{their_work.id}").status_code == 404
        answer = professional.post(
            f"/profile/work/{their_work.id}",
            data={"csrf_token": token, "employer": "Mine now", "title": "Thief"},
        )
        assert answer.status_code == 404
    assert theirs is not None or their_work is not None  # the demo world has others' rows


def test_a_bad_value_is_named_and_the_form_kept_as_typed(professional):
    token = professional.csrf("/profile/personal")
    answer = professional.post(
        "/profile/personal",
        data={
            "csrf_token": token,
            "first_name": "Achieng",
            "last_name": "Odhiambo",
            "national_id": "12ab",
            "date_of_birth": "31/01/1990",
        },
    )
    assert answer.status_code == 400
    assert "Date of birth: a date such as 2019-01-31." in answer.text
    assert 'value="Achieng"' in answer.text and 'value="12ab"' in answer.text


def test_a_web_edit_reaches_the_desktop_and_the_desktops_reaches_the_web(
    professional, web_hub, tmp_path
):
    replica = Replica(tmp_path / "desk.sqlite3")
    try:
        client = HubClient(web_hub.url)
        pair = client.login(PROFESSIONAL, DEMO_PASSWORD, replica.device_id, "test desk")
        engine = SyncEngine(replica, client)
        engine.sync()
        token = professional.csrf("/profile/work/new")
        answer = professional.post(
            "/profile/work/new",
            data={
                "csrf_token": token,
                "employer": "Wajir Girls Secondary School",
                "title": "Head of Mathematics",
                "start_on": "2019-01-07",
            },
        )
        assert answer.status_code == 303, answer.text
        engine.sync()
        with replica.read() as session:
            work = session.scalars(
                select(local.WorkExperience).where(
                    local.WorkExperience.title == "Head of Mathematics"
                )
            ).one()
            assert work.employer == "Wajir Girls Secondary School"
            assert work.start_on == dt.date(2019, 1, 7)
        desk_profile.save_personal(replica, pair.user_id, {"kra_pin": "A987654321B"})
        engine.sync()
        assert "A987654321B" in professional.get("/profile").text
    finally:
        replica.dispose()


def test_a_new_password_signs_out_the_other_browsers(web_hub):
    phone = DEMO_ACCOUNTS["tsc_director"]
    here = WebClient(base_url=web_hub.url, headers={"Accept": "text/html"})
    elsewhere = WebClient(base_url=web_hub.url, headers={"Accept": "text/html"})
    try:
        assert here.sign_in(phone).status_code == 303
        assert elsewhere.sign_in(phone).status_code == 303
        token = here.csrf("/password")
        weak = here.post(
            "/password",
            data={"csrf_token": token, "old_password": DEMO_PASSWORD,
                  "new_password": "short", "new_password_again": "short"},
        )  # fmt: skip
        assert weak.status_code == 400 and "at least 8 characters" in weak.text
        changed = here.post(
            "/password",
            data={"csrf_token": token, "old_password": DEMO_PASSWORD,
                  "new_password": "Tarbaj-2026!", "new_password_again": "Tarbaj-2026!"},
        )  # fmt: skip
        assert changed.status_code == 303
        assert here.get("/profile").status_code == 200
        assert elsewhere.get("/profile").status_code == 303  # sent to sign in again
    finally:
        here.close()
        elsewhere.close()
