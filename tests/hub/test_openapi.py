"""The API says what it does: schemathesis sends generated requests, valid and invalid, to
every operation of a served hub over demo data, as each role and as nobody, and checks
each answer against the hub's own description (`/openapi.json`): no server error, every
status documented, every body and content type as described.

Examples are bounded (`MAX_EXAMPLES` an operation, derandomized, so a run is the same
run every time) and each is sent once per caller, so the module stays within a CI
minute. SQLite only: the description and the checks do not depend on the database, and
PostgreSQL would double the time. Signing out ends one device's token: after that
operation the callers sign in again, so the other operations keep a caller of each role.
"""

from __future__ import annotations

import os
import re
import uuid

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from cp2desk.sync.protocol import ProblemDetail
from cp2hub.db import Database
from cp2hub.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from cp2hub.schema import upgrade
from cp2hub.settings import Settings
from tests.sync.conftest import HubServer

MAX_EXAMPLES = int(os.environ.get("CP2_API_EXAMPLES", "12"))
"""Examples an operation; raise it for a longer search (`CP2_API_EXAMPLES=200`)."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
ENDS_TOKENS = ("logout", "revoke")
REFUSALS = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 423, 426, 428, 429]
"""What a request the description does not allow may be answered with: schemathesis's
own list and the hub's 426 (a protocol header it does not speak) and 423."""
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}}
)


class Callers:
    """A signed-in device of each demo role, and nobody (None)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.devices = {role: str(uuid.uuid4()) for role in DEMO_ACCOUNTS}
        self.tokens: dict[str | None, str | None] = {None: None}
        self.sign_in()

    def sign_in(self) -> None:
        for role, phone in DEMO_ACCOUNTS.items():
            answer = self._login(phone, self.devices[role])
            if answer.status_code == 401:  # this device was revoked: sign in from another
                self.devices[role] = str(uuid.uuid4())
                answer = self._login(phone, self.devices[role])
            answer.raise_for_status()
            self.tokens[role] = answer.json()["access_token"]

    def _login(self, phone: str, device_id: str) -> httpx.Response:
        body = {"phone": phone, "password": DEMO_PASSWORD, "device_id": device_id}
        return httpx.post(f"{self.url}/auth/login", json=body, timeout=30)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'hub.sqlite3'}")
    upgrade(db)
    seed_demo(db, "small", 2026)
    # Generated current passwords are wrong ones: no lockout, so the demo accounts can
    # always sign in again. The live channel answers within half a second with nothing
    # new, not after the 50 s a device's request is held.
    with HubServer(db, Settings(max_failed_logins=10**9, live_hold_seconds=0.5)) as server:
        yield server
    db.dispose()


@pytest.fixture(scope="module")
def callers(hub) -> Callers:
    return Callers(hub.url)


@pytest.fixture(scope="module")
def api(hub):
    return schemathesis.openapi.from_url(f"{hub.url}/openapi.json", config=CONFIG)


schema = schemathesis.pytest.from_fixture("api")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_as_described(case, callers):
    generated = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    for token in list(callers.tokens.values()):
        case.headers = {**generated, **({"Authorization": f"Bearer {token}"} if token else {})}
        case.call_and_validate(checks=CHECKS, timeout=60)
    if any(word in case.operation.path for word in ENDS_TOKENS):
        callers.sign_in()


def test_the_description_declares_errors_tokens_and_offsets(hub):
    described = httpx.get(f"{hub.url}/openapi.json").json()
    assert described["components"]["securitySchemes"]["deviceToken"]["scheme"] == "bearer"
    problem = {"$ref": "#/components/schemas/ProblemDetail"}
    for path, operations in described["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            errors = {s: a for s, a in answers.items() if int(s) >= 400}
            assert "500" in errors, (method, path)
            for status, answer in errors.items():
                assert answer["content"]["application/json"]["schema"] == problem, (path, status)
            if "401" in answers and path not in ("/auth/login", "/auth/refresh"):
                assert operation.get("security") == [{"deviceToken": []}], (method, path)
    assert described["components"]["schemas"]["ProblemDetail"] == (
        ProblemDetail.model_json_schema()
    )
    submitted = described["components"]["schemas"]["ApplicationView"]["properties"]
    assert {"type": "string", "format": "date-time"} in submitted["submitted_at"]["anyOf"]


def test_framework_answers_have_the_hub_error_body(hub, callers):
    token = {"Authorization": f"Bearer {callers.tokens['centre_manager']}"}
    cases = [
        ("GET", "/no/such/place", {}, None, 404),
        ("PUT", "/sync/push", {}, None, 405),
        ("POST", "/sync/push", {**token, "Content-Type": "application/json"}, b"{not", 422),
        ("POST", "/sync/push", {"Content-Type": "application/json"}, b"{not", 401),
    ]
    for method, path, headers, body, status in cases:
        answer = httpx.request(method, hub.url + path, headers=headers, content=body)
        assert answer.status_code == status, (method, path, answer.text)
        problem = ProblemDetail.model_validate(answer.json())
        assert problem.message and " " in problem.message


def test_moments_arrive_with_their_offset(hub, callers):
    admin = {"Authorization": f"Bearer {callers.tokens['admin']}"}
    moments = []
    for vacancy in httpx.get(f"{hub.url}/admin/vacancies", headers=admin).json():
        applicants = f"{hub.url}/admin/vacancies/{vacancy['id']}/applicants"
        moments += [a["submitted_at"] for a in httpx.get(applicants, headers=admin).json()]
    assert moments
    assert all(re.search(r"([+-]\d\d:\d\d|Z)$", m) for m in moments if m), moments
