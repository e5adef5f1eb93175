"""feed_touch: what each transaction's writes reached, read by every hub process to wake
the devices held on the live channel.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_touch",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_feed_touch_made_at", "feed_touch", ["made_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_feed_touch_made_at", table_name="feed_touch")
    op.drop_table("feed_touch")
