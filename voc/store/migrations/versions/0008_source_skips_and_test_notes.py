"""Entries a source sent but could not store (counted by reason), and a failed connection test.

`source_skips` keeps one running count per source and reason, added to in the same transaction
as the page that skipped them, so the Sources page can say "3 entries skipped: no text".
`sources.test_failed_at` / `test_failure` remember that a source was added although its
connection test failed, so its card can say so.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from voc.store.schema import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("test_failed_at", UTCDateTime))
        batch.add_column(sa.Column("test_failure", sa.Text))
    op.create_table(
        "source_skips",
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("reason", sa.String(200), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_at", UTCDateTime, nullable=False),
        sa.Column("last_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("source_skips")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("test_failure")
        batch.drop_column("test_failed_at")
