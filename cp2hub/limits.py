"""What a request must pass before the hub does any work for it.

`RequestGate` is a plain ASGI middleware in front of every route. It finds the route a
request is for, and then, in this order and before the route parses anything:

1. refuses a compressed body (415): the hub takes bodies as they are, so no small
   upload can expand into a large one;
2. refuses a declared `Content-Length` over the route's bound (413), without reading it;
3. for a route that needs a token, checks the token (401), so an unauthenticated
   request costs the hub one token lookup and nothing of its body;
4. reads the body, counting bytes as they come, and stops at the bound (413) when no
   length was declared (chunked); a body that arrives slower than `MIN_BYTES_PER_SECOND`
   after a grace period (`Settings.body_grace_seconds`) is answered 408, so a slow
   client cannot keep a request open and its buffer alive at no cost to itself.

The route then gets the body whole, as it would from the server. A refused request is
answered with the hub's `{code, message}` body; one refused for its size, form or pace
with `Connection: close` too, so the rest of its body is never read. A request refused
for its token is answered at once too, and the rest of its body, within its bound, is
then read and dropped, so that a proxy still sending it sees the answer, not a reset.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cp2hub.errors import HubError, problem

KB = 1024
PUSH_BODY_BYTES = 4 * KB * KB
"""A push: at most MAX_PUSH_BATCH changes. 500 attendance marks are about 0.4 MB; 500
changes of the widest rows, every text at its column's length (2,000 characters for the
free texts), at most 1.5 MB; 4 MB leaves room for non-ASCII names sent as JSON escapes."""
SMS_BODY_BYTES = 16 * KB
"""The provider's inbound-SMS callback: a form of a few short fields."""
JSON_BODY_BYTES = 64 * KB
"""Every other route: sign-in, accounts, the portal and the administrators' requests
(the largest, a selection of 500 applications, is about 20 KB)."""
FORM_BODY_BYTES = 16 * KB
"""A web page's form (cp2hub.web): the longest, a profile section, is under 10 KB with
every field at its length."""
BODY_BYTES = {"/sync/push": PUSH_BODY_BYTES, "/sms/inbound": SMS_BODY_BYTES}
MIN_BYTES_PER_SECOND = 2 * KB
"""Below a GPRS link's rate: a device on the poorest network still keeps ahead of it."""

Authenticate = Callable[[Scope], Awaitable[Any]]


class RequestGate:
    """The ASGI middleware. `routes(app)` lists the app's routes (each with `path`,
    `matches(scope)`), `needs_token(route)` says whether one needs a token, and
    `authenticate(scope)` returns the caller or raises HubError."""

    def __init__(
        self,
        app: ASGIApp,
        routes: Callable[[Any], list[Any]],
        needs_token: Callable[[Any], bool],
        authenticate: Authenticate,
        grace_seconds: float = 20.0,
    ) -> None:
        self.app = app
        self.routes = routes
        self.needs_token = needs_token
        self.authenticate = authenticate
        self.grace_seconds = grace_seconds
        self._routes: list[tuple[Callable, int, bool]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self._route(scope)
        if route is None:  # unknown path or wrong method: the router answers, reading nothing
            await self.app(scope, receive, send)
            return
        bound, needs_token = route
        headers = _headers(scope)
        refusal = _declared_refusal(headers, bound)
        if refusal is None and needs_token:
            try:
                scope.setdefault("state", {})["principal"] = await self.authenticate(scope)
            except HubError as exc:
                refusal = (exc.status, exc.code, exc.message)
        if refusal is None and _has_body(headers):
            body = await self._read(receive, bound)
            if isinstance(body, tuple):
                await _refuse(body, scope, receive, send)
                return
            if body is None:  # the client went away
                return
            receive = _replay(body, receive)
        elif refusal is not None:
            declared = refusal[0] in (400, 413, 415)  # refused for its size or form
            await _refuse(refusal, scope, receive, send, close=declared)
            if not declared and _has_body(headers):
                # Answered first; then the rest of a body within its bound is read and
                # dropped (never parsed), so the connection ends cleanly: closing on a
                # client or a proxy still sending resets it, and a proxy answers 502.
                await self._read(receive, bound, keep=False)
            return
        await self.app(scope, receive, send)

    def _route(self, scope: Scope) -> tuple[int, bool] | None:
        if self._routes is None:
            self._routes = [
                (r.matches, body_bound(r), self.needs_token(r))
                for r in self.routes(scope["app"])
            ]
        for matches, bound, needs_token in self._routes:
            match, _ = matches(scope)
            if match is Match.FULL:
                return bound, needs_token
        return None

    async def _read(
        self, receive: Receive, bound: int, keep: bool = True
    ) -> bytes | tuple[int, str, str] | None:
        """The body, within its bound and time; with `keep` false it is read and dropped."""
        started = asyncio.get_running_loop().time()
        chunks: list[bytes] = []
        size = 0
        while True:
            deadline = started + self.grace_seconds + size / MIN_BYTES_PER_SECOND
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                return (
                    408,
                    "request_timeout",
                    "The request arrived too slowly and was dropped. Check the network and "
                    "try again.",
                )
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > bound:
                return _too_large(bound)
            if keep:
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def body_bound(route: Any) -> int:
    """The most a route takes in a body: its own bound, a web page's form bound (pages are
    left out of the API's description), or the API's."""
    if route.path in BODY_BYTES:
        return BODY_BYTES[route.path]
    return JSON_BODY_BYTES if getattr(route, "include_in_schema", True) else FORM_BODY_BYTES


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope["headers"]}


def _has_body(headers: dict[bytes, bytes]) -> bool:
    return b"transfer-encoding" in headers or headers.get(b"content-length", b"0") != b"0"


def _declared_refusal(headers: dict[bytes, bytes], bound: int) -> tuple[int, str, str] | None:
    encoding = headers.get(b"content-encoding", b"identity").strip().lower()
    if encoding not in (b"", b"identity"):
        return (
            415,
            "unsupported_encoding",
            "The hub takes request bodies uncompressed; send it again without Content-Encoding.",
        )
    length = headers.get(b"content-length")
    if length is None:
        return None
    if not length.isdigit():
        return 400, "bad_request", "The request's Content-Length is not a number."
    return _too_large(bound) if int(length) > bound else None


def _too_large(bound: int) -> tuple[int, str, str]:
    limit = f"{bound // (KB * KB)} MB" if bound >= KB * KB else f"{bound // KB} KB"
    return (
        413,
        "too_large",
        f"The request is larger than the hub takes here (at most {limit}), so nothing in it "
        "was done.",
    )


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, as one message; then the server's own (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(
    refusal: tuple[int, str, str], scope: Scope, receive: Receive, send: Send, close=True
) -> None:
    response = problem(*refusal, headers={"Connection": "close"} if close else None)
    await response(scope, receive, send)
