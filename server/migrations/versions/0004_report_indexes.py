"""report indexes: the audit log by action and time

The reports read the audit log by action over a period (transfers, counter opening hours,
supplement requests, refusals, extensions); the index on `at` alone walks every entry of the
period, tickets' included (a few million a year at a busy centre).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 07:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_action_at", ["action", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_action_at")
