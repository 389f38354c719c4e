"""Long Trends ranges read whole hours from `item_counts` and the rest from the items, and every
frame is identical to counting the items alone: several ranges with partial hours at both edges,
half- and quarter-hour zones (Asia/Kolkata, Asia/Kathmandu), Berlin's change to summer time, zones
west of UTC (the days a local midnight crosses are split both ways), and the filters the rollup
holds or not. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from tests.factories import new_item
from voc.store.facade import Store
from voc.store.schema import item_counts, item_counts_daily, item_counts_monthly, item_counts_quarters
from voc.trends import hourly
from voc.trends import queries as trends
from voc.trends.queries import TrendFilters

START = datetime(2026, 2, 1, tzinfo=UTC)
ZONES = ("UTC", "Asia/Kolkata", "Asia/Kathmandu", "Europe/Berlin")
RANGES = (  # (start, end): partial hours at both edges; days, then weeks; Berlin's clocks go forward on 29 March
    (datetime(2026, 3, 20, 7, 13, tzinfo=UTC), datetime(2026, 4, 5, 16, 47, tzinfo=UTC)),
    (datetime(2026, 2, 3, 0, 0, tzinfo=UTC), datetime(2026, 3, 1, 0, 0, tzinfo=UTC)),
    (datetime(2026, 2, 1, 22, 31, tzinfo=UTC), datetime(2026, 5, 9, 3, 2, tzinfo=UTC)),
    (datetime(2026, 3, 26, 18, 45, tzinfo=UTC), datetime(2026, 3, 30, 18, 15, tzinfo=UTC)),
)
FILTERS: tuple[dict[str, object], ...] = (
    {},
    {"brand": "Northwind Mobile"},
    {"channel": "reddit"},
    {"language": "de", "brand": "Contoso"},
    {"scorer": "model-2"},
    {"count_duplicates": True},
    {"channel": "x", "language": "en"},  # two facets: the items alone
)
FRAMES = (
    trends.volume_by_sentiment,
    trends.by_language,
    trends.by_channel,
    trends.share_of_voice,
    trends.share_over_time,
)


def _fill(store: Store, count: int = 1500) -> None:
    rng = random.Random(21)
    texts = ["Still no signal in Leeds since this morning", "The app crashes at login every single time"]
    pages: list[list] = [[]]
    for n in range(count):
        survey = rng.random() < 0.1
        posted = START + timedelta(minutes=rng.randrange(100 * 24 * 60), seconds=rng.randrange(60))
        pages[-1].append(
            new_item(
                f"i{n}",
                kind="survey" if survey else "mention",
                channel="survey" if survey else rng.choice(["x", "reddit", "mastodon"]),
                brand=rng.choice(["Northwind Mobile", "Contoso", None, ""]),
                is_competitor=rng.random() < 0.3,
                language=rng.choice(["en", "de", "fr"]),
                scorer=rng.choice(["vader-3.3.2", "model-2"]),
                sentiment_label=rng.choice(["negative", "neutral", "positive"]),
                text=rng.choice(texts) if rng.random() < 0.3 else f"message number {n} about the bill",
                posted_at=posted,
                survey="nps" if survey else None,
                response_id=f"r{n}" if survey else None,
                nps=rng.randrange(11) if survey else None,
            )
        )
        if len(pages[-1]) == 200:
            pages.append([])
    for page in pages:
        store.add_items(page)


def _cases() -> list[TrendFilters]:
    """Every range in every zone, unfiltered and by brand; every filter in the half-hour zone."""
    cases = [
        TrendFilters(start, end, tz=tz, **extra)  # type: ignore[arg-type]
        for start, end in RANGES
        for tz in ZONES
        for extra in FILTERS[:2]
    ]
    cases += [
        TrendFilters(start, end, tz="Asia/Kolkata", **extra)  # type: ignore[arg-type]
        for start, end in (RANGES[0], RANGES[2])
        for extra in FILTERS[2:]
    ]
    return cases


def test_every_frame_from_the_rollup_equals_the_items_count(store: Store) -> None:
    _fill(store)
    for filters in _cases():
        for frame in FRAMES:
            from_items = frame(store, filters, use_rollup=False)
            from_rollup = frame(store, filters)
            pd.testing.assert_frame_equal(from_rollup, from_items, obj=f"{frame.__name__} {filters}")
        assert trends.summary(store, filters) == trends.summary(store, filters, use_rollup=False), filters
        assert hourly.plan_hours(filters.start, filters.end, filters.bucket, filters.tz) is not None


def test_long_ranges_really_read_every_rollup_level(store: Store) -> None:
    _fill(store, 400)
    filters = TrendFilters(*RANGES[2], tz="Asia/Kolkata")
    before, volume = trends.summary(store, filters), trends.volume_by_sentiment(store, filters)
    with store.write() as connection:  # doubled in the daily rollup only: the total follows it
        connection.execute(item_counts_daily.update().values({"items": item_counts_daily.c["items"] * 2}))
    after = trends.summary(store, filters)
    assert before.items < after.items <= 2 * before.items  # the edges still from the hours and the items
    with store.write() as connection:  # and the hours: the part of a Sunday in the next Kolkata week
        connection.execute(item_counts.update().values({"items": item_counts.c["items"] * 2}))
    doubled = trends.volume_by_sentiment(store, filters)
    assert volume["items"].sum() < doubled["items"].sum() < 2 * volume["items"].sum()
    with store.write() as connection:  # and the quarters: the half hours a Kolkata midnight cuts
        connection.execute(item_counts_quarters.update().values({"items": item_counts_quarters.c["items"] * 2}))
    assert trends.volume_by_sentiment(store, filters)["items"].sum() > doubled["items"].sum()
    plan = hourly.plan_hours(filters.start, filters.end, filters.bucket, filters.tz)
    assert plan is not None and plan.anchored and plan.less  # Sundays whole from the days, hours taken out
    assert trends.summary(store, filters, use_rollup=False) == before


END = datetime(2026, 3, 29, 14, 37, 20, tzinfo=UTC)  # Berlin went to summer time that morning
LENGTHS = (1, 3, 4, 30, 90, 365)  # hour bins and the items alone; day bins; week bins


def _fill_a_year(store: Store) -> None:
    """Items over the 400 days before END, and more in its last five days (the short ranges)."""
    rng = random.Random(17)
    pages: list[list] = [[]]
    for n in range(1800):
        days = 400 if n < 1200 else 5
        survey = rng.random() < 0.1
        pages[-1].append(
            new_item(
                f"y{n}",
                kind="survey" if survey else "mention",
                channel="survey" if survey else rng.choice(["x", "reddit"]),
                brand=rng.choice(["Northwind Mobile", "Contoso", None]),
                is_competitor=rng.random() < 0.3,
                language=rng.choice(["en", "de"]),
                sentiment_label=rng.choice(["negative", "neutral", "positive"]),
                text=f"message number {n} about the bill" if rng.random() < 0.8 else "The app crashes at login",
                posted_at=END - timedelta(seconds=rng.randrange(days * 86400)),
                survey="nps" if survey else None,
                response_id=f"r{n}" if survey else None,
                nps=rng.randrange(11) if survey else None,
            )
        )
        if len(pages[-1]) == 200:
            pages.append([])
    for page in pages:
        store.add_items(page)


def test_a_year_without_bins_reads_its_whole_months_from_the_monthly_level(store: Store) -> None:
    _fill_a_year(store)
    filters = TrendFilters(END - timedelta(days=365), END, tz="Asia/Kolkata")
    plan = hourly.plan_hours(filters.start, filters.end, None, filters.tz)
    assert plan is not None and sum(b - a for a, b in plan.months) == 11  # April to February, whole
    before = trends.by_language(store, filters)
    pd.testing.assert_frame_equal(before, trends.by_language(store, filters, use_rollup=False))
    with store.write() as connection:  # doubled in the monthly rollup only: the count follows it
        connection.execute(item_counts_monthly.update().values({"items": item_counts_monthly.c["items"] * 2}))
    after = trends.by_language(store, filters)
    assert before["items"].sum() < after["items"].sum() < 2 * before["items"].sum()
    volume = trends.volume_by_sentiment(store, filters)  # weekly bins: no month lies in one
    pd.testing.assert_frame_equal(volume, trends.volume_by_sentiment(store, filters, use_rollup=False))


def test_ranges_of_a_day_to_a_year_count_the_same_from_the_rollups_in_every_zone(store: Store) -> None:
    _fill_a_year(store)
    for days in LENGTHS:
        for tz in ZONES:
            for extra in FILTERS[:2]:
                filters = TrendFilters(END - timedelta(days=days), END, tz=tz, **extra)  # type: ignore[arg-type]
                for frame in FRAMES:
                    pd.testing.assert_frame_equal(
                        frame(store, filters),
                        frame(store, filters, use_rollup=False),
                        obj=f"{frame.__name__} {filters}",
                    )
                assert trends.summary(store, filters) == trends.summary(store, filters, use_rollup=False), filters
    for days in (30, 365):  # west of UTC: days split after their local midnight (anchored on the evening)
        for tz in ("America/St_Johns", "America/New_York"):
            filters = TrendFilters(END - timedelta(days=days), END, tz=tz)
            for frame in (trends.volume_by_sentiment, trends.share_over_time):
                pd.testing.assert_frame_equal(
                    frame(store, filters), frame(store, filters, use_rollup=False), obj=f"{frame.__name__} {filters}"
                )
    reports = ((90, "Europe/Berlin"), (365, "Asia/Kolkata"), (30, "Asia/Kathmandu"), (365, "Asia/Kathmandu"))
    for days, tz in reports:  # the whole report, comparison included
        filters = TrendFilters(END - timedelta(days=days), END, tz=tz)
        with_rollups, from_items = trends.report(store, filters), trends.report(store, filters, use_rollup=False)
        assert with_rollups.summary == from_items.summary and with_rollups.comparison == from_items.comparison
        for name in ("volume", "languages", "channels", "share_of_voice", "share_over_time"):
            pd.testing.assert_frame_equal(getattr(with_rollups, name), getattr(from_items, name), obj=name)


def test_the_report_s_one_grouped_read_gives_what_each_panel_s_own_query_gives(store: Store) -> None:
    _fill(store, 900)
    short = (RANGES[0][0], RANGES[0][0] + timedelta(hours=30))  # share of voice in days, volume in hours
    cases = [TrendFilters(*RANGES[2]), TrendFilters(*short, tz="Asia/Kolkata")]
    cases += [TrendFilters(*RANGES[0], tz="Asia/Kolkata", **extra) for extra in FILTERS]  # type: ignore[arg-type]
    for filters in cases:
        for use_rollup in (True, False):
            whole = trends.report(store, filters, use_rollup=use_rollup)
            assert whole.summary == trends.summary(store, filters, use_rollup=use_rollup), filters
            for name, frame in (("volume", trends.volume_by_sentiment), ("share_of_voice", trends.share_of_voice),
                                ("share_over_time", trends.share_over_time)):  # fmt: skip
                pd.testing.assert_frame_equal(
                    getattr(whole, name), frame(store, filters, use_rollup=use_rollup), obj=f"{name} {filters}"
                )


@pytest.mark.parametrize(
    ("tz", "freq", "cut"),
    [
        ("UTC", "D", 0),
        ("Europe/Berlin", "D", 0),  # whole-hour offsets, summer time included: no hour cut
        ("Asia/Kolkata", "D", 30),  # local midnight at 18:30 UTC: one hour a day
        ("Asia/Kathmandu", "W-MON", 4),  # Monday 00:00 at 18:15 UTC: one hour a week
        ("Asia/Kolkata", None, 0),  # one total: no bins to cut
    ],
)
def test_the_hours_a_local_bin_boundary_cuts_come_from_the_quarter_hours(tz: str, freq: str | None, cut: int) -> None:
    start, end = datetime(2026, 3, 2, 0, 10, tzinfo=UTC), datetime(2026, 4, 1, 0, 10, tzinfo=UTC)
    plan = hourly.plan_hours(start, end, freq, tz)
    assert plan is not None
    assert len(plan.cut) == cut
    assert sum(b - a for a, b in plan.quarters) == 4 * cut  # each cut hour's four quarters, none from the items
    assert {a // 4 for a, _ in plan.quarters} <= set(plan.cut)
    assert plan.raw == (  # the items give the range's partial edges only
        (start, datetime(2026, 3, 2, 1, tzinfo=UTC)),
        (datetime(2026, 4, 1, tzinfo=UTC), end),
    )
    assert hourly.plan_hours(start, start + timedelta(days=3), "h", tz) is None  # short ranges: items alone


def test_a_count_read_in_several_statements_adds_each_bin_s_parts_up(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Very many ranges go in several statements: a bin's parts (hours taken out among them) in
    different statements still add up to the items' count, with no empty row left over."""
    _fill_a_year(store)
    monkeypatch.setattr(trends, "RANGES_PER_READ", 2)
    for days, tz in ((30, "Asia/Kolkata"), (365, "Asia/Kathmandu"), (30, "Europe/Berlin")):
        filters = TrendFilters(END - timedelta(days=days), END, tz=tz)
        for frame in (trends.volume_by_sentiment, trends.share_over_time):
            pd.testing.assert_frame_equal(
                frame(store, filters), frame(store, filters, use_rollup=False), obj=f"{frame.__name__} {filters}"
            )
