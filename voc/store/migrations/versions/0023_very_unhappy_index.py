"""The very unhappy respondents by due time, and only those (issue #21).

The Surveys page opens on the call-back list (`voc.surveys.recovery.recoveries`: the very unhappy
responses still open, by due time, and those recorded, newest first). Without an index it read every
item to find the few very unhappy ones: 250-370 ms per list at a million items, two lists per
visit. `ix_items_very_unhappy` holds just them, by due time then id, so the open list walks it in
order and stops at its limit, and the recorded one sorts a few rows. Same on SQLite and PostgreSQL;
the WHERE is written out as each dialect writes `very_unhappy IS TRUE`, because SQLite uses a
partial index only for the very term it holds.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    where = sa.text("very_unhappy IS 1" if sqlite else "very_unhappy IS true")
    op.create_index(
        "ix_items_very_unhappy",
        "items",
        ["recovery_due_at", "id"],
        sqlite_where=where,
        postgresql_where=where,
    )


def downgrade() -> None:
    op.drop_index("ix_items_very_unhappy", table_name="items")
