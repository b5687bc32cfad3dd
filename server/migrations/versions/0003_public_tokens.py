"""public tokens of tickets and dossiers: the citizen's page behind the QR

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 07:15:00.000000
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
    # Tickets and dossiers made before this revision have none: their printed QR codes
    # predate the page anyway.
    for table in ("ticket", "dossier"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("public_token", sa.String(length=24), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_public_token"), ["public_token"], unique=True)


def downgrade() -> None:
    for table in ("ticket", "dossier"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_public_token"))
            batch_op.drop_column("public_token")
