"""reoffer: the rows this device made, held for a hub restored from backup.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 15:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reoffer",
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("hlc", sa.BigInteger(), nullable=False),
        sa.Column("base_hlc", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_reoffer")),
    )


def downgrade() -> None:
    op.drop_table("reoffer")
