"""Survey responses with an NPS, and their promoters and detractors per UTC hour, kept by triggers.

The Trends headline's NPS counts each survey response once, however many comment fields (items)
it has, at the highest score among its items: for a year it read every answer of the year. Here
`nps_responses` holds one row per response (survey, `COALESCE(response_id, external_id)`), UTC
hour of `posted_at` and brand, with how many of its counted items carry an NPS (`items`), how many
of those score 9 or more (`high`) and 7 or 8 (`mid`). All three only add up, so any write adds
its change without reading the other items of the response: the response's highest score is 9 or
more when `high > 0` (a promoter), and 6 or less when `high = 0 AND mid = 0` (a detractor).
`nps_counts` holds per UTC hour and brand the responses, promoters and detractors of those rows.

Counted items are those the headline reads: an NPS, and not a left-out copy
(`voc.trends.counting.counted_once`). The importer gives every item of a response the response's
submission time and brand (`voc.surveys.importer.raw_items`), so a response lies in one hour and
the hours add up over any range of whole hours (docs/trends.md, "Long ranges").

Triggers on `items` keep both in the writing transaction. SQLite: row triggers that take the
response's class out of its hour, add the change to the response, put its class back and drop
a response left with no item. PostgreSQL: statement triggers (transition tables) that add the
statement's changes per response in key order, and add to the hours the difference between each
response's class after the change and before it (before = after minus the change, from the
upsert's RETURNING: no read of a state another writer may have moved). A response with no item
left is deleted by a partial index on `items = 0`.

`nps_spread` lists the responses with rows in more than one hour or brand (the importer stores
none; an edit may make one): the reader takes their rows out of the hours and counts each once
by response. After each change the triggers list again the responses it touched. A response
listed that lies in one hour after all is still counted right (only a missing one would not be).

The SQL is written out here, not imported: a later change to the triggers is a later revision.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

RESPONSE_KEY = "survey, response, hour, brand"
COUNT_KEY = "hour, brand"
# Columns whose change moves an item from one response, hour or class to another.
COUNTED = ("nps", "posted_at", "brand", "duplicate_of", "kind", "survey", "response_id", "external_id")
HOUR = {
    "sqlite": "CAST(strftime('%s', {row}posted_at) AS INTEGER) / 3600",
    "postgresql": "FLOOR(EXTRACT(EPOCH FROM {row}posted_at) / 3600)::bigint",
}
COUNTED_ROW = "{row}nps IS NOT NULL AND ({row}duplicate_of IS NULL OR {row}kind = 'survey')"
KEY_OF = "COALESCE({row}survey, ''), COALESCE({row}response_id, {row}external_id), {hour}, COALESCE({row}brand, '')"
# A response's class as (responses, promoters, detractors) from its items, high and mid.
CLASS = (
    "CASE WHEN {items} > 0 THEN 1 ELSE 0 END",
    "CASE WHEN {items} > 0 AND {high} > 0 THEN 1 ELSE 0 END",
    "CASE WHEN {items} > 0 AND {high} = 0 AND {mid} = 0 THEN 1 ELSE 0 END",
)


def _classes(items: str = "items", high: str = "high", mid: str = "mid") -> list[str]:
    return [c.format(items=items, high=high, mid=mid) for c in CLASS]


DROP_EMPTY = "DELETE FROM nps_responses WHERE items = 0;"


def _sqlite_change(row: str, sign: int) -> str:
    """The statements adding `sign` for the item `row` (NEW or OLD) to its response and hour."""
    key = KEY_OF.format(row=f"{row}.", hour=HOUR["sqlite"].format(row=f"{row}."))
    match = f"(survey, response, hour, brand) = ({key})"
    high = f"CASE WHEN {row}.nps >= 9 THEN {sign} ELSE 0 END"
    mid = f"CASE WHEN {row}.nps BETWEEN 7 AND 8 THEN {sign} ELSE 0 END"

    def classes(direction: int) -> str:
        figures = ", ".join(f"{direction} * ({c})" for c in _classes())
        return f"""
    INSERT INTO nps_counts ({COUNT_KEY}, responses, promoters, detractors)
    SELECT hour, brand, {figures} FROM nps_responses WHERE {match}
    ON CONFLICT ({COUNT_KEY}) DO UPDATE SET responses = responses + excluded.responses,
        promoters = promoters + excluded.promoters, detractors = detractors + excluded.detractors;"""

    survey, response = f"COALESCE({row}.survey, '')", f"COALESCE({row}.response_id, {row}.external_id)"
    spread = f"""
    DELETE FROM nps_spread WHERE survey = {survey} AND response = {response};
    INSERT INTO nps_spread (survey, response) SELECT survey, response FROM nps_responses
    WHERE survey = {survey} AND response = {response} GROUP BY survey, response HAVING COUNT(*) > 1;"""
    return f"""{classes(-1)}
    INSERT INTO nps_responses ({RESPONSE_KEY}, items, high, mid) VALUES ({key}, {sign}, {high}, {mid})
    ON CONFLICT ({RESPONSE_KEY}) DO UPDATE SET items = items + excluded.items, high = high + excluded.high,
        mid = mid + excluded.mid;{classes(1)}
    {DROP_EMPTY}{spread}"""


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in COUNTED)
    old, new = COUNTED_ROW.format(row="OLD."), COUNTED_ROW.format(row="NEW.")
    return [
        f"CREATE TRIGGER nps_responses_insert AFTER INSERT ON items WHEN {new} BEGIN {_sqlite_change('NEW', 1)} END",
        f"CREATE TRIGGER nps_responses_delete AFTER DELETE ON items WHEN {old} BEGIN {_sqlite_change('OLD', -1)} END",
        f"CREATE TRIGGER nps_responses_update_old AFTER UPDATE OF {', '.join(COUNTED)} ON items "
        f"WHEN ({changed}) AND {old} BEGIN {_sqlite_change('OLD', -1)} END",
        f"CREATE TRIGGER nps_responses_update_new AFTER UPDATE OF {', '.join(COUNTED)} ON items "
        f"WHEN ({changed}) AND {new} BEGIN {_sqlite_change('NEW', 1)} END",
    ]


def _pg_apply(delta: str) -> str:
    """`delta` (item columns and a sign per changed row) added per response in key order, then
    the change of each response's class added to its hour in key order."""
    key = KEY_OF.format(row="", hour=HOUR["postgresql"].format(row=""))
    after = ", ".join(_classes("u.items", "u.high", "u.mid"))
    before = ", ".join(_classes("(u.items - d.items)", "(u.high - d.high)", "(u.mid - d.mid)"))
    touched = (
        "SELECT DISTINCT COALESCE(survey, '') AS survey, COALESCE(response_id, external_id) AS response "
        f"FROM rows WHERE {COUNTED_ROW.format(row='')}"
    )
    return f"""
    WITH rows AS ({delta}),
    dk (survey, response, hour, brand, items, high, mid) AS (
        SELECT {key}, SUM(sign), SUM(CASE WHEN nps >= 9 THEN sign ELSE 0 END),
               SUM(CASE WHEN nps BETWEEN 7 AND 8 THEN sign ELSE 0 END)
        FROM rows WHERE {COUNTED_ROW.format(row="")} GROUP BY 1, 2, 3, 4
        HAVING SUM(sign) <> 0 OR SUM(CASE WHEN nps >= 9 THEN sign ELSE 0 END) <> 0
            OR SUM(CASE WHEN nps BETWEEN 7 AND 8 THEN sign ELSE 0 END) <> 0),
    u AS (
        INSERT INTO nps_responses ({RESPONSE_KEY}, items, high, mid)
        SELECT {RESPONSE_KEY}, items, high, mid FROM dk ORDER BY 1, 2, 3, 4
        ON CONFLICT ({RESPONSE_KEY}) DO UPDATE SET items = nps_responses.items + EXCLUDED.items,
            high = nps_responses.high + EXCLUDED.high, mid = nps_responses.mid + EXCLUDED.mid
        RETURNING {RESPONSE_KEY}, items, high, mid),
    c AS (
        SELECT u.hour, u.brand, {after}, 1 AS sign FROM u
        UNION ALL
        SELECT u.hour, u.brand, {before}, -1 FROM u JOIN dk AS d USING ({RESPONSE_KEY}))
    INSERT INTO nps_counts ({COUNT_KEY}, responses, promoters, detractors)
    SELECT hour, brand, SUM(sign * r), SUM(sign * p), SUM(sign * x) FROM c AS c (hour, brand, r, p, x, sign)
    GROUP BY 1, 2 HAVING SUM(sign * r) <> 0 OR SUM(sign * p) <> 0 OR SUM(sign * x) <> 0
    ORDER BY 1, 2
    ON CONFLICT ({COUNT_KEY}) DO UPDATE SET responses = nps_counts.responses + EXCLUDED.responses,
        promoters = nps_counts.promoters + EXCLUDED.promoters, detractors = nps_counts.detractors + EXCLUDED.detractors;
    {DROP_EMPTY}
    WITH rows AS ({delta}), k AS ({touched})
    DELETE FROM nps_spread AS s USING k WHERE s.survey = k.survey AND s.response = k.response;
    WITH rows AS ({delta}), k AS ({touched})
    INSERT INTO nps_spread (survey, response)
    SELECT r.survey, r.response FROM nps_responses AS r JOIN k USING (survey, response)
    GROUP BY 1, 2 HAVING COUNT(*) > 1 ORDER BY 1, 2
    ON CONFLICT (survey, response) DO NOTHING;"""


def _pg_function(name: str, delta: str) -> str:
    # Custom plans: a generic plan of the statement would not know the transition table's size.
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan "
        f"AS $$ BEGIN {_pg_apply(delta)} RETURN NULL; END $$"
    )


def _pg_statements() -> list[str]:
    columns = ", ".join(COUNTED)
    old = ", ".join(f"o.{c}" for c in COUNTED)
    new = ", ".join(f"n.{c}" for c in COUNTED)
    update_delta = f"""
        WITH changed AS (
            SELECT {", ".join(f"o.{c} AS old_{c}" for c in COUNTED)}, {new}
            FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
            WHERE (o.nps IS NOT NULL OR n.nps IS NOT NULL) AND ({old}) IS DISTINCT FROM ({new}))
        SELECT {", ".join(f"old_{c} AS {c}" for c in COUNTED)}, -1 AS sign FROM changed
        UNION ALL SELECT {columns}, 1 FROM changed"""
    return [
        _pg_function("nps_responses_insert", f"SELECT {columns}, 1 AS sign FROM new_rows WHERE nps IS NOT NULL"),
        _pg_function("nps_responses_delete", f"SELECT {columns}, -1 AS sign FROM old_rows WHERE nps IS NOT NULL"),
        _pg_function("nps_responses_update", update_delta),
        "CREATE TRIGGER nps_responses_insert AFTER INSERT ON items REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION nps_responses_insert()",
        "CREATE TRIGGER nps_responses_delete AFTER DELETE ON items REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION nps_responses_delete()",
        "CREATE TRIGGER nps_responses_update AFTER UPDATE ON items REFERENCING OLD TABLE AS old_rows "
        "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nps_responses_update()",
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":  # no item written between the fill and the triggers goes uncounted
        op.execute("LOCK TABLE items IN SHARE ROW EXCLUSIVE MODE")
    op.create_table(
        "nps_responses",
        sa.Column("survey", sa.Text, nullable=False),  # "" for an answer without a survey name
        sa.Column("response", sa.Text, nullable=False),  # COALESCE(response_id, external_id)
        sa.Column("hour", sa.BigInteger, nullable=False, autoincrement=False),  # hours since 1970, UTC
        sa.Column("brand", sa.Text, nullable=False),  # "" when the item has none
        sa.Column("items", sa.BigInteger, nullable=False),
        sa.Column("high", sa.BigInteger, nullable=False),  # items scoring 9 or more
        sa.Column("mid", sa.BigInteger, nullable=False),  # items scoring 7 or 8
        sa.PrimaryKeyConstraint("survey", "response", "hour", "brand", name="pk_nps_responses"),
    )
    op.create_index(
        "ix_nps_responses_empty", "nps_responses", ["items"],
        sqlite_where=sa.text("items = 0"), postgresql_where=sa.text("items = 0"),
    )  # fmt: skip
    op.create_table(  # responses with rows in more than one hour or brand: read by response, not by hour
        "nps_spread",
        sa.Column("survey", sa.Text, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("survey", "response", name="pk_nps_spread"),
    )
    op.create_table(
        "nps_counts",
        sa.Column("hour", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("brand", sa.Text, nullable=False),
        sa.Column("responses", sa.BigInteger, nullable=False),
        sa.Column("promoters", sa.BigInteger, nullable=False),
        sa.Column("detractors", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("hour", "brand", name="pk_nps_counts"),
        sqlite_with_rowid=False,
    )
    key = KEY_OF.format(row="", hour=HOUR[dialect].format(row=""))
    op.execute(
        f"INSERT INTO nps_responses ({RESPONSE_KEY}, items, high, mid) "
        f"SELECT {key}, COUNT(*), SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END) FROM items "
        f"WHERE {COUNTED_ROW.format(row='')} GROUP BY 1, 2, 3, 4"
    )
    op.execute(
        "INSERT INTO nps_spread (survey, response) SELECT survey, response FROM nps_responses "
        "GROUP BY survey, response HAVING COUNT(*) > 1"
    )
    op.execute(
        f"INSERT INTO nps_counts ({COUNT_KEY}, responses, promoters, detractors) "
        f"SELECT {COUNT_KEY}, {', '.join(f'SUM({c})' for c in _classes())} FROM nps_responses "
        f"GROUP BY {COUNT_KEY}"
    )
    statements = _sqlite_triggers() if dialect == "sqlite" else _pg_statements()
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("insert", "delete", "update_old", "update_new"):
            op.execute(f"DROP TRIGGER IF EXISTS nps_responses_{name}")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS nps_responses_{name} ON items")
            op.execute(f"DROP FUNCTION IF EXISTS nps_responses_{name}()")
    op.drop_table("nps_counts")
    op.drop_table("nps_spread")
    op.drop_index("ix_nps_responses_empty", table_name="nps_responses")
    op.drop_table("nps_responses")
