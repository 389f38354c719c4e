"""Initial schema: items (mentions and survey comments alike), sources, triage events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from voc.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("brand", sa.String(100)),
        sa.Column("is_competitor", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("author", sa.String(200)),
        sa.Column("author_reach", sa.Integer),
        sa.Column("link", sa.Text),
        sa.Column("posted_at", UTCDateTime, nullable=False),
        sa.Column("ingested_at", UTCDateTime, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("redactions", sa.JSON, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("sentiment_label", sa.String(16), nullable=False),
        sa.Column("sentiment_score", sa.Float, nullable=False),
        sa.Column("sentiment_confidence", sa.Float, nullable=False),
        sa.Column("sentiment_reasons", sa.JSON, nullable=False),
        sa.Column("scorer", sa.String(80), nullable=False),
        sa.Column("priority", sa.Float, nullable=False, server_default="0"),
        sa.Column("triage_status", sa.String(30), nullable=False, server_default="new"),
        sa.Column("assignee", sa.String(200)),
        sa.Column("survey", sa.String(200)),
        sa.Column("response_id", sa.String(200)),
        sa.Column("respondent_key", sa.String(64)),
        sa.Column("nps", sa.Integer),
        sa.Column("csat", sa.Integer),
        sa.UniqueConstraint("source", "external_id", name="uq_items_source_external_id"),
    )
    op.create_index("ix_items_posted_at", "items", ["posted_at"])
    op.create_index("ix_items_inbox", "items", ["sentiment_label", "triage_status", "posted_at"])
    op.create_table(
        "sources",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("poll_interval_s", sa.Float, nullable=False, server_default="60"),
        sa.Column("cursor", sa.Text),
        sa.Column("lease_owner", sa.String(200)),
        sa.Column("lease_expires_at", UTCDateTime),
        sa.Column("heartbeat_at", UTCDateTime),
        sa.Column("last_ok_at", UTCDateTime),
        sa.Column("last_error_at", UTCDateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("error_kind", sa.String(40)),
        sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_poll_at", UTCDateTime),
        sa.Column("items_total", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "triage_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "item_id",
            sa.Integer,
            sa.ForeignKey("items.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
    )
    op.create_index("ix_triage_events_item", "triage_events", ["item_id"])


def downgrade() -> None:
    op.drop_table("triage_events")
    op.drop_table("sources")
    op.drop_table("items")
