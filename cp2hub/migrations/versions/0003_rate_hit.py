"""rate_hit: the SMS rate limits' attempts, in the database so every hub worker process
counts against the same windows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_hit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rate_hit_key_at", "rate_hit", ["key", "at"], unique=False)
    op.create_index("ix_rate_hit_at", "rate_hit", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_rate_hit_at", table_name="rate_hit")
    op.drop_index("ix_rate_hit_key_at", table_name="rate_hit")
    op.drop_table("rate_hit")
