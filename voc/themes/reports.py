"""What the Themes page and exports read: coverage, per-theme volume / sentiment / NPS / CSAT, items.

Stored assignments name the id a theme had when the item was assigned; every report resolves ids
through the taxonomy, so a merged theme's history counts towards the theme that absorbed it and
a sub-theme's items count towards its parent too. Exports carry both the id as stored and the id
it resolves to today, plus the taxonomy version each assignment was made under.

Domain module: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from voc.store.facade import Store
from voc.store.schema import item_themes, items, theme_assessments
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
    """How many items in the range were assessed, and how many of those got a theme."""
    in_range = (items.c.posted_at >= start, items.c.posted_at < end)
    themed = sa.func.sum(sa.case((theme_assessments.c.themes > 0, 1), else_=0))
    with store.read() as connection:
        total = int(connection.execute(sa.select(sa.func.count()).select_from(items).where(*in_range)).scalar_one())
        assessed, with_theme = connection.execute(
            sa.select(sa.func.count(), themed)
            .select_from(items.join(theme_assessments, theme_assessments.c.item_id == items.c.id))
            .where(*in_range)
        ).one()
    return Coverage(total, int(assessed or 0), int(with_theme or 0))


def _assignments(store: Store, taxonomy: Taxonomy, start: datetime, end: datetime) -> pd.DataFrame:
    """One row per (item, theme it counts towards): the resolved theme and its parent both."""
    query = (
        sa.select(
            item_themes.c.item_id,
            item_themes.c.theme_id,
            items.c.posted_at,
            items.c.sentiment_label,
            items.c.nps,
            items.c.csat,
        )
        .join(items, items.c.id == item_themes.c.item_id)
        .where(items.c.posted_at >= start, items.c.posted_at < end)
    )
    with store.read() as connection:
        rows = connection.execute(query).all()
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
    """Per active theme: items in range, negative share, NPS, CSAT, and the change on the period before."""
    span = end - start
    now_frame = _assignments(store, taxonomy, start, end)
    before = _assignments(store, taxonomy, start - span, start)
    previous = before.groupby("theme_id")["item_id"].nunique().to_dict() if not before.empty else {}
    rows = []
    for theme in taxonomy.active():
        mine = now_frame[now_frame["theme_id"] == theme.id]
        count = int(mine["item_id"].nunique())
        prior = int(previous.get(theme.id, 0))
        parent = taxonomy.get(theme.parent_id) if theme.parent_id else None
        rows.append(
            {
                "theme_id": theme.id,
                "theme": theme.name,
                "parent": parent.name if parent else "",
                "owner": theme.owner,
                "items": count,
                "negative_share": float((mine["sentiment"] == "negative").mean()) if count else None,
                "nps": _nps(mine["nps"]),
                "csat": _csat(mine["csat"]),
                "previous": prior,
                "change": (count - prior) / prior if prior else None,
            }
        )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS).astype(
        {"negative_share": "float64", "nps": "float64", "csat": "float64", "change": "float64"}
    )
    return frame.sort_values(["items", "theme"], ascending=[False, True], kind="stable").reset_index(drop=True)


def theme_series(
    store: Store, taxonomy: Taxonomy, theme_id: str, start: datetime, end: datetime, *, freq: str = "D", tz: str = "UTC"
) -> pd.DataFrame:
    """A theme's items, negative share, NPS and CSAT per time bucket (viewer's wall clock)."""
    frame = _assignments(store, taxonomy, start, end)
    resolved = taxonomy.resolve(theme_id)
    mine = frame[frame["theme_id"] == (resolved.id if resolved else theme_id)].copy()
    buckets = bucket_grid(start, end, freq, tz)  # hours, days or Monday weeks, like the Trends page
    columns = ["bucket", "items", "negative", "nps", "csat"]
    if mine.empty:
        out = pd.DataFrame({"bucket": buckets, "items": 0, "negative": 0, "nps": None, "csat": None}, columns=columns)
        return out
    local = floor_local(pd.to_datetime(mine["posted_at"], utc=True).dt.tz_convert(tz).dt.tz_localize(None), freq)
    mine["bucket"] = local.astype("datetime64[us]")
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
