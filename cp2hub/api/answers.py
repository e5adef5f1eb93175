"""The error answers of the hub's routes, as the API's description (`/openapi.json`) gives them.

Every error answer has one body, `{code, message}` (`ProblemDetail`). The answers a
route gives because of what it is are added here, from the route itself: 401 when it
takes the caller, 426 when it checks the protocol, 422 when it has parameters or a body,
and what the request gate (`cp2hub.limits`) answers for a body (400, 408, 413, 415).
A route declares the answers only it gives with `responses=problems(...)`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from cp2desk.sync.protocol import ProblemDetail
from cp2hub.api.deps import api_routes, check_protocol, depends_on, needs_token

DESCRIPTIONS = {
    400: "The request is malformed, or a value in it is refused (the message says which).",
    401: "No valid token (`unauthenticated`: sign in again), or the device was revoked "
    "(`device_revoked`).",
    403: "The caller's roles do not allow this.",
    404: "Nothing by that id.",
    408: "The body arrived too slowly; nothing was done.",
    409: "Refused in the state things are in (the message says why).",
    413: "The body is larger than this route takes; none of it was read.",
    415: "The body is compressed (`Content-Encoding`); the hub takes bodies as they are.",
    422: "The request does not follow this description (the message names the field).",
    423: "The account is locked after too many wrong passwords.",
    426: "The client speaks a protocol version (`X-CP2-Protocol`) this hub does not.",
    429: "Too many attempts; the message says when to try again.",
    500: "The hub had a problem; try again later.",
    503: "A service the hub needs (the SMS provider, the database) is not available; the "
    "message says which, and nothing was changed.",
}
BODY_ANSWERS = (400, 408, 413, 415)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route: these statuses, each with the `{code, message}` body."""
    return {s: {"model": ProblemDetail, "description": DESCRIPTIONS[s]} for s in statuses}


def describe_answers(app: FastAPI) -> None:
    """Make the app's `/openapi.json` list, for every route, every error it answers with."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for route in api_routes(app):
                if not route.include_in_schema:  # a web page (cp2hub.web)
                    continue
                for method in route.methods:
                    _add(schema["paths"][route.path_format][method.lower()], route)
            schema["components"]["schemas"]["ProblemDetail"] = ProblemDetail.model_json_schema()
            for unused in ("HTTPValidationError", "ValidationError"):
                schema["components"]["schemas"].pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi


def _add(operation: dict[str, Any], route: Any) -> None:
    statuses = {500}
    if needs_token(route):
        statuses.add(401)
    if depends_on(route, check_protocol):
        statuses.add(426)
    if route.dependant.query_params or route.dependant.path_params or route.body_field:
        statuses.add(422)
    if route.dependant.header_params:
        statuses.add(422)
    if "POST" in route.methods:
        statuses.update(BODY_ANSWERS)
    answers = operation.setdefault("responses", {})
    for status in statuses:
        answers.setdefault(str(status), {})
    operation["responses"] = answers = dict(sorted(answers.items()))
    for status, answer in answers.items():
        if status.isdigit() and int(status) >= 400:
            own = answer.get("description", "")
            if not own or own == "Additional Response":  # the route said nothing of its own
                answer["description"] = DESCRIPTIONS.get(int(status), own)
            answer["content"] = {
                "application/json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}
            }
