"""The hub's log as an operator searches it: one JSON object a line, on stderr.

Every line has `time` (UTC), `level`, `logger`, `message` and `pid`, the `request_id` of
the request it was written for, and what its call passed as `extra` (an `event` name for the
notable ones: `sign_in`, `device_revoked`, `push`, ...). Each request adds one line of
its own (`event: "request"`, written by `RequestLog`), in place of uvicorn's access log.

The request id is the reverse proxy's (`X-Request-ID`, when it is well formed), else one
the hub makes; every answer carries it back in the same header, refusals and failures
included, so the reference a device shows finds the request's lines.

What never goes in a line: a token, a password, a key. A request's line names the query
string's parameters, not their values (a provider's callback carries its key there), and
the caller by device and user id. Phone numbers are masked (`cp2desk.sync.phones.masked_phone`).

`cp2hub serve` uses `configure` (and hands `config` to uvicorn, which applies it in each
worker); the embedded demo hub and the tests keep Python's plain logging.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cp2desk.sync.protocol import APP_VERSION_HEADER, PROTOCOL_HEADER, REQUEST_ID_HEADER
from cp2hub.api.deps import api_routes
from cp2hub.errors import problem

ID_HEADER = REQUEST_ID_HEADER.lower().encode()
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
"""An id taken as it came: nginx's `$request_id` (32 hex digits), a UUID, and the like."""
HEADER_TEXT = 40
"""What a client says of itself (protocol, app version, query parameters' names, at most
`QUERY_NAMES` of them) is cut to this many characters."""
QUERY_NAMES = 12
QUIET = ("sqlalchemy", "httpx", "httpcore", "urllib3", "multipart", "asyncio")
"""Libraries whose INFO lines are not the hub's to report (SQLAlchemy's echo every
statement with its parameters); their warnings still come through."""

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
log = logging.getLogger("cp2hub.request")
_RECORD_FIELDS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which worker, under --workers N
        }
        current = request_id.get()
        if current:
            line["request_id"] = current
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def config(level: str = "info") -> dict[str, Any]:
    """The `logging.config.dictConfig` of a served hub (uvicorn's `log_config` too)."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "cp2hub.logs.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            **{name: {"level": "WARNING"} for name in QUIET},
        },
    }


def configure(level: str = "info") -> None:
    """Make every line this process logs a JSON line on stderr, Python's warnings too."""
    logging.config.dictConfig(config(level))
    logging.captureWarnings(True)


class Held(logging.Handler):
    """Keeps what these loggers say at INFO and above before logging is configured (the
    migrations a hub runs as it starts), to be written once it is (`replay`)."""

    def __init__(self, *names: str) -> None:
        super().__init__(logging.INFO)
        self.loggers = [logging.getLogger(name) for name in names]
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> Held:
        self.levels = [logger.level for logger in self.loggers]
        for logger in self.loggers:
            logger.addHandler(self)
            logger.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc: object) -> None:
        for logger, level in zip(self.loggers, self.levels, strict=True):
            logger.removeHandler(self)
            logger.setLevel(level)

    def replay(self) -> None:
        for record in self.records:
            logging.getLogger(record.name).handle(record)
        self.records.clear()


class RequestLog:
    """The outermost ASGI middleware: gives each request its id (kept in `request_id` for
    every line written while it runs), answers with it in `X-Request-ID`, and logs the
    request's line when it is answered.

    uvicorn runs each request in a task of its own, so the id is left set when the request
    ends: the server's own lines about it (a failure's traceback) carry it too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.lower(): v for k, v in scope["headers"]}
        rid = _accepted(headers.get(ID_HEADER, b"")) or uuid.uuid4().hex
        request_id.set(rid)
        answer = {"status": 0, "bytes": 0}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (ID_HEADER, rid.encode())],
                }
            elif message["type"] == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if not answer["status"]:  # answered here, so the failure carries its id too
                failed = problem(500, "server_error", "The hub had a problem. Try again later.")
                await failed(scope, receive, send_with_id)
            raise
        finally:
            if log.isEnabledFor(logging.INFO):
                fields = _request_fields(scope, headers, answer, started)
                where = fields["route"] or fields["path"]
                log.info("%s %s %s", fields["method"], where, fields["status"], extra=fields)


def describe_request_id(app: Any) -> None:
    """Make the app's `/openapi.json` give every answer the `X-Request-ID` header."""
    build = app.openapi
    header = {
        "description": "The hub's id of the request, as its log lines carry it: the proxy's "
        "X-Request-ID when well formed, else made by the hub.",
        "schema": {"type": "string", "maxLength": 64},
    }

    def openapi() -> dict[str, Any]:
        schema = build()
        for operations in schema["paths"].values():
            for operation in operations.values():
                for answer in operation.get("responses", {}).values():
                    answer.setdefault("headers", {})[REQUEST_ID_HEADER] = header
        return schema

    app.openapi = openapi


def _accepted(sent: bytes) -> str | None:
    text = sent.decode("latin-1").strip()
    return text if REQUEST_ID.fullmatch(text) else None


def _request_fields(
    scope: Scope, headers: dict[bytes, bytes], answer: dict[str, int], started: float
) -> dict[str, Any]:
    route = scope.get("route") or _route_of(scope)
    client = scope.get("client")
    principal = scope.get("state", {}).get("principal")
    query = scope.get("query_string", b"").decode("latin-1")
    return {
        "event": "request",
        "method": scope["method"],
        "route": getattr(route, "path_format", None) or getattr(route, "path", None) or "",
        "path": scope["path"],
        "query": sorted({n[:HEADER_TEXT] for n, _ in parse_qsl(query, keep_blank_values=True)})[
            :QUERY_NAMES
        ],
        "status": answer["status"],
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "bytes": answer["bytes"],
        "client": client[0] if client else None,
        "device_id": getattr(principal, "device_id", None),
        "user_id": getattr(principal, "user_id", None),
        "protocol": _header(headers, PROTOCOL_HEADER),
        "app_version": _header(headers, APP_VERSION_HEADER),
    }


def _route_of(scope: Scope) -> Any:
    """The route of a request answered before the router saw it (the request gate's
    refusals), so its line names the route all the same."""
    for route in api_routes(scope["app"]):
        if route.matches(scope)[0] is Match.FULL:
            return route
    return None


def _header(headers: dict[bytes, bytes], name: str) -> str | None:
    value = headers.get(name.lower().encode())
    return value.decode("latin-1")[:HEADER_TEXT] if value is not None else None
