"""What the Themes page and exports read: coverage, per-theme volume / sentiment / NPS / CSAT, items.

Stored assignments name the id a theme had when the item was assigned; every report resolves ids
through the taxonomy, so a merged theme's history counts towards the theme that absorbed it and
a sub-theme's items count towards its parent too. Exports carry both the id as stored and the id
it resolves to today, plus the taxonomy version each assignment was made under.

Domain module: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from voc.store import ranges
from voc.store.facade import Store
from voc.store.schema import item_themes, items, theme_assessments
from voc.themes import rollups
from voc.themes.queries import items_in_theme
from voc.themes.taxonomy import Taxonomy
from voc.trends.buckets import bucket_grid, floor_local

COVERAGE_TARGET = 0.8  # what mature VoC tools aim for


@dataclass(frozen=True)
class Coverage:
    items: int
    assessed: int
    themed: int

    @property
    def share(self) -> float | None:
        """Share of assessed items with at least one theme."""
        return self.themed / self.assessed if self.assessed else None

    @property
    def unthemed(self) -> int:
        return self.assessed - self.themed


def coverage(store: Store, start: datetime, end: datetime) -> Coverage:
    """How many items in the range were assessed, and how many of those got a theme.

    Whole UTC days and hours from the rollups (`item_counts`, `coverage_counts`: revision 0018),
    the partial hours at the edges from the rows; `coverage_from_rows` reads every row, with the
    same result."""
    plan = ranges.plan_range(start, end)
    with store.read() as connection:
        total, assessed, themed = rollups.coverage_sums(connection, plan)
        for low, high in plan.raw:
            edge = _coverage_of_rows(connection, low, high)
            total, assessed, themed = total + edge.items, assessed + edge.assessed, themed + edge.themed
    return Coverage(total, assessed, themed)


def coverage_from_rows(store: Store, start: datetime, end: datetime) -> Coverage:
    """`coverage` counted from every item and assessment in the range (what the rollup path must equal)."""
    with store.read() as connection:
        return _coverage_of_rows(connection, start, end)


def _coverage_of_rows(connection: sa.Connection, start: datetime, end: datetime) -> Coverage:
    in_range = (items.c.posted_at >= start, items.c.posted_at < end)
    themed = sa.func.sum(sa.case((theme_assessments.c.themes > 0, 1), else_=0))
    total = int(connection.execute(sa.select(sa.func.count()).select_from(items).where(*in_range)).scalar_one())
    assessed, with_theme = connection.execute(
        sa.select(sa.func.count(), themed)
        .select_from(items.join(theme_assessments, theme_assessments.c.item_id == items.c.id))
        .where(*in_range)
    ).one()
    return Coverage(total, int(assessed or 0), int(with_theme or 0))


def _assignments(store: Store, taxonomy: Taxonomy, start: datetime, end: datetime) -> pd.DataFrame:
    """One row per (item, theme it counts towards): the resolved theme and its parent both."""
    return _assignments_in(store, taxonomy, [(start, end)])


def _assignments_in(store: Store, taxonomy: Taxonomy, ranges: Sequence[tuple[datetime, datetime]]) -> pd.DataFrame:
    """`_assignments` of the items posted in any of `ranges` (none: no rows)."""
    if not ranges:
        return pd.DataFrame(columns=["item_id", "theme_id", "posted_at", "sentiment", "nps", "csat"])
    query = sa.select(
        item_themes.c.item_id,
        item_themes.c.theme_id,
        items.c.posted_at,
        items.c.sentiment_label,
        items.c.nps,
        items.c.csat,
    ).join(items, items.c.id == item_themes.c.item_id)
    # One SELECT per range in a UNION ALL: SQLite answered an OR of a range a day (a Kolkata
    # series) by reading every assignment.
    reads = [query.where(items.c.posted_at >= start, items.c.posted_at < end) for start, end in ranges]
    rows: list[Any] = []
    with store.read() as connection:
        for at in range(0, len(reads), rollups.SPANS_PER_READ):
            chunk = reads[at : at + rollups.SPANS_PER_READ]
            rows += connection.execute(chunk[0] if len(chunk) == 1 else sa.union_all(*chunk)).all()
    records = []
    for item_id, theme_id, posted_at, sentiment, nps, csat in rows:
        theme = taxonomy.resolve(str(theme_id))
        if theme is None:
            continue
        for counted in {theme.id, theme.parent_id} - {None}:
            records.append((item_id, counted, posted_at, sentiment, nps, csat))
    frame = pd.DataFrame(records, columns=["item_id", "theme_id", "posted_at", "sentiment", "nps", "csat"])
    return frame.drop_duplicates(["item_id", "theme_id"])


def _nps(scores: pd.Series) -> float | None:
    scored = scores.dropna()
    if scored.empty:
        return None
    return round(100.0 * (float((scored >= 9).sum()) - float((scored <= 6).sum())) / len(scored), 1)


def _csat(scores: pd.Series) -> float | None:
    scored = scores.dropna()
    return round(float(scored.mean()), 2) if not scored.empty else None


SUMMARY_COLUMNS = [
    "theme_id",
    "theme",
    "parent",
    "owner",
    "items",
    "negative_share",
    "nps",
    "csat",
    "previous",
    "change",
]


def theme_summary(store: Store, taxonomy: Taxonomy, start: datetime, end: datetime) -> pd.DataFrame:
    """Per active theme: items in range, negative share, NPS, CSAT, and the change on the period before.

    Whole UTC hours come from `theme_counts`, the partial hours at the edges from the items
    (`voc.themes.rollups`); `theme_summary_from_rows` reads every row, with the same result."""
    span = end - start
    with store.read() as connection:
        if not rollups.serves(connection, taxonomy):
            return theme_summary_from_rows(store, taxonomy, start, end)
        now_sums = _figures_between(store, connection, taxonomy, start, end)
        before = _figures_between(store, connection, taxonomy, start - span, start)
    return _summary_frame(taxonomy, now_sums, {theme_id: f.items for theme_id, f in before.items()})


def theme_summary_from_rows(store: Store, taxonomy: Taxonomy, start: datetime, end: datetime) -> pd.DataFrame:
    """`theme_summary` from every assignment in both periods (what the rollup path must equal)."""
    span = end - start
    now_sums = _figures_of(_assignments(store, taxonomy, start, end), by=["theme_id"])
    before = _figures_of(_assignments(store, taxonomy, start - span, start), by=["theme_id"])
    return _summary_frame(taxonomy, {k[0]: v for k, v in now_sums.items()}, {k[0]: f.items for k, f in before.items()})


@dataclass(frozen=True)
class _Figures:
    """Items counted once per theme and what the figures are made of: summable across hours."""

    items: int = 0
    negative: int = 0
    nps_responses: int = 0
    promoters: int = 0
    detractors: int = 0
    csat_responses: int = 0
    csat_sum: int = 0

    def __add__(self, other: _Figures) -> _Figures:
        # Field by field, not dataclasses.astuple (a deep copy): a year's series adds thousands.
        return _Figures(
            self.items + other.items,
            self.negative + other.negative,
            self.nps_responses + other.nps_responses,
            self.promoters + other.promoters,
            self.detractors + other.detractors,
            self.csat_responses + other.csat_responses,
            self.csat_sum + other.csat_sum,
        )

    @property
    def nps(self) -> float | None:
        if not self.nps_responses:
            return None
        return round(100.0 * (float(self.promoters) - float(self.detractors)) / self.nps_responses, 1)

    @property
    def csat(self) -> float | None:
        return round(self.csat_sum / self.csat_responses, 2) if self.csat_responses else None


def _figures_of(frame: pd.DataFrame, by: list[str]) -> dict[tuple[Any, ...], _Figures]:
    """Figures per `by` group of `_assignments` rows."""
    out: dict[tuple[Any, ...], _Figures] = {}
    if frame.empty:
        return out
    nps, csat = frame["nps"], frame["csat"]
    parts = pd.DataFrame(
        {
            **{column: frame[column] for column in by},
            "items": 1,
            "negative": (frame["sentiment"] == "negative").astype("int64"),
            "nps_responses": nps.notna().astype("int64"),
            "promoters": (nps.notna() & (nps.fillna(0) >= 9)).astype("int64"),
            "detractors": (nps.notna() & (nps.fillna(99) <= 6)).astype("int64"),
            "csat_responses": csat.notna().astype("int64"),
            "csat_sum": csat.fillna(0).astype("int64"),
        }
    )
    for key, row in parts.groupby(by).sum().iterrows():
        out[key if isinstance(key, tuple) else (key,)] = _Figures(*(int(row[c]) for c in _FIGURE_COLUMNS))
    return out


_FIGURE_COLUMNS = ["items", "negative", "nps_responses", "promoters", "detractors", "csat_responses", "csat_sum"]


def _from_rollup(rows: list[Any], key: Any) -> dict[Any, _Figures]:
    out: dict[Any, _Figures] = {}
    for row in rows:
        figures = _Figures(
            int(row["items"]),
            int(row["items"]) if row["sentiment"] == "negative" else 0,
            int(row["nps_responses"]),
            int(row["promoters"]),
            int(row["detractors"]),
            int(row["csat_responses"]),
            int(row["csat_sum"]),
        )
        k = key(row)
        out[k] = out.get(k, _Figures()) + figures
    return out


def _figures_between(
    store: Store, connection: sa.Connection, taxonomy: Taxonomy, start: datetime, end: datetime
) -> dict[str, _Figures]:
    """Per counted theme: whole hours from the rollup, the edges from the rows."""
    plan = ranges.plan_range(start, end)
    out = _from_rollup(rollups.rollup_rows(connection, plan), lambda row: str(row["theme_id"]))
    for edge_start, edge_end in plan.raw:
        for (theme_id,), figures in _figures_of(
            _assignments(store, taxonomy, edge_start, edge_end), ["theme_id"]
        ).items():
            out[theme_id] = out.get(theme_id, _Figures()) + figures
    return out


def _summary_frame(taxonomy: Taxonomy, now_sums: dict[str, _Figures], previous: dict[str, int]) -> pd.DataFrame:
    rows = []
    for theme in taxonomy.active():
        mine = now_sums.get(theme.id, _Figures())
        count = mine.items
        prior = int(previous.get(theme.id, 0))
        parent = taxonomy.get(theme.parent_id) if theme.parent_id else None
        rows.append(
            {
                "theme_id": theme.id,
                "theme": theme.name,
                "parent": parent.name if parent else "",
                "owner": theme.owner,
                "items": count,
                "negative_share": mine.negative / count if count else None,
                "nps": mine.nps,
                "csat": mine.csat,
                "previous": prior,
                "change": (count - prior) / prior if prior else None,
            }
        )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS).astype(
        {"negative_share": "float64", "nps": "float64", "csat": "float64", "change": "float64"}
    )
    return frame.sort_values(["items", "theme"], ascending=[False, True], kind="stable").reset_index(drop=True)


SERIES_COLUMNS = ["bucket", "items", "negative", "nps", "csat"]


def theme_series(
    store: Store, taxonomy: Taxonomy, theme_id: str, start: datetime, end: datetime, *, freq: str = "D", tz: str = "UTC"
) -> pd.DataFrame:
    """A theme's items, negative share, NPS and CSAT per time bucket (viewer's wall clock).

    Whole UTC hours inside one local bucket come from `theme_counts`; the edges, and the hours a
    local bucket boundary cuts (India's +5:30), from the rows."""
    resolved = taxonomy.resolve(theme_id)
    counted = resolved.id if resolved else theme_id
    plan = ranges.plan_range(start, end, freq, tz)
    with store.read() as connection:
        if not rollups.serves(connection, taxonomy) or len(plan.raw) > MAX_CUT_SPANS:
            return theme_series_from_rows(store, taxonomy, theme_id, start, end, freq=freq, tz=tz)
        rows = rollups.rollup_rows(connection, plan, theme_ids=[counted], by_hour=True)
    per_bucket: dict[Any, _Figures] = {}
    if rows:
        local = ranges.local_bins(pd.Series([int(row["hour"]) for row in rows]), freq, tz)
        per_bucket = _from_rollup(
            [{**row, "bucket": b} for row, b in zip(rows, local, strict=True)], lambda row: row["bucket"]
        )
    frame = _assignments_in(store, taxonomy, plan.raw)
    mine = frame[frame["theme_id"] == counted].copy()
    if not mine.empty:
        mine["bucket"] = _local_bucket(mine["posted_at"], freq, tz)
        for (bucket,), figures in _figures_of(mine, ["bucket"]).items():
            per_bucket[bucket] = per_bucket.get(bucket, _Figures()) + figures
    buckets = bucket_grid(start, end, freq, tz)
    if not per_bucket:
        return pd.DataFrame(
            {"bucket": buckets, "items": 0, "negative": 0, "nps": None, "csat": None}, columns=SERIES_COLUMNS
        )
    order = sorted(per_bucket)
    index = pd.DatetimeIndex(order, name="bucket").astype("datetime64[us]")
    out = pd.DataFrame(
        {
            "items": pd.Series([per_bucket[b].items for b in order], index=index),
            "negative": pd.Series([per_bucket[b].negative for b in order], index=index),
            "nps": pd.Series([per_bucket[b].nps for b in order], index=index),
            "csat": pd.Series([per_bucket[b].csat for b in order], index=index),
        }
    ).reindex(buckets)
    out["items"] = out["items"].fillna(0).astype("int64")
    out["negative"] = out["negative"].fillna(0).astype("int64")
    return out.reset_index()[SERIES_COLUMNS]


MAX_CUT_SPANS = 400  # hourly buckets in a half-hour zone cut every hour: the rows are then as quick


def _local_bucket(posted_at: pd.Series, freq: str, tz: str) -> pd.Series:
    local = floor_local(pd.to_datetime(posted_at, utc=True).dt.tz_convert(tz).dt.tz_localize(None), freq)
    return local.astype("datetime64[us]")


def theme_series_from_rows(
    store: Store, taxonomy: Taxonomy, theme_id: str, start: datetime, end: datetime, *, freq: str = "D", tz: str = "UTC"
) -> pd.DataFrame:
    """`theme_series` from every assignment in range (what the rollup path must equal)."""
    frame = _assignments(store, taxonomy, start, end)
    resolved = taxonomy.resolve(theme_id)
    mine = frame[frame["theme_id"] == (resolved.id if resolved else theme_id)].copy()
    buckets = bucket_grid(start, end, freq, tz)  # hours, days or Monday weeks, like the Trends page
    columns = SERIES_COLUMNS
    if mine.empty:
        out = pd.DataFrame({"bucket": buckets, "items": 0, "negative": 0, "nps": None, "csat": None}, columns=columns)
        return out
    mine["bucket"] = _local_bucket(mine["posted_at"], freq, tz)
    grouped = mine.groupby("bucket")
    out = pd.DataFrame(
        {
            "items": grouped["item_id"].nunique(),
            "negative": grouped["sentiment"].apply(lambda s: int((s == "negative").sum())),
            "nps": grouped["nps"].apply(_nps),
            "csat": grouped["csat"].apply(_csat),
        }
    ).reindex(buckets)
    out["items"] = out["items"].fillna(0).astype("int64")
    out["negative"] = out["negative"].fillna(0).astype("int64")
    return out.reset_index()[columns]


ITEM_COLUMNS = ["id", "posted_at", "text", "language", "channel", "sentiment_label", "nps", "csat"]


def theme_items(store: Store, theme_id: str, start: datetime, end: datetime, *, limit: int = 200) -> pd.DataFrame:
    """The newest items of a theme (or of the unthemed bucket, with "unthemed") in the range."""
    query = (
        sa.select(*(items.c[c] for c in ITEM_COLUMNS))
        .where(items.c.id.in_(items_in_theme(theme_id)), items.c.posted_at >= start, items.c.posted_at < end)
        .order_by(items.c.posted_at.desc(), items.c.id.desc())
        .limit(limit)
    )
    with store.read() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=ITEM_COLUMNS)


EXPORT_COLUMNS = [
    "item_id",
    "posted_at",
    "language",
    "sentiment",
    "theme_id",
    "theme_id_as_assigned",
    "theme",
    "confidence",
    "reason",
    "method",
    "taxonomy_version",
]


def assignments_export(
    store: Store, taxonomy: Taxonomy, start: datetime, end: datetime, theme_id: str | None = None
) -> pd.DataFrame:
    """Every assignment in range (optionally of one theme, old ids included), ready for CSV.

    `theme_id` is today's id (old, merged ids resolved), `theme_id_as_assigned` the stored one, and
    `taxonomy_version` the version the assignment was made under; the export's own version is
    `taxonomy.version`.
    """
    query = (
        sa.select(
            items.c.id,
            items.c.posted_at,
            items.c.language,
            items.c.sentiment_label,
            item_themes.c.theme_id,
            item_themes.c.confidence,
            item_themes.c.reason,
            item_themes.c.method,
            item_themes.c.taxonomy_version,
        )
        .join(items, items.c.id == item_themes.c.item_id)
        .where(items.c.posted_at >= start, items.c.posted_at < end)
        .order_by(items.c.id, item_themes.c.theme_id)
    )
    if theme_id is not None:
        query = query.where(items.c.id.in_(items_in_theme(theme_id)))
    with store.read() as connection:
        rows = connection.execute(query).all()
    records = []
    for item_id, posted_at, language, sentiment, stored, confidence, reason, method, version in rows:
        theme = taxonomy.resolve(str(stored))
        records.append(
            (
                item_id,
                posted_at,
                language,
                sentiment,
                theme.id if theme else stored,
                stored,
                taxonomy.label(str(stored)),
                confidence,
                reason,
                method,
                version,
            )
        )
    frame = pd.DataFrame(records, columns=EXPORT_COLUMNS)
    frame["export_taxonomy_version"] = taxonomy.version
    return frame
