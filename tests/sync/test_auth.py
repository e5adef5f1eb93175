"""Sign-in, tokens in a real keyring, offline unlock, lockout, revocation, versions."""

from __future__ import annotations

import base64
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import keyring
import pytest
import requests
from keyring.backends import SecretService, Windows, fail, kwallet, null
from keyrings.alt.file import PlaintextKeyring

from cp2desk.services import account as accounts
from cp2desk.sync import errors, tokens
from cp2desk.sync.protocol import PROTOCOL_HEADER
from cp2desk.sync.tokens import SERVICE
from cp2hub import auth as hub_auth
from cp2hub.models import Device
from tests.sync.scenario import PASSWORD


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CP2DESK_HOME", str(tmp_path / "home"))


def test_sign_in_keeps_refresh_token_in_keyring_only(hub, world, test_keyring, tmp_path):
    phone = world.users["manager_alpha"]
    acc = accounts.sign_in(hub.url, "0" + phone[3:], PASSWORD)
    assert acc.phone == phone and acc.online
    stored = keyring.get_password(SERVICE, acc.tokens.account)
    assert stored and stored == acc.client.refresh_token
    assert stored.encode() not in acc.replica.path.read_bytes()
    assert ("centre_manager", world.centres["alpha"], None) not in acc.roles  # before sync
    acc.engine.sync()
    assert ("centre_manager", world.centres["alpha"], None) in acc.load_roles()
    accounts.sign_out(acc)
    assert keyring.get_password(SERVICE, acc.tokens.account) is None


def test_offline_unlock_then_sync_with_keyring_token(hub, world, test_keyring):
    phone = world.users["manager_alpha"]
    accounts.sign_in(hub.url, phone, PASSWORD).replica.dispose()
    with pytest.raises(errors.WrongPassword):
        accounts.unlock_offline(hub.url, phone, "nope")
    acc = accounts.unlock_offline(hub.url, phone, PASSWORD)
    assert not acc.online and acc.client.access_token is None
    report = acc.engine.sync()  # refreshes the access token from the keyring's token
    assert report.pulled > 0


def test_offline_unlock_needs_an_earlier_sign_in(hub, world, test_keyring):
    with pytest.raises(accounts.SignInError, match="first sign-in"):
        accounts.unlock_offline(hub.url, world.users["manager_beta"], PASSWORD)


def test_malformed_phone_is_refused_before_the_network(test_keyring):
    with pytest.raises(accounts.SignInError, match="07XXXXXXXX"):
        accounts.sign_in("http://127.0.0.1:9", "12345", "x")


def test_wrong_password_then_lockout(hub, world, test_keyring):
    phone = world.users["manager_beta"]
    for _ in range(3):
        with pytest.raises(errors.WrongPassword):
            accounts.sign_in(hub.url, phone, "wrong")
    with pytest.raises(errors.AccountLocked, match="locked"):
        accounts.sign_in(hub.url, phone, PASSWORD)


def test_unreachable_hub(test_keyring):
    with pytest.raises(errors.HubUnreachable, match="Cannot reach the hub"):
        accounts.sign_in("http://127.0.0.1:9", "0722000001", PASSWORD)


def test_revoked_device_is_told_and_keeps_its_changes(hub, world, test_keyring):
    acc = accounts.sign_in(hub.url, world.users["manager_alpha"], PASSWORD)
    acc.engine.sync()
    with acc.replica.write() as s:
        from cp2desk.local_db.models import Professional

        me = s.get(Professional, world.officers[world.deployments["alpha"][0]])
        me.kra_pin = "A012345678Z"
        acc.replica.record(s, me, ["kra_pin"], "KRA PIN added")
    with hub.db.write() as s:
        hub_auth.revoke(s, acc.replica.device_id)
    with pytest.raises(errors.DeviceRevoked, match="revoked"):
        acc.engine.sync()
    assert acc.replica.pending_count() == 1


def test_old_protocol_gets_update_required(hub):
    answer = requests.post(
        hub.url + "/auth/login", json={}, headers={PROTOCOL_HEADER: "0"}, timeout=5
    )
    assert answer.status_code == 426
    assert "update CP2 Desk" in answer.json()["message"]


class WebPage(BaseHTTPRequestHandler):
    """A web server that is not a hub: every request gets an HTML page."""

    status = 200

    def _page(self) -> None:
        body = b"<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>"
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _page

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture(params=[200, 404])
def web_page(request):
    handler = type("Answer", (WebPage,), {"status": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def files_under(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_first_sign_in_to_an_unreachable_hub_leaves_nothing(tmp_path, test_keyring):
    hub_url, phone = "http://127.0.0.1:9", "0722000001"
    for _attempt in range(2):  # the second is told the same, not "wrong password"
        with pytest.raises(errors.HubUnreachable, match="Cannot reach the hub"):
            accounts.sign_in(hub_url, phone, PASSWORD)
        assert files_under(tmp_path / "home") == []
        assert not accounts.can_unlock_offline(hub_url, phone)
    with pytest.raises(accounts.SignInError, match="not signed in on this computer before"):
        accounts.unlock_offline(hub_url, phone, PASSWORD)
    assert files_under(tmp_path / "home") == []


def test_a_first_sign_in_to_a_web_page_that_is_not_a_hub_leaves_nothing(
    web_page, tmp_path, test_keyring
):
    for _attempt in range(2):
        with pytest.raises(accounts.SignInError) as refused:
            accounts.sign_in(web_page, "0722000001", PASSWORD)
        assert refused.value.message == (
            f"{web_page} did not answer as a CP2 hub does. Check the hub address and try again."
        )
        assert files_under(tmp_path / "home") == []
        assert not accounts.can_unlock_offline(web_page, "0722000001")


def test_a_first_sign_in_creates_the_replica_with_the_device_the_hub_knows(
    hub, world, test_keyring
):
    acc = accounts.sign_in(hub.url, world.users["manager_beta"], PASSWORD)
    with hub.db.read() as s:
        assert s.get(Device, acc.replica.device_id) is not None
    assert acc.client.device_id == acc.replica.device_id
    acc.engine.sync()
    acc.replica.dispose()
    again = accounts.sign_in(hub.url, world.users["manager_beta"], PASSWORD)
    assert again.replica.device_id == acc.replica.device_id
    again.replica.dispose()


@pytest.fixture
def plain_text_keyring(tmp_path, monkeypatch):
    """keyrings.alt's plain-text file as keyring's active backend, with its data root in
    a home folder of the test's own; CP2 Desk is given no keyring explicitly."""
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    tokens.system_keyring.cache_clear()
    yield backend
    keyring.set_keyring(previous)
    tokens.system_keyring.cache_clear()


def test_a_plain_text_keyring_never_gets_the_token(hub, world, tmp_path, plain_text_keyring):
    assert plain_text_keyring.file_path.startswith(str(tmp_path / "user"))
    acc = accounts.sign_in(hub.url, world.users["manager_alpha"], PASSWORD)
    token = acc.client.refresh_token
    assert token and not acc.tokens.persistent and acc.tokens.backend is None
    assert acc.engine.sync().pulled > 0  # the token in memory serves the session
    acc.client.access_token = None
    acc.engine.sync()
    written = b"\n".join(p.read_bytes() for p in files_under(tmp_path))
    for form in (token, base64.b64encode(token.encode()).decode()):
        assert form.encode() not in written
    assert not os.path.exists(plain_text_keyring.file_path)
    assert keyring.get_password(SERVICE, acc.tokens.account) is None
    acc.replica.dispose()


def test_only_keyrings_that_protect_secrets_count(tmp_path):
    assert not tokens.protects_secrets(PlaintextKeyring())
    assert not tokens.protects_secrets(fail.Keyring())
    assert not tokens.protects_secrets(null.Keyring())
    assert tokens.protects_secrets(SecretService.Keyring())
    assert tokens.protects_secrets(kwallet.DBusKeyring())
    assert tokens.protects_secrets(Windows.WinVaultKeyring())
