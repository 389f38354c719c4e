"""The Survey view's numbers: NPS and CSAT over time and by language, comments by score band, and
the comments whose tone disagrees with their score (a happy 2/5, an angry 9/10).

Scores are counted once per *response* (survey and response id), not per item, since a response
with two comment fields is two items carrying the same score. NPS = % promoters (9–10) minus %
detractors (0–6); CSAT = % of responses scoring 4–5. Query functions take a `Store` and frozen,
hashable `SurveyFilters` (so the UI can cache on them) and return pandas frames; the chart
builders return Altair specs. Domain: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa

from voc.store.facade import Store
from voc.store.schema import items

RANGES: Final[dict[str, tuple[str, timedelta]]] = {
    "7d": ("Last 7 days", timedelta(days=7)),
    "30d": ("Last 30 days", timedelta(days=30)),
    "90d": ("Last 90 days", timedelta(days=90)),
    "365d": ("Last year", timedelta(days=365)),
}
DEFAULT_RANGE: Final = "30d"
ITEM_COLUMNS: Final = (
    "id",
    "survey",
    "response_id",
    "external_id",
    "survey_field",
    "posted_at",
    "language",
    "nps",
    "csat",
    "ces",
    "text",
    "sentiment_label",
    "sentiment_score",
    "very_unhappy",
)
NPS_BANDS: Final = (("Detractor (0–6)", 0, 6), ("Passive (7–8)", 7, 8), ("Promoter (9–10)", 9, 10))
CSAT_BANDS: Final = (("Dissatisfied (1–2)", 1, 2), ("Neutral (3)", 3, 3), ("Satisfied (4–5)", 4, 5))
HAPPY_LOW: Final = "Happy comment, low score"
ANGRY_HIGH: Final = "Angry comment, high score"


@dataclass(frozen=True)
class SurveyFilters:
    """What the Survey view shows: a time range, optionally one survey and one language."""

    start: datetime
    end: datetime
    survey: str | None = None
    language: str | None = None
    tz: str = "UTC"

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("SurveyFilters needs timezone-aware datetimes")
        if self.end <= self.start:
            raise ValueError("SurveyFilters: end must be after start")

    @classmethod
    def last(
        cls, range_key: str, *, now: datetime, survey: str | None = None, language: str | None = None, tz: str = "UTC"
    ) -> SurveyFilters:
        """The preset range ending now, `end` rounded up to the minute so caches keyed on it are reused."""
        _, span = RANGES[range_key]
        end = now.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        return cls(end - span, end, survey or None, language or None, tz)

    @property
    def bucket(self) -> str:
        """Pandas frequency: days up to a month, weeks beyond."""
        return "D" if self.end - self.start <= timedelta(days=31) else "W-MON"

    @property
    def bucket_label(self) -> str:
        return "day" if self.bucket == "D" else "week"


@dataclass(frozen=True)
class SurveySummary:
    responses: int
    nps: float | None
    nps_responses: int
    csat: float | None
    csat_responses: int
    very_unhappy: int


def survey_items(store: Store, filters: SurveyFilters) -> pd.DataFrame:
    """Survey items in range (one per comment field, or one per score-only response)."""
    query = sa.select(*(items.c[name] for name in ITEM_COLUMNS)).where(
        items.c.kind == "survey", items.c.posted_at >= filters.start, items.c.posted_at < filters.end
    )
    if filters.survey:
        query = query.where(items.c.survey == filters.survey)
    if filters.language:
        query = query.where(items.c.language == filters.language)
    with store.read() as connection:
        rows = [dict(row) for row in connection.execute(query.order_by(items.c.posted_at)).mappings()]
    frame = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    frame["posted_at"] = pd.to_datetime(frame["posted_at"], utc=True)
    return frame


def responses(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per response: first submission time, language, scores, and whether it is very unhappy."""
    columns = ["survey", "response", "posted_at", "language", "nps", "csat", "ces", "very_unhappy"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    keyed = frame.assign(response=frame["response_id"].fillna(frame["external_id"]), survey=frame["survey"].fillna(""))
    grouped = keyed.groupby(["survey", "response"], sort=False).agg(
        posted_at=("posted_at", "min"),
        language=("language", "first"),
        nps=("nps", "max"),
        csat=("csat", "max"),
        ces=("ces", "max"),
        very_unhappy=("very_unhappy", "max"),
    )
    return grouped.reset_index()[columns]


def nps_of(scores: pd.Series) -> float | None:
    """Net Promoter Score of 0–10 answers (None without any)."""
    scored = scores.dropna()
    if scored.empty:
        return None
    return round(100.0 * (int((scored >= 9).sum()) - int((scored <= 6).sum())) / len(scored), 1)


def csat_of(scores: pd.Series) -> float | None:
    """CSAT: the percentage of 1–5 answers that are 4 or 5 (None without any)."""
    scored = scores.dropna()
    if scored.empty:
        return None
    return round(100.0 * int((scored >= 4).sum()) / len(scored), 1)


def summarise(per_response: pd.DataFrame) -> SurveySummary:
    """Headline numbers for the responses in view."""
    if per_response.empty:
        return SurveySummary(0, None, 0, None, 0, 0)
    return SurveySummary(
        responses=len(per_response),
        nps=nps_of(per_response["nps"]),
        nps_responses=int(per_response["nps"].notna().sum()),
        csat=csat_of(per_response["csat"]),
        csat_responses=int(per_response["csat"].notna().sum()),
        very_unhappy=int(per_response["very_unhappy"].astype(bool).sum()),
    )


def scores_over_time(per_response: pd.DataFrame, bucket: str, tz: str) -> pd.DataFrame:
    """NPS and CSAT per day or week (in the viewer's zone), with the response counts behind them."""
    columns = ["bucket", "responses", "nps", "nps_responses", "csat", "csat_responses"]
    if per_response.empty:
        return pd.DataFrame(columns=columns)
    local = per_response.assign(bucket=per_response["posted_at"].dt.tz_convert(tz).dt.tz_localize(None))
    rows = []
    for when, group in local.groupby(pd.Grouper(key="bucket", freq=bucket)):
        if group.empty:
            continue
        rows.append(
            {
                "bucket": when,
                "responses": len(group),
                "nps": nps_of(group["nps"]),
                "nps_responses": int(group["nps"].notna().sum()),
                "csat": csat_of(group["csat"]),
                "csat_responses": int(group["csat"].notna().sum()),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def scores_by_language(per_response: pd.DataFrame) -> pd.DataFrame:
    """NPS and CSAT per response language, most responses first."""
    columns = ["language", "responses", "nps", "csat"]
    if per_response.empty:
        return pd.DataFrame(columns=columns)
    rows = [
        {"language": language, "responses": len(group), "nps": nps_of(group["nps"]), "csat": csat_of(group["csat"])}
        for language, group in per_response.groupby("language")
    ]
    return pd.DataFrame(rows, columns=columns).sort_values(
        ["responses", "language"], ascending=[False, True], ignore_index=True
    )


def band_of(nps: Any, csat: Any) -> str | None:
    """The score band of a response: its NPS band when it has an NPS, else its CSAT band."""
    for value, bands in ((nps, NPS_BANDS), (csat, CSAT_BANDS)):
        if value is not None and not pd.isna(value):
            for label, low, high in bands:
                if low <= int(value) <= high:
                    return label
    return None


def comments_by_band(frame: pd.DataFrame, *, per_band: int = 25) -> pd.DataFrame:
    """The newest comments in each score band (detractors first), for reading what drives a score."""
    columns = ["band", "posted_at", "survey", "language", "nps", "csat", "sentiment_label", "text"]
    commented = frame[frame["text"].fillna("").str.strip() != ""] if not frame.empty else frame
    if commented.empty:
        return pd.DataFrame(columns=columns)
    banded = commented.assign(band=[band_of(n, c) for n, c in zip(commented["nps"], commented["csat"], strict=True)])
    banded = banded[banded["band"].notna()]
    order = {label: i for i, (label, _, _) in enumerate(NPS_BANDS + CSAT_BANDS)}
    parts = [
        group.sort_values("posted_at", ascending=False).head(per_band)
        for _, group in sorted(banded.groupby("band"), key=lambda pair: order[str(pair[0])])
    ]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def disagreements(frame: pd.DataFrame, *, limit: int = 50, min_strength: float = 0.3) -> pd.DataFrame:
    """Comments whose tone clearly contradicts their score: positive with NPS ≤ 6 or CSAT ≤ 2,
    negative with NPS ≥ 9 or CSAT ≥ 4, at |sentiment| ≥ `min_strength` ("It was fine I guess" is
    not a happy comment). Either the score was misclicked or the comment says what it hides."""
    columns = ["disagreement", "posted_at", "survey", "language", "nps", "csat", "sentiment_score", "text"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    has_text = frame["text"].fillna("").str.strip() != ""
    low = (frame["nps"] <= 6) | (frame["csat"] <= 2)
    high = (frame["nps"] >= 9) | (frame["csat"] >= 4)
    strong = frame["sentiment_score"].abs() >= min_strength
    happy_low = frame[has_text & strong & low.fillna(False) & (frame["sentiment_label"] == "positive")]
    angry_high = frame[has_text & strong & high.fillna(False) & (frame["sentiment_label"] == "negative")]
    found = pd.concat([happy_low.assign(disagreement=HAPPY_LOW), angry_high.assign(disagreement=ANGRY_HIGH)])
    if found.empty:
        return pd.DataFrame(columns=columns)
    found = found.assign(strength=found["sentiment_score"].abs()).sort_values("strength", ascending=False)
    return found.head(limit).reset_index(drop=True)[columns]


def languages_in(store: Store) -> list[str]:
    """Languages of stored survey items, for the filter."""
    with store.read() as connection:
        found = connection.execute(sa.select(items.c.language).where(items.c.kind == "survey").distinct()).scalars()
        return sorted(str(language) for language in found if language)
