"""Anonymous figures: counts per day and city (menu sections opened, reports received and decided).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("city", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=24), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_counts")),
        sa.UniqueConstraint("day", "city", "name", name=op.f("uq_daily_counts_day")),
    )
    op.create_index(op.f("ix_daily_counts_day"), "daily_counts", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_daily_counts_day"), table_name="daily_counts")
    op.drop_table("daily_counts")
