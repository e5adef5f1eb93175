"""Export the changes a device has not delivered, e.g. after it was revoked.

The file is plain JSON a KNEC officer can read or import on another device: each
waiting change with what it says in words, when it was made, and the row itself.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from cp2desk.local_db.models import OutboxEntry
from cp2desk.local_db.replica import Replica


def export_pending(replica: Replica, target: Path) -> int:
    """Write every waiting change to `target`; returns how many. The replica is untouched."""
    with replica.read() as session:
        entries = session.scalars(select(OutboxEntry).order_by(OutboxEntry.position)).all()
        changes = [
            {
                "key": e.key,
                "table": e.table_name,
                "summary": e.summary,
                "made_at": e.created_at.isoformat(),
                "fields": [f for f in e.fields.split(",") if f],
                "row": json.loads(e.row_json),
            }
            for e in entries
        ]
    document = {"device_id": replica.device_id, "changes": changes}
    temporary = target.with_suffix(target.suffix + ".part")
    temporary.write_text(json.dumps(document, indent=2), encoding="utf-8")
    temporary.replace(target)
    return len(changes)
