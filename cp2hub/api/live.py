"""The live channel: a device holds one request that returns when its scope changes.

`GET /sync/live?after=SEQ` (SEQ: the device's pull cursor) answers at once if anything
in the caller's scope was written after SEQ, else waits on the event loop (no worker
thread) until a write reaches the scope or `live_hold_seconds` pass. The device pulls
when told `changed`, then asks again. Over `live_max_held` held requests, a process
answers 503 with a Retry-After that differs from device to device, so a crowd
reconnecting after a restart spreads itself out.
"""

from __future__ import annotations

import random
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from cp2desk.sync.protocol import LiveAnswer
from cp2hub import feed, live, metrics
from cp2hub.api.answers import problems
from cp2hub.api.deps import CurrentUser, check_protocol
from cp2hub.scope import scope_of

router = APIRouter(prefix="/sync", tags=["sync"], dependencies=[Depends(check_protocol)])
BUSY_RETRY_SECONDS = (5, 30)


def channel(app) -> tuple[live.Notifier, live.ScopeStations]:
    state = app.state
    if getattr(state, "live", None) is None:
        state.live = live.Notifier(state.db)
        state.live_stations = live.ScopeStations(state.db)
        app.router.add_event_handler("shutdown", state.live.stop)
    return state.live, state.live_stations


@router.get("/live", responses=problems(503))
async def live_changes(
    request: Request,
    principal: CurrentUser,
    after: Annotated[int, Query(ge=0, description="The device's pull cursor.")] = 0,
) -> LiveAnswer:
    """Whether the caller's scope changed after `after`; held until it does, or for
    `live_hold_seconds` (then `changed` is false and the device asks again)."""
    notifier, stations = channel(request.app)
    settings = request.app.state.settings
    if notifier.held >= settings.live_max_held:
        return JSONResponse(
            {"code": "busy", "message": "The hub holds as many live requests as it can."},
            status_code=503,
            headers={"Retry-After": str(random.randint(*BUSY_RETRY_SECONDS))},
        )
    await notifier.start()
    scope = scope_of(principal)
    ids = await run_in_threadpool(stations.of, scope)
    tags = live.interest(scope.user_id, scope.professional_id, ids)
    if after > notifier.high and after > await run_in_threadpool(_high_water, request.app):
        return LiveAnswer(changed=True, sequence=notifier.high)  # a hub restored from backup
    hold = settings.live_hold_seconds * random.uniform(0.8, 1.0)
    with metrics.holding_live():
        changed, sequence = await notifier.wait(after, tags, hold, principal.device_id)
    return LiveAnswer(changed=changed, sequence=sequence)


def _high_water(app) -> int:
    with app.state.db.read() as session:
        return feed.high_water(session)
