"""Errors answered with a page in the layout for people in a browser, and with the API's
`{code, message}` body for programs.

A request is a browser's when it went to a web page, or, for an address nothing
answers, when it accepts HTML first (browsers say so; the desktop client and httpx do
not). The API's handlers (`cp2hub.errors.install_handlers`) stay as they are for the
rest: these wrap them.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from cp2hub.errors import HubError
from cp2hub.web.errors import PageError, SignInNeeded
from cp2hub.web.pages import render

log = logging.getLogger(__name__)
TITLES = {
    400: "Something is not right",
    403: "Not for this account",
    404: "Page not found",
    405: "Page not found",
    500: "Something went wrong",
}


def for_a_browser(request: Request) -> bool:
    endpoint = request.scope.get("endpoint")
    if endpoint is not None:
        return getattr(endpoint, "__module__", "").startswith("cp2hub.web")
    accept = request.headers.get("accept", "")
    return accept.startswith("text/html") or "application/xhtml+xml" in accept.split(",")[0]


async def error_page(request: Request, status: int, title: str, message: str) -> Response:
    return await run_in_threadpool(
        render, request, "error.html", status=status, title=title, message=message
    )


def install(app: FastAPI) -> None:
    """Answer page errors with pages, and wrap the API's handlers for browsers."""
    api = dict(app.exception_handlers)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return await error_page(request, exc.status, exc.title, exc.message)

    @app.exception_handler(SignInNeeded)
    async def _sign_in(_request: Request, exc: SignInNeeded) -> Response:
        return RedirectResponse(f"/sign-in?next={quote(exc.path)}", status_code=303)

    @app.exception_handler(HubError)
    async def _hub_error(request: Request, exc: HubError) -> Response:
        if not for_a_browser(request):
            return await api[HubError](request, exc)
        status = exc.status if exc.status in TITLES else 400
        return await error_page(request, exc.status, TITLES[status], exc.message)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if not for_a_browser(request):
            return await api[HTTPException](request, exc)
        if exc.status_code in (404, 405):
            message = "There is no page at this address. Check it, or start from the home page."
            return await error_page(request, 404, TITLES[404], message)
        title = TITLES.get(exc.status_code, TITLES[400])
        return await error_page(request, exc.status_code, title, str(exc.detail))

    @app.exception_handler(Exception)
    async def _failed(request: Request, exc: Exception) -> Response:
        if not for_a_browser(request):
            return await api[Exception](request, exc)
        message = "The hub had a problem and nothing was changed. Try again in a few minutes."
        try:
            return await error_page(request, 500, TITLES[500], message)
        except Exception:  # the page itself failed (the database is down, say)
            log.exception("the error page failed", extra={"event": "error_page_failed"})
            return Response(message, status_code=500, media_type="text/plain")
