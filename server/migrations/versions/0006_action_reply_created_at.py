"""action_reply by time: the housekeeping forgets replies older than a month

Without the index, each hourly purge read the whole table (a row per kiosk tap and per
counter record sent with an Idempotency-Key: millions a year for a province).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 13:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action_reply", schema=None) as batch_op:
        batch_op.create_index("ix_action_reply_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_reply", schema=None) as batch_op:
        batch_op.drop_index("ix_action_reply_created_at")
