"""Rollup tables: counts kept beside the rows they count, so long ranges read hours, not items.

A rollup is kept in the writing transaction by database triggers (created by its migration), so
no writer has to remember it. This module is where each rollup registers how to recompute it from
scratch and how to find where it differs from its source rows: `python -m voc rollups rebuild`
and `python -m voc rollups check` run every registered one (`register`). It holds `item_counts`
(revision 0014): items per UTC hour by brand, competitor flag, kind, sentiment and copy, once for
every item (facet "all") and once more by each of its channel, language and scorer; and
`item_counts_daily` (revision 0017): the same per UTC day, kept by the same triggers.

Domain: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa

from voc.inbox.storing import lock_item_writers
from voc.store.schema import item_counts, item_counts_daily, items
from voc.trends.buckets import epoch_slot
from voc.trends.counting import left_out_copy

if TYPE_CHECKING:  # the facade imports the repositories; a rollup module may be imported by one
    from voc.store.facade import Store

# How a long rebuild reports: (steps done, steps in all).
Progress = Callable[[int, int], None]
HOUR_SECONDS: Final = 3600
DAY_SECONDS: Final = 86400
FACETS: Final = ("all", "channel", "language", "scorer")
# A rebuild's step: this span of posted_at (whole hours) for one facet.
REBUILD_SPAN: Final = timedelta(days=30)
KEY: Final = ("facet", "value", "hour", "brand", "is_competitor", "kind", "sentiment", "copy")


@dataclass(frozen=True)
class Difference:
    """One key whose stored figures are not what the source rows say (zeros for a row missing)."""

    rollup: str
    key: tuple[Any, ...]
    expected: Any
    stored: Any

    def __str__(self) -> str:
        return f"{self.rollup} {self.key}: expected {self.expected}, stored {self.stored}"


@dataclass(frozen=True)
class Rollup:
    """A registered rollup: `rebuild` recomputes it in the caller's write transaction and returns
    the rows written; `check` returns where it differs from its source rows."""

    name: str
    rebuild: Callable[[sa.Connection, Progress], int]
    check: Callable[[sa.Connection], list[Difference]]


_REGISTRY: dict[str, Rollup] = {}


def register(
    name: str,
    rebuild: Callable[[sa.Connection, Progress], int],
    check: Callable[[sa.Connection], list[Difference]],
) -> None:
    """Make a rollup known to `rebuild_rollups` and `check_rollups` (registering again replaces it)."""
    _REGISTRY[name] = Rollup(name, rebuild, check)


def registered() -> list[str]:
    return sorted(_REGISTRY)


def _chosen(names: Iterable[str] | None) -> list[Rollup]:
    wanted = registered() if names is None else list(names)
    unknown = [name for name in wanted if name not in _REGISTRY]
    if unknown:
        raise ValueError(f"unknown rollup: {', '.join(unknown)} (known: {', '.join(registered())})")
    return [_REGISTRY[name] for name in wanted]


def rebuild_rollups(
    store: Store, names: Iterable[str] | None = None, progress: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """Recompute the rollups from their rows in one write transaction (writers wait meanwhile, so
    nothing lands between the recount and the commit); rows written per rollup."""

    def reporting(name: str) -> Progress:
        return lambda done, total: progress(name, done, total) if progress else None

    written = {}
    with store.write() as connection:
        lock_item_writers(connection)
        for rollup in _chosen(names):
            written[rollup.name] = rollup.rebuild(connection, reporting(rollup.name))
    return written


def check_rollups(store: Store, names: Iterable[str] | None = None) -> list[Difference]:
    """Every difference between the stored rollups and a recount from their rows (none: all right)."""
    differences: list[Difference] = []
    with store.read() as connection:
        for rollup in _chosen(names):
            differences += rollup.check(connection)
    return differences


def compare_counts(
    name: str, expected: Mapping[tuple[Any, ...], int], stored: Mapping[tuple[Any, ...], int]
) -> list[Difference]:
    """The keys where two counts differ, zero counts taken as absent, in key order."""
    keys = {key for key, n in expected.items() if n} | {key for key, n in stored.items() if n}
    return [
        Difference(name, key, int(expected.get(key, 0)), int(stored.get(key, 0)))
        for key in sorted(keys, key=repr)
        if expected.get(key, 0) != stored.get(key, 0)
    ]


# ---- item_counts --------------------------------------------------------------------------------


def _counted_items(
    facet: str, conditions: Iterable[sa.ColumnElement[bool]] = (), seconds: int = HOUR_SECONDS
) -> sa.Select[Any]:
    """`item_counts` rows of one facet recounted from `items` (columns in KEY order, then items);
    per day with `seconds=DAY_SECONDS` (`item_counts_daily`, its `day` in the place of `hour`).

    The keys are computed in a subquery and grouped by name outside it: PostgreSQL refuses a
    constant in GROUP BY and cannot match a bound parameter repeated there."""
    keyed = (
        sa.select(
            (sa.literal_column("''") if facet == "all" else items.c[facet]).label("value"),
            epoch_slot(items.c.posted_at, seconds).label("hour"),
            sa.func.coalesce(items.c.brand, sa.literal_column("''")).label("brand"),
            items.c.is_competitor,
            items.c.kind,
            items.c.sentiment_label.label("sentiment"),
            sa.case((left_out_copy(), sa.true()), else_=sa.false()).label("copy"),
        )
        .where(*conditions)
        .subquery()
    )
    keys = [keyed.c[name] for name in KEY[1:]]
    return sa.select(sa.literal_column(f"'{facet}'").label("facet"), *keys, sa.func.count()).group_by(*keys)


def _key(row: Iterable[Any]) -> tuple[Any, ...]:
    facet, value, hour, brand, is_competitor, kind, sentiment, copy = row
    return (str(facet), str(value), int(hour), str(brand), bool(is_competitor), str(kind), str(sentiment), bool(copy))


def rebuild_item_counts(connection: sa.Connection, progress: Progress) -> int:
    """Empty `item_counts` and count every item again, a month of posts and one facet a step."""
    return _rebuild(connection, progress, item_counts, HOUR_SECONDS)


def rebuild_item_counts_daily(connection: sa.Connection, progress: Progress) -> int:
    """Empty `item_counts_daily` and count every item again (from the items, not from the hours:
    a rebuild of the days alone must not copy a fault of the hours)."""
    return _rebuild(connection, progress, item_counts_daily, DAY_SECONDS)


def _rebuild(connection: sa.Connection, progress: Progress, table: sa.Table, seconds: int) -> int:
    connection.execute(table.delete())
    first, last = connection.execute(sa.select(sa.func.min(items.c.posted_at), sa.func.max(items.c.posted_at))).one()
    if first is None:
        return 0
    first = _as_utc(first).replace(hour=0, minute=0, second=0, microsecond=0)
    spans = []
    while first <= _as_utc(last):
        spans.append((first, first + REBUILD_SPAN))  # whole days: no hour or day is split between steps
        first += REBUILD_SPAN
    total, done = len(spans) * len(FACETS), 0
    for start, end in spans:
        for facet in FACETS:
            recount = _counted_items(facet, [items.c.posted_at >= start, items.c.posted_at < end], seconds)
            connection.execute(table.insert().from_select([c.name for c in table.c], recount))  # KEY order, items
            done += 1
            progress(done, total)
    # Counted, not summed from rowcounts: psycopg reports -1 for INSERT ... SELECT.
    return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def check_item_counts(connection: sa.Connection) -> list[Difference]:
    """Where `item_counts` differs from a recount of `items`."""
    return _check(connection, item_counts, HOUR_SECONDS)


def check_item_counts_daily(connection: sa.Connection) -> list[Difference]:
    """Where `item_counts_daily` differs from a recount of `items` (its key holds the day where
    `item_counts` holds the hour)."""
    return _check(connection, item_counts_daily, DAY_SECONDS)


def _check(connection: sa.Connection, table: sa.Table, seconds: int) -> list[Difference]:
    expected: dict[tuple[Any, ...], int] = {}
    for facet in FACETS:
        for row in connection.execute(_counted_items(facet, seconds=seconds)):
            expected[_key(row[:-1])] = int(row[-1])
    stored = {_key(row[:-1]): int(row[-1]) for row in connection.execute(sa.select(*table.c))}
    return compare_counts(table.name, expected, stored)


def _as_utc(moment: datetime | str) -> datetime:
    if isinstance(moment, str):  # SQLite's text from an aggregate
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


register("item_counts", rebuild_item_counts, check_item_counts)
register("item_counts_daily", rebuild_item_counts_daily, check_item_counts_daily)
