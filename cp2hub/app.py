"""The hub's FastAPI application."""

from __future__ import annotations

import gc
import logging

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from cp2hub import metrics
from cp2hub.api import (
    accounts,
    admin,
    auth,
    claims,
    devices,
    health,
    live,
    payments,
    sms,
    sync,
    updates,
    vacancies,
)
from cp2hub.api.answers import describe_answers
from cp2hub.api.deps import api_routes, caller, needs_token
from cp2hub.db import Database
from cp2hub.errors import install_handlers
from cp2hub.limits import RequestGate
from cp2hub.logs import RequestLog, describe_request_id
from cp2hub.settings import Settings
from cp2hub.web import mount as mount_web

log = logging.getLogger("cp2hub")
ROUTERS = (
    health.router,
    auth.router,
    sync.router,
    claims.router,
    accounts.router,
    sms.router,
    vacancies.router,
    admin.router,
    devices.router,
    updates.router,
    payments.router,
    payments.callbacks,
    live.router,
)


def create_app(db: Database, settings: Settings | None = None) -> FastAPI:
    """The app over an already migrated database."""
    app = FastAPI(title="CP2 hub", version="1")
    app.state.db = db
    app.state.settings = settings or Settings()
    for caution in app.state.settings.cautions():
        log.warning("cp2hub: warning: %s", caution, extra={"event": "start_up_warning"})
    sms.redact_access_log()
    # Level 5, not Starlette's default 9: the same size on pull pages (20.8 vs 20.6 bytes a
    # record) at a third of the hub's time (11 vs 37 ms a 5,000-row page).
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=5)
    app.add_middleware(
        RequestGate,
        routes=api_routes,
        needs_token=needs_token,
        authenticate=caller,
        grace_seconds=app.state.settings.body_grace_seconds,
    )
    metrics.install(app)
    app.add_middleware(RequestLog)  # outermost: the gate's refusals carry the request id too
    install_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    mount_web(app)  # the portal and the back office: after the API, whose errors they wrap
    describe_answers(app)
    describe_request_id(app)
    return app


def app_from_environment() -> FastAPI:
    """The app for one of several worker processes (`cp2hub serve --workers N`): settings
    from the environment, the database already migrated by the parent."""
    settings = Settings()
    return settled(create_app(Database(settings.resolved_database_url()), settings))


def settled(app: FastAPI) -> FastAPI:
    """Move everything built so far (modules, models, schemas: a few hundred thousand
    objects that live as long as the process) out of the cyclic collector's reach, so
    its passes walk only what requests allocate. A pull page of 20,000 rows allocates
    enough to set off several full passes; with the start-up heap in them, they took
    40% of the page's time."""
    gc.collect()
    gc.freeze()
    return app
