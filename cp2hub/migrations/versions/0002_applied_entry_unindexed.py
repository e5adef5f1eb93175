"""applied_entry.device_id loses its index: nothing reads answers by device, and every
pushed change writes one answer (one random index page fewer per change).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("applied_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_applied_entry_device_id")


def downgrade() -> None:
    with op.batch_alter_table("applied_entry", schema=None) as batch_op:
        batch_op.create_index("ix_applied_entry_device_id", ["device_id"], unique=False)
