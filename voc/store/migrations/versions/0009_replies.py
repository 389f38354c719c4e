"""Replies from the app: drafts stored before sending (with an idempotency key, the network's own
explanation of a failure, and the network's time of the posted reply), and the saved replies.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from voc.store.schema import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("network_key", sa.String(64)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("saved_reply_id", sa.Integer),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("sending_since", UTCDateTime),
        sa.Column("first_attempt_at", UTCDateTime),
        sa.Column("error", sa.Text),
        sa.Column("error_kind", sa.String(40)),
        sa.Column("retry_after", UTCDateTime),
        sa.Column("remote_id", sa.String(300)),
        sa.Column("remote_url", sa.Text),
        sa.Column("posted_at", UTCDateTime),
        sa.Column("outcome", sa.String(30)),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("sent_by", sa.String(200)),
    )
    op.create_index("ix_reply_drafts_item", "reply_drafts", ["item_id"])
    op.create_index("ix_reply_drafts_status", "reply_drafts", ["status"])
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("theme_id", sa.String(80)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("use_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("title", "language", name="uq_saved_replies_title_language"),
    )


def downgrade() -> None:
    op.drop_table("saved_replies")
    op.drop_index("ix_reply_drafts_status", table_name="reply_drafts")
    op.drop_index("ix_reply_drafts_item", table_name="reply_drafts")
    op.drop_table("reply_drafts")
