"""Trends: how much customers talk, how they feel, in which language, where, and about whom.

Query functions take a `Store` and a frozen, hashable `TrendFilters` (so the UI can cache on it)
and return pandas frames. The database does the counting (SQLAlchemy Core group-bys that SQLite
and PostgreSQL run alike; time per quarter hour of UTC, `voc.trends.buckets`), and pandas only
adds the grouped rows up into the viewer's hours, days or weeks. Copies of an earlier post are
left out of every count unless the filters ask for them (`voc.trends.counting`). The charts drawn
from these frames are built in `ui/charts.py` and `ui/trends.py`. Domain: no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import sqlalchemy as sa

from voc.exports.summary import theme_mixes_between
from voc.store.core import distinct_values
from voc.store.facade import Store
from voc.store.ranges import EPOCH, HOURS_PER_DAY, RangePlan, Spans
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
from voc.themes.queries import items_in_theme, theme_options
from voc.themes.repository import load_taxonomy
from voc.trends import buckets, hourly
from voc.trends.comparison import Comparison, ThemeCount, compare
from voc.trends.counting import counted_once, left_out_copy
from voc.trends.spikes import spikes_between

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
RANGES: dict[str, tuple[str, timedelta]] = {
    "24h": ("Last 24 hours", timedelta(hours=24)),
    "3d": ("Last 3 days", timedelta(days=3)),
    "7d": ("Last 7 days", timedelta(days=7)),
    "30d": ("Last 30 days", timedelta(days=30)),
    "90d": ("Last 90 days", timedelta(days=90)),
}
DEFAULT_RANGE = "3d"
UNDETERMINED_LANGUAGE = "und"
SPIKE_COLUMNS: list[str] = ["bucket", "hour", "metric", "what", "summary", "observed", "expected", "themes", "words"]
SOV_COLUMNS: list[str] = ["bucket", "brand", "is_competitor", "items", "share"]


def valid_timezone(name: str | None) -> str:
    """`name` if it is a known IANA zone, else "UTC" (a browser may send nothing or junk)."""
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


@dataclass(frozen=True)
class TrendFilters:
    """What the Trends page shows: a time range and optional channel, language and brand.

    `brand=None` means every brand, competitors included; share of voice always compares all
    brands whatever `brand` says. `tz` is the viewer's zone: buckets are its hours and days.
    """

    start: datetime
    end: datetime
    channel: str | None = None
    language: str | None = None
    brand: str | None = None
    tz: str = "UTC"
    theme: str | None = None  # a theme id (its sub-themes and merged ids count too), or "unthemed"
    scorer: str | None = None  # which sentiment scorer and version labelled the items (items.scorer)
    count_duplicates: bool = False  # True counts reposts and copies too (voc.trends.counting)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("TrendFilters needs timezone-aware datetimes")
        if self.end <= self.start:
            raise ValueError("TrendFilters: end must be after start")

    @classmethod
    def last(
        cls,
        range_key: str,
        *,
        now: datetime,
        channel: str | None = None,
        language: str | None = None,
        brand: str | None = None,
        tz: str = "UTC",
        theme: str | None = None,
        scorer: str | None = None,
        count_duplicates: bool = False,
    ) -> TrendFilters:
        """The preset range ending now; `end` is rounded up to the minute so a cache keyed on
        these filters is reused by every rerun within that minute."""
        _, span = RANGES[range_key]
        end = now.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        return cls(
            end - span,
            end,
            channel or None,
            language or None,
            brand or None,
            valid_timezone(tz),
            theme or None,
            scorer or None,
            count_duplicates,
        )

    @property
    def local_window(self) -> tuple[datetime, datetime]:
        """The range on the viewer's wall clock (naive, like the bins): charts draw the part of a
        first or last bin the range covers, not the whole bin."""
        zone = ZoneInfo(self.tz)
        return (
            self.start.astimezone(zone).replace(tzinfo=None),
            self.end.astimezone(zone).replace(tzinfo=None),
        )

    @property
    def bucket(self) -> str:
        """Pandas frequency of the time bins: hours up to 3 days, days up to 60, weeks beyond."""
        return buckets.bucket_for(self.end - self.start)

    @property
    def bucket_label(self) -> str:
        return buckets.LABELS[self.bucket]

    @property
    def share_bucket(self) -> str:
        """Bins of share of voice over time (coarser than volume's: see `buckets.share_bucket_for`)."""
        return buckets.share_bucket_for(self.end - self.start)

    @property
    def share_bucket_label(self) -> str:
        return buckets.LABELS[self.share_bucket]

    def previous(self) -> TrendFilters:
        """The same filters over the span of equal length just before this one."""
        span = self.end - self.start
        return replace(self, start=self.start - span, end=self.start)


@dataclass(frozen=True)
class TrendSummary:
    """The headline numbers above the charts."""

    items: int
    negative: int
    survey_responses: int
    nps: float | None  # None when no survey in range has an NPS score
    duplicates: int = 0  # copies of earlier posts in range: left out of `items` unless counted

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.items if self.items else None


@dataclass(frozen=True)
class FilterOptions:
    """The values the filter bar offers, from what is stored."""

    channels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    themes: tuple[tuple[str, str], ...] = ()  # (id, label) of active themes
    scorers: tuple[str, ...] = ()  # sentiment scorers (and versions) that labelled stored items


@dataclass(frozen=True)
class TrendReport:
    """Everything the Trends page draws for one set of filters (one cache entry)."""

    filters: TrendFilters
    summary: TrendSummary
    volume: pd.DataFrame = field(repr=False)
    languages: pd.DataFrame = field(repr=False)
    channels: pd.DataFrame = field(repr=False)
    share_of_voice: pd.DataFrame = field(repr=False)
    spikes: pd.DataFrame = field(repr=False, default_factory=lambda: pd.DataFrame(columns=SPIKE_COLUMNS))
    share_over_time: pd.DataFrame = field(repr=False, default_factory=lambda: pd.DataFrame(columns=SOV_COLUMNS))
    comparison: Comparison | None = None


# ---- queries ---------------------------------------------------------------------------------

# Filters the rollup holds one facet each of: a count may filter on at most one of them.
FACET_FILTERS: tuple[str, ...] = ("channel", "language", "scorer")


def _conditions(
    filters: TrendFilters,
    *,
    with_brand: bool = True,
    once: bool = True,
    spans: tuple[tuple[datetime, datetime], ...] | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The WHERE of every trend query; `once=False` keeps copies whatever the filters say;
    `spans` counts only those parts of the range (what the hourly rollup leaves to the items)."""
    conditions: list[sa.ColumnElement[bool]] = []  # spans=(): none on time (the caller adds its own)
    if spans is None:
        conditions = [items.c.posted_at >= filters.start, items.c.posted_at < filters.end]
    elif spans:
        conditions = [sa.or_(*(sa.and_(items.c.posted_at >= low, items.c.posted_at < high) for low, high in spans))]
    if once and not filters.count_duplicates:
        conditions.append(counted_once())
    if filters.channel:
        conditions.append(items.c.channel == filters.channel)
    if filters.language:
        conditions.append(items.c.language == filters.language)
    if with_brand and filters.brand:
        conditions.append(items.c.brand == filters.brand)
    if filters.theme:
        conditions.append(items.c.id.in_(items_in_theme(filters.theme)))
    if filters.scorer:
        conditions.append(items.c.scorer == filters.scorer)
    return conditions


def _frame(store: Store, query: sa.Select[Any] | sa.CompoundSelect, columns: list[str]) -> pd.DataFrame:
    with store.read() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)


def _facet(filters: TrendFilters, grouped_by: str | None = None) -> tuple[str, str | None] | None:
    """The `item_counts` facet (and value, None for all of them) that answers `filters`, or None
    when the rollup cannot: a theme filter, or two of channel, language and scorer (or, counting
    per `grouped_by`, a filter on another of them)."""
    if filters.theme:
        return None
    chosen = [(name, str(getattr(filters, name))) for name in FACET_FILTERS if getattr(filters, name)]
    if grouped_by is not None:
        if not chosen:
            return grouped_by, None
        return (grouped_by, chosen[0][1]) if chosen == [(grouped_by, chosen[0][1])] else None
    if len(chosen) > 1:
        return None
    return chosen[0] if chosen else ("all", "")


# A column or aggregate over a rollup table (`item_counts`, `item_counts_daily`,
# `item_counts_quarters` or `item_counts_monthly`, the same columns but the hour, day, quarter hour
# or month), given the table and the quarter hour its row stands at (`_rollup_reads`).
OverRollup = Callable[[sa.Table, Any], Any]


@dataclass(frozen=True)
class _Count:
    """One grouped count said twice: over `items`, and over the rollups (whose row counts `items`
    already holds). `keys` and `measures` are (name, over items, over a rollup table)."""

    keys: tuple[tuple[str, Any, OverRollup], ...]
    measures: tuple[tuple[str, Any, OverRollup], ...]
    raw_where: tuple[sa.ColumnElement[bool], ...] = ()
    rollup_where: Callable[[sa.Table], tuple[sa.ColumnElement[bool], ...]] = lambda table: ()


# Raw ranges per statement: SQLite allows 500 SELECTs in one compound statement.
RANGES_PER_READ = 200


def _rollup_reads(plan: RangePlan) -> list[tuple[sa.Table, Any, Any, Spans, int]]:
    """What `_count` reads from the rollups for `plan`: (table, the quarter hour a row stands at,
    the column the spans count, spans, sign). Hours and days stand at their first quarter hour;
    anchored days (`voc.store.ranges`) at their anchor hour's; the hours taken out again (sign -1)
    at their day's anchor (one read per anchor hour of the day: nearly always one); the quarters
    of the cut hours at themselves; whole months (counts without bins only: the planner gives
    no bin a month) at none."""
    per_hour: Any = sa.literal_column(str(hourly.SLOTS_PER_HOUR))
    per_day: Any = sa.literal_column(str(hourly.SLOTS_PER_HOUR * HOURS_PER_DAY))
    day_start = item_counts_daily.c.day * per_day
    hour_day_start = item_counts.c.hour // sa.literal_column(str(HOURS_PER_DAY)) * per_day
    reads: list[tuple[sa.Table, Any, Any, Spans, int]] = [
        (item_counts, item_counts.c.hour * per_hour, item_counts.c.hour, plan.hours, 1),
        (item_counts_quarters, item_counts_quarters.c.quarter, item_counts_quarters.c.quarter, plan.quarters, 1),
        (item_counts_monthly, sa.null(), item_counts_monthly.c.month, plan.months, 1),
    ]
    for anchor in sorted({0} | {anchor for _, _, anchor in plan.anchored}):  # days in one bin: anchor 0
        spans = (plan.days if anchor == 0 else ()) + tuple((a, b) for a, b, at in plan.anchored if at == anchor)
        stands_at = day_start + sa.literal_column(str(anchor * hourly.SLOTS_PER_HOUR)) if anchor else day_start
        reads.append((item_counts_daily, stands_at, item_counts_daily.c.day, spans, 1))
    for anchor in sorted({at % HOURS_PER_DAY for _, _, at in plan.less}):
        spans = tuple((a, b) for a, b, at in plan.less if at % HOURS_PER_DAY == anchor)
        stands_at = hour_day_start + sa.literal_column(str(anchor * hourly.SLOTS_PER_HOUR))
        reads.append((item_counts, stands_at, item_counts.c.hour, spans, -1))
    return [read for read in reads if read[3]]


# A span of more units than this is read by a SELECT of its own; shorter ones together.
LONG_SPAN: Final = 24


def _in_spans(unit: Any, spans: Spans) -> list[Any]:
    """Conditions on `unit`, one per statement to read: a range per long span, and an OR of the
    ranges of all short spans (a Kolkata year's 52 Sundays by the hour are one read, not 104:
    every read is a SELECT to build, send and group). SQLite answers that OR with one seek of the
    primary key per range ("MULTI-INDEX OR") when it has statistics (`refresh_planner_statistics`;
    without, it scanned the facet); a list of units (`hour IN (…)`) it took through the
    (facet, hour) index instead, and a lookup per row made it twice as slow."""
    conditions: list[Any] = [sa.and_(unit >= low, unit < high) for low, high in spans if high - low > LONG_SPAN]
    short = [(low, high) for low, high in spans if high - low <= LONG_SPAN]
    if short:
        conditions.append(_any_range(unit, short))
    return conditions


def _any_range(unit: Any, spans: Sequence[tuple[int, int]]) -> sa.TextClause:
    """`unit` (a rollup's hour, day or quarter column) in any of `spans`, written out as SQL text: the
    spans are whole numbers the planner made, and a Kolkata year has about 260 of them per read,
    which as SQLAlchemy comparisons (two bound parameters and five objects each, then a cache
    key over all of them) took 20 ms of a 220 ms report."""
    column = f"{unit.table.name}.{unit.name}"
    ranges = " OR ".join(f"{column} >= {int(low)} AND {column} < {int(high)}" for low, high in spans)
    return sa.text(f"({ranges})")  # in brackets: SQLAlchemy puts none around text beside an AND


def _count(
    store: Store,
    filters: TrendFilters,
    count: _Count,
    *,
    facet: tuple[str, str | None] | None,
    freq: str | None = None,
    with_brand: bool = True,
    once: bool = True,
    use_rollup: bool = True,
) -> pd.DataFrame:
    """`count` under `filters`, one row per key, in key order. Whole days and hours of a long
    range come from the rollups where they hold the filters (`facet`) and the day or hour lies in
    one bin of `freq` (`voc.store.ranges`); the rest from `items`. Either way the figures are the
    same."""
    names = [name for name, _, _ in count.keys]
    columns = names + [name for name, _, _ in count.measures]
    plan = hourly.plan_hours(filters.start, filters.end, freq, filters.tz) if use_rollup and facet else None
    raw_keys = [key for _, key, _ in count.keys]
    raw = sa.select(*raw_keys, *(measure for _, measure, _ in count.measures)).group_by(*raw_keys)
    parts: list[pd.DataFrame] = []
    if plan is None:
        parts.append(
            _frame(store, raw.where(*_conditions(filters, with_brand=with_brand, once=once), *count.raw_where), columns)
        )
    else:
        assert facet is not None
        binned = freq is not None and "slot" in names  # one row per local bin and key, in the database
        slot_at = names.index("slot") if binned else -1
        labels = ["bin"] * binned + columns
        first = int((filters.start - EPOCH).total_seconds()) // buckets.SLOT_SECONDS
        slots = (first, first + _slots(filters) + 1)  # every quarter hour of the range, for `local_bin`
        reads = []
        for table, slot, unit, spans, sign in _rollup_reads(plan):
            where = [table.c.facet == facet[0]]
            if facet[1] is not None:
                where.append(table.c.value == facet[1])
            if with_brand and filters.brand:
                where.append(table.c.brand == filters.brand)
            if once and not filters.count_duplicates:
                where.append(table.c.copy.is_(False))
            selected = [key(table, slot) for _, _, key in count.keys]
            grouped = list(selected)
            if binned:  # the bin's first quarter hour read stands for it
                assert freq is not None
                local = hourly.local_bin(slot, plan, freq, filters.tz, seconds=buckets.SLOT_SECONDS, span=slots)
                selected[slot_at] = sa.func.min(slot)
                grouped[slot_at] = local
                selected.insert(0, local)
            figures: list[Any] = [sa.cast(measure(table, slot), sa.BigInteger) for _, _, measure in count.measures]
            figures = figures if sign > 0 else [-figure for figure in figures]
            query = sa.select(*_labelled(selected + figures, labels))
            query = query.where(*where, *count.rollup_where(table)).group_by(*grouped)
            reads += [query.where(condition) for condition in _in_spans(unit, spans)]
        # And the items of each raw range apart too: an OR of many ranges (a Kolkata year has one
        # cut hour a week) made SQLite scan the whole table. Both levels and the items in one
        # UNION ALL round trip (or a few, for very many ranges).
        if binned:
            assert freq is not None
            slot = raw_keys[slot_at]
            local = hourly.local_bin(slot, plan, freq, filters.tz, seconds=buckets.SLOT_SECONDS, span=slots)
            selected = [local, *raw_keys[:slot_at], sa.func.min(slot), *raw_keys[slot_at + 1 :]]
            grouped = [local, *raw_keys[:slot_at], *raw_keys[slot_at + 1 :]]
            measured = [measure for _, measure, _ in count.measures]
            raw = sa.select(*_labelled(selected + measured, labels)).group_by(*grouped)
        raw = raw.where(*_conditions(filters, with_brand=with_brand, once=once, spans=()), *count.raw_where)
        reads += [raw.where(items.c.posted_at >= low, items.c.posted_at < high) for low, high in plan.raw]
        for at in range(0, len(reads), RANGES_PER_READ):
            chunk = reads[at : at + RANGES_PER_READ]
            statement: Any = chunk[0] if len(chunk) == 1 else sa.union_all(*chunk)
            if binned:  # the parts of a bin added up before they leave the database
                every = statement.subquery()
                keys = [every.c[key] for key in names if key != "slot"]
                statement = sa.select(
                    *_labelled([every.c[key] if key != "slot" else sa.func.min(every.c.slot) for key in names], names),
                    *(sa.func.sum(every.c[measure]) for measure in columns[len(names) :]),
                ).group_by(every.c.bin, *keys)
            parts.append(_frame(store, statement, columns))
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    measures = [name for name, _, _ in count.measures]
    frame[measures] = frame[measures].fillna(0).astype("int64")
    if not names:
        return frame[measures].sum().to_frame().T.astype("int64")
    if plan is not None and freq is not None and "slot" in names and len(parts) > 1:
        # A bin read in several statements: one slot for it, so its parts (some taken out) add up.
        bins = buckets.local_buckets(frame["slot"], freq, filters.tz)
        frame["slot"] = frame["slot"].groupby(bins).transform("min")
    frame = frame.groupby(names, as_index=False, sort=True)[measures].sum()
    # A rollup row whose items moved on (a copy marked, a label corrected) stays at 0: the
    # items never group an empty key, so neither does this.
    return frame[(frame[measures] != 0).any(axis=1)].reset_index(drop=True)


def _labelled(expressions: list[Any], labels: list[str]) -> list[Any]:
    return [expression.label(label) for expression, label in zip(expressions, labels, strict=True)]


def _slots(filters: TrendFilters) -> int:
    """Quarter hours from the range's start to its end."""
    return int((filters.end - filters.start).total_seconds()) // buckets.SLOT_SECONDS + 1


def _sum_where(condition: Callable[[sa.Table], Any]) -> OverRollup:
    """A rollup measure: the items of the rows meeting `condition`."""
    return lambda table, slot: sa.func.sum(sa.case((condition(table), table.c["items"]), else_=0))


def _column(name: str) -> OverRollup:
    return lambda table, slot: table.c[name]


_ITEMS = ("items", sa.func.count(), lambda table, slot: sa.func.sum(table.c["items"]))
_NEGATIVE = (
    "negative",
    sa.func.sum(sa.case((items.c.sentiment_label == "negative", 1), else_=0)),
    _sum_where(lambda table: table.c.sentiment == "negative"),
)
_SENTIMENT = ("sentiment", items.c.sentiment_label, _column("sentiment"))
_SLOT = ("slot", buckets.epoch_slot(items.c.posted_at), lambda table, slot: slot)
_BRAND = ("brand", items.c.brand, _column("brand"))
_COMPETITOR = ("is_competitor", items.c.is_competitor, _column("is_competitor"))
# Share of voice: mentions that name a brand. The rollup keeps a missing brand as "", so an empty
# name counts as none on both paths (it named no brand either).
_MENTIONS_OF_BRANDS: tuple[tuple[sa.ColumnElement[bool], ...], Callable[[sa.Table], tuple[Any, ...]]] = (
    (items.c.kind == "mention", items.c.brand.is_not(None), items.c.brand != ""),
    lambda table: (table.c.kind == "mention", table.c.brand != ""),
)


def _counts_by(store: Store, filters: TrendFilters, column: str, *, use_rollup: bool = True) -> pd.DataFrame:
    """Items per `column` × sentiment, long format, largest group first."""
    count = _Count(keys=((column, items.c[column], _column("value")), _SENTIMENT), measures=(_ITEMS,))
    frame = _count(store, filters, count, facet=_facet(filters, column), use_rollup=use_rollup)
    frame[column] = frame[column].fillna("unknown").astype(str)
    frame["items"] = frame["items"].astype("int64")
    total = int(frame["items"].sum())
    frame["share"] = frame["items"] / total if total else 0.0
    order = frame.groupby(column)["items"].sum().sort_values(ascending=False, kind="stable")
    rank = {name: position for position, name in enumerate(order.index)}
    frame["_rank"] = frame[column].map(rank)
    frame["_sentiment"] = frame["sentiment"].map(_sentiment_rank)
    frame = frame.sort_values(["_rank", "_sentiment"], kind="stable").drop(columns=["_rank", "_sentiment"])
    return frame.reset_index(drop=True)


def _sentiment_rank(label: str) -> int:
    return SENTIMENTS.index(label) if label in SENTIMENTS else len(SENTIMENTS)


def volume_by_sentiment(store: Store, filters: TrendFilters, *, use_rollup: bool = True) -> pd.DataFrame:
    """Items per time bucket × sentiment: columns bucket (viewer's wall clock), sentiment, items.

    Every bucket of the range appears for every sentiment, zero included, so quiet hours show
    as gaps in the chart rather than vanishing. Counted in SQL per quarter hour, and per day or
    hour from the rollups for long ranges (`_count`).
    """
    count = _Count(keys=(_SLOT, _SENTIMENT), measures=(_ITEMS,))
    return _volume(
        _count(store, filters, count, facet=_facet(filters), freq=filters.bucket, use_rollup=use_rollup), filters
    )


def _volume(grouped: pd.DataFrame, filters: TrendFilters) -> pd.DataFrame:
    """`volume_by_sentiment` from items per slot (a quarter hour, or a rollup row's first) × sentiment."""
    grid_buckets = buckets.bucket_grid(filters.start, filters.end, filters.bucket, filters.tz)
    labels = list(SENTIMENTS) + sorted(set(grouped["sentiment"]) - set(SENTIMENTS))
    grid = pd.MultiIndex.from_product([grid_buckets, labels], names=["bucket", "sentiment"])
    if grouped.empty:
        counts = pd.Series(dtype="int64")
    else:
        grouped = grouped.assign(bucket=buckets.local_buckets(grouped["slot"], filters.bucket, filters.tz))
        counts = grouped.groupby(["bucket", "sentiment"])["items"].sum()
    frame = counts.reindex(grid, fill_value=0).rename("items").reset_index()
    frame["items"] = frame["items"].astype("int64")
    return frame


def by_language(store: Store, filters: TrendFilters, *, use_rollup: bool = True) -> pd.DataFrame:
    """Items per language × sentiment (columns language, sentiment, items, share of all items)."""
    return _counts_by(store, filters, "language", use_rollup=use_rollup)


def by_channel(store: Store, filters: TrendFilters, *, use_rollup: bool = True) -> pd.DataFrame:
    """Items per channel × sentiment (columns channel, sentiment, items, share of all items)."""
    return _counts_by(store, filters, "channel", use_rollup=use_rollup)


def share_of_voice(store: Store, filters: TrendFilters, *, use_rollup: bool = True) -> pd.DataFrame:
    """Mentions per brand, own and competitors, whatever the brand filter says.

    Columns brand, is_competitor, items, negative, share (of all brands' mentions); surveys are
    left out because only our own customers answer them.
    """
    raw_where, rollup_where = _MENTIONS_OF_BRANDS
    count = _Count((_BRAND, _COMPETITOR), (_ITEMS, _NEGATIVE), raw_where, rollup_where)
    return _share_of_voice(
        _count(store, filters, count, facet=_facet(filters), with_brand=False, use_rollup=use_rollup)
    )


def _share_of_voice(frame: pd.DataFrame) -> pd.DataFrame:
    """`share_of_voice` from mentions and negative ones per brand × competitor flag."""
    frame = frame.astype({"brand": "str", "is_competitor": "bool", "items": "int64", "negative": "int64"})
    frame = frame.groupby(["brand", "is_competitor"], as_index=False)[["items", "negative"]].sum()
    total = int(frame["items"].sum())
    frame["share"] = frame["items"] / total if total else 0.0
    return frame.sort_values(["items", "brand"], ascending=[False, True], kind="stable").reset_index(drop=True)


def share_over_time(store: Store, filters: TrendFilters, *, use_rollup: bool = True) -> pd.DataFrame:
    """Each brand's mentions and share of all brands' mentions per `filters.share_bucket` (columns SOV_COLUMNS)."""
    raw_where, rollup_where = _MENTIONS_OF_BRANDS
    count = _Count((_SLOT, _BRAND, _COMPETITOR), (_ITEMS,), raw_where, rollup_where)
    grouped = _count(
        store, filters, count, facet=_facet(filters), freq=filters.share_bucket, with_brand=False, use_rollup=use_rollup
    )
    return _share_over_time(grouped, filters)


def _share_over_time(grouped: pd.DataFrame, filters: TrendFilters) -> pd.DataFrame:
    """`share_over_time` from mentions per slot × brand × competitor flag."""
    if grouped.empty:
        return pd.DataFrame(columns=SOV_COLUMNS)
    grouped = grouped.astype({"brand": "str", "is_competitor": "bool", "items": "int64"})
    grouped["bucket"] = buckets.local_buckets(grouped["slot"], filters.share_bucket, filters.tz)
    frame = grouped.groupby(["bucket", "brand", "is_competitor"], as_index=False)["items"].sum()
    frame["share"] = frame["items"] / frame.groupby("bucket")["items"].transform("sum")
    return frame.sort_values(["bucket", "items", "brand"], ascending=[True, False, True], kind="stable")[
        SOV_COLUMNS
    ].reset_index(drop=True)


def summary(store: Store, filters: TrendFilters, *, use_rollup: bool = True) -> TrendSummary:
    """Item and negative counts, copies left out, and the NPS of survey responses in range.

    NPS counts each response once, however many comment fields it has (each is its own item).
    The counts come from the rollups for long ranges (`_count`), and so does NPS unfiltered (`_nps`).
    """
    # One read for the items, the negative ones and the copies: copies are read too (once=False)
    # and each measure says which rows it counts.
    counted: sa.ColumnElement[bool]
    if filters.count_duplicates:
        counted, counted_rows = sa.true(), (lambda table: sa.true())
    else:
        counted, counted_rows = counted_once(), (lambda table: table.c.copy.is_(False))
    measures = (
        ("items", sa.func.sum(sa.case((counted, 1), else_=0)), _sum_where(counted_rows)),
        (
            "negative",
            sa.func.sum(sa.case((sa.and_(counted, items.c.sentiment_label == "negative"), 1), else_=0)),
            _sum_where(lambda table: sa.and_(counted_rows(table), table.c.sentiment == "negative")),
        ),
        ("copies", sa.func.sum(sa.case((left_out_copy(), 1), else_=0)), _sum_where(lambda t: t.c.copy.is_(True))),
    )
    totals = _count(store, filters, _Count((), measures), facet=_facet(filters), once=False, use_rollup=use_rollup)
    counts = (int(totals[name].iloc[0]) for name in ("items", "negative", "copies"))
    return _summary(store, filters, *counts, use_rollup=use_rollup)


def _summary(
    store: Store, filters: TrendFilters, counted: int, negative: int, copies: int, *, use_rollup: bool = True
) -> TrendSummary:
    """The headline from its counts, with the NPS of the survey answers in range (`_nps`)."""
    scored, promoted, detracted = _nps(store, filters, use_rollup=use_rollup)
    nps = None if not scored else round(100.0 * (promoted - detracted) / scored, 1)
    return TrendSummary(items=counted, negative=negative, survey_responses=scored, nps=nps, duplicates=copies)


def _nps(store: Store, filters: TrendFilters, *, use_rollup: bool = True) -> tuple[int, int, int]:
    """Survey responses in range with an NPS, promoters and detractors: each response counted once
    at its highest score in range, however many comment fields (items) it has.

    Unfiltered but for the brand, copies left out (the default), a long range reads its whole UTC
    hours from `nps_counts` (revision 0020) and only the edges from the items: a response's items
    share its submission time (`voc.surveys.importer.raw_items`), so it lies in one hour and the
    parts add up. A response stored across hours or brands all the same (`nps_spread`) is taken
    out of the hours and counted by response, its rows and edge items together. A channel,
    language, scorer or theme filter, or counting copies, reads the items."""
    response = sa.func.coalesce(items.c.response_id, items.c.external_id)
    plan = None
    filtered = filters.channel or filters.language or filters.scorer or filters.theme or filters.count_duplicates
    if use_rollup and not filtered:
        plan = hourly.plan_hours(filters.start, filters.end, None, filters.tz)
    spread = sa.exists().where(
        nps_spread.c.survey == sa.func.coalesce(items.c.survey, sa.literal_column("''")),
        nps_spread.c.response == response,
    )
    spans: list[tuple[tuple[datetime, datetime], ...] | None] = [None] if plan is None else [(s,) for s in plan.raw]
    reads: list[Any] = []  # SELECTs of (responses, promoters, detractors), added up
    for span in spans:
        responses = (
            sa.select(items.c.survey, response.label("response"), sa.func.max(items.c.nps).label("nps"))
            .where(*_conditions(filters, spans=span), items.c.nps.is_not(None), *([] if plan is None else [~spread]))
            .group_by(items.c.survey, response)
            .subquery()
        )
        reads.append(
            sa.select(
                sa.func.count(),
                sa.func.sum(sa.case((responses.c.nps >= 9, 1), else_=0)),
                sa.func.sum(sa.case((responses.c.nps <= 6, 1), else_=0)),
            ).select_from(responses)
        )
    if plan is not None:
        reads += _nps_from_hours(filters, plan, response, spread)
    totals = [0, 0, 0]
    with store.read() as connection:
        for at in range(0, len(reads), RANGES_PER_READ):
            chunk = reads[at : at + RANGES_PER_READ]
            statement: Any = chunk[0] if len(chunk) == 1 else sa.union_all(*chunk)
            for row in connection.execute(statement).all():
                totals = [total + int(value or 0) for total, value in zip(totals, row, strict=True)]
    return totals[0], totals[1], totals[2]


def _nps_from_hours(filters: TrendFilters, plan: Any, response: Any, spread: Any) -> list[Any]:
    """The reads of `_nps` for the plan's whole hours: `nps_counts`, less the rows of spread
    responses, plus those responses counted once each from their rows and edge items."""
    brand = [nps_counts.c.brand == filters.brand] if filters.brand else []
    figures = [sa.func.sum(nps_counts.c[name]) for name in ("responses", "promoters", "detractors")]
    reads: list[Any] = [
        sa.select(*figures).where(nps_counts.c.hour >= low, nps_counts.c.hour < high, *brand)
        for low, high in plan.hour_spans()
    ]
    # The rows of spread responses, found by key from the (few, mostly none) spread ones: a join
    # let SQLite walk every response row of all time instead.
    keys = sa.select(nps_spread.c.survey, nps_spread.c.response)
    of_spread = sa.tuple_(nps_responses.c.survey, nps_responses.c.response).in_(keys)
    row_brand = [of_spread, *([nps_responses.c.brand == filters.brand] if filters.brand else [])]
    counted, high, mid = nps_responses.c["items"] > 0, nps_responses.c.high, nps_responses.c.mid
    taken_out = [
        -sa.func.sum(sa.case((counted, 1), else_=0)),
        -sa.func.sum(sa.case((sa.and_(counted, high > 0), 1), else_=0)),
        -sa.func.sum(sa.case((sa.and_(counted, high == 0, mid == 0), 1), else_=0)),
    ]
    in_hours = [(nps_responses.c.hour >= low) & (nps_responses.c.hour < high_) for low, high_ in plan.hour_spans()]
    reads += [sa.select(*taken_out).where(hours, *row_brand) for hours in in_hours]
    parts: list[Any] = [
        sa.select(nps_responses.c.survey, nps_responses.c.response, nps_responses.c["items"], high, mid).where(
            hours, *row_brand
        )
        for hours in in_hours
    ]
    parts += [
        sa.select(
            sa.func.coalesce(items.c.survey, sa.literal_column("''")),
            response,
            sa.literal_column("1"),
            sa.case((items.c.nps >= 9, 1), else_=0),
            sa.case((items.c.nps.between(7, 8), 1), else_=0),
        ).where(*_conditions(filters, spans=(span,)), items.c.nps.is_not(None), spread)
        for span in plan.raw
    ]
    together = sa.union_all(*parts).subquery()
    survey, key, n, h, m = together.c
    per_response = (
        sa.select(sa.func.sum(n).label("n"), sa.func.sum(h).label("h"), sa.func.sum(m).label("m"))
        .group_by(survey, key)
        .subquery()
    )
    reads.append(
        sa.select(
            sa.func.count(),
            sa.func.sum(sa.case((per_response.c.h > 0, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(per_response.c.h == 0, per_response.c.m == 0), 1), else_=0)),
        ).select_from(per_response)
    )
    return reads


# The keys of one read that serves the headline, volume, share of voice and share over time.
# Constants as literals: PostgreSQL cannot match bound parameters between SELECT and GROUP BY.
_LEFT_OUT_COPY = sa.and_(items.c.duplicate_of.is_not(None), items.c.kind != sa.literal_column("'survey'"))
_PANEL_KEYS = (
    _SLOT,
    _SENTIMENT,
    ("brand", sa.func.coalesce(items.c.brand, sa.literal_column("''")), _column("brand")),  # the rollup's ""
    _COMPETITOR,
    ("kind", items.c.kind, _column("kind")),
    ("copy", sa.case((_LEFT_OUT_COPY, sa.true()), else_=sa.false()), _column("copy")),
)


def _panels(store: Store, filters: TrendFilters, *, use_rollup: bool) -> dict[str, Any]:
    """The headline's counts, volume, share of voice and (when its bins are volume's) share over
    time, from one read grouped by slot × sentiment × brand × competitor × kind × copy: copies
    and every brand are read, and pandas keeps what each panel counts, as its own query would."""
    count = _Count(keys=_PANEL_KEYS, measures=(_ITEMS,))
    rows = _count(
        store, filters, count, facet=_facet(filters), freq=filters.bucket, with_brand=False, once=False,
        use_rollup=use_rollup,
    )  # fmt: skip
    rows = rows.astype({"brand": "str", "is_competitor": "bool", "kind": "str", "copy": "bool", "items": "int64"})
    counted = rows if filters.count_duplicates else rows[~rows["copy"]]
    ours = (lambda frame: frame[frame["brand"] == filters.brand]) if filters.brand else (lambda frame: frame)
    mine = ours(counted)

    def grouped(frame: pd.DataFrame, keys: list[str], **measures: Any) -> pd.DataFrame:
        if frame.empty:
            return pd.DataFrame({name: pd.Series(dtype="int64") for name in [*keys, *measures]})
        out = frame.groupby(keys, as_index=False, sort=True).agg(**measures)
        return out[(out[list(measures)] != 0).any(axis=1)].reset_index(drop=True)  # as `_count` drops empty keys

    mentions = counted[(counted["kind"] == "mention") & (counted["brand"] != "")]
    mentions = mentions.assign(negative=mentions["items"].where(mentions["sentiment"] == "negative", 0))
    panels: dict[str, Any] = {
        "counts": (
            int(mine["items"].sum()),
            int(mine.loc[mine["sentiment"] == "negative", "items"].sum()),
            int(ours(rows[rows["copy"]])["items"].sum()),
        ),
        # Volume and share over time group by bin themselves: their rows go in as read (none is
        # empty: `_count` drops those), a groupby by slot the fewer on the page's busiest read.
        "volume": _volume(mine[["slot", "sentiment", "items"]], filters),
        "share_of_voice": _share_of_voice(
            grouped(mentions, ["brand", "is_competitor"], items=("items", "sum"), negative=("negative", "sum"))
        ),
    }
    if filters.share_bucket == filters.bucket:
        panels["share_over_time"] = _share_over_time(mentions[["slot", "brand", "is_competitor", "items"]], filters)
    return panels


def theme_counts(store: Store, filters: TrendFilters) -> dict[str, ThemeCount]:
    """Items per active theme (merged ids resolved, sub-themes counted in their parent) under `filters`."""
    taxonomy = load_taxonomy(store)
    if filters.channel or filters.language or filters.theme or filters.scorer:  # not in the hourly theme counts
        mixes = theme_mixes_between(store, taxonomy, filters.start, filters.end, _conditions(filters))
    else:
        once = not filters.count_duplicates
        mixes = theme_mixes_between(store, taxonomy, filters.start, filters.end, once=once, brand=filters.brand)
    counts = {}
    for theme in taxonomy.active():
        mix = mixes.get(theme.id)
        counts[theme.id] = ThemeCount(
            theme.id,
            taxonomy.label(theme.id),
            bool(theme.parent_id),
            mix.items if mix else 0,
            mix.negative if mix else 0,
        )
    return counts


def comparison(
    store: Store, filters: TrendFilters, current: TrendSummary | None = None, *, use_rollup: bool = True
) -> Comparison:
    """This range against the one of equal length before it: volume, negative share, NPS, theme moves."""
    before = filters.previous()
    return compare(
        current or summary(store, filters, use_rollup=use_rollup),
        summary(store, before, use_rollup=use_rollup),
        theme_counts(store, filters),
        theme_counts(store, before),
    )


def report(store: Store, filters: TrendFilters, *, use_rollup: bool = True) -> TrendReport:
    """Every frame the Trends page needs, for one cache entry (`use_rollup=False`: every count
    from the items, as before the rollup; for tests and the benchmark). The headline, volume and
    both share-of-voice panels come from one grouped read (`_panels`)."""
    panels = _panels(store, filters, use_rollup=use_rollup)
    headline = _summary(store, filters, *panels["counts"], use_rollup=use_rollup)
    over_time = panels.get("share_over_time")
    return TrendReport(
        filters=filters,
        summary=headline,
        volume=panels["volume"],
        languages=by_language(store, filters, use_rollup=use_rollup),
        channels=by_channel(store, filters, use_rollup=use_rollup),
        share_of_voice=panels["share_of_voice"],
        spikes=spike_marks(store, filters),
        share_over_time=share_over_time(store, filters, use_rollup=use_rollup) if over_time is None else over_time,
        comparison=comparison(store, filters, headline, use_rollup=use_rollup),
    )


def spike_marks(store: Store, filters: TrendFilters) -> pd.DataFrame:
    """Detected spikes in range (voc.trends.spikes) with their explanation, the bucket on the
    viewer's wall clock (columns SPIKE_COLUMNS)."""
    marks = spikes_between(store, filters.start, filters.end)
    if marks.empty:
        return pd.DataFrame(columns=SPIKE_COLUMNS)
    local = pd.to_datetime(marks["hour"], utc=True).dt.tz_convert(filters.tz).dt.tz_localize(None)
    marks["bucket"] = buckets.floor_local(local, filters.bucket).astype("datetime64[us]")
    marks["hour"] = local.astype("datetime64[us]")
    return marks[SPIKE_COLUMNS].sort_values("hour", kind="stable").reset_index(drop=True)


def filter_options(store: Store, own_brand: str | None = None) -> FilterOptions:
    """Channels, languages and brands present in the store; the own brand first."""

    def distinct(column: sa.Column[Any]) -> list[str]:
        with store.read() as connection:  # by index, not a scan: the same cost at any size
            return sorted(str(value) for value in distinct_values(connection, column))

    brands = distinct(items.c.brand)
    if own_brand:
        brands = [own_brand] + [brand for brand in brands if brand != own_brand]
    return FilterOptions(
        tuple(distinct(items.c.channel)),
        tuple(distinct(items.c.language)),
        tuple(brands),
        theme_options(store),
        tuple(distinct(items.c.scorer)),
    )


def format_share(value: float | None) -> str:
    """A share as "12.5 %", or "—" when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{100 * value:.1f} %"
