"""Trends: how much customers talk, how they feel, in which language, where, and about whom.

Query functions take a `Store` and a frozen, hashable `TrendFilters` (so the UI can cache on it)
and return pandas frames. SQL stays portable (SQLAlchemy Core group-bys that SQLite and
PostgreSQL run alike); time bucketing happens in pandas, in the viewer's time zone, after
selecting only the columns needed within the range. The charts drawn from these frames are
built in `ui/charts.py`. Domain: no Streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import sqlalchemy as sa

from voc.store.facade import Store
from voc.store.schema import items
from voc.themes.queries import items_in_theme, theme_options
from voc.trends.spikes import spikes_between

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
RANGES: dict[str, tuple[str, timedelta]] = {
    "24h": ("Last 24 hours", timedelta(hours=24)),
    "3d": ("Last 3 days", timedelta(days=3)),
    "7d": ("Last 7 days", timedelta(days=7)),
    "30d": ("Last 30 days", timedelta(days=30)),
}
DEFAULT_RANGE = "3d"
# Up to this span a chart shows hours; beyond it, days (72 hourly bars still read well).
HOURLY_UP_TO = timedelta(days=3)
UNDETERMINED_LANGUAGE = "und"


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
        )

    @property
    def bucket(self) -> str:
        """Pandas frequency of the time buckets: "h" for short ranges, "D" beyond three days."""
        return "h" if self.end - self.start <= HOURLY_UP_TO else "D"

    @property
    def bucket_label(self) -> str:
        return "hour" if self.bucket == "h" else "day"


@dataclass(frozen=True)
class TrendSummary:
    """The headline numbers above the charts."""

    items: int
    negative: int
    survey_responses: int
    nps: float | None  # None when no survey in range has an NPS score

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
    spikes: pd.DataFrame = field(
        repr=False, default_factory=lambda: pd.DataFrame(columns=["bucket", "metric", "summary"])
    )


# ---- queries ---------------------------------------------------------------------------------


def _conditions(filters: TrendFilters, *, with_brand: bool = True) -> list[sa.ColumnElement[bool]]:
    conditions = [items.c.posted_at >= filters.start, items.c.posted_at < filters.end]
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


def _frame(store: Store, query: sa.Select[Any], columns: list[str]) -> pd.DataFrame:
    with store.read() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)


def _counts_by(store: Store, filters: TrendFilters, column: str) -> pd.DataFrame:
    """Items per `column` × sentiment, long format, largest group first."""
    key = items.c[column]
    query = (
        sa.select(key, items.c.sentiment_label, sa.func.count())
        .where(*_conditions(filters))
        .group_by(key, items.c.sentiment_label)
    )
    frame = _frame(store, query, [column, "sentiment", "items"])
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


def volume_by_sentiment(store: Store, filters: TrendFilters) -> pd.DataFrame:
    """Items per time bucket × sentiment: columns bucket (viewer's wall clock), sentiment, items.

    Every bucket of the range appears for every sentiment, zero included, so quiet hours show
    as gaps in the chart rather than vanishing.
    """
    query = sa.select(items.c.posted_at, items.c.sentiment_label).where(*_conditions(filters))
    raw = _frame(store, query, ["posted_at", "sentiment"])
    freq = filters.bucket
    zone = ZoneInfo(filters.tz)
    first = pd.Timestamp(filters.start.astimezone(zone).replace(tzinfo=None)).floor(freq)
    last = pd.Timestamp((filters.end - timedelta(microseconds=1)).astimezone(zone).replace(tzinfo=None)).floor(freq)
    buckets = pd.date_range(first, last, freq=freq, name="bucket")
    labels = list(SENTIMENTS) + sorted(set(raw["sentiment"]) - set(SENTIMENTS))
    if raw.empty:
        counts = pd.Series(dtype="int64")
    else:
        local = pd.to_datetime(raw["posted_at"], utc=True).dt.tz_convert(filters.tz).dt.tz_localize(None)
        counts = raw.assign(bucket=local.dt.floor(freq)).groupby(["bucket", "sentiment"]).size()
    grid = pd.MultiIndex.from_product([buckets.astype("datetime64[us]"), labels], names=["bucket", "sentiment"])
    if not counts.empty:
        counts.index = counts.index.set_levels(counts.index.levels[0].astype("datetime64[us]"), level=0)
    frame = counts.reindex(grid, fill_value=0).rename("items").reset_index()
    frame["items"] = frame["items"].astype("int64")
    return frame


def by_language(store: Store, filters: TrendFilters) -> pd.DataFrame:
    """Items per language × sentiment (columns language, sentiment, items, share of all items)."""
    return _counts_by(store, filters, "language")


def by_channel(store: Store, filters: TrendFilters) -> pd.DataFrame:
    """Items per channel × sentiment (columns channel, sentiment, items, share of all items)."""
    return _counts_by(store, filters, "channel")


def share_of_voice(store: Store, filters: TrendFilters) -> pd.DataFrame:
    """Mentions per brand, own and competitors, whatever the brand filter says.

    Columns brand, is_competitor, items, negative, share (of all brands' mentions); surveys are
    left out because only our own customers answer them.
    """
    negative = sa.func.sum(sa.case((items.c.sentiment_label == "negative", 1), else_=0))
    query = (
        sa.select(items.c.brand, items.c.is_competitor, sa.func.count(), negative)
        .where(*_conditions(filters, with_brand=False), items.c.kind == "mention", items.c.brand.is_not(None))
        .group_by(items.c.brand, items.c.is_competitor)
    )
    frame = _frame(store, query, ["brand", "is_competitor", "items", "negative"])
    frame = frame.astype({"brand": "str", "is_competitor": "bool", "items": "int64", "negative": "int64"})
    frame = frame.groupby(["brand", "is_competitor"], as_index=False)[["items", "negative"]].sum()
    total = int(frame["items"].sum())
    frame["share"] = frame["items"] / total if total else 0.0
    return frame.sort_values(["items", "brand"], ascending=[False, True], kind="stable").reset_index(drop=True)


def summary(store: Store, filters: TrendFilters) -> TrendSummary:
    """Item and negative counts, and the NPS of survey responses in range.

    NPS counts each response once, however many comment fields it has (each is its own item).
    """
    conditions = _conditions(filters)
    negative = sa.func.sum(sa.case((items.c.sentiment_label == "negative", 1), else_=0))
    response = sa.func.coalesce(items.c.response_id, items.c.external_id)
    responses = (
        sa.select(items.c.survey, response.label("response"), sa.func.max(items.c.nps).label("nps"))
        .where(*conditions, items.c.nps.is_not(None))
        .group_by(items.c.survey, response)
        .subquery()
    )
    promoters = sa.func.sum(sa.case((responses.c.nps >= 9, 1), else_=0))
    detractors = sa.func.sum(sa.case((responses.c.nps <= 6, 1), else_=0))
    with store.read() as connection:
        total, negatives = connection.execute(sa.select(sa.func.count(), negative).where(*conditions)).one()
        scored, promoted, detracted = connection.execute(
            sa.select(sa.func.count(), promoters, detractors).select_from(responses)
        ).one()
    nps = None if not scored else round(100.0 * (int(promoted or 0) - int(detracted or 0)) / int(scored), 1)
    return TrendSummary(items=int(total), negative=int(negatives or 0), survey_responses=int(scored), nps=nps)


def report(store: Store, filters: TrendFilters) -> TrendReport:
    """Every frame the Trends page needs, for one cache entry."""
    return TrendReport(
        filters=filters,
        summary=summary(store, filters),
        volume=volume_by_sentiment(store, filters),
        languages=by_language(store, filters),
        channels=by_channel(store, filters),
        share_of_voice=share_of_voice(store, filters),
        spikes=spike_marks(store, filters),
    )


def spike_marks(store: Store, filters: TrendFilters) -> pd.DataFrame:
    """Detected spikes in range (voc.trends.spikes), as buckets on the viewer's wall clock: bucket, metric, summary."""
    marks = spikes_between(store, filters.start, filters.end)
    if marks.empty:
        return pd.DataFrame(columns=["bucket", "metric", "summary"])
    local = (
        pd.to_datetime(marks["hour"], utc=True).dt.tz_convert(filters.tz).dt.tz_localize(None).dt.floor(filters.bucket)
    )
    return marks.assign(bucket=local.astype("datetime64[us]"))[["bucket", "metric", "summary"]]


def filter_options(store: Store, own_brand: str | None = None) -> FilterOptions:
    """Channels, languages and brands present in the store; the own brand first."""

    def distinct(column: sa.Column[Any]) -> list[str]:
        with store.read() as connection:
            values = connection.execute(sa.select(column).where(column.is_not(None)).distinct()).scalars()
            return sorted(str(value) for value in values)

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
