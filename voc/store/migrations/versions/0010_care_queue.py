"""The care queue as one query: urgent requests found at ingest, one priority formula, presence since when.

- `items.urgent_request`: urgent words in the item's language, found at ingest, so the queue's
  membership ("negative, very unhappy, a question or an urgent request") is a WHERE clause;
- `items.priority` recomputed with the one formula of `voc.inbox.priority.stored_priority` (it was
  computed by two formulas with duplicated constants, and forced for very unhappy respondents);
- `ix_items_queue` for the open queue's filter and order;
- `item_viewers.opened_at`: since when someone has an item open ("Ana has it open since 10:02").

Revision ID: 0010
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from voc.inbox.priority import stored_priority_of
from voc.store.schema import UTCDateTime
from voc.surveys.recovery import urgent_words_in

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("urgent_request", sa.Boolean, nullable=False, server_default=sa.false()))
    with op.batch_alter_table("item_viewers") as batch:
        batch.add_column(sa.Column("opened_at", UTCDateTime))
    op.create_index("ix_items_queue", "items", ["triage_status", "priority", "posted_at"])
    _recompute(op.get_bind())


def _recompute(connection: sa.Connection) -> None:
    """Every item's urgent flag and stored priority, by the formula the app now uses."""
    table = sa.table(
        "items",
        *(
            sa.column(name)
            for name in (
                "id",
                "text",
                "language",
                "sentiment_label",
                "sentiment_confidence",
                "author_reach",
                "nps",
                "csat",
                "very_unhappy",
                "priority",
                "urgent_request",
            )
        ),  # fmt: skip
    )
    last = 0
    while True:
        rows = (
            connection.execute(sa.select(table).where(table.c.id > last).order_by(table.c.id).limit(_BATCH))
            .mappings()
            .all()
        )
        if not rows:
            return
        for row in rows:
            urgent = bool(urgent_words_in(str(row["text"] or ""), row["language"]))
            connection.execute(
                table.update()
                .where(table.c.id == row["id"])
                .values(priority=stored_priority_of(row), urgent_request=urgent)
            )
        last = int(rows[-1]["id"])


def downgrade() -> None:
    op.drop_index("ix_items_queue", "items")
    with op.batch_alter_table("item_viewers") as batch:
        batch.drop_column("opened_at")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("urgent_request")
