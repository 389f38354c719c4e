"""Duplicate keys for mentions only, within their brand (voc.inbox.duplicates.duplicate_key).

Survey answers lose their key (they are never copies) and are un-marked where an older ingest
marked one; mentions still inside the duplicate window get the new key, so a copy arriving after
the upgrade still finds its original. Older mentions keep their old key: nothing new can be a
copy of them any more, so recomputing a year of history would buy nothing.

Revision ID: 0012
Revises: 0011
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from voc.inbox.duplicates import WINDOW, duplicate_key

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

items = sa.table(
    "items",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("brand", sa.String),
    sa.column("text", sa.Text),
    sa.column("posted_at", sa.DateTime(timezone=True)),
    sa.column("content_hash", sa.String),
    sa.column("duplicate_of", sa.Integer),
    sa.column("duplicate_count", sa.Integer),
)


def upgrade() -> None:
    connection = op.get_bind()
    surveys = items.c.kind == "survey"
    connection.execute(sa.update(items).where(surveys).values(content_hash=None, duplicate_of=None))
    # Un-mark a mention marked a copy of a survey answer or of another brand's post.
    original = sa.table(
        "items", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("brand", sa.String)
    )
    original = original.alias("original")
    wrong = (
        sa.select(original.c.id)
        .where(
            original.c.id == items.c.duplicate_of,
            sa.or_(
                original.c.kind == "survey",
                sa.func.coalesce(original.c.brand, "") != sa.func.coalesce(items.c.brand, ""),
            ),
        )
        .exists()
    )
    connection.execute(sa.update(items).where(items.c.duplicate_of.is_not(None), wrong).values(duplicate_of=None))
    copies = items.alias("copies")
    counted = sa.select(sa.func.count()).where(copies.c.duplicate_of == items.c.id).scalar_subquery()
    connection.execute(sa.update(items).where(items.c.duplicate_count > 0).values(duplicate_count=counted))
    newest = connection.execute(sa.select(sa.func.max(items.c.posted_at))).scalar()
    if newest is None:
        return
    if isinstance(newest, str):  # SQLite hands back text for a bare max()
        newest = datetime.fromisoformat(newest)
    if newest.tzinfo is None:
        newest = newest.replace(tzinfo=UTC)
    recent = connection.execute(
        sa.select(items.c.id, items.c.kind, items.c.brand, items.c.text).where(
            ~surveys, items.c.posted_at >= newest - WINDOW
        )
    ).all()
    keys = [{"item_id": row.id, "key": duplicate_key(row.kind, row.brand, row.text)} for row in recent]
    if keys:
        connection.execute(
            sa.update(items).where(items.c.id == sa.bindparam("item_id")).values(content_hash=sa.bindparam("key")),
            keys,
        )


def downgrade() -> None:
    """Keys stay as they are: the old fingerprint would merge surveys again, which was the bug."""
