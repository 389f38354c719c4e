"""Hourly counts per counted theme, kept by triggers: the Themes overview without a year of rows.

`theme_count_map` says which counted themes each stored theme id counts towards (the theme it
resolves to today and that theme's parent, `voc.themes.rollups.counted_pairs`); it changes only
with the taxonomy, which rewrites it and the affected `theme_counts` rows in the same transaction.
`theme_counts` holds, per counted theme × UTC hour of `posted_at` × brand × kind × sentiment ×
copy flag, the items counted once per theme and their NPS and CSAT sums; `theme_counts_daily` the
same per UTC day, theme, sentiment and copy flag, for long ranges. Triggers on
`item_themes` (insert, delete) and `items` (update of the counted columns, delete) append each
change, in the writer's own transaction, to `theme_count_changes`: an insert-only table no two
writers ever wait on each other for (an upsert into shared rows could deadlock two PostgreSQL
writers). Reads add both; the theme worker folds the changes into `theme_counts` now and then
(`voc.themes.rollups.compact_theme_counts`). Same on SQLite and PostgreSQL (docs/themes.md
"Counts kept by the database").

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

KEY = "theme_id, hour, brand, kind, sentiment, is_copy"
MEASURES = ("items", "nps_responses", "promoters", "detractors", "csat_responses", "csat_sum")
TRIGGERS = (
    ("item_themes", "theme_counts_on_assign"),
    ("item_themes", "theme_counts_on_unassign"),
    ("items", "theme_counts_on_item_change"),
    ("items", "theme_counts_on_item_delete"),
)


def _hour(row: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"(CAST(strftime('%s', {row}.posted_at) AS INTEGER) / 3600)"
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {row}.posted_at) / 3600) AS BIGINT)"


def _apply(counted: str, row: str, sign: int, dialect: str, source: str = "") -> str:
    """Append `row`'s contribution (sign 1) or its removal (sign -1) for each counted theme in `counted`."""
    values = ", ".join(
        [
            "c.counted_id",
            _hour(row, dialect),
            f"COALESCE({row}.brand, '')",
            f"{row}.kind",
            f"COALESCE({row}.sentiment_label, '')",
            f"CASE WHEN {row}.duplicate_of IS NOT NULL AND {row}.kind <> 'survey' THEN 1 ELSE 0 END",
            f"{sign}",
            f"CASE WHEN {row}.nps IS NOT NULL THEN {sign} ELSE 0 END",
            f"CASE WHEN {row}.nps >= 9 THEN {sign} ELSE 0 END",
            f"CASE WHEN {row}.nps <= 6 THEN {sign} ELSE 0 END",
            f"CASE WHEN {row}.csat IS NOT NULL THEN {sign} ELSE 0 END",
            f"{sign} * COALESCE({row}.csat, 0)",
        ]
    )
    return f"INSERT INTO theme_count_changes ({KEY}, {', '.join(MEASURES)}) SELECT {values} FROM ({counted}) c{source};"


def _newly(row: str) -> str:
    """Counted themes `row`'s stored id brings to its item that no other of the item's ids brings."""
    return (
        f"SELECT m.counted_id FROM theme_count_map m WHERE m.stored_id = {row}.theme_id AND NOT EXISTS ("
        f"SELECT 1 FROM item_themes o JOIN theme_count_map m2 ON m2.stored_id = o.theme_id "
        f"WHERE o.item_id = {row}.item_id AND o.theme_id <> {row}.theme_id AND m2.counted_id = m.counted_id)"
    )


def _of_item(item_id: str) -> str:
    return (
        "SELECT DISTINCT m.counted_id FROM item_themes o JOIN theme_count_map m ON m.stored_id = o.theme_id "
        f"WHERE o.item_id = {item_id}"
    )


CHANGED = " OR ".join(
    f"OLD.{c} IS DISTINCT FROM NEW.{c}"
    for c in ("posted_at", "brand", "kind", "sentiment_label", "duplicate_of", "nps", "csat")
)


def _sqlite_triggers() -> list[str]:
    item = " JOIN items x ON x.id = {}.item_id"
    changed = CHANGED.replace("IS DISTINCT FROM", "IS NOT")
    return [
        # AFTER: SQLite runs row triggers row by row, so a later row sees the earlier ones.
        "CREATE TRIGGER theme_counts_on_assign AFTER INSERT ON item_themes BEGIN "
        + _apply(_newly("NEW"), "x", 1, "sqlite", item.format("NEW"))
        + " END",
        "CREATE TRIGGER theme_counts_on_unassign AFTER DELETE ON item_themes BEGIN "
        + _apply(_newly("OLD"), "x", -1, "sqlite", item.format("OLD"))
        + " END",
        f"CREATE TRIGGER theme_counts_on_item_change AFTER UPDATE ON items WHEN {changed} BEGIN "
        + _apply(_of_item("NEW.id"), "OLD", -1, "sqlite")
        + " "
        + _apply(_of_item("NEW.id"), "NEW", 1, "sqlite")
        + " END",
        # BEFORE: the cascade then removes the item's themes, whose trigger no longer finds the item.
        "CREATE TRIGGER theme_counts_on_item_delete BEFORE DELETE ON items BEGIN "
        + _apply(_of_item("OLD.id"), "OLD", -1, "sqlite")
        + " END",
    ]


# A theme change waits for a change of the same item's counted columns and the other way round, and
# then reads the item as committed (each statement of a PL/pgSQL function takes a new snapshot):
# else the one would count the item under the sentiment or the themes the other is replacing.
# Writers lock items in ascending id order (as one statement over an id list does), so this adds
# no wait cycle between them.
LOCK_ITEM = "PERFORM 1 FROM items WHERE id = {}.item_id FOR NO KEY UPDATE; "


def _postgresql_triggers() -> list[str]:
    item = " JOIN items x ON x.id = {}.item_id"

    def function(name: str, body: str, returns: str) -> str:
        # A plan per call: PL/pgSQL otherwise keeps a generic plan made while item_themes was small
        # (a sequential scan), and every later assignment then read the whole table (assigning
        # themes to a million items slowed from thousands of rows a second to under two hundred).
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan "
            f"AS $$ BEGIN {body} RETURN {returns}; END $$"
        )

    return [
        # BEFORE: PostgreSQL runs AFTER row triggers once the whole statement is done, when a row
        # could no longer tell whether another of the item's ids already counted it.
        function(
            "theme_counts_on_assign",
            LOCK_ITEM.format("NEW") + _apply(_newly("NEW"), "x", 1, "postgresql", item.format("NEW")),
            "NEW",
        ),
        "CREATE TRIGGER theme_counts_on_assign BEFORE INSERT ON item_themes "
        "FOR EACH ROW EXECUTE FUNCTION theme_counts_on_assign()",
        function(
            "theme_counts_on_unassign",
            LOCK_ITEM.format("OLD") + _apply(_newly("OLD"), "x", -1, "postgresql", item.format("OLD")),
            "OLD",
        ),
        "CREATE TRIGGER theme_counts_on_unassign BEFORE DELETE ON item_themes "
        "FOR EACH ROW EXECUTE FUNCTION theme_counts_on_unassign()",
        function(
            "theme_counts_on_item_change",
            "IF EXISTS (SELECT 1 FROM item_themes WHERE item_id = NEW.id) THEN "
            + _apply(_of_item("NEW.id"), "OLD", -1, "postgresql")
            + " "
            + _apply(_of_item("NEW.id"), "NEW", 1, "postgresql")
            + " END IF;",
            "NEW",
        ),
        f"CREATE TRIGGER theme_counts_on_item_change AFTER UPDATE ON items FOR EACH ROW WHEN ({CHANGED}) "
        "EXECUTE FUNCTION theme_counts_on_item_change()",
        function(
            "theme_counts_on_item_delete",
            "IF EXISTS (SELECT 1 FROM item_themes WHERE item_id = OLD.id) THEN "
            + _apply(_of_item("OLD.id"), "OLD", -1, "postgresql")
            + " END IF;",
            "OLD",
        ),
        "CREATE TRIGGER theme_counts_on_item_delete BEFORE DELETE ON items "
        "FOR EACH ROW EXECUTE FUNCTION theme_counts_on_item_delete()",
    ]


def _counted_pairs(rows: list[tuple[str, str | None, str | None]]) -> list[tuple[str, str]]:
    """(stored id, counted id): the theme an id resolves to (alias chains followed) and its parent.
    Frozen here as it stood at this revision; `voc.themes.rollups.counted_pairs` is the live copy."""
    by_id = {theme_id: (parent_id, alias_of) for theme_id, parent_id, alias_of in rows}
    pairs = []
    for theme_id in by_id:
        resolved, seen = theme_id, set()
        while by_id[resolved][1] and resolved not in seen:
            seen.add(resolved)
            if by_id[resolved][1] not in by_id:
                resolved = ""
                break
            resolved = str(by_id[resolved][1])
        if not resolved:
            continue
        parent = by_id[resolved][0]
        for counted in {resolved, parent} - {None}:
            pairs.append((theme_id, str(counted)))
    return pairs


def _fill(connection: sa.Connection) -> None:
    themes = connection.execute(sa.text("SELECT id, parent_id, alias_of FROM themes")).all()
    pairs = _counted_pairs([(str(i), p, a) for i, p, a in themes])
    if pairs:
        connection.execute(
            sa.text("INSERT INTO theme_count_map (stored_id, counted_id) VALUES (:s, :c)"),
            [{"s": s, "c": c} for s, c in pairs],
        )
    dialect = connection.dialect.name
    per_item = (
        "SELECT DISTINCT m.counted_id, x.id, x.posted_at, x.brand, x.kind, x.sentiment_label, x.duplicate_of, "
        "x.nps, x.csat FROM item_themes o JOIN theme_count_map m ON m.stored_id = o.theme_id "
        "JOIN items x ON x.id = o.item_id"
    )
    hour = _hour("d", dialect)
    copy = "CASE WHEN d.duplicate_of IS NOT NULL AND d.kind <> 'survey' THEN 1 ELSE 0 END"
    connection.execute(
        sa.text(
            f"INSERT INTO theme_counts ({KEY}, {', '.join(MEASURES)}) "
            f"SELECT d.counted_id, {hour}, COALESCE(d.brand, ''), d.kind, COALESCE(d.sentiment_label, ''), {copy}, "
            "COUNT(*), COUNT(d.nps), SUM(CASE WHEN d.nps >= 9 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN d.nps <= 6 THEN 1 ELSE 0 END), COUNT(d.csat), COALESCE(SUM(d.csat), 0) "
            f"FROM ({per_item}) d GROUP BY d.counted_id, {hour}, COALESCE(d.brand, ''), d.kind, "
            f"COALESCE(d.sentiment_label, ''), {copy}"
        )
    )


def upgrade() -> None:
    op.create_table(
        "theme_count_map",
        sa.Column("stored_id", sa.String(80), primary_key=True),
        sa.Column("counted_id", sa.String(80), primary_key=True),
    )
    op.create_table(
        "theme_counts",
        sa.Column("theme_id", sa.String(80), primary_key=True),
        sa.Column("hour", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("brand", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("sentiment", sa.String(16), primary_key=True),
        sa.Column("is_copy", sa.SmallInteger, primary_key=True, autoincrement=False),
        *(sa.Column(m, sa.BigInteger, nullable=False, server_default="0") for m in MEASURES),
    )
    op.create_index("ix_theme_counts_hour", "theme_counts", ["hour"])
    op.create_table(
        "theme_counts_daily",
        sa.Column("theme_id", sa.String(80), primary_key=True),
        sa.Column("day", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("sentiment", sa.String(16), primary_key=True),
        sa.Column("is_copy", sa.SmallInteger, primary_key=True, autoincrement=False),
        *(sa.Column(m, sa.BigInteger, nullable=False, server_default="0") for m in MEASURES),
    )
    op.create_table(
        "theme_count_changes",
        sa.Column("theme_id", sa.String(80), nullable=False),
        sa.Column("hour", sa.BigInteger, nullable=False),
        sa.Column("brand", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sentiment", sa.String(16), nullable=False),
        sa.Column("is_copy", sa.SmallInteger, nullable=False),
        *(sa.Column(m, sa.BigInteger, nullable=False, server_default="0") for m in MEASURES),
    )
    connection = op.get_bind()
    _fill(connection)
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    op.execute(
        f"INSERT INTO theme_counts_daily (theme_id, day, sentiment, is_copy, {', '.join(MEASURES)}) "
        f"SELECT theme_id, hour / 24, sentiment, is_copy, {sums} FROM theme_counts "
        "GROUP BY theme_id, hour / 24, sentiment, is_copy"
    )
    triggers = _sqlite_triggers() if connection.dialect.name == "sqlite" else _postgresql_triggers()
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    connection = op.get_bind()
    for table, name in TRIGGERS:
        if connection.dialect.name == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index("ix_theme_counts_hour", table_name="theme_counts")
    op.drop_table("theme_counts")
    op.drop_table("theme_count_changes")
    op.drop_table("theme_counts_daily")
    op.drop_table("theme_count_map")
