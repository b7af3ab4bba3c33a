"""Claim history: what was done to each claim (opened, amended, filed, credited,
rejected, cancelled), when, with the details. Existing claims get an 'opened' event.

Revision ID: 0002
Revises: 0001
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from slagen.ledger.types import Instant

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    events = op.create_table(
        "claim_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id"), nullable=False),
        sa.Column("at", Instant, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_claim_events_claim", "claim_events", ["claim_id"])
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM claims ORDER BY id"))]
    if ids:
        now = datetime.now(timezone.utc)
        op.bulk_insert(events, [{"claim_id": i, "at": now, "action": "opened", "detail": "claim made before the claim history existed (migration 0002)"} for i in ids])


def downgrade() -> None:
    op.drop_index("ix_claim_events_claim", "claim_events")
    op.drop_table("claim_events")
