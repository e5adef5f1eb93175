"""Devices for KNEC administrators: `cp2hub devices`, `revoke-device`, and /admin/devices.

Devices sign in through the desktop's own client over real HTTP, so the app version the
hub lists is the one CP2 Desk sends; a revoked device is then refused on its next call.
"""

from __future__ import annotations

import logging
import uuid

import pytest
import requests

from cp2desk import __version__
from cp2desk.sync import errors
from cp2desk.sync.client import HubClient
from cp2desk.sync.protocol import APP_VERSION_HEADER
from cp2desk.sync.records import natural_id
from cp2hub import models as m
from cp2hub.passwords import hash_password
from tests.sync.conftest import HubServer
from tests.sync.scenario import PASSWORD, _user, build_world

NOT_ADMINS = ("manager_alpha", "director", "scde", "clerk", "teacher")
DEVICES = {  # device id -> (user, device name)
    "aaaa1111-0000-4000-8000-000000000001": ("manager_alpha", "Centre laptop"),
    "aaaa2222-0000-4000-8000-000000000002": ("manager_alpha", "Spare laptop"),
    "bbbb1111-0000-4000-8000-000000000003": ("director", "Office desktop"),
    "cccc1111-0000-4000-8000-000000000004": ("admin", "Head office"),
}


@pytest.fixture
def world(hub_database):
    world = build_world(hub_database, officers_per_centre=2, days=1)
    password = hash_password(PASSWORD)
    others = {  # every role but the administrator's that the world lacks
        "scde": [("scde", None, natural_id("sub", "Westlands"))],
        "clerk": [("knec_clerk", world.centres["alpha"], None)],
        "teacher": [],
    }
    with hub_database.write() as s:
        for number, (name, grants) in enumerate(
            {"admin": [("admin", None, None)], **others}.items()
        ):
            person = m.Professional(
                id=natural_id("prof", name),
                phone=f"25473300009{number}",
                first_name=name.title(),
                last_name="Test",
            )
            s.add(person)
            s.flush()
            _user(s, world, name, person, password, grants)
    return world


@pytest.fixture
def hub(hub_database, world):
    with HubServer(hub_database) as server:
        yield server


@pytest.fixture
def clients(hub, world) -> dict[str, HubClient]:
    """Every device of DEVICES signed in, in order, through the desktop's client."""
    signed = {}
    for device_id, (user, name) in DEVICES.items():
        client = HubClient(hub.url)
        client.login(world.users[user], PASSWORD, device_id, name)
        signed[device_id] = client
    return signed


def admin_api(hub, clients, method: str, path: str, client_id: str = "cccc1111", **kw):
    client = next(c for i, c in clients.items() if i.startswith(client_id))
    headers = {"Authorization": f"Bearer {client.access_token}"}
    return requests.request(method, hub.url + path, headers=headers, timeout=10, **kw)


def test_admin_lists_every_device_with_its_user_roles_and_app(hub, clients, world):
    answer = admin_api(hub, clients, "GET", "/admin/devices")
    assert answer.status_code == 200, answer.text
    listed = answer.json()
    assert [d["id"] for d in listed] == list(reversed(DEVICES))  # last seen first
    spare = next(d for d in listed if d["name"] == "Spare laptop")
    assert spare["phone"] == world.users["manager_alpha"]
    assert spare["user_name"] and spare["roles"] == ["centre_manager", "professional"]
    assert spare["app_version"] == __version__
    assert spare["revoked_at"] is None
    assert spare["created_at"].endswith("Z") or spare["created_at"].endswith("+00:00")
    assert spare["last_seen_at"] >= spare["created_at"]
    mine = admin_api(hub, clients, "GET", "/admin/devices", params={"phone": "0733000001"})
    assert [d["name"] for d in mine.json()] == ["Office desktop"]
    newest = admin_api(hub, clients, "GET", "/admin/devices", params={"sort": "created"})
    assert [d["id"] for d in newest.json()] == list(reversed(DEVICES))
    two = admin_api(hub, clients, "GET", "/admin/devices", params={"limit": 2})
    assert [d["id"] for d in two.json()] == list(reversed(DEVICES))[:2]
    bad = admin_api(hub, clients, "GET", "/admin/devices", params={"limit": 0})
    assert bad.status_code == 422
    wrong = admin_api(hub, clients, "GET", "/admin/devices", params={"phone": "12"})
    assert wrong.status_code == 400 and "07XXXXXXXX" in wrong.json()["message"]


def test_a_refresh_records_the_app_version_and_when_it_was_seen(hub, clients):
    first = {d["id"]: d for d in admin_api(hub, clients, "GET", "/admin/devices").json()}
    client = clients["aaaa1111-0000-4000-8000-000000000001"]
    client.http.headers[APP_VERSION_HEADER] = "9.9.9"
    client.refresh()
    listed = admin_api(hub, clients, "GET", "/admin/devices").json()
    assert listed[0]["id"] == "aaaa1111-0000-4000-8000-000000000001"
    assert listed[0]["app_version"] == "9.9.9"
    assert listed[0]["last_seen_at"] > first[listed[0]["id"]]["last_seen_at"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/admin/devices"), ("POST", "/admin/devices/aaaa1111/revoke")],
)
def test_only_administrators(hub, clients, world, method, path):
    for name in NOT_ADMINS:
        other = HubClient(hub.url)
        other.login(world.users[name], PASSWORD, str(uuid.uuid4()), name)
        headers = {"Authorization": f"Bearer {other.access_token}"}
        answer = requests.request(method, hub.url + path, headers=headers, timeout=10)
        assert answer.status_code == 403, (name, answer.text)
        assert answer.json()["message"] == "Only KNEC administrators can do this."
    assert requests.request(method, hub.url + path, timeout=10).status_code == 401
    assert clients["aaaa1111-0000-4000-8000-000000000001"].refresh()  # not revoked


def test_admin_revokes_a_device_and_it_is_told_why(hub, clients, caplog):
    with caplog.at_level(logging.INFO, logger="cp2hub.api.devices"):
        answer = admin_api(hub, clients, "POST", "/admin/devices/aaaa2222/revoke")
    assert answer.status_code == 200, answer.text
    (logged,) = [r for r in caplog.records if getattr(r, "event", "") == "device_revoked"]
    assert logged.device_id == "aaaa2222-0000-4000-8000-000000000002"
    assert answer.json()["id"] == "aaaa2222-0000-4000-8000-000000000002"
    assert answer.json()["revoked_at"]
    revoked = clients["aaaa2222-0000-4000-8000-000000000002"]
    with pytest.raises(errors.DeviceRevoked, match="revoked on .* can be exported"):
        revoked.pull(0)
    with pytest.raises(errors.DeviceRevoked):
        revoked.refresh()
    assert clients["aaaa1111-0000-4000-8000-000000000001"].pull(0) is not None
    again = admin_api(hub, clients, "POST", "/admin/devices/aaaa2222/revoke")
    assert again.status_code == 409 and "already revoked" in again.json()["message"]


@pytest.mark.parametrize(
    ("target", "status", "message"),
    [
        ("nothing", 404, "No device has an id starting 'nothing'"),
        ("aaaa", 404, "at least 6 characters"),
        ("aaaa-", 404, "at least 6 characters"),
        ("cccc1111", 400, "This is the device you are using"),
    ],
)
def test_bad_revocations_say_why(hub, clients, target, status, message):
    answer = admin_api(hub, clients, "POST", f"/admin/devices/{target}/revoke")
    assert answer.status_code == status
    assert message in answer.json()["message"]
    listed = admin_api(hub, clients, "GET", "/admin/devices").json()
    assert all(d["revoked_at"] is None for d in listed)


def test_cli_lists_and_revokes(run, clients, world):
    status, out, err = run("devices")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert [line[:8] for line in lines] == [i[:8] for i in reversed(DEVICES)]
    spare = next(line for line in lines if "Spare laptop" in line)
    local = "0" + world.users["manager_alpha"][3:]
    for part in (local, "centre_manager", f"app {__version__}", "seen 20", "active"):
        assert part in spare, (part, spare)
    status, out, _ = run("devices", "--phone", "0733000001")
    assert status == 0 and len(out.splitlines()) == 1 and "Office desktop" in out
    status, out, err = run("revoke-device", "aaaa2222")
    assert status == 0 and err == ""
    assert out.startswith("Revoked device aaaa2222 (Spare laptop) of ")
    assert "can no longer sign in or sync" in out and len(out.splitlines()) == 1
    with pytest.raises(errors.DeviceRevoked):
        clients["aaaa2222-0000-4000-8000-000000000002"].refresh()
    status, out, _ = run("devices", "--sort", "created")
    assert "REVOKED 20" in next(line for line in out.splitlines() if "Spare laptop" in line)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("aaaa2222", "was already revoked on"),
        ("dddd9999", "No device has an id starting 'dddd9999'."),
        ("aaaa", "at least 6 characters"),
    ],
)
def test_cli_bad_revocations_are_one_line_exit_2(run, clients, target, message):
    if target == "aaaa2222":
        assert run("revoke-device", target)[0] == 0
    status, out, err = run("revoke-device", target)
    assert status == 2 and out == ""
    assert err.startswith("cp2hub: ") and message in err and len(err.splitlines()) == 1


def test_cli_names_a_bad_phone(run, clients):
    status, _, err = run("devices", "--phone", "12345")
    assert status == 2 and "07XXXXXXXX" in err and len(err.splitlines()) == 1
