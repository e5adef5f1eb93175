"""Create an account by SMS, PASSWORD by SMS, password change and lockout, on a real database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select

from cp2hub import models as m
from cp2hub.sms import SmsFailed
from tests.hub.portal_world import (
    PASSWORD,
    Api,
    build_portal_world,
    outbox,
    portal_app,
    sent_password,
)


@pytest.fixture
def world(hub_database):
    return build_portal_world(hub_database)


KEY = "inbound-key-2030"


@pytest.fixture
def client(hub_database, world):
    with portal_app(hub_database, max_failed_logins=3, sms_inbound_key=KEY) as found:
        yield found


@pytest.fixture
def api(client):
    return Api(client)


def register(api: Api, phone: str, again: str | None = None):
    return api.post("/accounts/register", {"phone": phone, "phone_again": again or phone})


@pytest.mark.parametrize("typed", ["0712345678", "254712345678", "+254712345678", "0712 345 678"])
def test_register_accepts_kenyan_forms_and_sends_the_login_by_sms(api, hub_database, typed):
    answer = register(api, typed)
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"] == ("We have sent your login details by SMS to 0712 345 678.")
    (sms,) = outbox(hub_database, "254712345678")
    assert "Username: 0712345678" in sms
    password = sent_password(hub_database, "254712345678")
    assert len(password) == 8
    with hub_database.read() as s:
        user = s.scalar(select(m.AppUser).where(m.AppUser.phone == "254712345678"))
        assert user.password_hash.startswith("$argon2id$") and password not in user.password_hash
        person = s.get(m.Professional, user.professional_id)
        assert person.phone == "254712345678"
        roles = s.scalars(select(m.RoleGrant.role).where(m.RoleGrant.user_id == user.id)).all()
        assert roles == ["professional"]
    assert api.as_user("0712345678", password).headers


def test_the_two_numbers_may_be_typed_differently_but_must_be_the_same_number(api):
    assert register(api, "0712345678", "+254712345678").status_code == 200
    answer = register(api, "0712345679", "0712345678")
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "phones_differ",
        "message": "The two mobile numbers are not the same. Enter the same number in both boxes.",
    }


@pytest.mark.parametrize(
    ("phone", "again", "code", "words"),
    [
        ("12345", "12345", "invalid_phone", "is not a Kenyan mobile number"),
        ("0812345678", "0812345678", "invalid_phone", "07XXXXXXXX"),
        ("+255712345678", "+255712345678", "invalid_phone", "not a Kenyan mobile number"),
        ("07123456789", "07123456789", "invalid_phone", "not a Kenyan mobile number"),
        ("jane@example.com", "jane@example.com", "invalid_phone", "not a Kenyan"),
        ("", "", "invalid_phone", "Enter your mobile number."),
        ("0712345678", "", "phones_differ", "a second time"),
        ("0712345678", "07123", "invalid_phone", "'07123' is not"),
    ],
)
def test_anything_else_is_refused_with_a_clear_message(
    api, hub_database, phone, again, code, words
):
    answer = api.post("/accounts/register", {"phone": phone, "phone_again": again})
    assert answer.status_code == 400
    assert answer.json()["code"] == code and words in answer.json()["message"]
    assert outbox(hub_database) == []


def test_malformed_registration_requests_are_refused(api):
    assert api.post("/accounts/register", {"phone": "0712345678"}).status_code == 422
    long = "0" * 21
    assert api.post("/accounts/register", {"phone": long, "phone_again": long}).status_code == 422
    extra = {"phone": "0712345678", "phone_again": "0712345678", "role": "admin"}
    assert api.post("/accounts/register", extra).status_code == 422


def test_a_registered_number_is_told_to_send_password_and_gets_no_sms(api, hub_database, world):
    answer = register(api, "0" + world.phones["jane"][3:])
    assert answer.status_code == 409
    assert answer.json() == {
        "code": "already_registered",
        "message": "This number is already registered. Send PASSWORD to 22262 to get your "
        "login details.",
    }
    assert outbox(hub_database) == []


def test_the_short_code_comes_from_the_settings(hub_database, world):
    with portal_app(hub_database, sms_short_code="40404") as client:
        answer = register(Api(client), world.phones["jane"])
    assert "Send PASSWORD to 40404" in answer.json()["message"]


def test_a_professional_knec_already_knows_gets_an_account_on_their_profile(api, hub_database):
    with hub_database.write() as s:
        s.add(m.Professional(id="known-officer-0001", phone="254733111222", first_name="Ann"))
    assert register(api, "0733111222").status_code == 200
    with hub_database.read() as s:
        user = s.scalar(select(m.AppUser).where(m.AppUser.phone == "254733111222"))
        assert user.professional_id == "known-officer-0001" and user.display_name == "Ann"


def test_registration_is_rate_limited_per_number_and_per_address(hub_database):
    with portal_app(hub_database, register_per_number_per_hour=2) as client:
        api = Api(client)
        assert register(api, "0712000001").status_code == 200
        assert register(api, "0712000001").status_code == 409
        third = register(api, "0712000001")
        assert third.status_code == 429 and third.json()["code"] == "too_many_requests"
        assert "send PASSWORD to 22262" in third.json()["message"]
    an_hour_passes(hub_database)
    with portal_app(hub_database, register_per_ip_per_hour=2) as client:
        api = Api(client)
        assert register(api, "0712000002").status_code == 200
        assert register(api, "0712000003").status_code == 200
        answer = register(api, "0712000004")
        assert answer.status_code == 429 and "from this network" in answer.json()["message"]
    assert outbox(hub_database, "254712000004") == []


def an_hour_passes(db) -> None:
    """Every counted attempt is out of its window."""
    with db.write() as s:
        s.execute(delete(m.RateHit))


def test_every_hub_worker_counts_against_the_same_limits(hub_database):
    """Two apps on one database, as two worker processes are: attempts through either
    count against the same window."""
    with (
        portal_app(hub_database, register_per_number_per_hour=2) as first,
        portal_app(hub_database, register_per_number_per_hour=2) as second,
    ):
        assert register(Api(first), "0712000011").status_code == 200
        assert register(Api(second), "0712000011").status_code == 409
        assert register(Api(first), "0712000011").status_code == 429
        assert register(Api(second), "0712000011").status_code == 429


def test_if_the_sms_cannot_go_no_account_is_created(hub_database):
    class Broken:
        def send(self, phone, text, secret=None):
            raise SmsFailed("The SMS provider could not be reached. Try again later.")

    with portal_app(hub_database) as client:
        client.app.state.sms = lambda session: Broken()
        answer = register(Api(client), "0712999888")
    assert answer.status_code == 503
    assert answer.json()["code"] == "sms_failed"
    with hub_database.read() as s:
        assert s.scalar(select(m.AppUser).where(m.AppUser.phone == "254712999888")) is None
        assert (
            s.scalar(select(m.Professional).where(m.Professional.phone == "254712999888")) is None
        )


# --- PASSWORD by SMS ------------------------------------------------------------------


def inbound_form(client, sender: str, text: str = "PASSWORD", key: str | None = KEY):
    """As Africa's Talking posts it: a form, to a callback URL with the key in its query."""
    return client.post(
        "/sms/inbound" + (f"?key={key}" if key is not None else ""),
        content=f"from=%2B{sender}&to=22262&text={text}&date=2030-10-01&id=abc&linkId=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def pending_hash(db, phone: str) -> str | None:
    with db.read() as s:
        return s.scalar(select(m.AppUser.pending_password_hash).where(m.AppUser.phone == phone))


def test_password_by_sms_sends_a_new_password_that_replaces_the_old_at_its_first_use(
    client, hub_database, world
):
    phone = world.phones["jane"]
    answer = inbound_form(client, phone)
    assert answer.status_code == 200 and answer.json() == {"status": "received"}
    (sms,) = outbox(hub_database, phone)
    assert "your new password is" in sms and "username 0711500001" in sms
    assert "no longer works" not in sms
    assert "replaces your old one when you first sign in with it, within 24 hours" in sms
    assert len(sms) <= 160
    new = sent_password(hub_database, phone)
    assert login(client, phone, PASSWORD).status_code == 200, "the old one still works"
    assert pending_hash(hub_database, phone) is not None, "signing in with the old keeps it"
    assert login(client, phone, new).status_code == 200
    assert pending_hash(hub_database, phone) is None
    assert login(client, phone, PASSWORD).status_code == 401, "the new one has replaced it"
    assert login(client, phone, new).status_code == 200


def test_repeated_resets_never_lock_the_owner_out(hub_database, world):
    phone = world.phones["jane"]
    with portal_app(hub_database, sms_inbound_key=KEY, password_sms_per_number_per_hour=9) as c:
        sent = []
        for _ in range(6):
            assert inbound_form(c, phone).status_code == 200
            sent.append(sent_password(hub_database, phone))
            assert login(c, phone, PASSWORD).status_code == 200
        assert login(c, phone, sent[0]).status_code == 401, "each reset replaces the last"
        assert login(c, phone, PASSWORD).status_code == 200
        assert login(c, phone, sent[-1]).status_code == 200


def test_a_pending_password_expires_and_the_current_one_stays(client, hub_database, world):
    phone = world.phones["mary"]
    inbound_form(client, phone)
    new = sent_password(hub_database, phone)
    with hub_database.write() as s:
        user = s.scalar(select(m.AppUser).where(m.AppUser.phone == phone))
        user.pending_password_at -= dt.timedelta(hours=25)
    assert login(client, phone, new).status_code == 401
    assert pending_hash(hub_database, phone) is None
    assert login(client, phone, PASSWORD).status_code == 200


def absent(answer: dict, path: str, instead: str) -> dict:
    """The 404 answer of a path the hub does not have, as it would read for `instead`."""
    return {**answer, "message": answer["message"].replace(path, instead)}


def test_without_an_inbound_key_the_route_answers_as_if_absent(hub_database, world):
    phone = world.phones["jane"]
    with portal_app(hub_database) as client:
        answer = inbound_form(client, phone, key=None)
        elsewhere = client.post("/sms/nowhere", content=b"from=%2B254711500001&text=PASSWORD")
        assert inbound_form(client, phone, key="anything").status_code == 404
        assert login(client, phone, PASSWORD).status_code == 200
    assert answer.status_code == elsewhere.status_code == 404
    assert answer.json() == absent(elsewhere.json(), "/sms/nowhere", "/sms/inbound")
    assert outbox(hub_database) == []
    assert pending_hash(hub_database, phone) is None


def test_the_webhook_takes_only_its_key(hub_database, world):
    phone = world.phones["jane"]
    form = f"from=%2B{phone}&to=22262&text=PASSWORD"
    kind = {"Content-Type": "application/x-www-form-urlencoded"}
    with portal_app(hub_database, sms_inbound_key=KEY, password_sms_per_number_per_hour=9) as c:
        refused = [
            inbound_form(c, phone, key=None),
            inbound_form(c, phone, key="wrong"),
            inbound_form(c, phone, key=KEY[:-1]),
            c.post("/sms/inbound", content=form, headers=kind, auth=("sms", "wrong")),
            c.post("/sms/inbound", content=form, headers={**kind, "X-Inbound-Key": "wrong"}),
            c.post("/sms/inbound", content=form, headers={**kind, "Authorization": "Basic !!"}),
        ]
        assert [r.status_code for r in refused] == [403] * len(refused)
        assert {r.json()["message"] for r in refused} == {
            "This address only takes messages from the SMS provider."
        }
        assert outbox(hub_database, phone) == []
        accepted = [
            inbound_form(c, phone),
            c.post("/sms/inbound", content=form, headers=kind, auth=("sms", KEY)),
            c.post("/sms/inbound", content=form, headers={**kind, "X-Inbound-Key": KEY}),
        ]
        assert [r.status_code for r in accepted] == [200] * 3
    assert len(outbox(hub_database, phone)) == 3


@pytest.mark.parametrize("text", ["password", " Password. ", "PASSWORD!"])
def test_password_keyword_forgives_case_and_punctuation_and_json_is_accepted(
    client, hub_database, world, text
):
    phone = world.phones["mary"]
    answer = client.post(
        f"/sms/inbound?key={KEY}", json={"from": "+" + phone, "to": "22262", "text": text}
    )
    assert answer.status_code == 200
    assert len(outbox(hub_database, phone)) == 1


@pytest.mark.parametrize(
    ("sender", "text"),
    [("254799000111", "PASSWORD"), ("254711500001", "HELLO"), ("not-a-phone", "PASSWORD")],
)
def test_unknown_numbers_and_other_words_reveal_nothing(client, hub_database, sender, text):
    answer = inbound_form(client, sender, text)
    assert answer.status_code == 200 and answer.json() == {"status": "received"}
    assert outbox(hub_database) == []


def test_password_by_sms_is_rate_limited_per_number(hub_database, world):
    phone = world.phones["jane"]
    with portal_app(
        hub_database, password_sms_per_number_per_hour=2, sms_inbound_key=KEY
    ) as client:
        for _ in range(4):
            assert inbound_form(client, phone).status_code == 200
    assert len(outbox(hub_database, phone)) == 2


def test_malformed_inbound_messages_are_refused_without_a_traceback(client):
    bad = client.post(
        f"/sms/inbound?key={KEY}", content=b"[1,2]", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400
    huge = client.post(f"/sms/inbound?key={KEY}", content=b"text=" + b"x" * 20_000)
    assert huge.status_code == 413  # the request gate's bound, before the route reads it


# --- login lockout and password change ------------------------------------------------


def login(client, phone: str, password: str):
    return client.post(
        "/auth/login", json={"phone": phone, "password": password, "device_id": f"dev-{phone}"}
    )


def test_repeated_wrong_passwords_lock_the_account_and_password_by_sms_gets_the_owner_in(
    client, hub_database, world
):
    phone = world.phones["jane"]
    for _ in range(3):
        assert login(client, phone, "wrong-guess").json()["code"] == "wrong_password"
    locked = login(client, phone, PASSWORD)
    assert locked.status_code == 423
    assert "send PASSWORD to 22262" in locked.json()["message"]
    inbound_form(client, phone)
    new = sent_password(hub_database, phone)
    assert login(client, phone, PASSWORD).status_code == 423, "a reset does not lift the lock"
    for _ in range(3):  # a stranger keeps typing wrong passwords for the number
        assert login(client, phone, "wrong-guess").status_code == 423
    assert login(client, phone, new).status_code == 200, "the new password gets the owner in"
    assert login(client, phone, new).status_code == 200


def test_the_current_password_may_be_a_pending_one(client, hub_database, world):
    phone = world.phones["peter"]
    inbound_form(client, phone)
    api = Api(client).as_user(phone)
    answer = api.post(
        "/accounts/password",
        {"old_password": sent_password(hub_database, phone), "new_password": "a-new-pass-2030"},
    )
    assert answer.status_code == 200, answer.text
    assert pending_hash(hub_database, phone) is None
    assert login(client, phone, PASSWORD).status_code == 401
    assert login(client, phone, "a-new-pass-2030").status_code == 200


def test_change_password(client, world):
    phone = world.phones["jane"]
    api = Api(client).as_user(phone)
    answer = api.post(
        "/accounts/password", {"old_password": PASSWORD, "new_password": "a-new-pass-2030"}
    )
    assert answer.status_code == 200
    assert "password was changed" in answer.json()["message"]
    assert login(client, phone, PASSWORD).status_code == 401
    assert login(client, phone, "a-new-pass-2030").status_code == 200


@pytest.mark.parametrize(
    ("old", "new", "status", "code", "words"),
    [
        ("wrong", "a-new-pass-2030", 401, "wrong_password", "current password is not correct"),
        (PASSWORD, "short", 400, "weak_password", "at least 8 characters"),
        (PASSWORD, PASSWORD, 400, "weak_password", "different from the current one"),
        (PASSWORD, "0711500001", 400, "weak_password", "phone number"),
    ],
)
def test_bad_password_changes_are_refused(client, world, old, new, status, code, words):
    api = Api(client).as_user(world.phones["jane"])
    answer = api.post("/accounts/password", {"old_password": old, "new_password": new})
    assert answer.status_code == status
    assert answer.json()["code"] == code and words in answer.json()["message"]
    assert login(client, world.phones["jane"], PASSWORD).status_code == 200


def test_wrong_current_passwords_count_towards_the_lockout(client, world):
    api = Api(client).as_user(world.phones["mary"])
    for _ in range(3):
        api.post("/accounts/password", {"old_password": "guess", "new_password": "long-enough-1"})
    answer = api.post(
        "/accounts/password", {"old_password": PASSWORD, "new_password": "long-enough-1"}
    )
    assert answer.status_code == 423


def test_password_change_needs_a_sign_in(api):
    answer = api.post("/accounts/password", {"old_password": "x", "new_password": "yyyyyyyyy"})
    assert answer.status_code == 401
