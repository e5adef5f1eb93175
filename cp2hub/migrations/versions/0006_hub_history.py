"""hub_history: the seed of the identity of the hub's history, which a restore changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:30:00
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    history = op.create_table(
        "hub_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=32), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    made_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    op.bulk_insert(history, [{"id": 1, "seed": secrets.token_hex(16), "made_at": made_at}])


def downgrade() -> None:
    op.drop_table("hub_history")
