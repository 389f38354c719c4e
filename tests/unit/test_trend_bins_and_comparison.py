"""Readable bins for every range, the comparison with the previous period, and the copies note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from voc.trends import buckets
from voc.trends.comparison import Comparison, ThemeCount, compare, theme_moves
from voc.trends.counting import copies_note
from voc.trends.queries import RANGES, TrendFilters, TrendSummary

NOW = datetime(2026, 11, 25, 10, 17, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("range_key", "label", "bars"),
    [("24h", "hour", {24, 25}), ("3d", "hour", {72, 73}), ("7d", "day", {7, 8}), ("30d", "day", {30, 31}),
     ("90d", "week", {13, 14})],
)  # fmt: skip
def test_every_range_gets_a_readable_number_of_bars(range_key: str, label: str, bars: set[int]) -> None:
    filters = TrendFilters.last(range_key, now=NOW)
    grid = buckets.bucket_grid(filters.start, filters.end, filters.bucket, filters.tz)

    assert filters.bucket_label == label
    assert len(grid) in bars


def test_the_range_control_offers_a_day_to_a_quarter() -> None:
    assert list(RANGES) == ["24h", "3d", "7d", "30d", "90d"]


def test_weeks_start_on_monday_on_the_viewers_wall_clock() -> None:
    moments = pd.Series(pd.to_datetime(["2026-11-25 10:00", "2026-11-29 23:59", "2026-11-30 00:00"]))
    assert buckets.floor_local(moments, buckets.WEEK).dt.strftime("%a %d").tolist() == ["Mon 23", "Mon 23", "Mon 30"]


def test_quarter_hour_slots_add_up_into_a_half_hour_zones_hours() -> None:
    slots = pd.Series([(datetime(2026, 11, 25, 4, 30, tzinfo=UTC).timestamp()) // buckets.SLOT_SECONDS])
    local = buckets.local_buckets(slots, buckets.HOUR, "Asia/Kolkata")  # 04:30 UTC is 10:00 in India
    assert local.dt.strftime("%H:%M").tolist() == ["10:00"]


def test_share_of_voice_uses_days_beyond_a_single_day() -> None:
    assert TrendFilters.last("24h", now=NOW).share_bucket == buckets.HOUR
    assert TrendFilters.last("3d", now=NOW).share_bucket == buckets.DAY
    assert TrendFilters.last("90d", now=NOW).share_bucket == buckets.WEEK


def test_the_previous_period_is_the_same_length_just_before() -> None:
    filters = TrendFilters.last("7d", now=NOW, channel="x")
    before = filters.previous()
    assert before.end == filters.start and before.end - before.start == timedelta(days=7)
    assert before.channel == "x"


def count(theme_id: str, items: int, *, sub: bool = False) -> ThemeCount:
    return ThemeCount(theme_id, theme_id.capitalize(), sub, items)


def test_the_themes_that_moved_most_either_way_come_first() -> None:
    now = {"outage": count("outage", 40), "billing": count("billing", 3), "shop": count("shop", 9),
           "outage-leeds": count("outage-leeds", 30, sub=True), "app": count("app", 2)}  # fmt: skip
    before = {"outage": count("outage", 5), "billing": count("billing", 20), "shop": count("shop", 9),
              "outage-leeds": count("outage-leeds", 0, sub=True), "app": count("app", 1)}  # fmt: skip

    moves = theme_moves(now, before)

    assert [(m.theme_id, m.change) for m in moves] == [("outage", 35), ("billing", -17)]  # shop flat, app noise
    assert moves[0].relative == pytest.approx(7.0)


def test_a_theme_new_this_period_has_no_relative_change() -> None:
    (move,) = theme_moves({"roaming": count("roaming", 6)}, {})
    assert move.before == 0 and move.relative is None


def test_the_comparison_reports_changes_in_points_and_nps() -> None:
    versus = compare(TrendSummary(120, 60, 10, 20.0), TrendSummary(100, 30, 8, 35.0), {}, {})

    assert isinstance(versus, Comparison)
    assert versus.items_change == pytest.approx(0.2)
    assert versus.negative_share_points == pytest.approx(20.0)
    assert versus.nps_change == pytest.approx(-15.0)
    empty = compare(TrendSummary(5, 1, 0, None), TrendSummary(0, 0, 0, None), {}, {})
    assert empty.items_change is None and empty.negative_share_points is None and empty.nps_change is None


def test_the_copies_note_reads_as_a_sentence() -> None:
    assert copies_note(0, counted=False) == ""
    assert copies_note(1, counted=False) == "1 duplicate not counted"
    assert copies_note(1_204, counted=True) == "1,204 duplicates counted"
