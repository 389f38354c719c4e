"""Rollup tables: counts kept beside the rows they count, so long ranges read hours, not items.

A rollup is kept in the writing transaction by database triggers (created by its migration), so
no writer has to remember it. This module is where each rollup registers how to recompute it from
scratch and how to find where it differs from its source rows: `python -m voc rollups rebuild`
and `python -m voc rollups check` run every registered one (`register`). It holds `item_counts`
(revision 0014): items per UTC hour by brand, competitor flag, kind, sentiment and copy, once for
every item (facet "all") and once more by each of its channel, language and scorer; and
`item_counts_daily` (revision 0017), `item_counts_quarters` (revision 0021) and
`item_counts_monthly` (revision 0022): the same per UTC day, quarter hour and month, kept by the
same triggers; and
`nps_responses` (revision 0020): survey responses with an NPS per response, hour and brand, and
their responses, promoters and detractors per hour and brand (`nps_counts`), one rollup of two tables.

Domain: no Streamlit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa

from voc.inbox.storing import lock_item_writers
from voc.store.schema import (
    item_counts,
    item_counts_daily,
    item_counts_monthly,
    item_counts_quarters,
    items,
    nps_counts,
    nps_responses,
    nps_spread,
)
from voc.trends.buckets import epoch_month, epoch_slot
from voc.trends.counting import counted_once, left_out_copy

if TYPE_CHECKING:  # the facade imports the repositories; a rollup module may be imported by one
    from voc.store.facade import Store

# How a long rebuild reports: (steps done, steps in all).
Progress = Callable[[int, int], None]
HOUR_SECONDS: Final = 3600
DAY_SECONDS: Final = 86400
QUARTER_SECONDS: Final = 900
MONTH: Final = 0  # the monthly level's "seconds": whole calendar months (`epoch_month`)
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
            _unit_of(items.c.posted_at, seconds).label("hour"),
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


def _unit_of(posted_at: Any, seconds: int) -> Any:
    """The level's unit of `posted_at` in SQL: whole `seconds` since 1970, or months (`MONTH`)."""
    return epoch_month(posted_at) if seconds == MONTH else epoch_slot(posted_at, seconds)


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


def rebuild_item_counts_quarters(connection: sa.Connection, progress: Progress) -> int:
    """Empty `item_counts_quarters` and count every item again."""
    return _rebuild(connection, progress, item_counts_quarters, QUARTER_SECONDS)


def rebuild_item_counts_monthly(connection: sa.Connection, progress: Progress) -> int:
    """Empty `item_counts_monthly` and count every item again, a calendar month a step."""
    return _rebuild(connection, progress, item_counts_monthly, MONTH)


def _rebuild(connection: sa.Connection, progress: Progress, table: sa.Table, seconds: int) -> int:
    connection.execute(table.delete())
    first, last = connection.execute(sa.select(sa.func.min(items.c.posted_at), sa.func.max(items.c.posted_at))).one()
    if first is None:
        return 0
    first = _as_utc(first).replace(hour=0, minute=0, second=0, microsecond=0)
    spans = []
    if seconds == MONTH:  # calendar months: no month is split between steps
        first = first.replace(day=1)
    while first <= _as_utc(last):
        step_end = _next_month(first) if seconds == MONTH else first + REBUILD_SPAN
        spans.append((first, step_end))  # whole days (or months): no unit is split between steps
        first = step_end
    total, done = len(spans) * len(FACETS), 0
    for start, end in spans:
        for facet in FACETS:
            recount = _counted_items(facet, [items.c.posted_at >= start, items.c.posted_at < end], seconds)
            connection.execute(table.insert().from_select([c.name for c in table.c], recount))  # KEY order, items
            done += 1
            progress(done, total)
    # Counted, not summed from rowcounts: psycopg reports -1 for INSERT ... SELECT.
    return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _next_month(moment: datetime) -> datetime:
    return moment.replace(year=moment.year + moment.month // 12, month=moment.month % 12 + 1)


def check_item_counts(connection: sa.Connection) -> list[Difference]:
    """Where `item_counts` differs from a recount of `items`."""
    return _check(connection, item_counts, HOUR_SECONDS)


def check_item_counts_daily(connection: sa.Connection) -> list[Difference]:
    """Where `item_counts_daily` differs from a recount of `items` (its key holds the day where
    `item_counts` holds the hour)."""
    return _check(connection, item_counts_daily, DAY_SECONDS)


def check_item_counts_quarters(connection: sa.Connection) -> list[Difference]:
    """Where `item_counts_quarters` differs from a recount of `items`."""
    return _check(connection, item_counts_quarters, QUARTER_SECONDS)


def check_item_counts_monthly(connection: sa.Connection) -> list[Difference]:
    """Where `item_counts_monthly` differs from a recount of `items`."""
    return _check(connection, item_counts_monthly, MONTH)


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


# ---- nps_responses and nps_counts --------------------------------------------------------------

RESPONSE_KEY: Final = ("survey", "response", "hour", "brand")


def _counted_responses() -> sa.Select[Any]:
    """`nps_responses` recounted from `items` (columns in table order): the items the Trends
    headline's NPS reads, per survey, response, UTC hour and brand."""
    keyed = (
        sa.select(
            sa.func.coalesce(items.c.survey, sa.literal_column("''")).label("survey"),
            sa.func.coalesce(items.c.response_id, items.c.external_id).label("response"),
            epoch_slot(items.c.posted_at, HOUR_SECONDS).label("hour"),
            sa.func.coalesce(items.c.brand, sa.literal_column("''")).label("brand"),
            sa.case((items.c.nps >= 9, 1), else_=0).label("high"),
            sa.case((items.c.nps.between(7, 8), 1), else_=0).label("mid"),
        )
        .where(items.c.nps.is_not(None), counted_once())
        .subquery()
    )
    keys = [keyed.c[name] for name in RESPONSE_KEY]
    return sa.select(*keys, sa.func.count(), sa.func.sum(keyed.c.high), sa.func.sum(keyed.c.mid)).group_by(*keys)


def _classes(table: Any) -> tuple[Any, Any, Any]:
    """Responses, promoters (highest score 9 or more) and detractors (6 or less) of response rows."""
    counted = table.c["items"] > 0
    return (
        sa.func.sum(sa.case((counted, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(counted, table.c.high > 0), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(counted, table.c.high == 0, table.c.mid == 0), 1), else_=0)),
    )


def rebuild_nps_responses(connection: sa.Connection, progress: Progress) -> int:
    """Empty `nps_responses` and `nps_counts`, recount the responses from the items and the hours
    from the responses; rows written to both."""
    for table in (nps_counts, nps_spread, nps_responses):
        connection.execute(table.delete())
    progress(0, 2)
    connection.execute(nps_responses.insert().from_select([c.name for c in nps_responses.c], _counted_responses()))
    keys = (nps_responses.c.survey, nps_responses.c.response)
    spread = sa.select(*keys).group_by(*keys).having(sa.func.count() > 1)
    connection.execute(nps_spread.insert().from_select(["survey", "response"], spread))
    progress(1, 2)
    hourly = sa.select(nps_responses.c.hour, nps_responses.c.brand, *_classes(nps_responses)).group_by(
        nps_responses.c.hour, nps_responses.c.brand
    )
    connection.execute(nps_counts.insert().from_select([c.name for c in nps_counts.c], hourly))
    progress(2, 2)
    return sum(
        int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
        for table in (nps_responses, nps_spread, nps_counts)
    )


def check_nps_responses(connection: sa.Connection) -> list[Difference]:
    """Where `nps_responses` or `nps_counts` differs from a recount of `items` (the hours checked
    against the recounted responses, not the stored ones)."""
    expected: dict[tuple[Any, ...], tuple[int, int, int]] = {}
    hours: dict[tuple[Any, ...], tuple[int, int, int]] = {}
    for survey, response, hour, brand, n, high, mid in connection.execute(_counted_responses()):
        expected[(str(survey), str(response), int(hour), str(brand))] = (int(n), int(high), int(mid))
        r, p, d = hours.get((int(hour), str(brand)), (0, 0, 0))
        promoter, detractor = int(high) > 0, int(high) == 0 and int(mid) == 0
        hours[(int(hour), str(brand))] = (r + 1, p + promoter, d + detractor)
    stored = {
        (str(row[0]), str(row[1]), int(row[2]), str(row[3])): (int(row[4]), int(row[5]), int(row[6]))
        for row in connection.execute(sa.select(*nps_responses.c))
    }
    stored_hours = {
        (int(row[0]), str(row[1])): (int(row[2]), int(row[3]), int(row[4]))
        for row in connection.execute(sa.select(*nps_counts.c))
    }
    rows_per_response: dict[tuple[str, str], int] = defaultdict(int)
    for survey, response, _, _ in expected:
        rows_per_response[(survey, response)] += 1
    spread = {key: (1,) for key, rows in rows_per_response.items() if rows > 1}
    stored_spread = {(str(row[0]), str(row[1])): (1,) for row in connection.execute(sa.select(*nps_spread.c))}
    return (
        _compare_figures("nps_responses", expected, stored)
        + _compare_figures("nps_spread", spread, stored_spread)
        + _compare_figures("nps_counts", hours, stored_hours)
    )


def _compare_figures(
    name: str, expected: Mapping[tuple[Any, ...], tuple[int, ...]], stored: Mapping[tuple[Any, ...], tuple[int, ...]]
) -> list[Difference]:
    """`compare_counts` for rows of several figures, all-zero rows taken as absent."""
    keys = {key for key, figures in expected.items() if any(figures)} | {
        key for key, figures in stored.items() if any(figures)
    }
    differences = []
    for key in sorted(keys, key=repr):
        want, have = expected.get(key), stored.get(key)
        if (want if want and any(want) else None) != (have if have and any(have) else None):
            zeros = (0,) * len(want or have or ())
            differences.append(Difference(name, key, want or zeros, have or zeros))
    return differences


register("item_counts", rebuild_item_counts, check_item_counts)
register("item_counts_daily", rebuild_item_counts_daily, check_item_counts_daily)
register("item_counts_quarters", rebuild_item_counts_quarters, check_item_counts_quarters)
register("item_counts_monthly", rebuild_item_counts_monthly, check_item_counts_monthly)
register("nps_responses", rebuild_nps_responses, check_nps_responses)
