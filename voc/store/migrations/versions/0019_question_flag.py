"""A stored "asks a question" flag on items, in the care queue's index (issue #21).

The care queue's rule ("needs a person", `voc.inbox.queue._needs_a_person`) and its counts read the
text of every open item for a question mark, the one term `ix_items_open_queue` (revision 0016)
could not hold: at 10M items on PostgreSQL the counts read the whole table (3.4 GB, 3-4 s).
`asks_question` is true when the text holds one of `voc.inbox.priority.QUESTION_MARKS`. The
database keeps it, for every write (the save path, and any edit of the text): on PostgreSQL a
`BEFORE INSERT OR UPDATE OF text` row trigger sets it on the row written; on SQLite, which cannot
change the row being inserted, an `AFTER INSERT` / `AFTER UPDATE OF text` trigger sets it, only
when the value is wrong (the count triggers of 0017 fire on their own columns only). The save path
names no new column, so code and tests that write items at an older revision keep working. This
revision fills it for the items stored before, and `ix_items_open_queue` is built again with it
(and the columns of its own WHERE, which SQLite wants in the index to read it alone), so the counts
read the index alone.

Adding the column rewrites nothing on PostgreSQL (a constant default); the fill reads the table
once and writes only the rows with a question mark.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# Frozen as they stood at this revision (`voc.inbox.priority.QUESTION_MARKS`, revision 0016's index).
QUESTION_MARKS = ("?", "？", "¿")
OPEN_STATUSES = ("new", "assigned", "waiting_on_customer")
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


def _open_queue_index(covered: tuple[str, ...]) -> None:
    connection = op.get_bind()
    not_competitor = "is_competitor IS 0" if connection.dialect.name == "sqlite" else "is_competitor IS false"
    statuses = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
    where = sa.text(f"triage_status IN ({statuses}) AND duplicate_of IS NULL AND {not_competitor}")
    op.create_index(
        "ix_items_open_queue",
        "items",
        [sa.column("priority").desc(), "posted_at", "id", *covered],
        sqlite_where=where,
        postgresql_where=where,
    )


MARKS_SQL = " OR ".join(f"instr({{row}}.text, '{mark}') > 0" for mark in QUESTION_MARKS)
PG_MARKS_SQL = " OR ".join(f"strpos(NEW.text, '{mark}') > 0" for mark in QUESTION_MARKS)


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION items_asks_question() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"NEW.asks_question := ({PG_MARKS_SQL}); RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER items_asks_question BEFORE INSERT OR UPDATE OF text ON items "
            "FOR EACH ROW EXECUTE FUNCTION items_asks_question()"
        )
        return
    asks = MARKS_SQL.format(row="NEW")
    for name, event in (("items_asks_question_insert", "INSERT"), ("items_asks_question_update", "UPDATE OF text")):
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON items WHEN NEW.asks_question IS NOT ({asks}) BEGIN "
            f"UPDATE items SET asks_question = ({asks}) WHERE id = NEW.id; END"
        )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER items_asks_question ON items")
        op.execute("DROP FUNCTION items_asks_question()")
    else:
        op.execute("DROP TRIGGER items_asks_question_insert")
        op.execute("DROP TRIGGER items_asks_question_update")


def upgrade() -> None:
    op.add_column("items", sa.Column("asks_question", sa.Boolean, nullable=False, server_default=sa.false()))
    items = sa.table("items", sa.column("text", sa.Text), sa.column("asks_question", sa.Boolean))
    asks = sa.or_(*(items.c.text.contains(mark, autoescape=True) for mark in QUESTION_MARKS))
    _create_triggers()
    op.get_bind().execute(sa.update(items).where(asks).values(asks_question=True))
    op.drop_index("ix_items_open_queue", table_name="items")
    # The flag, and the terms of the index's own WHERE: SQLite 3.40 reads a partial index alone only
    # when it holds every column the query names, those of its WHERE too.
    _open_queue_index((*COVERED, "asks_question", "triage_status", "is_competitor", "duplicate_of"))


def downgrade() -> None:
    _drop_triggers()
    op.drop_index("ix_items_open_queue", table_name="items")
    _open_queue_index(COVERED)
    # Plain ALTER on both (SQLite 3.35+): a batch copy of `items` would break the count triggers.
    op.execute("ALTER TABLE items DROP COLUMN asks_question")
