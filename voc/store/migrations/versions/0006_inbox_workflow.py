"""Inbox workflow: SLA times, tags, duplicates, notes, presence, alert deliveries and escalation.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from voc.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("first_response_at", UTCDateTime))
        batch.add_column(sa.Column("resolved_at", UTCDateTime))
        batch.add_column(sa.Column("tags", sa.JSON))
        batch.add_column(sa.Column("content_hash", sa.String(64)))
        batch.add_column(sa.Column("duplicate_of", sa.Integer))
        batch.add_column(sa.Column("duplicate_count", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_items_content_hash", "items", ["content_hash"])
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("escalated_at", UTCDateTime))
        batch.add_column(sa.Column("subject", sa.String(300)))
    op.create_index("ix_alerts_rule_subject", "alerts", ["rule", "subject"])
    op.create_table(
        "item_notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_item_notes_item", "item_notes", ["item_id"])
    op.create_table(
        "item_viewers",
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("actor", sa.String(200), primary_key=True),
        sa.Column("seen_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("level", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
        sa.Column("error", sa.Text),
        sa.UniqueConstraint("alert_id", "channel", "level", name="uq_alert_deliveries_once"),
    )
    op.create_index("ix_alert_deliveries_status", "alert_deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("alert_deliveries")
    op.drop_table("item_viewers")
    op.drop_table("item_notes")
    op.drop_index("ix_alerts_rule_subject", "alerts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("subject")
        batch.drop_column("escalated_at")
    op.drop_index("ix_items_content_hash", "items")
    with op.batch_alter_table("items") as batch:
        for column in ("duplicate_count", "duplicate_of", "content_hash", "tags", "resolved_at", "first_response_at"):
            batch.drop_column(column)
