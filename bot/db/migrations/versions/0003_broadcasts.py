"""Broadcasts and delivery: topic subscriptions and quiet hours of members, delivery jobs with one
row per recipient, broadcasts, the scheduler's one-shot tasks and periodic slots, and the
organisation's second-approval setting.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "periodic_runs",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("slot", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_periodic_runs")),
    )
    op.create_table(
        "scheduled_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_tasks")),
    )
    with op.batch_alter_table("scheduled_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_scheduled_tasks_due", ["status", "due_at"], unique=False)

    op.create_table(
        "delivery_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("blocked", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("runner", sa.String(length=32), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_delivery_jobs_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_jobs")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_delivery_jobs_kind")),
    )
    with op.batch_alter_table("delivery_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_jobs_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_jobs_status"), ["status"], unique=False)

    op.create_table(
        "member_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=16), nullable=False),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_subscriptions_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_subscriptions")),
        sa.UniqueConstraint("member_id", "topic", name=op.f("uq_member_subscriptions_member_id")),
    )
    with op.batch_alter_table("member_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_subscriptions_member_id"), ["member_id"], unique=False)

    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=16), nullable=False),
        sa.Column("cities", sa.String(length=400), nullable=False),
        sa.Column("languages", sa.String(length=16), nullable=False),
        sa.Column("text_all", sa.Text(), nullable=True),
        sa.Column("text_uk", sa.Text(), nullable=True),
        sa.Column("text_ru", sa.Text(), nullable=True),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=18), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("card_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approver_id"], ["staff.id"], name=op.f("fk_broadcasts_approver_id_staff"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff.id"], name=op.f("fk_broadcasts_author_id_staff"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_broadcasts_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_broadcasts_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_broadcasts_status"), ["status"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["delivery_jobs.id"], name=op.f("fk_deliveries_job_id_delivery_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_deliveries_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("job_id", "member_id", name=op.f("uq_deliveries_job_id")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_job_status", ["job_id", "status", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_member_id"), ["member_id"], unique=False)

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiet_start", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("quiet_end", sa.Integer(), nullable=True))

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("broadcast_approval", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("broadcast_approval")

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("quiet_end")
        batch_op.drop_column("quiet_start")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_member_id"))
        batch_op.drop_index("ix_deliveries_job_status")

    op.drop_table("deliveries")
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcasts_status"))
        batch_op.drop_index(batch_op.f("ix_broadcasts_organisation_id"))

    op.drop_table("broadcasts")
    with op.batch_alter_table("member_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_subscriptions_member_id"))

    op.drop_table("member_subscriptions")
    with op.batch_alter_table("delivery_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_delivery_jobs_organisation_id"))

    op.drop_table("delivery_jobs")
    with op.batch_alter_table("scheduled_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduled_tasks_due")

    op.drop_table("scheduled_tasks")
    op.drop_table("periodic_runs")
