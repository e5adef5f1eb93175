"""Malformed and hostile input on both sides of the wire.

On the hub: bad JSON, wrong types, unknown fields, over-long values, huge batches, no or a
garbage token, a token for another scope, a forged attendance id. Each gets a clear 4xx
or a refusal naming what is wrong, and nothing is half-applied.

On the device: garbage or cut answers and pull pages the protocol does not allow. Each
is a typed error with a message for the user; the outbox and the replica (cursor
included) are left exactly as they were.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sqlalchemy import select

from cp2desk.local_db import models as lm
from cp2desk.sync import errors
from cp2desk.sync.clock import HybridClock
from cp2desk.sync.protocol import MAX_PUSH_BATCH, PROTOCOL_HEADER, PROTOCOL_VERSION, ProtocolError
from cp2desk.sync.records import natural_id
from cp2hub import models as hm
from tests.sync.conftest import BACKENDS, Device, HubServer, migrated_database
from tests.sync.invariants import count, replica_view
from tests.sync.marks import mark
from tests.sync.proxy import FaultProxy
from tests.sync.scenario import build_world

CLOCK = HybridClock()

# One hub, world and pair of devices per backend for the whole module (each test uses
# its own rows and checks differences), so the module runs in seconds.


@pytest.fixture(scope="module", params=BACKENDS)
def hub_db(request, tmp_path_factory):
    with migrated_database(request.param, tmp_path_factory.mktemp("hub")) as db:
        yield db


@pytest.fixture(scope="module")
def world(hub_db):
    return build_world(hub_db)


@pytest.fixture(scope="module")
def hub(hub_db, world):
    with HubServer(hub_db) as server:
        yield server


@pytest.fixture(scope="module")
def devices(hub, world, tmp_path_factory):
    folder = tmp_path_factory.mktemp("devices")
    made = {
        name: Device(folder / f"{name}.sqlite3", hub.url, world.users[f"manager_{name}"])
        for name in ("alpha", "beta")
    }
    yield made
    for d in made.values():
        d.replica.dispose()


@pytest.fixture
def alpha(devices, hub):
    """manager_alpha's device, synced, talking to the hub directly again after the test."""
    d = devices["alpha"]
    d.sync()
    ORIGIN[0] = d.replica.device_id  # the hub takes changes only from the device itself
    yield d
    d.client.base_url = hub.url
    d.client.http.headers.pop("Connection", None)


class Counts:
    """Rows of the hub's push tables now, to check what a test's requests added."""

    def __init__(self, db) -> None:
        self.db = db
        self.before = self.now()

    def now(self):
        return count(self.db, hm.AppliedEntry), count(self.db, hm.Attendance)

    def added(self):
        return tuple(b - a for a, b in zip(self.before, self.now(), strict=True))


ORIGIN = ["device-hostile-1"]


def attendance_row(world, centre="alpha", k=1, session=1, **changes):
    dep = world.deployments[centre][k]
    row = dict(
        id=natural_id("attendance", dep, world.sessions[session]),
        hlc=CLOCK.now(),
        origin=ORIGIN[0],
        deleted=False,
        seq=None,
        deployment_id=dep,
        session_id=world.sessions[session],
        station_id=world.centres[centre],
        professional_id=world.officers[dep],
        status="present",
        check_in="07:45:00",
        marked_by=None,
    )
    row.update(changes)
    return row


def change(row, **extra):
    return {
        "key": str(uuid.uuid4()),
        "table": "attendance",
        "row": row,
        "fields": ["status", "check_in"],
        **extra,
    }


class Raw:
    """Plain HTTP to the hub with a device's token, for requests no client would send."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url
        self.headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def push(self, body=None, data=None) -> requests.Response:
        headers = {**self.headers, "Content-Type": "application/json"}
        return requests.post(
            self.url + "/sync/push", json=body, data=data, headers=headers, timeout=10
        )

    def pull(self, **params) -> requests.Response:
        return requests.get(
            self.url + "/sync/pull", params=params, headers=self.headers, timeout=10
        )


def problem(response: requests.Response, status: int | tuple[int, ...]) -> str:
    """The JSON problem of an error answer; its message is for people."""
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    body = response.json()
    assert body["code"] and len(body["message"]) > 10, body
    return body["message"]


# --- the hub ----------------------------------------------------------------------


def test_bad_json_is_refused_whole(hub, world, alpha):
    counts = Counts(hub.db)
    raw = Raw(hub.url, alpha.client.access_token)
    for data in (b'{"changes": [', b"\xff\xfe garbage", b"[1, 2, 3]", b'"changes"', b""):
        problem(raw.push(data=data), (400, 422))
    assert "not understood" in problem(raw.push(data=b'{"changes": ['), 422)
    assert counts.added() == (0, 0)


def test_wrong_types_are_refused_naming_the_field(hub, world, alpha):
    counts = Counts(hub.db)
    raw = Raw(hub.url, alpha.client.access_token)
    cases = {
        "hlc": attendance_row(world, hlc="tomorrow"),
        "status": attendance_row(world, k=2, status=3),
        "check_in": attendance_row(world, k=3, check_in="25:61"),
        "deployment_id": attendance_row(world, k=4, deployment_id=["a", "b"]),
        "marked_by": attendance_row(world, k=5, marked_by="x" * 5000),  # over-long text
    }
    answer = raw.push({"changes": [change(row) for row in cases.values()]})
    assert answer.status_code == 200
    for field, result in zip(cases, answer.json()["answers"], strict=True):
        assert result["outcome"] == "refused" and field in result["reason"], result
        assert "malformed" in result["reason"]
    assert counts.added() == (len(cases), 0)  # answered (and remembered), nothing stored


def test_out_of_range_number_is_refused_not_a_server_error(hub, world, alpha):
    counts = Counts(hub.db)
    raw = Raw(hub.url, alpha.client.access_token)
    answer = raw.push({"changes": [change(attendance_row(world, hlc=2**70))]})
    result = answer.json()["answers"][0]
    assert result["outcome"] == "refused" and "hlc" in result["reason"]
    assert counts.added() == (1, 0)


def test_unknown_fields(hub, world, alpha):
    counts = Counts(hub.db)
    raw = Raw(hub.url, alpha.client.access_token)
    row = attendance_row(world, session=2)
    message = problem(raw.push({"changes": [change(row)], "as_admin": True}), 422)
    assert "as_admin" in message
    message = problem(raw.push({"changes": [change(row, priority="high")]}), 422)
    assert "priority" in message
    assert counts.added() == (0, 0)
    # an unknown field inside a row: that entry is refused by name, its batch-mates apply
    good = change(attendance_row(world, k=2, session=2))
    answer = raw.push({"changes": [change(attendance_row(world, session=2, is_paid=True)), good]})
    first, second = answer.json()["answers"]
    assert first["outcome"] == "refused" and "is_paid" in first["reason"]
    assert second["outcome"] == "applied"
    assert counts.added() == (2, 1)


def test_huge_batch_is_refused_whole(hub, world, alpha):
    counts = Counts(hub.db)
    raw = Raw(hub.url, alpha.client.access_token)
    rows = [attendance_row(world, k=1 + i % 5, session=i % 8) for i in range(MAX_PUSH_BATCH + 1)]
    message = problem(raw.push({"changes": [change(r) for r in rows]}), 422)
    assert str(MAX_PUSH_BATCH) in message
    assert counts.added() == (0, 0)
    # one malformed entry (a key too short) spoils its whole batch: nothing half-applied
    batch = [change(attendance_row(world, k=1)), {**change(attendance_row(world, k=2)), "key": "x"}]
    problem(raw.push({"changes": batch}), 422)
    assert counts.added() == (0, 0)


def test_no_token_or_garbage_token(hub, world):
    counts = Counts(hub.db)
    for token in (None, "", "garbage", "x" * 5000):
        raw = Raw(hub.url, token)
        assert "sign in" in problem(raw.push({"changes": []}), 401).lower()
        assert "sign in" in problem(raw.pull(cursor=0), 401).lower()
    assert counts.added() == (0, 0)


def test_token_for_another_scope(hub, world, devices):
    alpha, beta = devices["alpha"], devices["beta"]
    dep = world.deployments["alpha"][2]
    alpha.sync()
    mark(
        alpha.replica,
        dep,
        world.sessions[0],
        "present",
        world.centres["alpha"],
        world.officers[dep],
    )
    assert alpha.sync().pushed == 1
    mark_id = natural_id("attendance", dep, world.sessions[0])
    # beta's token, alpha's officers: marks refused (even with a forged origin and a
    # correct natural id), and beta's pull holds nothing of alpha
    raw = Raw(hub.url, beta.client.access_token)
    forged = attendance_row(world, k=2, session=0, status="absent", origin=alpha.replica.device_id)
    fresh = attendance_row(world, k=3, session=0, status="absent", origin=beta.replica.device_id)
    answers = raw.push({"changes": [change(forged), change(fresh)]}).json()["answers"]
    assert "another device" in answers[0]["reason"]
    assert "outside the centres you are responsible for" in answers[1]["reason"]
    for answer in answers:
        assert answer["outcome"] == "refused"
        assert answer["row"] is None  # the refusal does not reveal alpha's row
    with hub.db.read() as s:
        assert s.get(hm.Attendance, mark_id).status == "present"
        assert s.get(hm.Attendance, fresh["id"]) is None
    page = raw.pull(cursor=0).json()
    refs = set(page["refs"])
    alpha_ids = {
        world.centres["alpha"],
        *world.deployments["alpha"],
        *(world.officers[d] for d in world.deployments["alpha"]),
    }
    assert not refs & alpha_ids
    assert "attendance" not in {t["table"] for t in page["tables"]}
    beta.sync()
    with beta.replica.read() as s:
        assert s.scalars(select(lm.Attendance)).all() == []
        assert set(s.scalars(select(lm.Deployment.station_id))) == {world.centres["beta"]}


def test_attendance_id_must_match_its_natural_key(hub, world, alpha):
    counts = Counts(hub.db)
    raw = Raw(hub.url, alpha.client.access_token)
    other = natural_id("attendance", world.deployments["alpha"][2], world.sessions[1])
    for forged in (str(uuid.uuid4()), other):
        answer = raw.push({"changes": [change(attendance_row(world, id=forged))]})
        result = answer.json()["answers"][0]
        assert result["outcome"] == "refused" and "does not match" in result["reason"]
    assert counts.added() == (2, 0)


def test_pull_parameters_are_checked(hub, world, alpha):
    raw = Raw(hub.url, alpha.client.access_token)
    for params in (
        {"cursor": -1},
        {"cursor": "abc"},
        {"limit": 0},
        {"limit": 10**9},
        {"scope_key": "k" * 500},
    ):
        problem(raw.pull(**params), 422)


# --- the device -----------------------------------------------------------------------


def pending(replica):
    with replica.read() as s:
        return [(e.key, e.row_json) for e in s.scalars(select(lm.OutboxEntry))]


def state(replica):
    with replica.read() as s:
        return {
            x.name: x.value
            for x in s.scalars(select(lm.SyncState))
            if x.name not in ("last_sync_at",)
        }


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("garbage", errors.CorruptResponse),
        ("cut", errors.HubUnreachable),
        ("lost", errors.HubUnreachable),
        ("drop", errors.HubUnreachable),
        ("error", errors.HubFailed),
    ],
)
def test_damaged_push_answer_leaves_the_outbox(hub, world, alpha, fault, error):
    marks = [
        mark(
            alpha.replica,
            dep,
            world.sessions[3],
            "late",
            world.centres["alpha"],
            world.officers[dep],
        )
        for dep in world.deployments["alpha"][1:3]
    ]
    before, view = pending(alpha.replica), replica_view(alpha.replica)
    assert len(before) == 2
    with FaultProxy(hub.url, seed=1) as proxy:
        proxy.enabled = False
        alpha.client.base_url = proxy.url
        alpha.client.http.headers["Connection"] = "close"
        proxy.force(fault)
        with pytest.raises(error) as caught:
            alpha.sync()
        assert len(caught.value.message) > 15 and "Traceback" not in caught.value.message
        assert pending(alpha.replica) == before
        assert replica_view(alpha.replica) == view
        assert alpha.sync().pushed == 2  # the network heals: the same entries go, once
    assert alpha.replica.pending_count() == 0
    with hub.db.read() as s:
        for m in marks:
            assert s.get(hm.Attendance, m.row_id).hlc == m.hlc
            assert "applied" in s.get(hm.AppliedEntry, m.key).answer


class FakeHub:
    """A tiny HTTP server that answers every pull with a page the test wrote."""

    def __init__(self, page: bytes) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = outer.page
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.page = page
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def page(tables, refs=(), cursor=10**6, more=False, scope_key=None):
    return json.dumps(
        {
            "cursor": cursor,
            "more": more,
            "tables": tables,
            "refs": list(refs),
            "reset": False,
            "scope_key": scope_key or "",
        }
    ).encode()


def good_attendance(world, replica_state):
    dep = world.deployments["alpha"][1]
    refs = [dep, world.sessions[0], world.centres["alpha"], world.officers[dep], "hub"]
    columns = [
        "hlc",
        "origin",
        "deleted",
        "seq",
        "deployment_id",
        "session_id",
        "station_id",
        "professional_id",
        "status",
        "check_in",
        "marked_by",
    ]
    row = [CLOCK.now(), 4, False, 999, 0, 1, 2, 3, "present", "07:45:00", None]
    return columns, row, refs


@pytest.mark.parametrize(
    "damage",
    [
        "unknown table",
        "wrong columns",
        "ref out of range",
        "text clock",
        "bad time",
        "short row",
        "not json",
        "wrong shape",
    ],
)
def test_bad_pull_page_changes_nothing(hub, world, alpha, damage):
    alpha.client.http.headers["Connection"] = "close"
    before_state, before_view = state(alpha.replica), replica_view(alpha.replica)
    scope_key = before_state["scope_key"]
    columns, row, refs = good_attendance(world, before_state)
    good = {"table": "attendance", "columns": columns, "rows": [row]}
    bodies = {
        "unknown table": page([{"table": "payroll", "columns": ["id"], "rows": [["x"]]}]),
        "wrong columns": page([{**good, "columns": columns[::-1]}], refs),
        "ref out of range": page([{**good, "rows": [[*row[:4], 99, *row[5:]]]}], refs),
        "text clock": page([{**good, "rows": [["soon", *row[1:]]]}], refs),
        "bad time": page([{**good, "rows": [[*row[:9], "7 o'clock", None]]}], refs),
        "short row": page([{**good, "rows": [row[:5]]}], refs),
        "not json": b"<html>502 Bad Gateway</html>",
        "wrong shape": b'{"cursor": "ten", "tables": {}}',
    }
    with FakeHub(
        bodies[damage].replace(b'"scope_key": ""', f'"scope_key": "{scope_key}"'.encode())
    ) as fake:
        alpha.client.base_url = fake.url
        with pytest.raises((errors.SyncError, ProtocolError)) as caught:
            alpha.sync()
    message = getattr(caught.value, "message", str(caught.value))
    assert "hub" in message.lower(), message
    assert state(alpha.replica) == before_state  # cursor not advanced
    assert replica_view(alpha.replica) == before_view


def test_a_change_from_another_device_is_refused(hub, world, alpha):
    counts = Counts(hub.db)
    raw = Raw(hub.url, alpha.client.access_token)
    forged = change(attendance_row(world, k=3, session=2, origin="someone-elses-device"))
    (answer,) = raw.push({"changes": [forged]}).json()["answers"]
    assert answer["outcome"] == "refused" and "another device" in answer["reason"]
    assert counts.added() == (1, 0)  # the answer is kept; no mark is stored
