"""The conversation where the source gives it: the post an item answers and its thread's first post.

Both are the source's own external ids (X `referenced_tweets` replied_to and `conversation_id`,
Mastodon `in_reply_to_id`, Bluesky `reply.parent` and `reply.root`, Reddit `parent_id` and
`link_id`), so the workspace can show the stored parent and the thread's earlier messages
(`voc.inbox.queue.conversation`). Items stored before stay without them: their payloads were not
kept, so there is nothing to fill them from.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("in_reply_to", sa.String(200)))
        batch.add_column(sa.Column("conversation_id", sa.String(200)))
    op.create_index("ix_items_channel_external_id", "items", ["channel", "external_id"])
    op.create_index("ix_items_conversation", "items", ["conversation_id", "posted_at"])


def downgrade() -> None:
    op.drop_index("ix_items_conversation", table_name="items")
    op.drop_index("ix_items_channel_external_id", table_name="items")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("conversation_id")
        batch.drop_column("in_reply_to")
