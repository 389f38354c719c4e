"""Counting one customer once, and this period against the previous one, on both databases.

Reposts and pasted copies are stored (the inbox collapses them onto the original) and left out of
every trend and export count by default; survey responses are never copies. The counts are made
by the database (GROUP BY), per quarter hour of UTC, so they add up into any zone's hours.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.actors import admin, viewer
from tests.factories import new_item
from voc.exports import build_export, iso_week
from voc.store.facade import Store
from voc.themes import repository as repo
from voc.themes import service
from voc.themes.assign import Method, ThemeHit
from voc.trends import queries as trends
from voc.trends.queries import TrendFilters

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday noon
COMPLAINT = "No signal in Leeds since this morning, fix it"


def posted(hours_ago: float) -> datetime:
    return NOW - timedelta(hours=hours_ago)


@pytest.fixture
def copies(store: Store) -> Store:
    """One complaint and two reposts of it, two customers answering a survey word for word, a rival."""
    store.add_items(
        [
            new_item("original", text=COMPLAINT, posted_at=posted(5)),
            new_item("rt-1", text=f"RT @leeds_user: {COMPLAINT}", posted_at=posted(4), author="@echo1"),
            new_item("rt-2", text=COMPLAINT.upper() + "!!", posted_at=posted(3), author="@echo2"),
            new_item("other", text="my bill is wrong again this month", posted_at=posted(2)),
            *(
                new_item(f"survey-{n}", kind="survey", channel="survey", text="Network down all day long",
                         survey="nps", response_id=f"r{n}", nps=2, posted_at=posted(1), link=None)
                for n in range(2)
            ),
            new_item("rival", text="Contoso coverage is great here today", brand="Contoso", is_competitor=True,
                     sentiment_label="positive", posted_at=posted(2)),
        ]
    )  # fmt: skip
    return store


def last(range_key: str = "24h", **kwargs: object) -> TrendFilters:
    return TrendFilters.last(range_key, now=NOW, **kwargs)  # type: ignore[arg-type]


def test_reposts_count_once_and_survey_answers_always_count(copies: Store) -> None:
    once = trends.summary(copies, last(brand="Northwind Mobile"))
    every = trends.summary(copies, last(brand="Northwind Mobile", count_duplicates=True))

    assert (once.items, once.duplicates) == (4, 2)  # the complaint, the bill, two survey answers
    assert (every.items, every.duplicates) == (6, 2)
    assert once.survey_responses == 2 and once.nps == -100.0


def test_every_trend_frame_counts_the_same_items(copies: Store) -> None:
    report = trends.report(copies, last())

    assert report.volume["items"].sum() == 5  # four of ours and the rival's
    assert report.channels["items"].sum() == 5 and report.languages["items"].sum() == 5
    assert report.share_of_voice.set_index("brand")["items"].to_dict() == {"Northwind Mobile": 2, "Contoso": 1}
    assert report.share_over_time.groupby("brand")["items"].sum().to_dict() == {"Northwind Mobile": 2, "Contoso": 1}


def test_hours_are_the_viewers_even_in_a_half_hour_zone(store: Store) -> None:
    store.add_items([new_item("a", text="outage near the station again today", posted_at=NOW - timedelta(minutes=40))])
    volume = trends.volume_by_sentiment(store, last(tz="Asia/Kolkata"))  # UTC+5:30

    busy = volume[volume["items"] > 0]
    assert busy["bucket"].dt.strftime("%H:%M").tolist() == ["16:00"]  # 11:20 UTC is 16:50 in India


def test_ninety_days_count_in_monday_weeks(copies: Store) -> None:
    filters = last("90d")
    volume = trends.volume_by_sentiment(copies, filters)

    assert filters.bucket_label == "week"
    assert (volume["bucket"].dt.day_of_week == 0).all()
    assert volume["items"].sum() == 5


def test_the_comparison_sets_this_period_against_the_one_before(store: Store) -> None:
    billing = service.create_theme(store, name="Billing", actor=admin("t"), now=NOW - timedelta(days=30))
    network = service.create_theme(store, name="Network", actor=admin("t"), now=NOW - timedelta(days=30))
    rows = {
        **{f"net-{n}": (posted(2 + n), "negative", network) for n in range(5)},
        "bill-now": (posted(3), "neutral", billing),
        **{f"bill-before-{n}": (posted(30 + n), "negative", billing) for n in range(4)},
        "net-before": (posted(40), "positive", network),
    }
    store.add_items(
        [new_item(key, text=f"message number {key} about it", posted_at=at, sentiment_label=label)
         for key, (at, label, _) in rows.items()]
    )  # fmt: skip
    with store.read() as connection:
        ids = dict(connection.exec_driver_sql("SELECT external_id, id FROM items").all())
    repo.write_assignments(
        store,
        {ids[key]: [ThemeHit(theme, 0.9, "rule", Method.RULE)] for key, (_, _, theme) in rows.items()},
        taxonomy=repo.load_taxonomy(store),
        now=NOW,
    )

    versus = trends.comparison(store, last())

    assert (versus.items, versus.previous_items) == (6, 5)
    assert versus.negative_share_points == pytest.approx(100 * (5 / 6 - 4 / 5))
    assert [(m.label, m.now, m.before) for m in versus.movers] == [("Network", 5, 1), ("Billing", 1, 4)]


def test_the_weekly_export_counts_once_and_compares_with_the_week_before(store: Store, tmp_path: Path) -> None:
    week = iso_week("2026-W47")
    monday = week.start
    store.add_items(
        [
            new_item("w47-a", text=COMPLAINT, posted_at=monday + timedelta(days=1)),
            new_item("w47-copy", text=f"RT @leeds_user: {COMPLAINT}", posted_at=monday + timedelta(days=1, hours=1)),
            new_item("w47-b", text="my bill is wrong again this month", posted_at=monday + timedelta(days=2)),
            new_item("w46-a", text="the app logs me out every day", posted_at=monday - timedelta(days=3)),
        ]
    )
    export = build_export(store, week, tmp_path, formats=["xlsx", "csv", "html"], requested_by=viewer("analyst"))

    assert export.items == 2  # the repost is not a second row
    book = load_workbook(tmp_path / week.slug / "voc-export-2026-W47.xlsx", read_only=True)
    assert book.sheetnames == ["Summary", "Comparison", "Items"]
    rows = [row for row in book["Comparison"].values if row and row[0] == "headline"]
    assert {row[1]: row[3:] for row in rows}["items"] == (2, 1, 1)
    assert {row[1]: row[3:] for row in rows}["duplicates_not_counted"] == (1, 0, 1)
    with (tmp_path / week.slug / "voc-export-2026-W47-comparison.csv").open(encoding="utf-8-sig") as handle:
        table = list(csv.DictReader(handle))
    assert [(r["key"], r["this_period"], r["previous_period"]) for r in table][0] == ("items", "2", "1")
    page = (tmp_path / week.slug / "voc-export-2026-W47.html").read_text(encoding="utf-8")
    assert "Against the previous period" in page and "Duplicates not counted" in page
