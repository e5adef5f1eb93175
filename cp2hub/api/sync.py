"""Push a device's outbox; pull the changes in its scope after its cursor."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from cp2desk.sync.protocol import MAX_PULL_PAGE, PullPage, PushRequest, PushResponse
from cp2hub import feed, history
from cp2hub.api.deps import DB, AppSettings, CurrentUser, check_protocol
from cp2hub.api.gateway import Sms
from cp2hub.payment_alerts import PaymentAlerts
from cp2hub.pull import pull_page
from cp2hub.push import apply_batch
from cp2hub.scope import scope_of

log = logging.getLogger(__name__)
router = APIRouter(prefix="/sync", tags=["sync"], dependencies=[Depends(check_protocol)])


@router.post("/push")
def push(
    body: PushRequest, principal: CurrentUser, db: DB, settings: AppSettings, sms: Sms
) -> PushResponse:
    """Apply a batch and answer each change. A device that last pulled from another
    history (the hub was restored from backup) is answered nothing: it first re-offers what
    the restored hub lacks (`cp2desk.sync.restore`), then pushes its newer changes."""
    current = history.identity(db)
    if body.history_id and body.history_id != current:
        log.info(
            "push from an earlier history: answered nothing, the device offers again",
            extra={"event": "push_other_history", "history_id": body.history_id},
        )
        return PushResponse(answers=[], history_id=current)
    answers = apply_batch(db, principal, body.changes, PaymentAlerts(sms, settings.help_line))
    counts = Counter(a.outcome for a in answers)
    summary = {outcome: counts[outcome] for outcome in ("applied", "conflict", "refused")}
    text = "push: %(applied)d applied, %(conflict)d conflicts, %(refused)d refused"
    log.info(text, summary, extra={"event": "push", "changes": len(answers), **summary})
    return PushResponse(answers=answers, history_id=current)


@router.get("/pull")
def pull(
    principal: CurrentUser,
    db: DB,
    settings: AppSettings,
    cursor: Annotated[int, Query(ge=0)] = 0,
    scope_key: Annotated[str, Query(max_length=64)] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] | None = None,
    from_day: Annotated[
        dt.date | None,
        Query(description="The first screens' pass of a first sync: no attendance before it."),
    ] = None,
) -> PullPage:
    """A page of changes, with the identity of the hub's history. When the scope changed
    (or the cursor is past the feed), answer `reset` with cursor 0: the device then drops
    what it holds and pulls its scope afresh. A device that knew another history (the hub
    was restored from backup) first re-offers what it made, whatever the page says."""
    scope = scope_of(principal)
    current = history.identity(db)
    with db.read() as session:
        if (scope_key and scope_key != scope.key) or cursor > feed.high_water(session):
            why = (
                "scope changed" if scope_key and scope_key != scope.key else "cursor past the feed"
            )
            log.info(
                "pull reset: %s",
                why,
                extra={"event": "pull_reset", "reason": why, "cursor": cursor},
            )
            return PullPage(
                cursor=0, more=True, tables=[], reset=True, scope_key=scope.key,
                history_id=current,
            )  # fmt: skip
        page = pull_page(session, scope, cursor, limit or settings.pull_page_size, from_day)
    page.scope_key = scope.key
    page.history_id = current
    return page
