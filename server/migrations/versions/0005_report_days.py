"""report days: tickets of finished business days summarised for the reports

The queue and officer reports over a year read one summary row per day, centre and group
(service, counter, officer, hour) instead of every ticket; the days not yet summarised (today)
are read from the tickets by business day. Dossiers change after their day: the dossier and
satisfaction reports read them through covering indexes instead.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Covering what the dossier and satisfaction reports read, so a year is read from the indexes.
_DOSSIER_INDEXES = {
    "ix_dossier_received_report": ["received_at", "centre_id", "procedure_id", "officer_id"],
    "ix_dossier_returned_report": [
        "returned_at",
        "centre_id",
        "procedure_id",
        "officer_id",
        "ready_at",
        "due_at",
    ],
    "ix_dossier_status_due": ["status", "due_at"],
    "ix_dossier_rated": ["id", "centre_id", "procedure_id"],
}


def upgrade() -> None:
    op.create_table(
        "report_day",
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("summarised_at", server.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("business_day", name=op.f("pk_report_day")),
    )
    op.create_table(
        "report_day_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("key", sa.Integer(), nullable=True),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("no_show", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("wait_seconds", sa.Float(), nullable=False),
        sa.Column("wait_minutes", sa.JSON(), nullable=False),
        sa.Column("served_wait_minutes", sa.JSON(), nullable=False),
        sa.Column("service_seconds", sa.Float(), nullable=False),
        sa.Column("service_minutes", sa.JSON(), nullable=False),
        sa.Column("first_call_at", server.db.UTCDateTime(), nullable=True),
        sa.Column("last_finish_at", server.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_day"],
            ["report_day.business_day"],
            name=op.f("fk_report_day_figures_business_day_report_day"),
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centre.id"], name=op.f("fk_report_day_figures_centre_id_centre")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_day_figures")),
    )
    with op.batch_alter_table("report_day_figures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_day_figures_dimension_day", ["dimension", "business_day"], unique=False
        )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_business_day", ["business_day"], unique=False)
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        for name, columns in _DOSSIER_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        for name in _DOSSIER_INDEXES:
            batch_op.drop_index(name)
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_business_day")
    op.drop_table("report_day_figures")
    op.drop_table("report_day")
