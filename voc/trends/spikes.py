"""Spike detection: an hour whose volume or negative share stands far above its trailing baseline.

Per hour (the last complete one, by posting time) and per metric — volume, negative share — the
observation is compared with the previous `baseline_hours` hours using robust statistics: the
median and the median absolute deviation (MAD, scaled by 1.4826 to match a standard deviation on
normal data; floored at √median for counts, so a flat baseline of 10 does not make 13 a spike).
A spike needs all of: a robust z-score ≥ `z_at_least`, a ratio to the median ≥ `factor_at_least`
(volume) or a rise ≥ `share_rise_at_least` (share), and enough items (`min_volume`,
`min_negative`), and a day of history before the hour (`min_history`). The alert cooldown keeps one
surge from paging every hour.

Each spike says why: observed vs expected, the factor, and the themes, words, languages and
authors over-represented in the hour compared with the baseline. A repost or pasted copy of an
earlier post counts once (`voc.trends.counting`): a feed that re-posts old items is not a surge.
Hourly counts come from the database (GROUP BY hour). Domain: no Streamlit.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa

from voc.alerts.service import raise_alert
from voc.naming import language_name
from voc.store.facade import Store
from voc.store.schema import alerts, item_themes, items, themes
from voc.trends.buckets import epoch_slot, slot_start
from voc.trends.counting import counted_once

VOLUME: Final = "volume_spike"
NEGATIVE_SHARE: Final = "negative_share_spike"
RULES: Final = (VOLUME, NEGATIVE_SHARE)
MAD_SCALE: Final = 1.4826
_WORD = re.compile(r"[^\W\d_]{4,}")
_STOP: Final = frozenset(
    [
        "this",
        "that",
        "with",
        "have",
        "from",
        "they",
        "your",
        "what",
        "when",
        "were",
        "been",
        "will",
        "just",
        "about",
        "there",
        "their",
        "would",
        "could",
        "should",
        "para",
        "como",
        "esta",
        "pero",
        "porque",
        "avec",
        "dans",
        "pour",
        "nicht",
        "eine",
        "sind",
        "auch",
    ]
)


@dataclass(frozen=True)
class SpikeConfig:
    baseline_hours: int = 72
    min_volume: int = 20
    min_negative: int = 10
    factor_at_least: float = 2.0
    share_rise_at_least: float = 0.15
    z_at_least: float = 4.0
    cooldown: timedelta = timedelta(hours=3)
    # Hours before the first stored item are not "quiet", they are unknown: they stay out of the
    # baseline, and with less history than this before the hour there is none (a back-fill's first
    # hours would all look like surges).
    min_history: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class Spike:
    metric: str  # VOLUME or NEGATIVE_SHARE
    hour: datetime  # start of the hour, UTC
    observed: float
    expected: float
    factor: float
    z: float
    drivers: dict[str, list[str]] = field(default_factory=dict)  # themes, words, languages, authors

    @property
    def summary(self) -> str:
        if self.metric == VOLUME:
            return f"{self.observed:.0f} items in the hour vs {self.expected:.0f} expected (×{self.factor:.1f})"
        return f"negative share {self.observed:.0%} vs {self.expected:.0%} expected (×{self.factor:.1f})"

    def explanation(self) -> list[str]:
        lines = [self.summary]
        for name, values in self.drivers.items():
            if values:
                lines.append(f"top {name}: {', '.join(values)}")
        return lines


def robust_z(value: float, baseline: list[float], *, count_floor: bool) -> tuple[float, float]:
    """(median, z) of `value` against `baseline` with the median and the scaled MAD."""
    series = pd.Series(baseline, dtype="float64")
    median = float(series.median()) if len(series) else 0.0
    mad = float((series - median).abs().median()) * MAD_SCALE if len(series) else 0.0
    spread = max(mad, math.sqrt(max(median, 1.0))) if count_floor else max(mad, 0.05)
    return median, (value - median) / spread


def _own_counted(start: datetime, end: datetime) -> list[Any]:
    """Our own brand's items in [start, end), each post counted once."""
    return [items.c.posted_at >= start, items.c.posted_at < end, items.c.is_competitor.is_(False), counted_once()]


def _hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def detect(
    store: Store, *, now: datetime, config: SpikeConfig | None = None, hour: datetime | None = None
) -> list[Spike]:
    """Spikes in `hour` (default: the last complete hour before `now`) for our own brand."""
    config = config or SpikeConfig()
    hour = _hour_floor(hour) if hour is not None else _hour_floor(now) - timedelta(hours=1)
    start = hour - timedelta(hours=config.baseline_hours)
    slot = epoch_slot(items.c.posted_at, 3600)
    negative = sa.func.sum(sa.case((items.c.sentiment_label == "negative", 1), else_=0))
    query = (
        sa.select(slot, sa.func.count(), negative).where(*_own_counted(start, hour + timedelta(hours=1))).group_by(slot)
    )
    with store.read() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["slot", "volume", "negative"])
    if frame.empty:
        return []
    frame["hour"] = slot_start(frame["slot"], 3600)
    first = frame["hour"].min()
    if first > hour - config.min_history:
        return []
    grid = pd.date_range(max(pd.Timestamp(start), first), hour, freq="h", tz="UTC")  # no zeros before the history
    per_hour = frame.set_index("hour")[["volume", "negative"]].astype("int64").reindex(grid, fill_value=0)
    current = per_hour.iloc[-1]
    baseline = per_hour.iloc[:-1]
    spikes: list[Spike] = []
    volume = float(current["volume"])
    expected, z = robust_z(volume, baseline["volume"].astype(float).tolist(), count_floor=True)
    factor = volume / max(expected, 1.0)
    if volume >= config.min_volume and z >= config.z_at_least and factor >= config.factor_at_least:
        spikes.append(Spike(VOLUME, hour, volume, expected, factor, z))
    negatives = float(current["negative"])
    if negatives >= config.min_negative and volume:
        share = negatives / volume
        enough = baseline[baseline["volume"] >= 3]
        shares = (enough["negative"] / enough["volume"]).astype(float).tolist()
        expected_share, z_share = robust_z(share, shares, count_floor=False)
        if z_share >= config.z_at_least and share - expected_share >= config.share_rise_at_least:
            spikes.append(
                Spike(NEGATIVE_SHARE, hour, share, expected_share, share / max(expected_share, 0.01), z_share)
            )
    if not spikes:
        return []
    drivers = explain(store, hour, start, negative_only=False)
    negative_drivers = (
        explain(store, hour, start, negative_only=True) if any(s.metric == NEGATIVE_SHARE for s in spikes) else drivers
    )
    return [
        Spike(
            s.metric,
            s.hour,
            s.observed,
            s.expected,
            s.factor,
            s.z,
            negative_drivers if s.metric == NEGATIVE_SHARE else drivers,
        )
        for s in spikes
    ]


def explain(
    store: Store, hour: datetime, start: datetime, *, negative_only: bool, top: int = 3
) -> dict[str, list[str]]:
    """What the hour has more of than the baseline: themes, words, languages, authors."""
    conditions: list[Any] = _own_counted(start, hour + timedelta(hours=1))
    if negative_only:
        conditions.append(items.c.sentiment_label == "negative")
    with store.read() as connection:
        rows = connection.execute(
            sa.select(
                items.c.id, items.c.posted_at, items.c.text, items.c.language, items.c.author, items.c.brand
            ).where(*conditions)
        ).all()
        theme_rows = connection.execute(
            sa.select(item_themes.c.item_id, themes.c.name)
            .join(themes, themes.c.id == item_themes.c.theme_id)
            .join(items, items.c.id == item_themes.c.item_id)
            .where(*conditions)
        ).all()
    in_hour = {r.id for r in rows if _hour_floor(r.posted_at) == hour}
    hours = max((hour - start).total_seconds() / 3600, 1.0)

    def lifted(pairs: list[tuple[int, str]]) -> list[str]:
        now_count: Counter[str] = Counter(v for i, v in pairs if i in in_hour)
        before: Counter[str] = Counter(v for i, v in pairs if i not in in_hour)
        scored = {v: n / (1.0 + before[v] / hours) for v, n in now_count.items() if n >= 2}
        return [f"{v} ({now_count[v]})" for v, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]

    # The brand's own name (and its hashtag) is in most posts about it: never the news of an hour.
    brands = {(r.brand or "").casefold() for r in rows}
    brand_words = {w for b in brands for w in _WORD.findall(b)} | {"".join(_WORD.findall(b)) for b in brands}
    skip = _STOP | brand_words
    words = [(r.id, w) for r in rows for w in set(_WORD.findall((r.text or "").casefold())) if w not in skip]
    return {
        "themes": lifted([(r.item_id, r.name) for r in theme_rows]),
        "words": lifted(words),
        "languages": lifted([(r.id, language_name(r.language)) for r in rows if r.language]),
        "authors": lifted([(r.id, r.author) for r in rows if r.author]),  # as stored: "@dana", "u/dana"
    }


def late_hours(store: Store, *, now: datetime, since: datetime, reach: timedelta = timedelta(days=8)) -> list[datetime]:
    """Complete hours before the last one that received items ingested since `since`: a back-fill
    (the demo's week, a source's first day) lands in the past, where the hourly check never looks."""
    last = _hour_floor(now) - timedelta(hours=1)
    query = sa.select(items.c.posted_at).where(
        items.c.ingested_at >= since,
        items.c.posted_at >= last - reach,
        items.c.posted_at < last,
        items.c.is_competitor.is_(False),
    )
    with store.read() as connection:
        posted = connection.execute(query).scalars().all()
    return sorted({_hour_floor(moment) for moment in posted})


def raise_spike_alerts(
    store: Store, *, now: datetime, config: SpikeConfig | None = None, hours: list[datetime] | None = None
) -> list[int]:
    """Detect spikes in the last complete hour (and in `hours`, oldest first: late data) and raise
    an alert for each (deduplicated per hour, cooled down per metric)."""

    config = config or SpikeConfig()
    raised: list[int] = []
    found = [spike for hour in hours or [] for spike in detect(store, now=now, config=config, hour=hour)]
    for spike in [*found, *detect(store, now=now, config=config)]:
        label = "Volume spike" if spike.metric == VOLUME else "Negative-share spike"
        alert_id = raise_alert(
            store,
            rule=spike.metric,
            dedupe_key=f"{spike.metric}:{spike.hour.isoformat()}",
            title=f"{label}: {spike.summary}",
            details={
                "hour": spike.hour.isoformat(), "observed": spike.observed, "expected": spike.expected,
                "factor": round(spike.factor, 2), "z": round(spike.z, 1), "drivers": spike.drivers,
                "explanation": spike.explanation(), "summary": spike.summary, "page": "trends",
            },
            now=now,
            subject=spike.metric,
            cooldown=config.cooldown,
        )  # fmt: skip
        if alert_id is not None:
            raised.append(alert_id)
    return raised


SPIKE_NAMES: Final = {VOLUME: "Volume", NEGATIVE_SHARE: "Negative share"}


def spikes_between(store: Store, start: datetime, end: datetime) -> pd.DataFrame:
    """Recorded spikes (from their alerts) whose hour falls in [start, end), with their explanation:
    hour, metric, what ("Volume"), summary, observed, expected, themes and words (top drivers)."""
    columns = ["hour", "metric", "what", "summary", "observed", "expected", "themes", "words"]
    query = sa.select(alerts.c.rule, alerts.c.details).where(alerts.c.rule.in_(list(RULES)))
    with store.read() as connection:
        rows = connection.execute(query).all()
    records = []
    for rule, details in rows:
        details = details if isinstance(details, dict) else {}
        hour = datetime.fromisoformat(str(details.get("hour")))
        if start <= hour < end:
            found = details.get("drivers")
            drivers: dict[str, Any] = found if isinstance(found, dict) else {}
            records.append(
                {
                    "hour": hour,
                    "metric": rule,
                    "what": SPIKE_NAMES.get(rule, rule),
                    "summary": details.get("summary", ""),
                    "observed": details.get("observed"),
                    "expected": details.get("expected"),
                    "themes": ", ".join(drivers.get("themes") or []),
                    "words": ", ".join(drivers.get("words") or []),
                }
            )
    return pd.DataFrame(records, columns=columns)
