"""The first ledger schema: evaluations (with history), packs, claims.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from slagen.ledger.types import Instant, Money

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("policy_id", sa.String(200), nullable=False),
        sa.Column("policy_version", sa.String(100)),
        sa.Column("policy_sha256", sa.String(64), nullable=False),
        sa.Column("policy_title", sa.String(500), nullable=False),
        sa.Column("provider", sa.String(500), nullable=False),
        sa.Column("window_label", sa.String(100), nullable=False),
        sa.Column("window_start", Instant, nullable=False),
        sa.Column("window_end", Instant, nullable=False),
        sa.Column("window_first_day", sa.Date, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("slot", sa.String(8)),
        sa.Column("fate", sa.String(16)),
        sa.Column("as_of", Instant, nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.Column("figures_sha256", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("fee", Money),
        sa.Column("credit_amount", Money, nullable=False),
        sa.Column("credit_days", sa.Integer, nullable=False),
        sa.Column("claim_deadline", sa.Date),
        sa.Column("all_met", sa.Boolean, nullable=False),
        sa.Column("missed_kpis", sa.String(2000), nullable=False),
        sa.Column("incidents_counted", sa.Integer, nullable=False),
        sa.Column("downtime_minutes", Money, nullable=False),
        sa.Column("downtime_cost", Money),
        sa.Column("uncovered_exposure", Money),
        sa.Column("supersedes_id", sa.Integer, sa.ForeignKey("evaluations.id")),
        sa.Column("supersede_reason", sa.Text),
        sa.Column("command", sa.String(16), nullable=False),
        sa.Column("evaluation_json", sa.Text, nullable=False),
        sa.UniqueConstraint("policy_id", "window_label", "slot", name="uq_evaluations_current"),
    )
    op.create_index("ix_evaluations_policy_day", "evaluations", ["policy_id", "window_first_day"])
    op.create_table(
        "packs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("evaluation_id", sa.Integer, sa.ForeignKey("evaluations.id"), nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.UniqueConstraint("evaluation_id", "manifest_sha256", name="uq_packs_manifest"),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("policy_id", sa.String(200), nullable=False),
        sa.Column("window_label", sa.String(100), nullable=False),
        sa.Column("evaluation_id", sa.Integer, sa.ForeignKey("evaluations.id"), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_owed", Money, nullable=False),
        sa.Column("days_owed", sa.Integer, nullable=False),
        sa.Column("deadline", sa.Date),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reference", sa.String(200)),
        sa.Column("filed_on", sa.Date),
        sa.Column("credited_amount", Money),
        sa.Column("credited_on", sa.Date),
        sa.Column("rejected_reason", sa.Text),
        sa.Column("rejected_on", sa.Date),
        sa.UniqueConstraint("policy_id", "window_label", name="uq_claims_window"),
    )


def downgrade() -> None:
    op.drop_table("claims")
    op.drop_table("packs")
    op.drop_index("ix_evaluations_policy_day", "evaluations")
    op.drop_table("evaluations")
