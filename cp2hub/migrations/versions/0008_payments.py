"""payments: batches of claims to pay, each payment with its idempotency key, the outbox
backend's record, the audit log; and a claim's paid state (amount, reference, when).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 17:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("payment_id", sa.String(length=36), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("payment_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_audit_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_audit_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "payment_outbox",
        sa.Column("key", sa.String(length=36), nullable=False),
        sa.Column("phone", sa.String(length=12), nullable=False),
        sa.Column("payee", sa.String(length=120), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "payment_batch",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("series_id", sa.String(length=36), nullable=False),
        sa.Column("county_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("prepared_by", sa.String(length=36), nullable=False),
        sa.Column("prepared_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by", sa.String(length=36), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("payment_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_batch_series_id"), ["series_id"], unique=False)

    op.create_table(
        "payment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("live_claim_id", sa.String(length=36), nullable=True),
        sa.Column("professional_id", sa.String(length=36), nullable=False),
        sa.Column("county_id", sa.String(length=36), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=6), nullable=False),
        sa.Column("phone", sa.String(length=12), nullable=True),
        sa.Column("payee", sa.String(length=120), nullable=False),
        sa.Column("bank_name", sa.String(length=60), nullable=True),
        sa.Column("bank_account", sa.String(length=30), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["payment_batch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("live_claim_id"),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payment_batch_status_id", ["batch_id", "status", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payment_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_provider_id"), ["provider_id"], unique=False)

    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paid_amount", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("paid_ref", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("paid_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("paid_at")
        batch_op.drop_column("paid_ref")
        batch_op.drop_column("paid_amount")

    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_provider_id"))
        batch_op.drop_index(batch_op.f("ix_payment_claim_id"))
        batch_op.drop_index("ix_payment_batch_status_id")

    op.drop_table("payment")
    with op.batch_alter_table("payment_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_batch_series_id"))

    op.drop_table("payment_batch")
    op.drop_table("payment_outbox")
    with op.batch_alter_table("payment_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_audit_batch_id"))
        batch_op.drop_index(batch_op.f("ix_payment_audit_at"))

    op.drop_table("payment_audit")
