"""Hourly theme counts (`theme_counts`, revision 0015): the Themes overview and the export's theme
mix read whole hours from here and only the partial hours at the edges from the items.

Rows are keyed by the *counted* theme (the theme a stored id resolves to today, and its parent),
so an item holding two ids that count towards the same theme is one item there, as the raw
reports count it. Database triggers keep the rows in the writer's own transaction on every write
of `item_themes` and of the counted columns of `items`; a taxonomy change rewrites
`theme_count_map` and the rows of the counted themes whose members changed (`follow_taxonomy`,
called by `voc.themes.repository.record_version`). `rebuild_theme_counts` recomputes everything
and `check_theme_counts` lists where the stored rows differ from a recount (docs/themes.md).

Domain module: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import sqlalchemy as sa

from voc.store.ranges import RangePlan
from voc.store.rollups import Difference, Progress, register
from voc.store.schema import (
    coverage_count_changes,
    coverage_counts,
    item_counts,
    item_counts_daily,
    item_themes,
    items,
    theme_assessments,
    theme_count_changes,
    theme_count_map,
    theme_counts,
    theme_counts_brand_daily,
    theme_counts_daily,
    themes,
)
from voc.themes.taxonomy import Taxonomy, Theme
from voc.trends.buckets import epoch_slot
from voc.trends.counting import left_out_copy

HOUR_SECONDS: Final = 3600
KEY: Final = ("theme_id", "hour", "brand", "kind", "sentiment", "is_copy")
DAILY_KEY: Final = ("theme_id", "day", "sentiment", "is_copy")
BRAND_DAILY_KEY: Final = ("brand", "day", "theme_id", "sentiment", "is_copy")  # revision 0024
MEASURES: Final = ("items", "nps_responses", "promoters", "detractors", "csat_responses", "csat_sum")
# SELECTs per statement when reading many spans: SQLite allows 500 in one compound statement.
SPANS_PER_READ: Final = 200


# ---- which counted themes each stored id counts towards ---------------------------------------------


def counted_pairs(taxonomy: Taxonomy) -> set[tuple[str, str]]:
    """(stored id, counted id): the theme the id resolves to today and its parent, as
    `voc.themes.reports` counts them (a retired theme still counts towards itself and its parent)."""
    pairs = set()
    for theme in taxonomy.themes:
        resolved = taxonomy.resolve(theme.id)
        if resolved is None:
            continue
        for counted in {resolved.id, resolved.parent_id} - {None}:
            pairs.add((theme.id, str(counted)))
    return pairs


def retired_members(taxonomy: Taxonomy) -> bool:
    """True when a stored id resolves to a retired theme that has a parent: the export's mix leaves
    such items out of the parent (`voc.exports.summary._counted_ids`), the Themes page keeps them,
    so the one rollup cannot serve both and the export reads its rows."""
    for theme in taxonomy.themes:
        resolved = taxonomy.resolve(theme.id)
        if resolved is not None and not resolved.active and resolved.parent_id is not None:
            return True
    return False


COMPACTOR_LOCK: Final = 7150015  # PostgreSQL advisory lock: one fold or recount at a time


def _hold_writers(connection: sa.Connection) -> None:
    """On PostgreSQL, wait for the writers that already counted to commit and keep new ones waiting
    until this transaction ends: every trigger reads the map, so nobody counts under an old map
    while it changes or recounts rows this transaction is replacing (SQLite writers take turns)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(COMPACTOR_LOCK)))
        connection.exec_driver_sql("LOCK TABLE theme_count_map IN ACCESS EXCLUSIVE MODE")


def lock_items(connection: sa.Connection, item_ids: Iterable[int]) -> None:
    """Before changing these items' themes on PostgreSQL: take their row locks in id order, as the
    triggers would one by one (docs/themes.md): two writers then never wait on each other in a circle."""
    ids = sorted({int(i) for i in item_ids})
    if ids and connection.dialect.name == "postgresql":
        locked = sa.select(items.c.id).where(items.c.id.in_(ids)).order_by(items.c.id)
        connection.execute(locked.with_for_update(key_share=True))  # FOR NO KEY UPDATE, as the triggers take


def _stored_pairs(connection: sa.Connection) -> set[tuple[str, str]]:
    return {(str(s), str(c)) for s, c in connection.execute(sa.select(theme_count_map))}


def follow_taxonomy(connection: sa.Connection, taxonomy: Taxonomy) -> set[str]:
    """After a taxonomy change, in its transaction: rewrite the map and recount the counted themes
    whose members changed (a merge, a move, a new sub-theme); returns those themes."""
    _hold_writers(connection)
    wanted, stored = counted_pairs(taxonomy), _stored_pairs(connection)
    gone, new = stored - wanted, wanted - stored
    if not gone and not new:
        return set()
    for stored_id, counted_id in gone:
        connection.execute(
            theme_count_map.delete().where(
                theme_count_map.c.stored_id == stored_id, theme_count_map.c.counted_id == counted_id
            )
        )
    if new:
        connection.execute(theme_count_map.insert(), [{"stored_id": s, "counted_id": c} for s, c in sorted(new)])
    affected = {c for _, c in gone | new}
    _recount(connection, affected)
    return affected


# ---- recount --------------------------------------------------------------------------------------


def _expected(counted: Iterable[str] | None = None) -> sa.Select[Any]:
    """The rows `theme_counts` should hold (for `counted` themes only, or all), from the items."""
    per_item = sa.select(
        theme_count_map.c.counted_id.label("theme_id"),
        items.c.id,
        items.c.posted_at,
        items.c.brand,
        items.c.kind,
        items.c.sentiment_label,
        items.c.nps,
        items.c.csat,
        sa.case((left_out_copy(), 1), else_=0).label("is_copy"),
    ).select_from(
        item_themes.join(theme_count_map, theme_count_map.c.stored_id == item_themes.c.theme_id).join(
            items, items.c.id == item_themes.c.item_id
        )
    )
    if counted is not None:
        per_item = per_item.where(theme_count_map.c.counted_id.in_(sorted(counted)))
    d = per_item.distinct().subquery("d")
    hour = epoch_slot(d.c.posted_at, HOUR_SECONDS)
    brand = sa.func.coalesce(d.c.brand, "")
    sentiment = sa.func.coalesce(d.c.sentiment_label, "")
    count_if = lambda condition: sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)  # noqa: E731
    return sa.select(
        d.c.theme_id,
        hour.label("hour"),
        brand.label("brand"),
        d.c.kind,
        sentiment.label("sentiment"),
        d.c.is_copy,
        sa.func.count().label("items"),
        sa.func.count(d.c.nps).label("nps_responses"),
        count_if(d.c.nps >= 9).label("promoters"),
        count_if(d.c.nps <= 6).label("detractors"),
        sa.func.count(d.c.csat).label("csat_responses"),
        sa.func.coalesce(sa.func.sum(d.c.csat), 0).label("csat_sum"),
    ).group_by(d.c.theme_id, hour, brand, d.c.kind, sentiment, d.c.is_copy)


def _recount(connection: sa.Connection, counted: Iterable[str] | None = None) -> int:
    chosen = None if counted is None else sorted(set(counted))
    if chosen is not None and not chosen:
        return 0
    for table in (theme_counts, theme_count_changes):
        delete = table.delete()
        if chosen is not None:
            delete = delete.where(table.c.theme_id.in_(chosen))
        connection.execute(delete)
    connection.execute(theme_counts.insert().from_select([*KEY, *MEASURES], _expected(chosen)))
    daily = theme_counts_daily.delete()
    if chosen is not None:
        daily = daily.where(theme_counts_daily.c.theme_id.in_(chosen))
    connection.execute(daily)
    connection.execute(theme_counts_daily.insert().from_select([*DAILY_KEY, *MEASURES], _daily_of(chosen)))
    brand_daily = theme_counts_brand_daily.delete()
    if chosen is not None:
        brand_daily = brand_daily.where(theme_counts_brand_daily.c.theme_id.in_(chosen))
    connection.execute(brand_daily)
    connection.execute(
        theme_counts_brand_daily.insert().from_select([*BRAND_DAILY_KEY, *MEASURES], _daily_of(chosen, by_brand=True))
    )
    count = sa.select(sa.func.count()).select_from(theme_counts)
    if chosen is not None:
        count = count.where(theme_counts.c.theme_id.in_(chosen))
    return int(connection.execute(count).scalar_one())  # rowcount of INSERT ... SELECT is -1 on psycopg


def _daily_of(counted: Iterable[str] | None = None, *, by_brand: bool = False) -> sa.Select[Any]:
    """`theme_counts_daily` rows (or `theme_counts_brand_daily`'s, `by_brand`) as the sums of the
    hourly rows (for `counted` themes only, or all), in the table's key order."""
    hourly = theme_counts
    day = (hourly.c.hour // 24).label("day")  # whole days since 1970, UTC
    keys = [hourly.c.brand, day, hourly.c.theme_id] if by_brand else [hourly.c.theme_id, day]
    keys += [hourly.c.sentiment, hourly.c.is_copy]
    query = sa.select(*keys, *(sa.func.sum(hourly.c[m]).label(m) for m in MEASURES))
    if counted is not None:
        query = query.where(hourly.c.theme_id.in_(sorted(counted)))
    return query.group_by(*keys)


def compact_theme_counts(connection: sa.Connection) -> int:
    """Fold the changes the triggers appended into `theme_counts` and `theme_counts_daily`, in the
    caller's write transaction; returns how many changes it folded. Exact beside concurrent
    writers: on PostgreSQL one statement moves exactly the changes it deletes, and a writer still
    open keeps its changes for the next fold."""
    key, daily_key, measures = ", ".join(KEY), ", ".join(DAILY_KEY), ", ".join(MEASURES)
    by_day = "theme_id, hour / 24, sentiment, is_copy"
    brand_daily_key, by_brand_day = ", ".join(BRAND_DAILY_KEY), "brand, hour / 24, theme_id, sentiment, is_copy"
    sums = ", ".join(f"SUM({m})" for m in MEASURES)

    def fold(source: str, table: str, columns: str, grouped: str) -> str:
        update = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in MEASURES)
        return (
            f"INSERT INTO {table} ({columns}, {measures}) SELECT {grouped}, {sums} FROM {source} WHERE TRUE "
            f"GROUP BY {grouped} ON CONFLICT ({columns}) DO UPDATE SET {update}"
        )

    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(COMPACTOR_LOCK)))
        moved, low, high = connection.execute(
            sa.text(
                "WITH moved AS (DELETE FROM theme_count_changes RETURNING *), "
                f"hourly AS ({fold('moved', 'theme_counts', key, key)} RETURNING 1), "
                f"daily AS ({fold('moved', 'theme_counts_daily', daily_key, by_day)} RETURNING 1), "
                f"brand_daily AS ({fold('moved', 'theme_counts_brand_daily', brand_daily_key, by_brand_day)} "
                "RETURNING 1) "
                "SELECT (SELECT COUNT(*) FROM moved), (SELECT MIN(hour) FROM moved), (SELECT MAX(hour) FROM moved)"
            )
        ).one()
    else:  # SQLite writers take turns: nothing lands between these statements
        moved, low, high = connection.execute(
            sa.select(sa.func.count(), sa.func.min(theme_count_changes.c.hour), sa.func.max(theme_count_changes.c.hour))
        ).one()
        if moved:
            connection.execute(sa.text(fold("theme_count_changes", "theme_counts", key, key)))
            connection.execute(sa.text(fold("theme_count_changes", "theme_counts_daily", daily_key, by_day)))
            connection.execute(
                sa.text(fold("theme_count_changes", "theme_counts_brand_daily", brand_daily_key, by_brand_day))
            )
            connection.execute(theme_count_changes.delete())
    if moved:  # rows a removal emptied go: the tables hold only what is counted
        hourly = theme_counts
        connection.execute(hourly.delete().where(hourly.c["items"] == 0, hourly.c.hour.between(low, high)))
        for daily in (theme_counts_daily, theme_counts_brand_daily):
            connection.execute(daily.delete().where(daily.c["items"] == 0, daily.c.day.between(low // 24, high // 24)))
    return int(moved) + _fold_coverage(connection)  # the coverage counts' changes too (revision 0018)


def pending_changes(connection: sa.Connection) -> bool:
    """True when the triggers appended changes not folded yet."""
    return any(
        connection.execute(sa.select(table.c.hour).limit(1)).first() is not None
        for table in (theme_count_changes, coverage_count_changes)
    )


def _load_taxonomy(connection: sa.Connection) -> Taxonomy:
    rows = connection.execute(sa.select(themes.c.id, themes.c.name, themes.c.parent_id, themes.c.status,
                                        themes.c.alias_of)).mappings().all()  # fmt: skip
    version = 0  # the version does not matter to what counts where
    return Taxonomy(version, tuple(Theme.from_row(dict(row)) for row in rows))


def rebuild_theme_counts(connection: sa.Connection, progress: Progress | None = None) -> int:
    """Recompute the map and every row from the items, in the caller's write transaction; rows written."""
    _hold_writers(connection)
    wanted = counted_pairs(_load_taxonomy(connection))
    connection.execute(theme_count_map.delete())
    if wanted:
        connection.execute(theme_count_map.insert(), [{"stored_id": s, "counted_id": c} for s, c in sorted(wanted)])
    written = _recount(connection)
    if progress is not None:
        progress(1, 1)
    return written


def check_theme_counts(connection: sa.Connection) -> list[Difference]:
    """Where the map or the stored rows differ from a recount from the taxonomy and the items (none: exact)."""
    differences = []
    wanted, stored = counted_pairs(_load_taxonomy(connection)), _stored_pairs(connection)
    for pair in sorted(wanted ^ stored):
        differences.append(Difference("theme_count_map", pair, int(pair in wanted), int(pair in stored)))
    expected = _figures(connection.execute(_expected()).all())
    both = _stored_rows()
    kept = _figures(
        connection.execute(
            sa.select(*(both.c[c] for c in KEY), *(sa.func.sum(both.c[m]) for m in MEASURES)).group_by(
                *(both.c[c] for c in KEY)
            )
        ).all()
    )
    zero = (0,) * len(MEASURES)
    for key in sorted(set(expected) | set(kept), key=repr):
        differences += _per_measure("theme_counts", key, expected.get(key, zero), kept.get(key, zero))
    for table, day_key in ((theme_counts_daily, DAILY_KEY), (theme_counts_brand_daily, BRAND_DAILY_KEY)):
        differences += _day_differences(connection, table, day_key, expected)
    return differences


def _day_differences(
    connection: sa.Connection,
    table: sa.Table,
    day_key: Sequence[str],
    expected: dict[tuple[Any, ...], tuple[int, ...]],
) -> list[Difference]:
    """Where a daily table (with the changes not folded yet) differs from the day's sums of what
    the hours should be (`expected`, by `KEY`)."""
    zero = (0,) * len(MEASURES)
    days: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for (theme_id, hour, brand, _kind, sentiment, is_copy), values in expected.items():
        parts = {"theme_id": theme_id, "day": hour // 24, "brand": brand, "sentiment": sentiment, "is_copy": is_copy}
        key = tuple(parts[name] for name in day_key)
        days[key] = tuple(a + b for a, b in zip(days.get(key, zero), values, strict=True))
    changes = theme_count_changes
    unit = {name: changes.c[name] for name in day_key if name != "day"} | {"day": (changes.c.hour // 24).label("day")}
    pending = sa.select(*(unit[name] for name in day_key), *(changes.c[m] for m in MEASURES))
    daily = sa.union_all(sa.select(*(table.c[c] for c in (*day_key, *MEASURES))), pending).subquery()
    stored_days: dict[tuple[Any, ...], tuple[int, ...]] = {}
    grouped = sa.select(*(daily.c[c] for c in day_key), *(sa.func.sum(daily.c[m]) for m in MEASURES)).group_by(
        *(daily.c[c] for c in day_key)
    )
    for row in connection.execute(grouped):
        values = tuple(int(v) for v in row[len(day_key) :])
        if any(values):
            key = row[: len(day_key)]
            stored_days[
                tuple(int(v) if name in ("day", "is_copy") else str(v) for name, v in zip(day_key, key, strict=True))
            ] = values
    differences: list[Difference] = []
    for key in sorted(set(days) | set(stored_days), key=repr):
        differences += _per_measure(table.name, key, days.get(key, zero), stored_days.get(key, zero))
    return differences


def _per_measure(
    name: str,
    key: tuple[Any, ...],
    expected: tuple[int, ...],
    stored: tuple[int, ...],
    measures: Sequence[str] = MEASURES,
) -> list[Difference]:
    """One difference per figure that is off, the figure's name ending the key."""
    return [
        Difference(name, (*key, measure), want, have)
        for measure, want, have in zip(measures, expected, stored, strict=True)
        if want != have
    ]


def _stored_rows() -> Any:
    """`theme_counts` and the changes not folded into it yet: what they say together is the count."""
    columns = [*KEY, *MEASURES]
    return sa.union_all(
        sa.select(*(theme_counts.c[c] for c in columns)), sa.select(*(theme_count_changes.c[c] for c in columns))
    ).subquery("stored")


def _figures(rows: Iterable[Any]) -> dict[tuple[Any, ...], tuple[int, ...]]:
    out = {}
    for row in rows:
        key = (str(row[0]), int(row[1]), str(row[2]), str(row[3]), str(row[4]), int(row[5]))
        values = tuple(int(v) for v in row[len(KEY) :])
        if any(values):
            out[key] = values
    return out


# ---- coverage_counts (revision 0018) ---------------------------------------------------------------

COVERAGE_MEASURES: Final = ("assessed", "themed")


def _fold_coverage(connection: sa.Connection) -> int:
    """Fold the coverage changes the triggers appended into `coverage_counts` (in the caller's
    write transaction, under the compactor's lock on PostgreSQL); returns how many it folded."""
    update = (
        "assessed = coverage_counts.assessed + excluded.assessed, themed = coverage_counts.themed + excluded.themed"
    )
    fold = (
        "INSERT INTO coverage_counts (hour, assessed, themed) SELECT hour, SUM(assessed), SUM(themed) FROM {} "
        f"WHERE TRUE GROUP BY hour ON CONFLICT (hour) DO UPDATE SET {update}"
    )
    if connection.dialect.name == "postgresql":
        moved, low, high = connection.execute(
            sa.text(
                "WITH moved AS (DELETE FROM coverage_count_changes RETURNING *), "
                f"folded AS ({fold.format('moved')} RETURNING 1) "
                "SELECT (SELECT COUNT(*) FROM moved), (SELECT MIN(hour) FROM moved), (SELECT MAX(hour) FROM moved)"
            )
        ).one()
    else:
        changes = coverage_count_changes
        moved, low, high = connection.execute(
            sa.select(sa.func.count(), sa.func.min(changes.c.hour), sa.func.max(changes.c.hour))
        ).one()
        if moved:
            connection.execute(sa.text(fold.format("coverage_count_changes")))
            connection.execute(changes.delete())
    if moved:
        table = coverage_counts
        connection.execute(
            table.delete().where(table.c.assessed == 0, table.c.themed == 0, table.c.hour.between(low, high))
        )
    return int(moved)


def _expected_coverage() -> Any:
    """The rows `coverage_counts` should hold, from the assessments and their items."""
    hour = epoch_slot(items.c.posted_at, HOUR_SECONDS)
    themed = sa.func.sum(sa.case((theme_assessments.c.themes > 0, 1), else_=0))
    return (
        sa.select(hour.label("hour"), sa.func.count().label("assessed"), themed.label("themed"))
        .select_from(theme_assessments.join(items, items.c.id == theme_assessments.c.item_id))
        .group_by(hour)
    )


def rebuild_coverage_counts(connection: sa.Connection, progress: Progress | None = None) -> int:
    """Recompute `coverage_counts` from the assessments, in the caller's write transaction; rows written."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(COMPACTOR_LOCK)))
    connection.execute(coverage_count_changes.delete())
    connection.execute(coverage_counts.delete())
    connection.execute(coverage_counts.insert().from_select(["hour", *COVERAGE_MEASURES], _expected_coverage()))
    if progress is not None:
        progress(1, 1)
    return int(connection.execute(sa.select(sa.func.count()).select_from(coverage_counts)).scalar_one())


def check_coverage_counts(connection: sa.Connection) -> list[Difference]:
    """Where `coverage_counts` and the changes not folded yet differ from a recount (none: exact)."""
    expected = {int(h): (int(a), int(t)) for h, a, t in connection.execute(_expected_coverage())}
    both = sa.union_all(
        sa.select(coverage_counts.c.hour, coverage_counts.c.assessed, coverage_counts.c.themed),
        sa.select(coverage_count_changes.c.hour, coverage_count_changes.c.assessed, coverage_count_changes.c.themed),
    ).subquery()
    stored = {
        int(h): (int(a), int(t))
        for h, a, t in connection.execute(
            sa.select(both.c.hour, sa.func.sum(both.c.assessed), sa.func.sum(both.c.themed)).group_by(both.c.hour)
        )
    }
    differences = []
    for hour in sorted(set(expected) | set(stored)):
        want, have = expected.get(hour, (0, 0)), stored.get(hour, (0, 0))
        differences += _per_measure("coverage_counts", (hour,), want, have, COVERAGE_MEASURES)
    return differences


def coverage_sums(connection: sa.Connection, plan: RangePlan) -> tuple[int, int, int]:
    """(items, assessed, themed) over the whole days and hours of `plan`: the items from
    `item_counts_daily` and `item_counts` (facet "all"), the assessments from `coverage_counts`
    and the changes not folded yet. The plan's raw edges are the caller's to count from rows."""
    reads: list[Any] = []
    zero: Any = sa.literal_column("0")
    for table, unit, spans in ((item_counts_daily, "day", plan.days), (item_counts, "hour", plan.hours)):
        query = sa.select(sa.func.sum(table.c["items"]).label("items"), zero.label("assessed"), zero.label("themed"))
        reads += [query.where(table.c.facet == "all", table.c[unit] >= a, table.c[unit] < b) for a, b in spans]
    for table in (coverage_counts, coverage_count_changes):
        query = sa.select(zero.label("items"), sa.func.sum(table.c.assessed), sa.func.sum(table.c.themed))
        reads += [query.where(table.c.hour >= a, table.c.hour < b) for a, b in plan.hour_spans()]
    totals = [0, 0, 0]
    for at in range(0, len(reads), SPANS_PER_READ):
        chunk = reads[at : at + SPANS_PER_READ]
        statement: Any = chunk[0] if len(chunk) == 1 else sa.union_all(*chunk)
        for row in connection.execute(statement):
            for position, value in enumerate(row):
                totals[position] += int(value or 0)
    return totals[0], totals[1], totals[2]


# ---- reading ----------------------------------------------------------------------------------------


def rollup_rows(
    connection: sa.Connection,
    plan: RangePlan,
    *,
    theme_ids: Iterable[str] | None = None,
    once: bool = False,
    brand: str | None = None,
    by_hour: bool = False,
) -> list[dict[str, Any]]:
    """Summed figures per counted theme × sentiment (× hour with `by_hour`: a day's rows stand at
    its first hour) over what `plan` (`voc.store.ranges.plan_range`) gives a rollup: its days from
    `theme_counts_daily` (by brand: `theme_counts_brand_daily`), its hours from
    `theme_counts`, and the changes not folded yet. A key may come in several rows: add them up."""
    day_spans, hour_spans = plan.days, plan.hours
    days_table = theme_counts_daily if brand is None else theme_counts_brand_daily
    reads: list[Any] = []
    out: list[dict[str, Any]] = []
    for table, unit, spans in ((theme_counts, "hour", hour_spans), (days_table, "day", day_spans),
                               (theme_count_changes, "hour", plan.hour_spans())):  # fmt: skip
        if not spans:
            continue
        conditions: list[Any] = []
        if theme_ids is not None:
            conditions.append(table.c.theme_id.in_(sorted(set(theme_ids))))
        if once:
            conditions.append(table.c.is_copy == 0)
        if brand is not None:
            conditions.append(table.c.brand == brand)
        columns: list[Any] = [table.c.theme_id, table.c.sentiment]
        if by_hour:
            columns.append(table.c.hour if unit == "hour" else (table.c.day * sa.literal_column("24")).label("hour"))
        query = sa.select(*columns, *(sa.func.sum(table.c[m]).label(m) for m in MEASURES)).where(*conditions)
        if by_hour:  # a row per hour anyway: one range from the first span to the last, the gaps dropped
            query = query.where(table.c[unit] >= spans[0][0], table.c[unit] < spans[-1][1]).group_by(*columns)
            kept = {u for a, b in spans for u in range(a, b)}
            size = 24 if unit == "day" else 1
            out += [row for row in map(dict, connection.execute(query).mappings()) if int(row["hour"]) // size in kept]
        else:  # one SELECT per span in a UNION ALL: SQLite answered an OR of many by reading the whole table
            reads += [query.where(table.c[unit] >= a, table.c[unit] < b).group_by(*columns) for a, b in spans]
    for at in range(0, len(reads), SPANS_PER_READ):
        chunk = reads[at : at + SPANS_PER_READ]
        statement: Any = chunk[0] if len(chunk) == 1 else sa.union_all(*chunk)
        out += [dict(row) for row in connection.execute(statement).mappings()]
    return out


def serves(connection: sa.Connection, taxonomy: Taxonomy) -> bool:
    """True when the stored map is the one `taxonomy` makes: the rollup then counts as the rows do
    under it (a caller holding an older taxonomy reads the rows)."""
    return _stored_pairs(connection) == counted_pairs(taxonomy)


register("theme_counts", rebuild_theme_counts, check_theme_counts)
register("coverage_counts", rebuild_coverage_counts, check_coverage_counts)
