"""Source pauses, the per-day cost meter, and coverage gaps.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from voc.store.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("paused_until", UTCDateTime))
        batch.add_column(sa.Column("pause_reason", sa.Text))
    op.create_table(
        "source_usage",
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("requests", sa.Integer, nullable=False, server_default="0"),
        sa.Column("posts_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("users_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cost_usd", sa.Float, nullable=False, server_default="0"),
    )
    op.create_table(
        "coverage_gaps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("detected_at", UTCDateTime, nullable=False),
        sa.Column("gap_start", UTCDateTime),
        sa.Column("gap_end", UTCDateTime),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_coverage_gaps_source", "coverage_gaps", ["source"])


def downgrade() -> None:
    op.drop_table("coverage_gaps")
    op.drop_table("source_usage")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("pause_reason")
        batch.drop_column("paused_until")
