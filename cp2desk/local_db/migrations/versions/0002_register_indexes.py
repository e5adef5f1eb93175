"""Indexes for the centre register and the pull's pending-change check.

- attendance(session_id, station_id): a session's marks at a centre, or across centres;
- deployment(station_id, status): the officers active at a centre, its shortfall;
- outbox(row_id, table_name) replaces outbox(row_id): push and pull ask, for each row
  they touch, whether it has a local change waiting (by id, with or without its table).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:17:28.328329
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_attendance_session_station", "attendance", ["session_id", "station_id"])
    op.create_index("ix_deployment_station_status", "deployment", ["station_id", "status"])
    op.drop_index("ix_outbox_row_id", table_name="outbox")
    op.create_index("ix_outbox_row", "outbox", ["row_id", "table_name"])


def downgrade() -> None:
    op.drop_index("ix_outbox_row", table_name="outbox")
    op.create_index("ix_outbox_row_id", "outbox", ["row_id"])
    op.drop_index("ix_deployment_station_status", table_name="deployment")
    op.drop_index("ix_attendance_session_station", table_name="attendance")
