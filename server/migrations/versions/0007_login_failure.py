"""login_failure: wrong passwords by client address, for the sign-in throttle

Sign-in was throttled per account from audit rows, so five wrong passwords from anywhere
locked the account for everyone. The throttle now counts failures per client address and
per (address, username), in a table every server process shares.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    "ix_login_failure_pair": ["address", "username", "at"],
    "ix_login_failure_address": ["address", "at"],
    "ix_login_failure_username": ["username"],
    "ix_login_failure_at": ["at"],
}


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("at", server.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    for name, columns in _INDEXES.items():
        op.create_index(name, "login_failure", columns, unique=False)


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="login_failure")
    op.drop_table("login_failure")
