"""Applications made or withdrawn on a device while offline.

The device may only submit or withdraw its own user's application. The hub decides a
submission with the same checks as an online one (`cp2hub.applications`), by its own
date; when the deadline has passed, the positions are filled or the professional is
not eligible, the application is kept as `refused` with the reason, so the device
shows why after its next pull instead of losing the row.
"""

from __future__ import annotations

from typing import Any

from cp2desk.sync.protocol import Change
from cp2hub import applications
from cp2hub.models import Application, Professional
from cp2hub.push_context import PushContext, Refused
from cp2hub.rules.authorship import wall_clock


def apply(ctx: PushContext, change: Change, row: dict[str, Any]) -> Application:
    s = ctx.session
    mine = ctx.principal.professional_id
    if not mine or row["professional_id"] != mine:
        raise Refused("You can only apply, or withdraw an application, for yourself.")
    if row["id"] != applications.application_id(row["vacancy_id"], mine):
        raise Refused("The application does not match its vacancy.")
    person = s.get(Professional, mine)
    now = wall_clock()
    if row["status"] == "submitted":
        try:
            application = applications.submit(s, person, row["vacancy_id"], now)
        except applications.NotFound as exc:
            raise Refused(exc.message) from exc
        except applications.ApplicationRefused as exc:
            application = applications.refuse(s, person, row["vacancy_id"], exc.message, now)
    elif row["status"] == "withdrawn":
        try:
            application = applications.withdraw(s, mine, row["id"])
        except (applications.NotFound, applications.ApplicationRefused) as exc:
            raise Refused(exc.message) from exc
    else:
        raise Refused("An application can only be submitted or withdrawn from CP2 Desk.")
    return application  # stamped by the hub: the decision is the hub's
