"""The care queue's own index: the open items only, in the queue's order (issue #21).

`ix_items_open_queue` holds the items the care queue can show (open, ours, not a collapsed copy:
`voc.inbox.queue._open_ours`) by stored priority down, then the oldest, then the id, with the
columns the views' counts, "needs a person" (all but the text) and the VIP test read. A page of
the queue walks it from the top (or from the key a page goes on from) and stops after twelve rows
that need a person, instead of sorting every open item. It holds the open items only (the last
weeks'), so it is a few percent of the table. The VIP weight is applied outside it
(`voc.inbox.queue._read`: the VIP authors' items read apart and merged). Same on SQLite and
PostgreSQL; the WHERE is written out because SQLite uses a partial index only for the very terms
it holds.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# Frozen as it stood at this revision (`voc.inbox.triage.OPEN_STATUSES`, `voc.inbox.queue._open_ours`).
OPEN_STATUSES = ("new", "assigned", "waiting_on_customer")
# The columns the views' counts, "needs a person" (but the text) and the VIP test read.
COVERED = (
    "assignee",
    "channel",
    "language",
    "sentiment_label",
    "very_unhappy",
    "urgent_request",
    "scorer",
    "sentiment_confidence",
    "author",
    "respondent_key",
)


def upgrade() -> None:
    connection = op.get_bind()
    not_competitor = "is_competitor IS 0" if connection.dialect.name == "sqlite" else "is_competitor IS false"
    statuses = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
    where = sa.text(f"triage_status IN ({statuses}) AND duplicate_of IS NULL AND {not_competitor}")
    op.create_index(
        "ix_items_open_queue",
        "items",
        [sa.column("priority").desc(), "posted_at", "id", *COVERED],
        sqlite_where=where,
        postgresql_where=where,
    )


def downgrade() -> None:
    op.drop_index("ix_items_open_queue", table_name="items")
