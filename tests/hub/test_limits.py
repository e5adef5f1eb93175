"""Size before work: a served hub (`cp2hub serve`, its own process) refuses a body over
its route's bound before reading it, stops a chunked body at the bound, drops a body that
trickles in, and still takes the largest push a device can legitimately send.

Requests go over raw sockets, so the test controls exactly how much of a body is sent
and when; the hub's peak memory is read from /proc. SQLite only: the gate does its work before
any database is touched beyond the token's lookup.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

import httpx
import pytest

from cp2desk.sync.client import HubClient
from cp2desk.sync.clock import HybridClock
from cp2desk.sync.protocol import MAX_PUSH_BATCH, Change, encode_value
from cp2desk.sync.records import RECORD_BY_TABLE, column_types, wire_columns
from cp2hub.db import Database
from cp2hub.limits import PUSH_BODY_BYTES
from cp2hub.models import MODEL_BY_TABLE, Professional
from cp2hub.schema import upgrade
from tests.hub.test_serve import free_port
from tests.sync.scenario import PASSWORD, build_world

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

MB = 1024 * 1024
NAMES = ["first_name", "middle_name", "last_name"]


@dataclass
class Served:
    url: str
    port: int
    pid: int
    token: str
    client: HubClient
    phone: str
    db: Database


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("limits")
    url = f"sqlite:///{folder / 'hub.sqlite3'}"
    db = Database(url)
    upgrade(db)
    world = build_world(db)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "CP2HUB_DATABASE_URL"}
    env["CP2HUB_BODY_GRACE_SECONDS"] = "1"
    log = (folder / "serve.log").open("w")
    command = [sys.executable, "-m", "cp2hub.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--database-url", url], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base, process, folder)
        client = HubClient(base)
        phone = world.users["manager_alpha"]
        client.login(phone, PASSWORD, str(uuid.uuid4()), "limits test")
        yield Served(base, port, process.pid, client.access_token, client, phone, db)
    finally:
        process.terminate()
        process.wait(10)
        db.dispose()


def _wait_for(base: str, process: subprocess.Popen, folder) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError((folder / "serve.log").read_text())


def memory(pid: int, field: str = "VmRSS") -> int:
    """The process's resident memory in bytes (VmRSS), or its peak (VmHWM)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field}")


def growth(pid: int, action) -> int:
    """How far the process's resident memory peaked above where it was, during `action`
    (a freed body gives its memory back, so only the peak shows what reading it cost)."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")  # the peak starts again from now
    before = memory(pid)
    action()
    return memory(pid, "VmHWM") - before


@dataclass
class Exchange:
    status: int | None
    body: dict
    sent: int
    seconds: float
    closed: bool


def exchange(port: int, head: dict[str, str], chunks, pause: float = 0.0) -> Exchange:
    """POST /sync/push with `head`'s headers, sending `chunks` until the hub answers (or
    stops reading), then read the answer. `sent`: body bytes handed to the socket."""
    started = time.monotonic()
    lines = ["POST /sync/push HTTP/1.1", "Host: hub", *(f"{k}: {v}" for k, v in head.items())]
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        for chunk in chunks:
            if select.select([sock], [], [], pause)[0]:
                break  # the hub answered before the body was all sent
            try:
                sock.sendall(chunk)
            except OSError:
                break
            sent += len(chunk)
        answer = b""
        closed = False
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    closed = True
                    break
                answer += data
                if _complete(answer):
                    sock.settimeout(2)  # then the hub should close the connection
        except TimeoutError:
            pass
        except ConnectionResetError:
            closed = True
    seconds = time.monotonic() - started
    if not answer:
        return Exchange(None, {}, sent, seconds, closed)
    head_bytes, _, body = answer.partition(b"\r\n\r\n")
    status = int(head_bytes.split(b" ", 2)[1])
    return Exchange(status, json.loads(body) if body else {}, sent, seconds, closed)


def _complete(answer: bytes) -> bool:
    head, found, body = answer.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def push_body(size: int) -> bytes:
    """A push of well-formed attendance changes, repeated to `size` bytes."""
    change = json.dumps(
        {
            "key": str(uuid.uuid4()),
            "table": "attendance",
            "row": {"id": str(uuid.uuid4()), "status": "present", "hlc": 1},
            "fields": ["status"],
        }
    ).encode()
    count = size // (len(change) + 1)
    return b'{"changes": [' + b",".join([change] * count) + b"]}"


def pieces(data: bytes, size: int = 64 * 1024):
    return (data[i : i + size] for i in range(0, len(data), size))


def test_a_43_mb_push_is_refused_before_it_is_read(served):
    warm = exchange(
        served.port,
        {
            "Authorization": f"Bearer {served.token}",
            "Content-Type": "application/json",
            "Content-Length": "15",
            "Connection": "close",
        },
        [b'{"changes": []}'],
    )
    assert warm.status == 200
    body = push_body(43 * MB)
    head = {
        "Authorization": f"Bearer {served.token}",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
    }
    answers = []
    grown = growth(served.pid, lambda: answers.append(exchange(served.port, head, pieces(body))))
    answer = answers[0]
    assert answer.status == 413, answer
    assert answer.body["code"] == "too_large"
    assert "4 MB" in answer.body["message"]
    assert answer.closed
    assert answer.sent < 8 * MB  # the hub answered at once: the rest was never sent
    assert grown < 8 * MB, f"the hub grew by {grown / MB:.0f} MB"


def test_a_chunked_body_is_stopped_at_the_bound(served):
    body = push_body(12 * MB)
    head = {
        "Authorization": f"Bearer {served.token}",
        "Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
    }
    framed = (b"%x\r\n%s\r\n" % (len(p), p) for p in pieces(body))
    answers = []
    grown = growth(
        served.pid, lambda: answers.append(exchange(served.port, head, framed, pause=0.001))
    )
    answer = answers[0]
    assert answer.status == 413, answer
    assert answer.body["code"] == "too_large"
    assert answer.sent < PUSH_BODY_BYTES + 4 * MB  # it stopped reading at the bound
    assert grown < 12 * MB, f"the hub grew by {grown / MB:.0f} MB"


def test_a_body_that_trickles_in_is_dropped(served):
    """The served hub's grace is 1 s (CP2HUB_BODY_GRACE_SECONDS); then the body must come
    at 2 KB/s. This one comes at 400 bytes a second."""
    head = {"Authorization": f"Bearer {served.token}", "Content-Length": "100000"}
    answer = exchange(served.port, head, (b"x" * 100 for _ in range(40)), pause=0.25)
    assert answer.status == 408, answer
    assert answer.body["code"] == "request_timeout"
    assert answer.closed
    assert answer.seconds < 5


def test_an_unauthenticated_push_is_refused_before_its_body_is_read(served):
    body = push_body(3 * MB)
    head = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    answer = exchange(served.port, head, chunks, pause=0.05)  # stops sending once answered
    assert answer.status == 401, answer
    assert answer.body["code"] == "unauthenticated"
    assert answer.sent < len(body) / 2  # answered before the body had come
    garbage = {"Content-Type": "application/json", "Content-Length": "7", "Connection": "close"}
    assert exchange(served.port, garbage, [b"garbage"]).status == 401


def test_a_refused_push_within_its_bound_ends_its_connection_cleanly(served):
    """A proxy in front sends the whole body it has buffered: the hub answers 401 and then
    reads the rest and drops it, so the proxy gets the answer, never a reset (a 502)."""
    body = push_body(3 * MB)
    with httpx.Client(base_url=f"http://127.0.0.1:{served.port}") as client:
        for _ in range(3):  # one kept-alive connection, used again after each refusal
            answer = client.post(
                "/sync/push", content=body, headers={"Content-Type": "application/json"}
            )
            assert answer.status_code == 401
            assert answer.json()["code"] == "unauthenticated"
            assert answer.headers.get("connection") != "close"  # the body was read, not cut


def test_a_compressed_body_is_refused(served):
    head = {
        "Authorization": f"Bearer {served.token}",
        "Content-Encoding": "gzip",
        "Content-Length": "20",
    }
    answer = exchange(served.port, head, [b"\x1f\x8b" + b"\0" * 18])
    assert answer.status == 415
    assert answer.body["code"] == "unsupported_encoding"


def widest_push() -> int:
    """The bytes of the largest push a device can send: MAX_PUSH_BATCH changes of the
    widest table's rows, every text at its column's length (2,000 characters for free
    texts), as the desktop client encodes it (JSON, ASCII)."""
    largest = 0
    for table, record in RECORD_BY_TABLE.items():
        types, columns = column_types(record), MODEL_BY_TABLE[table].__table__.c
        row = {
            name: "a" * (getattr(columns[name].type, "length", None) or 2000)
            if types[name] is str
            else 2**62
            for name in wire_columns(record)
        }
        change = Change(key=str(uuid.uuid4()), table=table, row=row, fields=list(row)[:40])
        body = json.dumps({"changes": [change.model_dump()] * MAX_PUSH_BATCH})
        largest = max(largest, len(body.encode()))
    return largest


def test_the_bound_leaves_room_for_the_largest_legitimate_push():
    assert 1 * MB < widest_push() < PUSH_BODY_BYTES / 2


def test_the_largest_profile_push_still_applies(served):
    """500 edits of a profile, every name at its column's length in letters JSON sends
    escaped (six bytes each): about 1.5 MB, through the desktop's own client."""
    with served.db.read() as session:
        person = session.query(Professional).filter_by(phone=served.phone).one()
        row = {c: encode_value(getattr(person, c)) for c in wire_columns(Professional)}
    clock = HybridClock()
    changes = []
    for _ in range(MAX_PUSH_BATCH):
        edited = {
            **row,
            "first_name": "Wanjirũ" * 5 + "Nyoka",
            "middle_name": "ĩ" * 40,
            "last_name": "Kamũ" * 10,
            "institution_name": "ũ" * 120,
            "mpesa_name": "ũ" * 120,
            "bank_name": "ũ" * 60,
            "hlc": clock.now(),
            "origin": served.client.device_id,
        }
        changes.append(
            Change(
                key=str(uuid.uuid4()),
                table="professional",
                row=edited,
                fields=[*NAMES, "institution_name", "mpesa_name", "bank_name"],
            )
        )
    size = len(json.dumps({"changes": [c.model_dump() for c in changes]}).encode())
    assert size > 1.25 * MB
    answers = served.client.push(changes).answers
    assert [a.outcome for a in answers] == ["applied"] * MAX_PUSH_BATCH, answers[0].reason
    with served.db.read() as session:
        assert session.get(Professional, row["id"]).middle_name == "ĩ" * 40
