"""app_user.pending_password_hash and pending_password_at: a password sent by SMS waits
there until its first use, so a reset never stops the current password working.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_password_hash", sa.String(length=200)))
        batch_op.add_column(sa.Column("pending_password_at", sa.DateTime()))


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("pending_password_at")
        batch_op.drop_column("pending_password_hash")
