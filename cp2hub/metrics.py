"""What the hub counts for its operators, and `/metrics`, where Prometheus reads it.

Every metric the hub keeps is defined here, so its names and labels are in one place:

- `cp2hub_http_requests_total{method, route, status}` and
  `cp2hub_http_request_duration_seconds{method, route}`: `route` is the route's template
  (`/admin/accounts/{user_id}`), never the path asked for, so no id or phone number
  becomes a label; a path that is no route is `unmatched`.
- `cp2hub_push_changes_total{table, outcome}` and `cp2hub_push_refusals_total{table,
  reason}`: each change answered now (a key delivered again is not counted twice).
  `reason` is one of `REFUSAL_REASONS`, a code for where the refusal was decided,
  never its message.
- `cp2hub_pull_pages_total`, `cp2hub_pull_rows_total{table}`.
- `cp2hub_live_connections`: requests held open on the live channel (`holding_live`).
- `cp2hub_sms_total{backend, result}`: `sent` or `failed`.
- `cp2hub_feed_sequence`: the feed's committed high-water mark, read at scrape time.

With `cp2hub serve --workers N` each worker counts in files of a directory that the
serve command makes (PROMETHEUS_MULTIPROC_DIR, prometheus-client's multiprocess mode),
and a scrape answered by any worker adds up all of them. Who may read `/metrics` is
`Settings.metrics_allow` and `Settings.metrics_token`; anyone else is answered as if
there were nothing there. `Settings.metrics_enabled` off leaves all of it out (no
counting, no `/metrics`), which is how `bench/metrics_cost.py` measures what it costs.
"""

from __future__ import annotations

import atexit
import collections
import glob
import hmac
import ipaddress
import os
import time
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import REGISTRY, Counter, Gauge, Histogram, generate_latest, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cp2hub import feed
from cp2hub.api.deps import api_routes
from cp2hub.settings import networks

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# A push of 500 marks takes 50 to 500 ms, a pull page of 5,000 rows 20 to 300 ms; a
# held live request up to 60 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

REQUESTS = Counter(
    "cp2hub_http_requests", "Requests answered, by route template and status.",
    ("method", "route", "status"),
)  # fmt: skip
LATENCY = Histogram(
    "cp2hub_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template.",
    ("method", "route"),
    buckets=LATENCY_BUCKETS,
)
PUSHED = Counter(
    "cp2hub_push_changes", "Pushed changes answered, by table and outcome.", ("table", "outcome")
)
REFUSED = Counter(
    "cp2hub_push_refusals", "Pushed changes refused, by table and reason.", ("table", "reason")
)
PULL_PAGES = Counter("cp2hub_pull_pages", "Pull pages served.")
PULL_ROWS = Counter("cp2hub_pull_rows", "Rows served in pull pages, by table.", ("table",))
LIVE_CONNECTIONS = Gauge(
    "cp2hub_live_connections",
    "Requests held open on the live channel.",
    multiprocess_mode="livesum",
)
SMS = Counter("cp2hub_sms", "SMS handed to the backend, by result.", ("backend", "result"))

REFUSAL_REASONS = {
    "table": "a table devices do not push",
    "form": "a malformed row, or one without id, clock or origin",
    "origin": "the row names another device as its origin",
    "clock": "the device's clock, or a time it states, is ahead of the hub's",
    "authorship": "a field that is the hub's to set",
    "key": "the key belongs to another device's change",
    "stored": "contradicts stored data (the database's constraints)",
    "scope": "outside the caller's centres",
    "reopening": "a reopening of a session not signed off, or without a reason",
    "signing": "a sign-off of a session not in the timetable, not started, or not all marked",
    "one_centre": "a move that would put an officer at two centres in one session",
    "handover_time": "a materials handover without a time, or at a time out of its session",
    "rule": "any other refusal by the table's rule",
}
"""The codes of `cp2hub_push_refusals_total{reason}`: fixed, so the label stays small."""

RAISED_IN = {
    "station_in_scope": "scope",
    "_check_reopening": "reopening",
    "_check_signing": "signing",
    "_check_once_per_session": "one_centre",
    "_check_time": "handover_time",
}
"""A rule's refusal takes the code of the function in `cp2hub.rules` that raised it."""


def reason_raised(exc: BaseException) -> str:
    """The code of a refusal raised by a rule: where it was raised, else `rule`."""
    tb, code = exc.__traceback__, "rule"
    while tb is not None:
        code = RAISED_IN.get(tb.tb_frame.f_code.co_name, code)
        tb = tb.tb_next
    return code


counting = True
"""Off when the app is made with `Settings.metrics_enabled` off."""


def count_push(outcomes: Iterable[tuple[str, str, str | None]], tables: Collection[str]) -> None:
    """Count changes answered now: (table, outcome, refusal reason). A table devices do
    not push is counted as `other`, so what a device writes never becomes a label."""
    if not counting:
        return
    pushed: collections.Counter = collections.Counter()
    refused: collections.Counter = collections.Counter()
    for table, outcome, reason in outcomes:
        table = table if table in tables else "other"
        pushed[table, outcome] += 1
        if outcome == "refused":
            refused[table, reason if reason in REFUSAL_REASONS else "rule"] += 1
    for labels, count in pushed.items():
        PUSHED.labels(*labels).inc(count)
    for labels, count in refused.items():
        REFUSED.labels(*labels).inc(count)


def count_pull(rows_by_table: dict[str, int]) -> None:
    if not counting:
        return
    PULL_PAGES.inc()
    for table, count in rows_by_table.items():
        PULL_ROWS.labels(table).inc(count)


@contextmanager
def holding_live() -> Iterator[None]:
    """Around a request held open on the live channel (a long poll), so
    `cp2hub_live_connections` shows how many the hub holds."""
    LIVE_CONNECTIONS.inc()
    try:
        yield
    finally:
        LIVE_CONNECTIONS.dec()


class CountedSms:
    """Mixed into an SMS backend (before it), so that what it sends and fails to send is
    counted under `backend`."""

    backend = "unknown"

    def send(self, phone: str, text: str, secret: str | None = None) -> None:
        try:
            super().send(phone, text, secret)  # type: ignore[misc]
        except Exception:
            if counting:
                SMS.labels(self.backend, "failed").inc()
            raise
        if counting:
            SMS.labels(self.backend, "sent").inc()


# --- requests -------------------------------------------------------------------------


class RequestMetrics:
    """ASGI middleware timing and counting every request by its route's template. It
    finds the template itself (`Templates`), so a request answered before routing (one
    the request gate refuses) is counted under its route too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.templates: Templates | None = None
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if self.templates is None:
                self.templates = Templates(_routes(scope["app"]))
            method = scope["method"] if scope["method"] in METHODS else "other"
            key = (method, self.templates.of(scope), status)
            children = self._children.get(key)
            if children is None:
                children = self._children[key] = (
                    REQUESTS.labels(key[0], key[1], str(status)),
                    LATENCY.labels(key[0], key[1]),
                )
            children[0].inc()
            children[1].observe(time.perf_counter() - started)


def _routes(app: Any) -> list[Any]:
    """The API routes, and the plain ones (`/metrics`, the OpenAPI description)."""
    plain = [r for r in app.routes if isinstance(r, Route) and not hasattr(r, "dependant")]
    return [*api_routes(app), *plain]


class Templates:
    """The template of the route a request's path is for: a path without parameters by
    one lookup, the others by matching, `unmatched` for a path that is no route."""

    def __init__(self, routes: list[Any]) -> None:
        self.fixed = {r.path: r.path for r in routes if "{" not in r.path}
        self.shaped = [r for r in routes if "{" in r.path]

    def of(self, scope: Scope) -> str:
        found = self.fixed.get(scope["path"])
        if found is not None:
            return found
        for route in self.shaped:
            if route.matches(scope)[0] is not Match.NONE:
                return route.path
        return UNMATCHED


# --- scraping -------------------------------------------------------------------------


class Access:
    """Who may read `/metrics`: a client whose address is in `allow` (addresses and
    networks), or one that sends `Authorization: Bearer <token>`. The address is the one
    the server gives the request: the connection's peer, or, from a proxy trusted with
    --forwarded-allow-ips, the client's address the proxy forwarded."""

    def __init__(self, allow: str, token: str) -> None:
        self.networks = networks(allow)
        self.token = token.encode()

    def allows(self, request: Request) -> bool:
        if self.token:
            given = request.headers.get("authorization", "")
            scheme, _, credential = given.partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(
                credential.strip().encode(), self.token
            ):
                return True
        client = request.client.host if request.client else ""
        try:
            address = ipaddress.ip_address(client)
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)


def multiprocess() -> bool:
    """Whether this process counts in the shared directory (the choice prometheus-client
    made when it was imported, from PROMETHEUS_MULTIPROC_DIR)."""
    return values.ValueClass is not values.MutexValue


class Scrape:
    """What one scrape reports: every process's counts and the feed's sequence."""

    def __init__(self, db) -> None:
        self.db = db

    def collect(self):
        if multiprocess():
            directory = os.environ[MULTIPROC_ENV]
            _forget_dead_workers(directory)
            yield from MultiProcessCollector(None, path=directory).collect()
        else:
            yield from REGISTRY.collect()
        with self.db.read() as session:
            high = feed.high_water(session)
        yield GaugeMetricFamily(
            "cp2hub_feed_sequence", "The feed's committed high-water mark.", value=high
        )


def _forget_dead_workers(directory: str) -> None:
    """A worker that died without exiting (killed) leaves its live gauges behind; its
    counters stay, as counts already made."""
    for path in glob.glob(os.path.join(directory, "gauge_live*_*.db")):
        pid = int(path.rsplit("_", 1)[1][:-3])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid, directory)
        except PermissionError:
            pass


def install(app: FastAPI) -> None:
    """Count the app's requests and serve `/metrics`: a plain route, left out of the OpenAPI
    description (it is for operators, not devices) and of the API's token checks (it has
    its own). A refused reader gets the hub's 404 for a path with nothing there, so the
    address does not say that a hub is behind it."""
    global counting
    settings = app.state.settings
    counting = settings.metrics_enabled
    if not counting:
        return
    access = Access(settings.metrics_allow, settings.metrics_token.get_secret_value())
    app.add_middleware(RequestMetrics)
    if multiprocess():
        atexit.register(mark_process_dead, os.getpid(), os.environ[MULTIPROC_ENV])

    def metrics(request: Request) -> Response:
        if not access.allows(request):
            raise HTTPException(404)
        body = generate_latest(Scrape(request.app.state.db))
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    app.add_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
