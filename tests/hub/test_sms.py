"""The SMS gateway: the outbox backend, and Africa's Talking through its real SDK without the network.

The Africa's Talking tests build the SDK's own `SMSService` and replace only the HTTP
call it makes (`requests.post` inside `africastalking.Service`), so they check the
request our adapter makes the SDK send (URL, API key header, form fields) and how
each of the provider's answers is turned into our errors.
"""

from __future__ import annotations

import json

import pytest
import requests
from africastalking.SMS import SMSService
from sqlalchemy import func, select

from cp2hub import models as m
from cp2hub.passwords import verify_password
from cp2hub.settings import Settings
from cp2hub.sms import SmsFailed, gateway
from cp2hub.sms.africastalking import AfricasTalkingSms, SmsNotConfigured
from cp2hub.sms.outbox import OutboxSms, sent
from tests.hub.portal_world import Api, portal_app


class FakeResponse:
    def __init__(self, status: int, body, content_type: str = "application/json") -> None:
        self.status_code = status
        self.headers = {"content-type": content_type}
        self.text = body if isinstance(body, str) else json.dumps(body)

    def json(self):
        return json.loads(self.text)


def answer_for(status_code: int = 101, status: str = "Success", number: str = "+254712345678"):
    return {
        "SMSMessageData": {
            "Message": "Sent to 1/1 Total Cost: KES 0.8000",
            "Recipients": [
                {
                    "statusCode": status_code,
                    "number": number,
                    "status": status,
                    "cost": "KES 0.8000",
                    "messageId": "ATPid_SampleTxnId123",
                }
            ],
        }
    }


@pytest.fixture
def provider(monkeypatch):
    """The HTTP layer under the SDK: records each POST and answers with `provider.reply`."""

    class Provider:
        calls: list[dict] = []
        reply = FakeResponse(201, answer_for())

        def post(self, url, headers, params, data, timeout):
            self.calls.append({"url": url, "headers": headers, "data": data, "timeout": timeout})
            if isinstance(self.reply, Exception):
                raise self.reply
            return self.reply

    found = Provider()
    found.calls = []
    monkeypatch.setattr("africastalking.Service.requests.post", found.post)
    return found


def adapter(sender: str = "KNEC") -> AfricasTalkingSms:
    return AfricasTalkingSms("", "", sender, service=SMSService("knec_cp2", "at-key-123"))


def test_a_message_goes_to_the_sdk_as_africas_talking_expects(provider):
    adapter().send("0712345678", "KNEC CP2: your account is ready.")
    (call,) = provider.calls
    assert call["url"] == "https://api.africastalking.com/version1/messaging"
    assert call["headers"]["apiKey"] == "at-key-123"
    assert call["data"] == {
        "username": "knec_cp2",
        "to": "+254712345678",
        "message": "KNEC CP2: your account is ready.",
        "bulkSMSMode": 1,
        "from": "KNEC",
    }


def test_without_a_sender_the_providers_default_is_used(provider):
    adapter(sender="").send("254712345678", "hello")
    assert "from" not in provider.calls[0]["data"]


def test_a_text_answer_holding_json_is_read_too(provider):
    provider.reply = FakeResponse(201, answer_for(102, "Queued"), content_type="text/plain")
    adapter().send("254712345678", "hello")


@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        (405, "InsufficientBalance", "did not send the message (InsufficientBalance). Try again"),
        (403, "InvalidPhoneNumber", "cannot deliver to this number (InvalidPhoneNumber)"),
        (406, "UserInBlacklist", "cannot deliver to this number (UserInBlacklist)"),
        (500, "InternalServerError", "did not send the message (InternalServerError)"),
    ],
)
def test_each_refusal_of_a_recipient_becomes_sms_failed(provider, code, status, words):
    provider.reply = FakeResponse(201, answer_for(code, status))
    with pytest.raises(SmsFailed, match=words.replace("(", r"\(").replace(")", r"\)")):
        adapter().send("254712345678", "hello")


def test_an_http_error_from_the_provider(provider):
    provider.reply = FakeResponse(401, "The supplied authentication is invalid", "text/plain")
    with pytest.raises(SmsFailed, match="refused the message .The supplied authentication"):
        adapter().send("254712345678", "hello")


def test_no_network(provider):
    provider.reply = requests.ConnectionError("no route to host")
    with pytest.raises(SmsFailed, match="could not be reached"):
        adapter().send("254712345678", "hello")


@pytest.mark.parametrize(
    "body",
    [
        "<html>Bad gateway</html>",
        {"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}},
        {"unexpected": True},
        answer_for(number="+254700000000"),
    ],
)
def test_answers_we_cannot_read_or_that_leave_us_out(provider, body):
    provider.reply = FakeResponse(201, body)
    with pytest.raises(SmsFailed):
        adapter().send("254712345678", "hello")


def test_a_number_that_is_not_kenyan_never_reaches_the_provider(provider):
    with pytest.raises(SmsFailed, match="not a Kenyan mobile number"):
        adapter().send("12345", "hello")
    assert provider.calls == []


def test_settings_choose_the_backend_and_africas_talking_reads_the_environment(
    monkeypatch, hub_database
):
    with hub_database.write() as session:
        assert isinstance(gateway(Settings(), session), OutboxSms)
        with pytest.raises(SmsNotConfigured, match="CP2HUB_SMS_USERNAME"):
            gateway(Settings(sms_backend="africastalking"), session)
        with pytest.raises(SmsNotConfigured, match="outbox or africastalking"):
            gateway(Settings(sms_backend="pigeon"), session)
    monkeypatch.setenv("CP2HUB_SMS_BACKEND", "africastalking")
    monkeypatch.setenv("CP2HUB_SMS_USERNAME", "knec_cp2")
    monkeypatch.setenv("CP2HUB_SMS_API_KEY", "at-key-456")
    monkeypatch.setenv("CP2HUB_SMS_SENDER", "KNEC")
    with hub_database.write() as session:
        found = gateway(Settings(), session)
    assert isinstance(found, AfricasTalkingSms) and found.sender == "KNEC"
    assert found.service._username == "knec_cp2" and found.service._api_key == "at-key-456"


def test_the_outbox_writes_in_the_callers_transaction(hub_database):
    with hub_database.write() as session:
        OutboxSms(session).send("254712345678", "kept")
    with pytest.raises(RuntimeError), hub_database.write() as session:
        OutboxSms(session).send("254712345678", "rolled back")
        raise RuntimeError("the change that sent it failed")
    with hub_database.read() as session:
        assert [s.body for s in sent(session)] == ["kept"]
        assert sent(session, phone="254700000000") == []


def test_many_messages_through_africas_talking_go_one_request_each(provider, monkeypatch):
    """`send_many` keeps what `send` does for each text; a refusal is returned, not raised,
    and the other texts still go."""
    replies = iter([answer_for(), answer_for(403, "InvalidPhoneNumber", "+254700000002")])
    provider.reply = None
    real_post = provider.post

    def post(url, headers, params, data, timeout):
        provider.reply = FakeResponse(201, next(replies))
        return real_post(url, headers, params, data, timeout)

    monkeypatch.setattr("africastalking.Service.requests.post", post)
    failed = adapter().send_many([("254712345678", "paid one"), ("254700000002", "paid two")])
    assert [(c["data"]["to"], c["data"]["message"]) for c in provider.calls] == [
        ("+254712345678", "paid one"),
        ("+254700000002", "paid two"),
    ]
    ((phone, exc),) = failed
    assert phone == "254700000002" and "cannot deliver to this number" in exc.message


def test_many_messages_in_the_outbox_are_written_in_the_callers_transaction_and_counted(
    hub_database,
):
    from cp2hub import metrics

    sent_count = metrics.SMS.labels("outbox", "sent")
    before = sent_count._value.get()
    settings = Settings(database_url=hub_database.url)
    with hub_database.write() as session:
        assert (
            gateway(settings, session).send_many([("254712345678", "a"), ("254712345679", "b")])
            == []
        )
    with pytest.raises(RuntimeError), hub_database.write() as session:
        gateway(settings, session).send_many([("254712345678", "rolled back")])
        raise RuntimeError("the payments it told of were not recorded")
    with hub_database.read() as session:
        assert [(s.phone, s.body) for s in sent(session)] == [
            ("254712345678", "a"),
            ("254712345679", "b"),
        ]
    assert sent_count._value.get() == before + 3


def test_registration_through_africas_talking_end_to_end(provider, hub_database):
    with portal_app(hub_database) as client:
        client.app.state.sms = lambda session: adapter()
        answer = Api(client).post(
            "/accounts/register", {"phone": "0712345678", "phone_again": "0712345678"}
        )
        assert answer.status_code == 200
        (call,) = provider.calls
        assert call["data"]["to"] == "+254712345678"
        assert "Username: 0712345678 Password: " in call["data"]["message"]
        provider.reply = FakeResponse(201, answer_for(405, "InsufficientBalance", "+254712000999"))
        failed = Api(client).post(
            "/accounts/register", {"phone": "0712000999", "phone_again": "0712000999"}
        )
    assert failed.status_code == 503
    assert "InsufficientBalance" in failed.json()["message"]
    with hub_database.read() as session:
        assert session.scalar(select(func.count()).select_from(m.SmsMessage)) == 0
        users = session.scalars(select(m.AppUser.phone)).all()
    assert users == ["254712345678"]


# --- secrets: masked at rest and in logs, in full only in demo mode -----------------


def registered_sms(db, **settings) -> str:
    """The outbox's copy of the SMS a new account gets, on a hub with these settings."""
    with portal_app(db, **settings) as client:
        answer = Api(client).post(
            "/accounts/register", {"phone": "0712345678", "phone_again": "0712345678"}
        )
        assert answer.status_code == 200, answer.text
    with db.read() as session:
        (sms,) = sent(session)
        return sms.body


def test_outside_demo_mode_the_outbox_keeps_a_password_masked(hub_database):
    body = registered_sms(hub_database, mode="production")
    assert body.startswith("KNEC CP2: your account is ready. Username: 0712345678 Password: ")
    assert "Password: \u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022 Please change" in body
    with hub_database.read() as session:
        password_hash = session.scalar(select(m.AppUser.password_hash))
    shown = body.split("Password: ")[1].split()[0]
    assert not verify_password(password_hash, shown)


def test_in_demo_mode_the_outbox_keeps_the_password_in_full(hub_database):
    body = registered_sms(hub_database, mode="demo")
    password = body.split("Password: ")[1].split()[0]
    assert "\u2022" not in body and len(password) == 8
    with hub_database.read() as session:
        assert verify_password(session.scalar(select(m.AppUser.password_hash)), password)


def test_the_settings_mode_chooses_what_the_outbox_keeps(hub_database, monkeypatch):
    monkeypatch.delenv("CP2HUB_MODE", raising=False)
    with hub_database.write() as session:
        gateway(Settings(), session).send("254712345678", "Password: K7PQ3MXA", secret="K7PQ3MXA")
        monkeypatch.setenv("CP2HUB_MODE", "demo")
        gateway(Settings(), session).send("254712345678", "Password: K7PQ3MXB", secret="K7PQ3MXB")
    with hub_database.read() as session:
        assert [s.body for s in sent(session)] == [
            "Password: \u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022",
            "Password: K7PQ3MXB",
        ]


def test_africas_talking_sends_the_secret_but_never_logs_or_repeats_it(provider, caplog):
    text = "KNEC CP2: your new password is K7PQ3MXA (username 0712345678)."
    adapter().send("254712345678", text, secret="K7PQ3MXA")
    assert provider.calls[0]["data"]["message"] == text
    provider.reply = FakeResponse(400, f"Rejected: {text}", "text/plain")
    with pytest.raises(SmsFailed) as refused:
        adapter().send("254712345678", text, secret="K7PQ3MXA")
    provider.reply = FakeResponse(201, answer_for(405, f"Bad {text}"))
    with pytest.raises(SmsFailed) as failed:
        adapter().send("254712345678", text, secret="K7PQ3MXA")
    assert "Rejected: KNEC CP2" in refused.value.message
    said = [refused.value.message, failed.value.message, caplog.text]
    assert caplog.records and not any("K7PQ3MXA" in words for words in said)


def test_africas_talking_logs_a_number_it_did_not_send_to_masked(provider, caplog):
    provider.reply = FakeResponse(201, answer_for(405, "InsufficientBalance"))
    with pytest.raises(SmsFailed):
        adapter().send("254712345678", "Report at 7 am on the first day.")
    assert "did not send to 2547*****678" in caplog.text
    assert "712345678" not in caplog.text
