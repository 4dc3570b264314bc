"""Anonymous usage figures: menu sections opened per day and city, counts only.

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
        "section_opens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("city", sa.String(length=20), nullable=False),
        sa.Column("section", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section_opens")),
        sa.UniqueConstraint("day", "city", "section", name=op.f("uq_section_opens_day")),
    )
    op.create_index(op.f("ix_section_opens_day"), "section_opens", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_section_opens_day"), table_name="section_opens")
    op.drop_table("section_opens")
