"""Bad-client reports, moderation and alerts: drafts, reports, the reporter link, submissions by
case code, alerts, client identifiers (keyed hashes only) and alert subscriptions (alerts are sent by
the shared delivery engine of 0003).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _index(table: str, column: str, unique: bool = False) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=unique)


def upgrade() -> None:
    op.create_table(
        "report_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("data_enc", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("report_drafts", "member_id", "members", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_drafts")),
        sa.UniqueConstraint("member_id", name=op.f("uq_report_drafts_member_id")),
    )
    _index("report_drafts", "updated_at")

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("city", sa.String(length=20), nullable=False),
        sa.Column("categories", sa.String(length=160), nullable=False),
        sa.Column("happened", sa.String(length=10), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("masked", sa.String(length=600), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _fk("alerts", "organisation_id", "organisations", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    for column in ("city", "created_at", "expires_at"):
        _index("alerts", column)

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("city", sa.String(length=20), nullable=False),
        sa.Column("happened", sa.String(length=10), nullable=False),
        sa.Column("categories", sa.String(length=160), nullable=False),
        sa.Column("consent_community", sa.Boolean(), nullable=False),
        sa.Column("consent_lawyers", sa.Boolean(), nullable=False),
        sa.Column("consent_police", sa.Boolean(), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=True),
        sa.Column("recent_from_sender", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("staff_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("card_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        _fk("reports", "organisation_id", "organisations", "SET NULL"),
        _fk("reports", "moderator_id", "staff", "SET NULL"),
        _fk("reports", "alert_id", "alerts", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("reference", name=op.f("uq_reports_reference")),
    )
    for column in ("organisation_id", "status", "created_at"):
        _index("reports", column)

    op.create_table(
        "report_reporters",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("report_reporters", "report_id", "reports", "CASCADE"),
        _fk("report_reporters", "member_id", "members", "CASCADE"),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_reporters")),
    )
    _index("report_reporters", "member_id")
    _index("report_reporters", "created_at")

    op.create_table(
        "report_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_hash", sa.String(length=64), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_submissions")),
    )
    _index("report_submissions", "case_hash")
    _index("report_submissions", "created_on")

    op.create_table(
        "client_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        _fk("client_identifiers", "alert_id", "alerts", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_identifiers")),
        sa.UniqueConstraint("alert_id", "hash", name=op.f("uq_client_identifiers_alert_id")),
    )
    _index("client_identifiers", "alert_id")
    _index("client_identifiers", "hash")

    op.create_table(
        "alert_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=20), nullable=False),
        _fk("alert_subscriptions", "member_id", "members", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subscriptions")),
        sa.UniqueConstraint("member_id", "city", name=op.f("uq_alert_subscriptions_member_id")),
    )
    _index("alert_subscriptions", "member_id")
    _index("alert_subscriptions", "city")


def downgrade() -> None:
    for table in (
        "alert_subscriptions",
        "client_identifiers",
        "report_submissions",
        "report_reporters",
        "reports",
        "alerts",
        "report_drafts",
    ):
        op.drop_table(table)
