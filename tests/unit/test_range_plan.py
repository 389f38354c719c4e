"""The range planner (`voc.store.ranges`): its days, hours and raw ranges cover a range exactly
once, every day or hour it gives a rollup lies in one of the viewer's bins, and it reads days
where a zone allows them (all of them in UTC, six a week in Berlin's and Kolkata's weeks, none in
their days)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from voc.store.ranges import hour_start, local_bins, plan_range

ZONES = ("UTC", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe")  # the last: 30-min DST
END = datetime(2026, 3, 29, 14, 37, 20, tzinfo=UTC)


def _covered(plan) -> list[tuple[datetime, datetime]]:
    parts = [(hour_start(a * 24), hour_start(b * 24)) for a, b in plan.days]
    parts += [(hour_start(a), hour_start(b)) for a, b in plan.hours]
    return sorted([*parts, *plan.raw])


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("freq", [None, "h", "D", "W-MON"])
@pytest.mark.parametrize("days", [1, 4, 30, 365])
def test_the_parts_cover_the_range_once_and_each_rollup_part_lies_in_one_bin(tz: str, freq: str | None, days: int):
    start = END - timedelta(days=days)
    plan = plan_range(start, END, freq, tz)
    parts = _covered(plan)
    assert parts[0][0] == start and parts[-1][1] == END
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:], strict=False))  # no gap, no overlap
    if freq is None:
        return
    # Every minute of a rollup day or hour falls in the bin of the day's or hour's first hour.
    firsts = [unit * 24 for a, b in plan.days for unit in range(a, b) for _ in range(24 * 60)]
    firsts += [unit for a, b in plan.hours for unit in range(a, b) for _ in range(60)]
    offsets = [m for a, b in plan.days for _ in range(a, b) for m in range(24 * 60)]
    offsets += [m for a, b in plan.hours for _ in range(a, b) for m in range(60)]
    if not firsts:
        return
    first_hours = pd.Series(firsts, dtype="int64")
    moments = pd.to_datetime(first_hours * 3600 + pd.Series(offsets, dtype="int64") * 60, unit="s", utc=True)
    local = moments.dt.tz_convert(tz).dt.tz_localize(None)
    if freq == "W-MON":
        bins = local.dt.floor("D") - pd.to_timedelta(local.dt.floor("D").dt.day_of_week, unit="D")
    else:
        bins = local.dt.floor(freq)
    assert (bins.astype("datetime64[us]") == local_bins(first_hours, freq, tz)).all()


@pytest.mark.parametrize(
    ("tz", "freq", "days", "hours_cut"),
    [
        ("UTC", "D", 29, 0),  # every whole day inside the range
        ("UTC", "W-MON", 29, 0),
        ("Europe/Berlin", "D", 0, 0),  # a local midnight in every UTC day: hours only, none cut
        ("Europe/Berlin", "W-MON", 25, 0),  # the Sunday evening a week starts in is read by hour
        ("Asia/Kolkata", "D", 0, 30),  # local midnight at 18:30 UTC: that hour from the rows, daily
        ("Asia/Kolkata", "W-MON", 25, 4),  # ... and weekly, on Sunday
        ("Asia/Kathmandu", "W-MON", 25, 4),  # Monday 00:00 at 18:15 UTC
        ("Asia/Kolkata", None, 29, 0),  # one total: every whole day
    ],
)
def test_days_where_the_zone_allows_them(tz: str, freq: str | None, days: int, hours_cut: int) -> None:
    start = datetime(2026, 3, 2, 0, 10, tzinfo=UTC)
    plan = plan_range(start, start + timedelta(days=30), freq, tz)
    assert sum(b - a for a, b in plan.days) == days
    assert len(plan.cut) == hours_cut
    assert plan.raw[0] == (start, datetime(2026, 3, 2, 1, tzinfo=UTC))
    assert plan.raw[-1] == (datetime(2026, 4, 1, tzinfo=UTC), start + timedelta(days=30))


def test_without_a_daily_level_every_whole_hour_is_an_hour() -> None:
    start = datetime(2026, 3, 2, 0, 10, tzinfo=UTC)
    with_days, hours_only = (
        plan_range(start, start + timedelta(days=30)),
        plan_range(start, start + timedelta(days=30), daily=False),
    )
    assert hours_only.days == () and with_days.days
    assert hours_only.hours == with_days.hour_spans() == ((with_days.first_hour, with_days.end_hour),)


def test_a_range_without_a_whole_hour_is_all_rows() -> None:
    start = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    plan = plan_range(start, start + timedelta(minutes=40), "D", "Asia/Kolkata")
    assert (plan.days, plan.hours, plan.raw) == ((), (), ((start, start + timedelta(minutes=40)),))


@pytest.mark.parametrize("tz", [*ZONES, "America/St_Johns", "America/New_York"])
@pytest.mark.parametrize("freq", [None, "h", "D", "W-MON"])
@pytest.mark.parametrize("days", [4, 30, 365])
def test_split_days_count_every_whole_hour_once_in_its_own_bin(tz: str, freq: str | None, days: int) -> None:
    """Anchored days less their hours outside the anchor's bin, plus the hours and the rows: each
    whole hour not cut is counted once, in its own bin; a cut hour's rollup parts add up to nothing
    (the rows count it); the rows cover the edges and the cut hours."""
    start = END - timedelta(days=days)
    plan = plan_range(start, END, freq, tz, split_days=True)
    first = plan.first_hour
    bins = list(local_bins(pd.Series(range(first, plan.end_hour)), freq or "D", tz)) if freq else None
    counted: dict[int, dict[object, int]] = {}

    def add(hours: range, stands_at: int | None, sign: int) -> None:
        for hour in hours:
            at = None if bins is None else bins[(hour if stands_at is None else stands_at) - first]
            counted.setdefault(hour, {})[at] = counted.get(hour, {}).get(at, 0) + sign

    for a, b in plan.days:
        for day in range(a, b):
            add(range(day * 24, day * 24 + 24), day * 24, 1)
    for a, b, anchor in plan.anchored:
        for day in range(a, b):
            add(range(day * 24, day * 24 + 24), day * 24 + anchor, 1)
    for a, b in plan.hours:
        add(range(a, b), None, 1)
    for a, b, anchor in plan.less:
        add(range(a, b), anchor, -1)
    assert set(counted) <= set(range(first, plan.end_hour))
    for hour in range(first, plan.end_hour):
        parts = {at: n for at, n in counted.get(hour, {}).items() if n}
        assert parts == ({} if hour in plan.cut else {None if bins is None else bins[hour - first]: 1}), hour
    edges = [(start, hour_start(first))] + [(hour_start(h), hour_start(h + 1)) for h in plan.cut]
    edges.append((hour_start(plan.end_hour), END))
    assert sum((b - a for a, b in plan.raw), timedelta()) == sum((b - a for a, b in edges), timedelta())
    if freq is None or freq == "h" or tz == "UTC":
        assert plan.anchored == plan.less == ()  # nothing to split, or not worth it


@pytest.mark.parametrize(
    ("tz", "freq", "rollup_units", "hours_before"),
    [
        ("Asia/Kolkata", "D", (0, 29, 167, 174), 689),  # a day, 5-6 hours and 6 back out, not 23 hours
        ("Asia/Kolkata", "W-MON", (25, 4, 43, 24), 115),  # Sundays alone
        ("Europe/Berlin", "D", (0, 29, 55, 32), 719),  # a day, its last hour (two in summer time) twice
        ("America/St_Johns", "D", (0, 29, 86, 94), 688),  # anchored after midnight at 03:30 (02:30) UTC
    ],
)
def test_split_days_read_fewer_rollup_rows(
    tz: str, freq: str, rollup_units: tuple[int, ...], hours_before: int
) -> None:
    """(days, anchored days, hours, hours taken back out) where the days a boundary crosses were
    `hours_before` hours."""
    start = datetime(2026, 3, 2, 0, 10, tzinfo=UTC)
    plan = plan_range(start, start + timedelta(days=30), freq, tz, split_days=True)
    units = (
        sum(b - a for a, b in plan.days),
        sum(b - a for a, b, _ in plan.anchored),
        sum(b - a for a, b in plan.hours),
        sum(b - a for a, b, _ in plan.less),
    )
    assert units == rollup_units
    unsplit = plan_range(start, start + timedelta(days=30), freq, tz)  # only when asked
    assert unsplit.anchored == unsplit.less == () and sum(b - a for a, b in unsplit.hours) == hours_before
    assert unsplit.raw == plan.raw and unsplit.cut == plan.cut


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("freq", ["D", "W-MON"])
def test_quarters_take_the_cut_hours_from_the_rows_and_each_lies_in_one_bin(tz: str, freq: str) -> None:
    """With the quarter-hour level the rows keep the range's edges only; every minute of a quarter
    falls in the bin of the quarter's first minute (Lord Howe's half-hour summer time included)."""
    start = END - timedelta(days=120)
    with_rows, with_quarters = plan_range(start, END, freq, tz), plan_range(start, END, freq, tz, quarters=True)
    assert (with_quarters.days, with_quarters.hours, with_quarters.cut) == (
        with_rows.days,
        with_rows.hours,
        with_rows.cut,
    )
    quarters = [q for a, b in with_quarters.quarters for q in range(a, b)]
    assert quarters == [h * 4 + n for h in with_rows.cut for n in range(4)]
    assert with_quarters.raw == (with_rows.raw[0], with_rows.raw[-1])
    if not quarters:
        return
    minutes = pd.Series([q * 900 + m * 60 for q in quarters for m in range(15)], dtype="int64")
    local = pd.to_datetime(minutes, unit="s", utc=True).dt.tz_convert(tz).dt.tz_localize(None)
    day = local.dt.floor("D")
    bins = day - pd.to_timedelta(day.dt.day_of_week, unit="D") if freq == "W-MON" else day
    firsts = bins.groupby(minutes // 900).transform("first")
    assert (bins == firsts).all()


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("days", [20, 45, 70, 365, 800])
def test_months_cover_whole_calendar_months_once_and_only_without_bins(tz: str, days: int) -> None:
    start = END - timedelta(days=days)
    plan = plan_range(start, END, None, tz, months=True)
    parts = _covered(plan) + [
        (datetime(1970 + a // 12, a % 12 + 1, 1, tzinfo=UTC), datetime(1970 + b // 12, b % 12 + 1, 1, tzinfo=UTC))
        for a, b in plan.months
    ]
    parts.sort()
    assert parts[0][0] == start and parts[-1][1] == END
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:], strict=False))  # no gap, no overlap
    assert sum(b - a for a, b in plan.months) == {20: 0, 45: 0, 70: 1, 365: 11, 800: 25}[days]
    for freq in ("D", "W-MON", "h"):
        assert plan_range(start, END, freq, tz, months=True).months == ()  # no bin holds a month
