"""The ledger's tables as they are at the newest migration (SQLAlchemy Core).

The migrations in `migrations/versions/` make these tables; this module is how the code
reads and writes them. A change here needs a new migration beside it.

- `evaluations`: every evaluation recorded, final or provisional, including those replaced
  or superseded (history). `slot` is 'current' on the one row that stands for a window and
  NULL on history rows: the unique constraint on (policy_id, window_label, slot) is what
  keeps two concurrent recordings of a window from both becoming current.
- `packs`: the manifest SHA-256 of each audit pack made from a recorded evaluation.
- `claims`: one per window whose final evaluation owes a credit, with its deadline.
- `claim_events` (migration 2): what was done to a claim, when, by which command.
"""

from __future__ import annotations

import sqlalchemy as sa

from slagen.ledger.types import Instant, Money

metadata = sa.MetaData()

evaluations = sa.Table(
    "evaluations", metadata,
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
    sa.Column("status", sa.String(16), nullable=False),  # final | provisional
    sa.Column("slot", sa.String(8)),  # 'current' or NULL (history)
    sa.Column("fate", sa.String(16)),  # history rows: replaced (provisional by a later run) | superseded
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
    sa.Column("command", sa.String(16), nullable=False),  # evaluate | report | pack
    sa.Column("evaluation_json", sa.Text, nullable=False),
    sa.UniqueConstraint("policy_id", "window_label", "slot", name="uq_evaluations_current"),
)

packs = sa.Table(
    "packs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("evaluation_id", sa.Integer, sa.ForeignKey("evaluations.id"), nullable=False),
    sa.Column("manifest_sha256", sa.String(64), nullable=False),
    sa.Column("recorded_at", Instant, nullable=False),
    sa.UniqueConstraint("evaluation_id", "manifest_sha256", name="uq_packs_manifest"),
)

claims = sa.Table(
    "claims", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("policy_id", sa.String(200), nullable=False),
    sa.Column("window_label", sa.String(100), nullable=False),
    sa.Column("evaluation_id", sa.Integer, sa.ForeignKey("evaluations.id"), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount_owed", Money, nullable=False),
    sa.Column("days_owed", sa.Integer, nullable=False),
    sa.Column("deadline", sa.Date),
    sa.Column("status", sa.String(16), nullable=False),  # owed | filed | credited | rejected | cancelled (expired is derived)
    sa.Column("reference", sa.String(200)),
    sa.Column("filed_on", sa.Date),
    sa.Column("credited_amount", Money),
    sa.Column("credited_on", sa.Date),
    sa.Column("rejected_reason", sa.Text),
    sa.Column("rejected_on", sa.Date),
    sa.UniqueConstraint("policy_id", "window_label", name="uq_claims_window"),
)

claim_events = sa.Table(
    "claim_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id"), nullable=False),
    sa.Column("at", Instant, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),  # opened | amended | filed | credited | rejected | cancelled
    sa.Column("detail", sa.Text, nullable=False),
)
