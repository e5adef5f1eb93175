"""app_user.pending_password_hash and pending_password_at: a password sent by SMS waits
there until its first use, so a reset never stops the current password working. And the
passwords the SMS outbox kept in plain text before it masked them are masked now.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

import re
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
    _mask_stored_passwords()


OLD_SECRETS = re.compile(r"(Password: |your new password is )([A-Z2-9]{8})")
"""Where the messages written before this revision carried a password."""


def _mask_stored_passwords() -> None:
    messages = sa.table("sms_message", sa.column("id"), sa.column("body"))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(messages.c.id, messages.c.body).where(
            messages.c.body.like("%Password: %") | messages.c.body.like("%new password is %")
        )
    ).all()
    for row_id, body in rows:
        masked = OLD_SECRETS.sub(lambda m: m.group(1) + "\u2022" * len(m.group(2)), body)
        if masked != body:
            connection.execute(
                sa.update(messages).where(messages.c.id == row_id).values(body=masked)
            )


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("pending_password_at")
        batch_op.drop_column("pending_password_hash")
