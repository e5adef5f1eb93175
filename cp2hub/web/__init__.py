"""The hub's web pages: the shared stack under the portal and the back office.

`mount(app)` adds them to the hub's app: the pages' routers, the static files under
`/static` (served by the hub; no CDN, no web font), and error pages for browsers.
Pages are thin views over the hub's own functions (a rule lives in one place, never in
a template or a route); `pages.render` draws one in the layout, `visitors` says who is
signed in, `forms` checks every post's CSRF token.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from cp2hub.web import console, error_pages, portal, sign_in
from cp2hub.web.pages import STATIC

ROUTERS = [sign_in.router, *portal.ROUTERS, *console.ROUTERS]
"""The web's routers: sign-in, the professionals' portal (and the back office's)."""
STATIC_MAX_AGE = 86400


class Static(StaticFiles):
    """The style sheet and icons, kept by browsers for a day (revalidated by ETag)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def cached(message):
            if message["type"] == "http.response.start" and message.get("status") == 200:
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"cache-control", f"public, max-age={STATIC_MAX_AGE}".encode()),
                ]
            await send(message)

        await super().__call__(scope, receive, cached)


def mount(app: FastAPI) -> None:
    """Serve the web pages from `app` (after the API's routes and handlers)."""
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", Static(directory=STATIC), name="static")
    error_pages.install(app)
