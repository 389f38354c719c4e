"""Trend filters and chart builders: pure, no database (queries are in tests/integration)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from ui import charts, widgets
from voc.trends import queries as trends
from voc.trends.queries import TrendFilters, TrendSummary

NOW = datetime.fromisoformat("2026-11-23T12:34:56+00:00")


def test_a_preset_ends_at_the_next_minute_so_reruns_share_a_cache_key() -> None:
    first = TrendFilters.last("24h", now=NOW)
    later = TrendFilters.last("24h", now=NOW + timedelta(seconds=3))

    assert first == later and hash(first) == hash(later)
    assert first.end == datetime.fromisoformat("2026-11-23T12:35:00+00:00")
    assert first.end - first.start == timedelta(hours=24)


@pytest.mark.parametrize(("range_key", "bucket"), [("24h", "h"), ("3d", "h"), ("7d", "D"), ("30d", "D")])
def test_short_ranges_bucket_by_hour_and_long_ones_by_day(range_key: str, bucket: str) -> None:
    assert TrendFilters.last(range_key, now=NOW).bucket == bucket


def test_empty_filter_values_mean_everything_and_a_bad_zone_means_utc() -> None:
    filters = TrendFilters.last("7d", now=NOW, channel="", language="", brand="", tz="Mars/Olympus")

    assert (filters.channel, filters.language, filters.brand, filters.tz) == (None, None, None, "UTC")
    assert trends.valid_timezone("Europe/Berlin") == "Europe/Berlin"
    assert trends.valid_timezone(None) == "UTC"


def test_filters_refuse_naive_or_backwards_ranges() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TrendFilters(datetime(2026, 1, 1), datetime(2026, 1, 2))  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="after start"):
        TrendFilters(NOW, NOW)


def test_negative_share_is_none_without_items() -> None:
    assert TrendSummary(items=0, negative=0, survey_responses=0, nps=None).negative_share is None
    assert TrendSummary(items=8, negative=2, survey_responses=0, nps=None).negative_share == 0.25
    assert trends.format_share(0.125) == "12.5 %"
    assert trends.format_share(None) == "—"


def test_volume_chart_stacks_sentiments_in_fixed_colours_over_time() -> None:
    volume = pd.DataFrame(
        {
            "bucket": pd.to_datetime(["2026-11-23 10:00", "2026-11-23 10:00", "2026-11-23 11:00"]),
            "sentiment": ["negative", "positive", "negative"],
            "items": [3, 1, 2],
        }
    )

    spec = charts.volume_chart(volume, "hour").to_dict()

    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "bar_start"
    assert spec["encoding"]["x"]["scale"]["type"] == "utc"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["negative", "neutral", "positive"]
    rows = next(iter(spec["datasets"].values()))
    assert [row["items"] for row in rows] == [3, 1, 2]


def test_a_day_the_range_covers_in_part_is_drawn_over_that_part_and_says_so() -> None:
    """A 3-day range from 23:00 starts with one hour of Friday: a whole-day bar would read as a quiet day."""
    days = pd.to_datetime(["2026-12-04", "2026-12-05", "2026-12-07"]).astype("datetime64[us]")
    volume = pd.DataFrame({"bucket": days, "sentiment": ["negative"] * 3, "items": [2, 40, 30]})
    window = (datetime(2026, 12, 4, 23, 0), datetime(2026, 12, 7, 14, 5))

    spec = charts.volume_chart(volume, "day", window=window).to_dict()

    rows = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert rows["bucket_text"].tolist() == ["Fri 04 Dec, from 23:00", "Sat 05 Dec", "Mon 07 Dec, up to 14:05"]
    starts, ends = pd.to_datetime(rows["bar_start"]), pd.to_datetime(rows["bucket_end"])
    assert starts[0] == pd.Timestamp("2026-12-04 23:00") and (ends[0] - starts[0]) < pd.Timedelta(hours=1)
    assert (ends[1] - starts[1]) == pd.Timedelta(days=1) * charts.BAR_FILL  # a whole day: as before
    assert rows["covered"].round(3).tolist() == [round(1 / 24, 3), 1.0, round((14 + 5 / 60) / 24, 3)]
    ticks = spec["encoding"]["x"]["axis"]["values"]
    assert [tick["date"] for tick in ticks] == [
        5,
        7,
    ]  # Friday's hour is named by its tooltip: its label would crowd Saturday's


def test_share_of_voice_is_not_written_on_a_bin_mostly_outside_the_range() -> None:
    totals = pd.DataFrame({"brand": ["Ours", "Theirs"], "is_competitor": [False, True], "items": [9, 3],
                           "negative": [3, 1], "share": [0.75, 0.25]})  # fmt: skip
    days = pd.to_datetime(["2026-12-04", "2026-12-04", "2026-12-05", "2026-12-05"]).astype("datetime64[us]")
    over_time = pd.DataFrame({"bucket": days, "brand": ["Ours", "Theirs"] * 2, "is_competitor": [False, True] * 2,
                              "items": [3, 1, 6, 2], "share": [0.75, 0.25, 0.75, 0.25]})  # fmt: skip

    spec = charts.share_over_time_chart(
        over_time, totals, "day", (datetime(2026, 12, 4, 23), datetime(2026, 12, 6))
    ).to_dict()

    _, labels = spec["layer"]
    written = pd.DataFrame(spec["datasets"][labels["data"]["name"]])
    assert pd.to_datetime(written["bucket"]).dt.day.tolist() == [5]  # Friday's one hour: bar, tooltip, no "75%"


def test_breakdown_chart_orders_bars_largest_first() -> None:
    frame = pd.DataFrame(
        {
            "language": ["de", "de", "en"],
            "sentiment": ["negative", "neutral", "negative"],
            "items": [5, 1, 2],
            "share": [0.625, 0.125, 0.25],
        }
    )

    spec = charts.breakdown_chart(frame, "language", "By language").to_dict()

    assert spec["encoding"]["y"]["sort"] == ["de", "en"]
    assert spec["title"] == "By language"


def test_breakdown_charts_and_legends_read_as_names_not_codes() -> None:
    frame = pd.DataFrame(
        {"language": ["de", "de", "en"], "sentiment": ["negative", "neutral", "negative"], "items": [5, 1, 2],
         "share": [0.625, 0.125, 0.25]}
    )  # fmt: skip

    spec = charts.breakdown_chart(frame, "language", "By language", widgets.language_name).to_dict()

    assert spec["encoding"]["y"]["sort"] == ["German", "English"]
    assert [row["language"] for row in next(iter(spec["datasets"].values()))] == ["German", "German", "English"]
    legend = spec["encoding"]["color"]["legend"]["labelExpr"]
    assert legend == "upper(substring(datum.label, 0, 1)) + substring(datum.label, 1)"  # "Negative"
    assert {"field": "sentiment_name", "title": "Sentiment", "type": "nominal"} in spec["encoding"]["tooltip"]


def test_share_of_voice_over_time_stacks_ours_at_the_bottom_with_its_share_written() -> None:
    totals = pd.DataFrame(
        {"brand": ["Ours", "Theirs"], "is_competitor": [False, True], "items": [6, 2], "negative": [3, 1],
         "share": [0.75, 0.25]}
    )  # fmt: skip
    days = pd.to_datetime(["2026-11-23", "2026-11-23", "2026-11-24", "2026-11-24"]).astype("datetime64[us]")
    over_time = pd.DataFrame(
        {"bucket": days, "brand": ["Theirs", "Ours", "Ours", "Theirs"], "is_competitor": [True, False, False, True],
         "items": [1, 3, 3, 1], "share": [0.25, 0.75, 0.75, 0.25]}
    )  # fmt: skip

    spec = charts.share_over_time_chart(over_time, totals, "day").to_dict()

    bars, labels = spec["layer"]
    assert spec["title"] == "Share of voice, per day"
    assert bars["encoding"]["x2"]["field"] == "bucket_end"  # wide bars, not hairlines
    assert bars["encoding"]["color"]["scale"]["range"][0] == charts.OWN_BRAND_COLOR
    rows = pd.DataFrame(spec["datasets"][bars["data"]["name"]])
    ours = rows[rows["brand"] == "Ours"]
    assert ours["share_start"].tolist() == [0.0, 0.0] and ours["share_end"].tolist() == [0.75, 0.75]
    assert labels["mark"]["type"] == "text" and labels["encoding"]["text"]["format"] == ".0%"


def test_the_range_on_the_viewers_wall_clock_is_what_the_bins_use() -> None:
    filters = TrendFilters(
        datetime(2026, 12, 4, 18, 30, tzinfo=UTC), datetime(2026, 12, 7, 18, 30, tzinfo=UTC), tz="Asia/Kolkata"
    )
    assert filters.local_window == (datetime(2026, 12, 5, 0, 0), datetime(2026, 12, 8, 0, 0))
