"""Trend queries on both databases, over items built by the real analysis pipeline."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from voc.models import ItemKind, RawItem
from voc.sources.ingest import build_item
from voc.store.facade import Store
from voc.trends import queries as trends
from voc.trends.queries import TrendFilters

NOW = datetime.fromisoformat("2026-11-23T12:00:00+00:00")
OWN = "Northwind Mobile"
RIVAL = "Contoso Telecom"
NEGATIVE = "Terrible outage again, worst network ever, awful."
POSITIVE = "I love this, great service, thank you!"
NEUTRAL = "The shop opens at nine tomorrow morning."


def mention(n: int, text: str, hours_ago: float, *, channel: str = "x", brand: str = OWN) -> RawItem:
    return RawItem(
        external_id=f"m{n}",
        text=f"{text} ({n})",  # different posts: the same text again would be a copy, counted once
        posted_at=NOW - timedelta(hours=hours_ago),
        channel=channel,
        brand=brand,
        is_competitor=brand != OWN,
        author=f"user{n}",
        author_reach=100 * n,
    )


def survey(n: int, nps: int, hours_ago: float) -> RawItem:
    return RawItem(
        external_id=f"s{n}",
        text=NEUTRAL,
        posted_at=NOW - timedelta(hours=hours_ago),
        kind=ItemKind.SURVEY,
        channel="survey",
        brand=OWN,
        survey="relationship-nps",
        response_id=f"r{n}",
        nps=nps,
    )


@pytest.fixture
def filled(store: Store) -> Store:
    raws = [
        mention(1, NEGATIVE, 1),
        mention(2, NEGATIVE, 2),
        mention(3, NEGATIVE, 30),
        mention(4, POSITIVE, 3, channel="instagram"),
        mention(5, POSITIVE, 3.5, channel="instagram"),
        mention(6, "Der Laden in Berlin öffnet morgen um neun Uhr.", 5, channel="reddit"),
        mention(7, POSITIVE, 2, brand=RIVAL),
        mention(8, NEGATIVE, 2, brand=RIVAL),
        mention(9, NEGATIVE, 24 * 10),  # outside the three-day range
        survey(1, 10, 4),
        survey(2, 9, 6),
        survey(3, 3, 8),
    ]
    assert store.add_items([build_item("test", raw, NOW) for raw in raws]) == len(raws)
    return store


def last(range_key: str = "3d", **kwargs: str) -> TrendFilters:
    return TrendFilters.last(range_key, now=NOW, **kwargs)


def test_summary_counts_items_negative_share_and_nps_in_range(filled: Store) -> None:
    summary = trends.summary(filled, last(brand=OWN))

    assert summary.items == 9  # six mentions and three surveys of our brand in three days
    assert summary.negative == 3
    assert summary.negative_share == pytest.approx(3 / 9)
    assert summary.survey_responses == 3
    assert summary.nps == pytest.approx(33.3)  # two promoters, one detractor of three


def test_nps_counts_a_response_with_several_comments_once(store: Store) -> None:
    detractor = [
        RawItem(
            external_id=f"r1-{field}",
            text=NEUTRAL,
            posted_at=NOW - timedelta(hours=1),
            kind=ItemKind.SURVEY,
            channel="survey",
            brand=OWN,
            survey="relationship-nps",
            response_id="r1",
            survey_field=field,
            nps=2,
        )
        for field in ("Q2", "Q3")
    ]
    store.add_items([build_item("test", raw, NOW) for raw in [*detractor, survey(2, 10, 2)]])
    summary = trends.summary(store, last())
    assert summary.survey_responses == 2
    assert summary.nps == pytest.approx(0.0)  # one promoter, one detractor: not two detractors


def test_summary_of_a_range_without_surveys_has_no_nps(filled: Store) -> None:
    summary = trends.summary(filled, last(brand=OWN, channel="x"))

    assert summary.items == 3
    assert summary.nps is None


def test_volume_is_hourly_for_short_ranges_and_in_the_viewers_time_zone(filled: Store) -> None:
    volume = trends.volume_by_sentiment(filled, last("24h", brand=OWN, tz="Europe/Berlin"))

    assert list(volume.columns) == ["bucket", "sentiment", "items"]
    assert set(volume["sentiment"]) == {"negative", "neutral", "positive"}
    assert volume["bucket"].nunique() == 25  # every hour of the range, quiet ones included
    negative = volume[(volume["sentiment"] == "negative") & (volume["items"] > 0)]
    # 11:00 and 10:00 UTC are 12:00 and 11:00 in Berlin (UTC+1 in November).
    assert sorted(negative["bucket"].dt.hour) == [11, 12]
    assert volume["items"].sum() == 8  # the 30-hour-old mention is outside 24 h


def test_volume_is_daily_beyond_three_days_and_counts_every_item_once(filled: Store) -> None:
    filters = last("30d", brand=OWN)
    volume = trends.volume_by_sentiment(filled, filters)

    assert filters.bucket == "D"
    assert volume["bucket"].nunique() == 31
    assert volume["items"].sum() == 10
    assert (volume["bucket"] == volume["bucket"].dt.normalize()).all()


def test_channel_and_language_filters_narrow_every_frame(filled: Store) -> None:
    report = trends.report(filled, last(channel="instagram"))

    assert report.summary.items == 2
    assert set(report.channels["channel"]) == {"instagram"}
    assert report.languages["items"].sum() == 2
    german = trends.summary(filled, last(language="de"))
    assert german.items == 1


def test_breakdowns_put_the_largest_group_first_split_by_sentiment(filled: Store) -> None:
    channels = trends.by_channel(filled, last(brand=OWN))

    assert list(channels.columns) == ["channel", "sentiment", "items", "share"]
    assert channels["channel"].iloc[0] in {"x", "survey"}  # three items each, ahead of instagram
    x = channels[channels["channel"] == "x"].set_index("sentiment")["items"].to_dict()
    assert x == {"negative": 3}
    assert channels["share"].sum() == pytest.approx(1.0)
    languages = trends.by_language(filled, last(brand=OWN))
    assert languages.groupby("language")["items"].sum().to_dict() == {"en": 8, "de": 1}


def test_share_of_voice_compares_all_brands_whatever_the_brand_filter(filled: Store) -> None:
    sov = trends.share_of_voice(filled, last(brand=OWN))

    rows = sov.set_index("brand")
    assert rows.loc[OWN, "items"] == 6  # mentions only: surveys are left out
    assert rows.loc[RIVAL, "items"] == 2
    assert bool(rows.loc[RIVAL, "is_competitor"]) is True
    assert rows.loc[RIVAL, "negative"] == 1
    assert sov["share"].sum() == pytest.approx(1.0)
    assert sov["brand"].iloc[0] == OWN


def test_filter_options_list_stored_values_with_the_own_brand_first(filled: Store) -> None:
    options = trends.filter_options(filled, OWN)

    assert options.channels == ("instagram", "reddit", "survey", "x")
    assert options.languages == ("de", "en")
    assert options.brands == (OWN, RIVAL)


def test_an_empty_store_gives_empty_frames_and_zero_counts(store: Store) -> None:
    report = trends.report(store, last("24h"))

    assert report.summary.items == 0
    assert report.summary.negative_share is None
    assert report.summary.nps is None
    assert report.languages.empty and report.channels.empty and report.share_of_voice.empty
    assert report.volume["items"].sum() == 0
    assert pd.api.types.is_datetime64_any_dtype(report.volume["bucket"])
