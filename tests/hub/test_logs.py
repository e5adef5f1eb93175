"""The served hub's log as an operator searches it: one JSON object a line, a request id
that the answer carries and that every line of the request shares, the notable events,
and no secret in any line. `cp2hub serve` in its own process, its stderr read back."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cp2desk import __version__
from cp2desk.sync.client import HubClient
from cp2desk.sync.errors import RequestRefused
from cp2desk.sync.protocol import PROTOCOL_VERSION, REQUEST_ID_HEADER
from cp2hub import history
from cp2hub.app import create_app
from cp2hub.db import Database
from cp2hub.limits import JSON_BODY_BYTES
from cp2hub.schema import upgrade
from cp2hub.settings import Settings
from tests.deploy import test_nginx as nginx_site
from tests.hub.test_serve_sms import Served, inbound
from tests.log_scan import LogScan
from tests.sync.scenario import PASSWORD, build_world

proxied, setup = nginx_site.proxied, nginx_site.setup  # nginx in front of `cp2hub serve`
KEY = "Lg7-inbound-key-Wq2"
WRONG_PASSWORD = "not-the-password-9"
REQUEST_FIELDS = {
    "time", "level", "logger", "message", "pid", "request_id", "event", "method", "route", "path",
    "query", "status", "duration_ms", "bytes", "client", "device_id", "user_id", "protocol",
    "app_version",
}  # fmt: skip


class Run:
    """What the module's requests were, and what the hub logged for them."""

    def __init__(self, hub: Served, client: HubClient, answers: dict[str, httpx.Response]):
        self.lines = [json.loads(line) for line in hub.output().splitlines()]
        self.text = hub.output()
        self.client = client
        self.answers = answers

    def of(self, request_id: str) -> list[dict]:
        return [line for line in self.lines if line.get("request_id") == request_id]

    def request(self, request_id: str) -> dict:
        (line,) = [line for line in self.of(request_id) if line.get("event") == "request"]
        return line


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    folder = tmp_path_factory.mktemp("logs")
    url = f"sqlite:///{folder / 'hub.sqlite3'}"
    db = Database(url)
    upgrade(db)
    world = build_world(db)
    db.dispose()
    settings = {"sms_inbound_key": KEY, "max_failed_logins": "2"}
    with Served(url, folder / "serve.log", **settings) as hub:
        answers = {}
        client = HubClient(hub.base)
        client.login(world.users["manager_alpha"], PASSWORD, str(uuid.uuid4()), "logs test")
        client.push([])
        client.pull(cursor=10**9)  # past the feed: answered with a reset
        try:
            client.pull(cursor=-1)
        except RequestRefused as error:
            answers["refused_id"] = error.request_id
        login = {"password": WRONG_PASSWORD, "device_id": str(uuid.uuid4())}
        for _ in range(2):  # the second locks the account
            answers["wrong"] = httpx.post(
                f"{hub.base}/auth/login", json={"phone": world.users["manager_beta"], **login}
            )
        answers["inbound"] = inbound(hub.base, f"?key={KEY}")
        answers["kept"] = httpx.get(f"{hub.base}/health", headers={REQUEST_ID_HEADER: "lb-7f3a"})
        answers["malformed"] = httpx.get(
            f"{hub.base}/health", headers={REQUEST_ID_HEADER: "not an id; rm -rf"}
        )
        answers["too_long"] = httpx.get(f"{hub.base}/health", headers={REQUEST_ID_HEADER: "a" * 65})
        answers["too_large"] = httpx.post(
            f"{hub.base}/auth/login",
            content=b"x" * (JSON_BODY_BYTES + 1),
            headers={"Content-Type": "application/json"},
        )
    return Run(hub, client, answers)


def test_every_line_is_json_with_the_request_fields(run):
    assert run.lines and all({"time", "level", "logger", "message"} <= set(x) for x in run.lines)
    requests = [line for line in run.lines if line.get("event") == "request"]
    assert len(requests) >= 10
    assert all(set(line) == REQUEST_FIELDS for line in requests), requests[0]
    pull = next(line for line in requests if line["route"] == "/sync/pull")
    assert pull["method"] == "GET" and pull["path"] == "/sync/pull"
    assert pull["query"] == [
        "cursor",
        "scope_key",
    ]  # the names of the parameters, never their values
    assert pull["status"] == 200 and pull["bytes"] > 0 and pull["duration_ms"] > 0
    assert pull["client"] == "127.0.0.1"
    assert pull["device_id"] == run.client.device_id and pull["user_id"]
    assert pull["protocol"] == str(PROTOCOL_VERSION) and pull["app_version"] == __version__
    assert "uvicorn.access" not in {line["logger"] for line in run.lines}


def test_a_requests_lines_share_its_id_and_its_answer_carries_it(run):
    wrong = run.answers["wrong"]
    assert wrong.status_code == 401
    lines = run.of(wrong.headers[REQUEST_ID_HEADER])
    assert [line["event"] for line in lines] == ["account_locked", "sign_in_refused", "request"]
    assert lines[1]["code"] == "wrong_password" and lines[1]["phone"].startswith("2547*****")
    assert lines[2]["route"] == "/auth/login" and lines[2]["status"] == 401
    assert len(wrong.headers[REQUEST_ID_HEADER]) == 32  # made by the hub


def test_an_incoming_id_is_kept_when_well_formed_and_replaced_when_not(run):
    kept = run.answers["kept"].headers[REQUEST_ID_HEADER]
    assert kept == "lb-7f3a" and run.request(kept)["route"] == "/health"
    for name in ("malformed", "too_long"):
        made = run.answers[name].headers[REQUEST_ID_HEADER]
        assert len(made) == 32 and int(made, 16) >= 0
        assert run.request(made)["route"] == "/health"
    assert "rm -rf" not in run.text


def test_a_refusal_by_the_request_gate_carries_an_id(run):
    refused = run.answers["too_large"]
    assert refused.status_code == 413
    line = run.request(refused.headers[REQUEST_ID_HEADER])
    assert (line["route"], line["status"]) == ("/auth/login", 413)


def test_the_desks_error_carries_the_id_of_the_hubs_lines(run):
    line = run.request(run.answers["refused_id"])
    assert (line["route"], line["status"]) == ("/sync/pull", 422)


def test_the_notable_events_are_logged(run):
    events = {line.get("event") for line in run.lines}
    expected = {"serving", "start_up_warning", "sign_in", "sign_in_refused", "account_locked"}
    assert expected | {"push", "pull_reset", "password_reset"} <= events
    (push,) = [line for line in run.lines if line.get("event") == "push"]
    assert (push["applied"], push["conflict"], push["refused"]) == (0, 0, 0)
    reset = run.request(run.answers["inbound"].headers[REQUEST_ID_HEADER])
    assert reset["query"] == ["key"]


def test_no_token_password_or_key_in_any_line(run, tmp_path):
    scan = LogScan(tmp_path / "records.jsonl")
    scan.know(run.client.access_token, "access token")
    scan.know(run.client.refresh_token, "refresh token")
    for secret in (PASSWORD, WRONG_PASSWORD, KEY):
        scan.know(secret, "a secret of this test")
    assert list(scan.scan(run.text.splitlines(), "serve.log")) == []
    assert KEY not in run.text and WRONG_PASSWORD not in run.text


def test_the_scan_finds_a_token_a_password_and_a_key(tmp_path):
    scan = LogScan(tmp_path / "records.jsonl")
    token = "q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C"
    scan.know(token, "access token")
    scan.know("field-pass-1", "a password")
    logger = logging.getLogger("tests.log_scan.proof")
    logger.propagate = False  # kept out of the run's own scan
    logger.addHandler(scan.handler)
    try:
        logger.warning("refresh failed for %s", token)
        logger.warning("signed in with field-pass-1")
        logger.warning("POST /sms/inbound?id=3&key=s3cr3t 200")
        logger.warning("Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345")
        logger.warning("POST /sms/inbound?key=[redacted] 200 for 2547*****678")
    finally:
        logger.removeHandler(scan.handler)
    kinds = [finding.kind for finding in scan.findings()]
    assert kinds == [
        "a token the hub issued",
        "a password",
        "key in a query string",
        "bearer token",
    ]


def test_a_failure_is_answered_with_its_id_too(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    upgrade(db)
    app: FastAPI = create_app(db, Settings())

    @app.get("/fails")
    def fails() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/fails")
    db.dispose()
    assert answer.status_code == 500
    assert answer.json()["code"] == "server_error"
    assert len(answer.headers[REQUEST_ID_HEADER]) == 32


def test_the_description_gives_every_answer_the_header(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    upgrade(db)
    with TestClient(create_app(db, Settings())) as client:
        paths = client.get("/openapi.json").json()["paths"]
    db.dispose()
    answers = [a for ops in paths.values() for op in ops.values() for a in op["responses"].values()]
    assert len(answers) > 100
    assert all(REQUEST_ID_HEADER in answer["headers"] for answer in answers)


def test_a_history_that_changed_under_the_hub_is_logged(tmp_path, caplog):
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    upgrade(db)
    before = history.identity(db)
    with db.write() as session:
        after = history.new_seed(session)  # as `cp2hub restored` does
    time.sleep(history.FRESH_SECONDS + 0.1)
    with caplog.at_level(logging.INFO, logger="cp2hub.history"):
        assert history.identity(db) == after
    db.dispose()
    (logged,) = caplog.records
    assert (logged.event, logged.was, logged.history_id) == ("history_changed", before, after)


@pytest.mark.skipif(nginx_site.NGINX is None, reason="needs nginx")
def test_behind_nginx_the_hub_logs_nginxs_id_and_nginx_logs_no_key(proxied):
    client = proxied["client"]
    answer = client.get("/health/live", headers={REQUEST_ID_HEADER: "made-by-the-client"})
    made = answer.headers[REQUEST_ID_HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", made)  # nginx's $request_id; a client's is not taken
    lines = nginx_site.logged(proxied["hub"].log, made)
    assert f'"request_id": "{made}"' in lines
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    client.post(f"/sms/inbound?key={KEY}", content=b"text=PASSWORD", headers=form)
    nginx_site.logged(proxied["hub"].log, '"path": "/sms/inbound"')
    client.post(f"/payments/callback?key={KEY}", json={"status": "Success"})
    nginx_site.logged(proxied["hub"].log, '"path": "/payments/callback"')
    client.get("/nothing-here?after=inbound")
    access = nginx_site.logged(lambda: (proxied["folder"] / "access.log").read_text(), "after=")
    assert KEY not in access and "/sms/inbound" not in access
    assert "/payments/callback" not in access  # the payments' callback takes ?key= too


def test_the_runs_scan_reads_the_hubs_lines_and_knows_its_tokens(request, tmp_path):
    from tests.conftest import LOG_SCAN

    scan = request.config.stash[LOG_SCAN]
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    upgrade(db)
    world = build_world(db)
    login = {"phone": world.users["manager_alpha"], "password": PASSWORD}
    with TestClient(create_app(db, Settings())) as client:
        pair = client.post("/auth/login", json={**login, "device_id": str(uuid.uuid4())}).json()
    db.dispose()
    assert {pair["access_token"], pair["refresh_token"]} <= scan.tokens
    assert PASSWORD in scan.secrets
    assert scan.handler in logging.getLogger().handlers
    records = scan.path.read_text(encoding="utf-8").splitlines()
    assert any('"route": "/auth/login"' in line for line in records[-5:])
