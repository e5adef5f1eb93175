"""claim_paid: a claim's paid state (amount, reference, when), set by the hub once KNEC's
payment of it is confirmed, so My CP2 shows the payment.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.add_column(sa.Column("paid_amount", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("paid_ref", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("paid_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.drop_column("paid_at")
        batch.drop_column("paid_ref")
        batch.drop_column("paid_amount")
