"""The summary of an export: per theme volume, sentiment mix, change, NPS/CSAT, examples; what changed.

Aggregated in SQL so a week of a million items costs a few grouped queries, not a million rows in
memory (`voc.themes.reports.theme_summary` computes the same figures in pandas for the Themes page,
and a test checks the two agree). Theme ids are resolved through the taxonomy: a merged theme's
history counts towards the theme that absorbed it and a sub-theme's towards its parent too.
Examples are each theme's most representative items of its tone (`voc.exports.examples`; stored
text is already redacted); emerging
themes are discovery's open, emerging proposals. Domain module: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa

from voc.exports.examples import representative_examples, theme_tone
from voc.exports.periods import ExportPeriod
from voc.store import ranges
from voc.store.facade import Store
from voc.store.schema import item_themes, items
from voc.themes import repository as theme_repo
from voc.themes import rollups
from voc.themes.reports import Coverage, coverage
from voc.themes.taxonomy import Taxonomy
from voc.trends.counting import counted_once, left_out_copy

EXAMPLES_PER_THEME: Final = 3
EXAMPLE_CHARS: Final = 400
MOVERS: Final = 3  # themes named in "what changed", each way
MIN_ITEMS_TO_MENTION: Final = 3  # a move from 1 to 2 items is noise, not news


@dataclass(frozen=True)
class Mix:
    """Items and their sentiment and survey scores (a theme's or the whole period's)."""

    items: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    nps_responses: int = 0
    promoters: int = 0
    detractors: int = 0
    csat: float | None = None  # mean
    csat_responses: int = 0

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.items if self.items else None

    @property
    def nps(self) -> float | None:
        if not self.nps_responses:
            return None
        return round(100.0 * (self.promoters - self.detractors) / self.nps_responses, 1)


@dataclass(frozen=True)
class ThemeLine:
    """One theme's line in the summary."""

    theme_id: str
    name: str
    parent: str
    owner: str
    mix: Mix
    previous: int
    examples: tuple[str, ...] = ()

    @property
    def change(self) -> float | None:
        """Relative change on the previous period (None when it had no items)."""
        return (self.mix.items - self.previous) / self.previous if self.previous else None


@dataclass(frozen=True)
class EmergingTheme:
    proposal_id: str
    label: str
    language: str
    size: int
    growth: float | None
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class ExportSummary:
    """Everything the summary sheet, the HTML page and the manifest say about one period."""

    period: ExportPeriod
    previous_period: ExportPeriod
    taxonomy_version: int
    generated_at: datetime
    totals: Mix
    previous_totals: Mix
    coverage: Coverage
    themes: tuple[ThemeLine, ...]
    emerging: tuple[EmergingTheme, ...]
    changes: tuple[str, ...] = field(default=())
    duplicates: int = 0  # reposts and copies in the period, left out of every count (voc.trends.counting)
    previous_duplicates: int = 0

    @property
    def empty(self) -> bool:
        return self.totals.items == 0


def _counted_ids(taxonomy: Taxonomy) -> list[tuple[str, str]]:
    """(stored id, id it counts towards) pairs: the resolved active theme and its parent."""
    pairs = []
    for theme in taxonomy.themes:
        resolved = taxonomy.resolve(theme.id)
        if resolved is None or not resolved.active:
            continue
        for counted in {resolved.id, resolved.parent_id} - {None}:
            pairs.append((theme.id, str(counted)))
    return pairs


def _mix_columns(source: Any) -> list[Any]:
    def count_if(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    return [
        sa.func.count(),
        count_if(source.c.sentiment_label == "negative"),
        count_if(source.c.sentiment_label == "neutral"),
        count_if(source.c.sentiment_label == "positive"),
        sa.func.count(source.c.nps),
        count_if(source.c.nps >= 9),
        count_if(source.c.nps <= 6),
        sa.func.avg(source.c.csat),
        sa.func.count(source.c.csat),
    ]


def _mix(values: Any) -> Mix:
    n, neg, neu, pos, nps_n, promoters, detractors, csat, csat_n = values
    return Mix(int(n), int(neg), int(neu), int(pos), int(nps_n), int(promoters), int(detractors),
               round(float(csat), 2) if csat is not None else None, int(csat_n))  # fmt: skip


def period_totals(store: Store, period: ExportPeriod) -> Mix:
    """Items in the period with their sentiment mix, NPS and CSAT, each post counted once."""
    in_range = (
        sa.select(items)
        .where(items.c.posted_at >= period.start, items.c.posted_at < period.end, counted_once())
        .subquery()
    )
    with store.read() as connection:
        return _mix(connection.execute(sa.select(*_mix_columns(in_range))).one())


def period_duplicates(store: Store, period: ExportPeriod) -> int:
    """Reposts and copies posted in the period: the items `period_totals` leaves out."""
    query = (
        sa.select(sa.func.count())
        .select_from(items)
        .where(items.c.posted_at >= period.start, items.c.posted_at < period.end, left_out_copy())
    )
    with store.read() as connection:
        return int(connection.execute(query).scalar_one())


def theme_mixes(store: Store, taxonomy: Taxonomy, period: ExportPeriod) -> dict[str, Mix]:
    """Per active theme (id as resolved today): its items in the period, each counted once."""
    return theme_mixes_between(store, taxonomy, period.start, period.end, once=True)


def theme_mixes_between(
    store: Store,
    taxonomy: Taxonomy,
    start: datetime,
    end: datetime,
    conditions: Sequence[Any] = (),
    *,
    once: bool = False,
    brand: str | None = None,
) -> dict[str, Mix]:
    """Per active theme: its items posted in [start, end) that meet `conditions` (on `items`),
    each item counted once per theme however many of the theme's ids (old, merged, sub) it holds.

    `once` leaves copies out (`counted_once`) and `brand` keeps one brand's items: those the hourly
    `theme_counts` can answer, so whole hours come from there and only the edges from the rows;
    any other condition reads the rows (`theme_mixes_from_rows`), with the same result."""
    if conditions:
        return theme_mixes_from_rows(store, taxonomy, start, end, conditions, once=once, brand=brand)
    pairs = _counted_ids(taxonomy)
    if not pairs:
        return {}
    with store.read() as connection:
        if rollups.retired_members(taxonomy) or not rollups.serves(connection, taxonomy):
            return theme_mixes_from_rows(store, taxonomy, start, end, once=once, brand=brand)
        plan = ranges.plan_range(start, end)
        rows = rollups.rollup_rows(connection, plan, once=once, brand=brand)
    wanted = {counted for _, counted in pairs}
    sums: dict[str, list[float]] = {}
    for row in rows:
        theme_id = str(row["theme_id"])
        if theme_id not in wanted:
            continue  # a retired theme counts towards itself on the Themes page, not here
        n = int(row["items"])
        sentiment = str(row["sentiment"])
        add = [n, n * (sentiment == "negative"), n * (sentiment == "neutral"), n * (sentiment == "positive"),
               int(row["nps_responses"]), int(row["promoters"]), int(row["detractors"]),
               int(row["csat_sum"]), int(row["csat_responses"])]  # fmt: skip
        sums[theme_id] = [a + b for a, b in zip(sums.get(theme_id, [0] * 9), add, strict=True)]
    for theme_id, values in _sums_from_rows(store, pairs, plan.raw, _row_conditions(once, brand)).items():
        sums[theme_id] = [a + b for a, b in zip(sums.get(theme_id, [0] * 9), values, strict=True)]
    return {theme_id: _mix_of_sums(values) for theme_id, values in sums.items() if values[0]}


def _row_conditions(once: bool, brand: str | None) -> list[Any]:
    return [*([counted_once()] if once else []), *([items.c.brand == brand] if brand is not None else [])]


def _mix_of_sums(values: Sequence[float]) -> Mix:
    n, neg, neu, pos, nps_n, promoters, detractors, csat_sum, csat_n = (int(v) for v in values)
    return Mix(n, neg, neu, pos, nps_n, promoters, detractors, round(csat_sum / csat_n, 2) if csat_n else None, csat_n)


def _counted_items(pairs: Sequence[tuple[str, str]], conditions: Sequence[Any]) -> Any:
    """One row per (counted theme, item) that meets `conditions` (on `items`, the time range among them).

    The range's items first (by the `posted_at` index), then their themes (by item id): the stored
    id becomes the counted one by a `CASE`, never by joining a mapping, which SQLite made the outer
    loop (the range read once per theme id, issue #21). A stored id counts towards up to two themes
    (its resolved theme and that theme's parent): one `CASE` each, and `UNION` keeps an item once
    per theme however many of its ids lead there."""
    mappings: list[dict[str, str]] = [{}, {}]
    for stored, counted in pairs:
        (mappings[0] if stored not in mappings[0] else mappings[1])[stored] = counted
    parts = [
        sa.select(
            sa.case(mapping, value=item_themes.c.theme_id).label("counted"),
            items.c.id,
            items.c.sentiment_label,
            items.c.nps,
            items.c.csat,
        )  # fmt: skip
        .select_from(items.join(item_themes, item_themes.c.item_id == items.c.id))
        .where(*conditions)
        for mapping in mappings
        if mapping
    ]
    combined: Any = sa.union(*parts) if len(parts) > 1 else parts[0].distinct()
    found = combined.subquery("counted_pairs")
    # A theme id the taxonomy does not count has no CASE branch: NULL, left out here.
    return sa.select(found).where(found.c.counted.is_not(None)).subquery("counted_items")


def _sums_from_rows(
    store: Store,
    pairs: Sequence[tuple[str, str]],
    ranges: Sequence[tuple[datetime, datetime]],
    conditions: Sequence[Any],
) -> dict[str, list[float]]:
    """Summable figures per counted theme of the items posted in any of `ranges` (one query)."""
    if not ranges:
        return {}
    in_ranges = sa.or_(*(sa.and_(items.c.posted_at >= a, items.c.posted_at < b) for a, b in ranges))
    distinct = _counted_items(pairs, [in_ranges, *conditions])  # each range by the index, not the span between
    columns = _mix_columns(distinct)
    columns[7] = sa.func.coalesce(sa.func.sum(distinct.c.csat), 0)  # a sum adds across hours, a mean does not
    query = sa.select(distinct.c.counted, *columns).group_by(distinct.c.counted)
    with store.read() as connection:
        return {str(row[0]): [int(v) for v in row[1:]] for row in connection.execute(query)}


def theme_mixes_from_rows(
    store: Store,
    taxonomy: Taxonomy,
    start: datetime,
    end: datetime,
    conditions: Sequence[Any] = (),
    *,
    once: bool = False,
    brand: str | None = None,
) -> dict[str, Mix]:
    """`theme_mixes_between` from the items alone (any condition; what the rollup path must equal)."""
    pairs = _counted_ids(taxonomy)
    if not pairs:
        return {}
    in_range = [items.c.posted_at >= start, items.c.posted_at < end]
    distinct = _counted_items(pairs, [*in_range, *conditions, *_row_conditions(once, brand)])
    query = sa.select(distinct.c.counted, *_mix_columns(distinct)).group_by(distinct.c.counted)
    with store.read() as connection:
        return {str(row[0]): _mix(row[1:]) for row in connection.execute(query)}


def emerging_themes(store: Store) -> tuple[EmergingTheme, ...]:
    """Discovery's open proposals flagged as emerging, as the Themes page lists them."""
    return tuple(
        EmergingTheme(str(p["id"]), str(p["label"]), str(p["language"]), int(p["size"]),
                      float(p["growth"]) if p["growth"] is not None else None, tuple(str(k) for k in p["keywords"] or ()))
        for p in theme_repo.proposals(store, "open") if p["emerging"]
    )  # fmt: skip


def _examples(store: Store, theme_id: str, period: ExportPeriod, mix: Mix) -> tuple[str, ...]:
    tone = theme_tone(mix.negative, mix.neutral, mix.positive)
    picked = representative_examples(store, theme_id, period, tone, EXAMPLES_PER_THEME)
    return tuple(_clip(text) for text in picked)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def build_summary(store: Store, taxonomy: Taxonomy, period: ExportPeriod, *, now: datetime) -> ExportSummary:
    """The summary of `period` against the period before it, under `taxonomy`."""
    previous_period = period.previous()
    now_mixes = theme_mixes(store, taxonomy, period)
    before = theme_mixes(store, taxonomy, previous_period)
    lines = []
    for theme in taxonomy.active():
        mix = now_mixes.get(theme.id, Mix())
        parent = taxonomy.get(theme.parent_id) if theme.parent_id else None
        lines.append(
            ThemeLine(theme.id, theme.name, parent.name if parent else "", theme.owner, mix,
                      before.get(theme.id, Mix()).items, _examples(store, theme.id, period, mix) if mix.items else ())
        )  # fmt: skip
    lines.sort(key=lambda line: (-line.mix.items, line.name.casefold()))
    summary = ExportSummary(
        period=period,
        previous_period=previous_period,
        taxonomy_version=taxonomy.version,
        generated_at=now,
        totals=period_totals(store, period),
        previous_totals=period_totals(store, previous_period),
        coverage=coverage(store, period.start, period.end),
        themes=tuple(lines),
        emerging=emerging_themes(store),
        duplicates=period_duplicates(store, period),
        previous_duplicates=period_duplicates(store, previous_period),
    )
    return replace(summary, changes=what_changed(summary))


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def what_changed(summary: ExportSummary) -> tuple[str, ...]:
    """A few plain sentences a product team can paste into a roadmap discussion."""
    totals, before = summary.totals, summary.previous_totals
    if summary.empty:
        return (f"No customer feedback was recorded from {summary.period.first} to {summary.period.last} "
                f"({summary.period.tz}); the previous period had {before.items} items.",)  # fmt: skip
    out = [f"{totals.items} items ({_signed(totals.items - before.items)} on the previous period's {before.items})."]
    if totals.negative_share is not None:
        text = f"Negative share {totals.negative_share:.0%}"
        if before.negative_share is not None:
            points = 100 * (totals.negative_share - before.negative_share)
            text += f" ({points:+.0f} points)"
        out.append(text + ".")
    if totals.nps is not None:
        out.append(f"NPS {totals.nps:+.0f} from {totals.nps_responses} responses"
                   + (f" (was {before.nps:+.0f})." if before.nps is not None else "."))  # fmt: skip
    top = [line for line in summary.themes if not line.parent]  # sub-themes are inside their parent's figures
    moves = [
        line
        for line in top
        if max(line.mix.items, line.previous) >= MIN_ITEMS_TO_MENTION and line.mix.items != line.previous
    ]
    rising = sorted((m for m in moves if m.mix.items > m.previous), key=lambda m: m.previous - m.mix.items)[:MOVERS]
    falling = sorted((m for m in moves if m.mix.items < m.previous), key=lambda m: m.mix.items - m.previous)[:MOVERS]
    for line in rising:
        new = " (new this period)" if line.previous == 0 else ""
        out.append(
            f"Up: {line.name} {line.previous} → {line.mix.items} items{new}"
            + (f", owner {line.owner}." if line.owner else ".")
        )
    for line in falling:
        out.append(f"Down: {line.name} {line.previous} → {line.mix.items} items.")
    if summary.emerging:
        names = ", ".join(f"“{e.label}”" for e in summary.emerging[:3])
        topics = "emerging topic" if len(summary.emerging) == 1 else "emerging topics"
        out.append(f"{len(summary.emerging)} {topics} not yet in the taxonomy: {names}.")
    return tuple(out)
