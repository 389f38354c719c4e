"""Item counts per UTC month beside the quarter-hour, hourly and daily ones, kept by the same triggers.

A count with no bins over a long range (Trends' languages, channels, share of voice and the
headline's counts, for this period and the one before) read every UTC day of it: a year of the
language facet is about 75,000 daily rows at a million items (35–45 ms on SQLite), and the
same at ten million (the keys repeat, the counts grow). `item_counts_monthly` holds the same
key per whole UTC month (`month` = months since January 1970 of `posted_at`): the same year is
about 4,000 rows (1 ms). Bins (days, Monday weeks) never hold a whole month, so only counts
without bins read it (`voc.store.ranges.plan_range(..., months=True)`).

The triggers of 0021 are replaced by ones that add each change to all four tables in the same
statement: SQLite's row triggers four more upserts; PostgreSQL's statement functions a fourth
grouped upsert after the quarter one (row locks in one order: hourly, daily, quarter, monthly
keys). The table is filled from `item_counts_daily` (whole days add up to months). Downgrade puts
back the triggers of 0021 as they were.

The SQL is written out here, not imported: a later change to the triggers is a later revision.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

COUNTED_KEY = "brand, is_competitor, kind, sentiment, copy"
HOURLY_KEY = f"facet, value, hour, {COUNTED_KEY}"
DAILY_KEY = f"facet, value, day, {COUNTED_KEY}"
QUARTER_KEY = f"facet, value, quarter, {COUNTED_KEY}"
MONTHLY_KEY = f"facet, value, month, {COUNTED_KEY}"
MONTHLY_ORDER = f"facet, month, value, {COUNTED_KEY}"  # the primary key's order
# Columns whose change moves an item from one count to another (as in 0014).
COUNTED = (
    "posted_at",
    "brand",
    "is_competitor",
    "kind",
    "sentiment_label",
    "duplicate_of",
    "channel",
    "language",
    "scorer",
)
# (table, key, seconds per unit or MONTH): the levels a change is added to.
MONTH = 0
HOURLY = ("item_counts", HOURLY_KEY, 3600)
DAILY = ("item_counts_daily", DAILY_KEY, 86400)
QUARTERS = ("item_counts_quarters", QUARTER_KEY, 900)
MONTHLY = ("item_counts_monthly", MONTHLY_KEY, MONTH)


def _sqlite_unit(column: str, seconds: int) -> str:
    """The level's unit of the naive UTC text `column` (months: whole months since January 1970)."""
    if seconds == MONTH:
        return (
            f"(CAST(strftime('%Y', {column}) AS INTEGER) - 1970) * 12 + CAST(strftime('%m', {column}) AS INTEGER) - 1"
        )
    return f"CAST(strftime('%s', {column}) AS INTEGER) / {seconds}"


def _pg_unit(column: str, seconds: int) -> str:
    if seconds == MONTH:
        utc = f"({column} AT TIME ZONE 'UTC')"
        return f"((EXTRACT(YEAR FROM {utc}) - 1970) * 12 + EXTRACT(MONTH FROM {utc}) - 1)::bigint"
    return f"FLOOR(EXTRACT(EPOCH FROM {column}) / {seconds})::bigint"


def _sqlite_upsert(row: str, sign: int, levels: tuple[tuple[str, str, int], ...]) -> str:
    """One upsert per facet and level adding `sign` for the item `row` (NEW or OLD)."""
    statements = []
    for table, key, seconds in levels:
        for facet, value in (("'all'", "''"), ("'channel'", f"{row}.channel"), ("'language'", f"{row}.language"),
                             ("'scorer'", f"{row}.scorer")):  # fmt: skip
            statements.append(f"""
    INSERT INTO {table} ({key}, items)
    VALUES ({facet}, {value}, {_sqlite_unit(f"{row}.posted_at", seconds)},
            COALESCE({row}.brand, ''), {row}.is_competitor, {row}.kind, {row}.sentiment_label,
            ({row}.duplicate_of IS NOT NULL AND {row}.kind != 'survey'), {sign})
    ON CONFLICT ({key}) DO UPDATE SET items = items + excluded.items;""")
    return "".join(statements)


def _sqlite_triggers(levels: tuple[tuple[str, str, int], ...]) -> list[str]:
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in COUNTED)
    return [
        f"CREATE TRIGGER item_counts_insert AFTER INSERT ON items BEGIN {_sqlite_upsert('NEW', 1, levels)} END",
        f"CREATE TRIGGER item_counts_delete AFTER DELETE ON items BEGIN {_sqlite_upsert('OLD', -1, levels)} END",
        f"CREATE TRIGGER item_counts_update AFTER UPDATE OF {', '.join(COUNTED)} ON items WHEN {changed} "
        f"BEGIN {_sqlite_upsert('OLD', -1, levels)} {_sqlite_upsert('NEW', 1, levels)} END",
    ]


def _pg_apply(table: str, key: str, seconds: int) -> str:
    """The statement's changed rows, as (item columns, +1 or -1), added up per key of `table` and
    upserted in key order; zero sums skipped (an update that moved nothing counted)."""
    return f"""
    WITH delta AS ({{delta}})
    INSERT INTO {table} ({key}, items)
    SELECT f.facet, f.value, {_pg_unit("d.posted_at", seconds)},
           COALESCE(d.brand, ''), d.is_competitor, d.kind, d.sentiment_label,
           (d.duplicate_of IS NOT NULL AND d.kind <> 'survey'), SUM(d.sign)
    FROM delta AS d
    CROSS JOIN LATERAL (VALUES ('all', ''), ('channel', d.channel), ('language', d.language),
                               ('scorer', d.scorer)) AS f (facet, value)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING SUM(d.sign) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ({key}) DO UPDATE SET items = {table}.items + EXCLUDED.items;"""


_PG_COLUMNS = ", ".join(COUNTED)


def _pg_function(name: str, delta: str, levels: tuple[tuple[str, str, int], ...]) -> str:
    body = "".join(_pg_apply(*level).replace("{delta}", delta) for level in levels)
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {body.strip()}
    RETURN NULL;
END $$"""


def _pg_statements(levels: tuple[tuple[str, str, int], ...]) -> list[str]:
    old = ", ".join(f"o.{column}" for column in COUNTED)
    new = ", ".join(f"n.{column}" for column in COUNTED)
    update_delta = f"""
        WITH changed AS (
            SELECT o.id, {", ".join(f"o.{c} AS old_{c}" for c in COUNTED)}, {new}
            FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
            WHERE ({old}) IS DISTINCT FROM ({new}))
        SELECT {", ".join(f"old_{c} AS {c}" for c in COUNTED)}, -1 AS sign FROM changed
        UNION ALL SELECT {_PG_COLUMNS}, 1 FROM changed"""
    # The triggers stay as 0014 made them; only the functions they run change.
    return [
        _pg_function("item_counts_insert", f"SELECT {_PG_COLUMNS}, 1 AS sign FROM new_rows", levels),
        _pg_function("item_counts_delete", f"SELECT {_PG_COLUMNS}, -1 AS sign FROM old_rows", levels),
        _pg_function("item_counts_update", update_delta, levels),
    ]


def _replace_triggers(dialect: str, levels: tuple[tuple[str, str, int], ...]) -> None:
    if dialect == "sqlite":
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS item_counts_{event}")
        statements = _sqlite_triggers(levels)
    else:
        statements = _pg_statements(levels)
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":  # no item written between the fill and the new triggers goes uncounted
        op.execute("LOCK TABLE items IN SHARE ROW EXCLUSIVE MODE")
    op.create_table(
        "item_counts_monthly",
        sa.Column("facet", sa.String(16), nullable=False),
        sa.Column("value", sa.String(100), nullable=False),
        sa.Column("month", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("brand", sa.String(100), nullable=False),
        sa.Column("is_competitor", sa.Boolean, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sentiment", sa.String(16), nullable=False),
        sa.Column("copy", sa.Boolean, nullable=False),
        sa.Column("items", sa.BigInteger, nullable=False),
        # Month before value, as the daily key: a count over every value of a facet reads its months.
        sa.PrimaryKeyConstraint(*MONTHLY_ORDER.split(", "), name="pk_item_counts_monthly"),
        sqlite_with_rowid=False,
    )
    # Whole days add up to months; the day's first moment gives the month.
    if dialect == "sqlite":
        month = _sqlite_unit("datetime(day * 86400, 'unixepoch')", MONTH)
    else:
        month = _pg_unit("to_timestamp(day * 86400)", MONTH)
    op.execute(
        f"INSERT INTO item_counts_monthly ({MONTHLY_KEY}, items) "
        f"SELECT facet, value, {month}, {COUNTED_KEY}, SUM(items) FROM item_counts_daily "
        f"GROUP BY facet, value, {month}, {COUNTED_KEY} HAVING SUM(items) <> 0"
    )
    _replace_triggers(dialect, (HOURLY, DAILY, QUARTERS, MONTHLY))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _replace_triggers(dialect, (HOURLY, DAILY, QUARTERS))  # 0021's triggers, word for word
    op.drop_table("item_counts_monthly")
