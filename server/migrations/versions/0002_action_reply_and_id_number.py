"""idempotent action replies, applicant ID number column, audit log by target

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 04:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only the columns the backfill touches, as they are at this revision (not the live models).
_dossier = sa.table("dossier", sa.column("id", sa.Integer), sa.column("applicant", sa.JSON))
_id_number = sa.table("dossier", sa.column("id", sa.Integer), sa.column("applicant_id_number", sa.String(32)))


def upgrade() -> None:
    op.create_table(
        "action_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", server.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_action_reply_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_reply")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_action_reply_idempotency_key")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_target"), ["target"], unique=False)
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applicant_id_number", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_dossier_applicant_id_number"), ["applicant_id_number"], unique=False
        )
    _backfill_id_numbers()


def _backfill_id_numbers() -> None:
    """Copy applicant.id_number out of the JSON for the dossiers received before this revision."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(_dossier.c.id, _dossier.c.applicant)).all()
    for dossier_id, applicant in rows:
        number = (applicant or {}).get("id_number")
        if number:
            connection.execute(
                sa.update(_id_number)
                .where(_id_number.c.id == dossier_id)
                .values(applicant_id_number="".join(str(number).split())[:32])
            )


def downgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_applicant_id_number"))
        batch_op.drop_column("applicant_id_number")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_target"))
    op.drop_table("action_reply")
