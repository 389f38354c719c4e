"""Indexes for the pages' aggregates at a million items (issue #21).

Each filter the pages offer (channel, language, brand, scorer) gets an index led by that column
and followed by `posted_at`: a filtered range is one index range, a GROUP BY on the column reads
the index in order, and the filter bars' options are read by skipping from one value to the next
(`voc.store.core.distinct_values`, a few index probes) instead of scanning every row.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_items_channel_posted_at": "channel",
    "ix_items_language_posted_at": "language",
    "ix_items_brand_posted_at": "brand",
    "ix_items_scorer_posted_at": "scorer",
}


def upgrade() -> None:
    for name, column in INDEXES.items():
        op.create_index(name, "items", [column, "posted_at"])


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="items")
