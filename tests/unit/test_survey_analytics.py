"""Survey view numbers from a frame of survey items: scores per response, bands, disagreements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from ui import charts
from voc.surveys import analytics

START = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)


def item(
    response: str, *, hours: float = 0, nps: int | None = None, csat: int | None = None, **values: object
) -> dict[str, object]:
    row: dict[str, object] = {
        "id": len(response),
        "survey": "relationship",
        "response_id": response,
        "external_id": f"{response}-{values.get('survey_field', '')}",
        "survey_field": None,
        "posted_at": START + timedelta(hours=hours),
        "language": "en",
        "nps": nps,
        "csat": csat,
        "ces": None,
        "text": "",
        "sentiment_label": "neutral",
        "sentiment_score": 0.0,
        "very_unhappy": False,
    }
    row.update(values)
    return row


@pytest.fixture
def frame() -> pd.DataFrame:
    rows = [
        # one response with two comment fields: its score must count once
        item(
            "r1",
            nps=2,
            survey_field="why",
            text="Awful",
            sentiment_label="negative",
            sentiment_score=-0.6,
            very_unhappy=True,
        ),
        item("r1", nps=2, survey_field="else", text="Just awful", sentiment_label="negative", sentiment_score=-0.5),
        item(
            "r2", hours=1, nps=10, survey_field="why", text="Love it", sentiment_label="positive", sentiment_score=0.6
        ),
        item(
            "r3",
            hours=2,
            nps=9,
            survey_field="why",
            text="Worst app ever",
            sentiment_label="negative",
            sentiment_score=-0.8,
        ),
        item(
            "r4",
            hours=3,
            csat=2,
            survey_field="why",
            text="Great, thanks!",
            sentiment_label="positive",
            sentiment_score=0.7,
            language="de",
        ),
        item("r5", hours=30, nps=8),  # score only, the next day
    ]
    out = pd.DataFrame(rows)
    out["posted_at"] = pd.to_datetime(out["posted_at"], utc=True)
    return out


def test_scores_count_once_per_response(frame: pd.DataFrame) -> None:
    per_response = analytics.responses(frame)
    assert len(per_response) == 5
    summary = analytics.summarise(per_response)
    # NPS over r1 (2), r2 (10), r3 (9), r5 (8): 2 promoters, 1 detractor of 4.
    assert (summary.nps, summary.nps_responses) == (25.0, 4)
    assert (summary.csat, summary.csat_responses) == (0.0, 1)
    assert summary.very_unhappy == 1


def test_nps_and_csat_of_empty_series_are_none() -> None:
    assert analytics.nps_of(pd.Series([], dtype="float")) is None
    assert analytics.csat_of(pd.Series([None, None], dtype="float")) is None
    assert analytics.csat_of(pd.Series([5, 4, 3, 1])) == 50.0


def test_scores_over_time_bucket_in_the_viewers_zone(frame: pd.DataFrame) -> None:
    per_response = analytics.responses(frame)
    utc_days = analytics.scores_over_time(per_response, "D", "UTC")
    tokyo_days = analytics.scores_over_time(per_response, "D", "Asia/Tokyo")
    # 22:30 and 23:30 UTC on 20 Nov are already 21 Nov in Tokyo: r1 and r2 join r3 and r4.
    assert list(utc_days["responses"]) == [2, 2, 1]
    assert list(tokyo_days["responses"]) == [4, 1]
    assert tokyo_days["nps"].iloc[0] == pytest.approx(100 * (2 - 1) / 3, abs=0.1)


def test_scores_by_language(frame: pd.DataFrame) -> None:
    by_language = analytics.scores_by_language(analytics.responses(frame))
    assert list(by_language["language"]) == ["en", "de"]
    assert by_language.loc[1, "csat"] == 0.0


def test_comments_are_grouped_by_score_band_detractors_first(frame: pd.DataFrame) -> None:
    bands = analytics.comments_by_band(frame)
    assert list(bands["band"]) == [
        "Detractor (0–6)",
        "Detractor (0–6)",
        "Promoter (9–10)",
        "Promoter (9–10)",
        "Dissatisfied (1–2)",
    ]
    assert "" not in set(bands["text"])  # score-only responses have no comment to read


def test_disagreements_are_happy_low_scores_and_angry_high_scores(frame: pd.DataFrame) -> None:
    found = analytics.disagreements(frame)
    assert list(zip(found["disagreement"], found["text"], strict=True)) == [
        (analytics.ANGRY_HIGH, "Worst app ever"),
        (analytics.HAPPY_LOW, "Great, thanks!"),
    ]


def test_charts_build_from_empty_and_full_frames(frame: pd.DataFrame) -> None:
    per_response = analytics.responses(frame)
    for over_time in (
        analytics.scores_over_time(per_response, "D", "UTC"),
        analytics.scores_over_time(per_response.head(0), "D", "UTC"),
    ):
        assert charts.score_chart(over_time, "day").to_dict()
    assert charts.language_chart(analytics.scores_by_language(per_response)).to_dict()


def test_a_score_of_zero_by_language_is_written_where_its_bar_has_no_length() -> None:
    by_language = pd.DataFrame({"language": ["Arabic"], "responses": [4], "nps": [None], "csat": [0.0]})
    chart = charts.language_chart(by_language).to_dict()
    assert [layer["mark"]["type"] for layer in chart["layer"]] == ["bar", "text", "text"]  # right of 0, left of 0
    assert chart["layer"][1]["encoding"]["text"] == {"field": "score", "format": ".0f", "type": "quantitative"}
    assert [chart["layer"][i]["mark"]["align"] for i in (1, 2)] == ["left", "right"]
    [rows] = chart["datasets"].values()
    assert [(row["language"], row["measure"], row["score"]) for row in rows] == [("Arabic", "CSAT %", 0.0)]


def test_filters_pick_days_or_weeks_and_refuse_naive_times() -> None:
    now = datetime(2026, 11, 23, 12, 0, 30, tzinfo=UTC)
    assert analytics.SurveyFilters.last("30d", now=now).bucket == "D"
    assert analytics.SurveyFilters.last("90d", now=now).bucket_label == "week"
    with pytest.raises(ValueError):
        analytics.SurveyFilters(datetime(2026, 1, 1), datetime(2026, 2, 1))
