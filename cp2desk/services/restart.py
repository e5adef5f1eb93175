"""When CP2 Desk may offer to restart into a downloaded update: never while a session is
open for marking at a centre the user manages, never while changes wait in the outbox.

A restart in the middle of a session would take the register away from the centre
manager while officers are checking in; one with changes unsent would start the new
version with work the hub has not seen (kept, but not yet safe on the hub). The rule is
the register's own (`glance.marking_state`), so the prompt waits exactly as long as the
register screen says "Open until ...".
"""

from __future__ import annotations

import datetime as dt

from cp2desk.local_db.replica import Replica
from cp2desk.services.glance import marking_state
from cp2desk.services.register import load_register, managed_centres


def restart_blockers(
    replica: Replica, user_id: str, now: dt.datetime, outbox: bool = True
) -> list[str]:
    """Why not to ask now, in words for the user; empty when asking is fine. `outbox=False`
    leaves waiting changes out: a version too old for the hub cannot send them, and the
    update keeps them for the new version to send."""
    found = []
    pending = replica.pending_count() if outbox else 0
    if pending:
        found.append(f"{pending} change{'s' if pending != 1 else ''} still waiting to sync")
    for centre in managed_centres(replica, user_id):
        register = load_register(replica, centre.station_id, now.date())
        if register is None:
            continue
        for index, session in enumerate(register.sessions):
            state = marking_state(register, index, now)
            if state.tone == "open":
                found.append(
                    f"{centre.name}: {session.papers or 'a session'} is open for marking "
                    f"({state.text.lower()})"
                )
    return found
