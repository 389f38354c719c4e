"""Which part of a time range a rollup counts, and which part needs the rows: one planner for
every rollup reader (`item_counts` for Trends, `theme_counts` for Themes and the export).

A rollup counts per whole UTC hour (`item_counts`, `theme_counts`) and per whole UTC day
(`item_counts_daily`, `theme_counts_daily`). A figure read from it must be the one the rows give,
so `plan_range` splits [start, end) three ways:

- **days**: the whole UTC days inside the range that lie wholly inside one of the viewer's bins
  (no bins: every whole day). In UTC every day qualifies; in another zone a local midnight falls
  inside each UTC day, so for day bins none does, and for Monday-week bins six days a week do;
- **hours**: the other whole UTC hours inside the range that lie wholly inside one bin and keep
  one UTC offset throughout;
- **raw**: the rest, counted from the rows: the partial hours at both edges, and each hour a local
  bin boundary cuts (midnight in a :30 or :45 zone such as Asia/Kolkata or Asia/Kathmandu) or
  whose offset changes inside it. Whole-hour zones, daylight saving included, cut none.

So a day or hour read from a rollup always falls into the bin of its first hour, and a reader may
group it by that hour (`local_bins`, or SQL with the offsets).

A reader of the quarter-hour level (`quarters=True`, `item_counts_quarters`, revision 0021) gets
the cut hours as **quarters** instead ([a, b) quarter hours since 1970): no zone's boundary or
offset change cuts a quarter hour, so each lies in one bin, and only the range's partial edges
are left to the rows.

A count without bins (`freq=None`) that reads the monthly level (`months=True`,
`item_counts_monthly`, revision 0022) gets the whole UTC calendar months among those days as
**months** ([a, b) months since January 1970), and the days left around them as days: a year of
one facet is then about 4,000 rows instead of 75,000. Bins never hold a whole month.

A reader that can subtract (`split_days=True`: sums only) also gets the days a bin boundary
crosses, when that reads fewer rows than their hours: **anchored** days, each counted whole in
the bin of one of its hours (its anchor, in the part of the day with the most whole hours), and
**less**, the day's other hours, taken back out of the anchor's bin; those hours are also counted
in their own bins as usual (as hours, or from the rows when cut). A Kolkata day then reads one
day and 5 + 6 hours instead of 23 hours; a Berlin day one day and 1 + 1 hours instead of 24.

Plans are cached: a report asks for the same one many times. Domain: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Final

import numpy as np
import pandas as pd

from voc.trends.buckets import floor_local

HOUR_SECONDS: Final = 3600
HOURS_PER_DAY: Final = 24
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
HOUR: Final = timedelta(hours=1)
QUARTERS_PER_HOUR: Final = 4

Spans = tuple[tuple[int, int], ...]
# (first, end, anchor): [first, end) days or hours with the hour number they stand at.
Anchored = tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class RangePlan:
    """[start, end) as whole UTC days `days` and hours `hours` ([a, b) numbers since 1970) for a
    rollup, and `raw` [start, end) moments for the rows. `cut` lists the whole hours left to the
    rows (a bin boundary or an offset change inside); [first_hour, end_hour) spans all whole hours.
    With `split_days`: `anchored` days (first day, end day, anchor hour of the day 0-23) counted in
    the bin of day * 24 + anchor, and `less` hours (first, end, anchor hour number) taken out of
    the anchor's bin again (module docstring). With `quarters`: the cut hours as `quarters`
    ([a, b) quarter hours), not in `raw`. With `months` (no bins only): the whole UTC months among
    the days as `months` ([a, b) months since January 1970), not in `days`."""

    first_hour: int
    end_hour: int
    days: Spans
    hours: Spans
    raw: tuple[tuple[datetime, datetime], ...]
    cut: tuple[int, ...]
    anchored: Anchored = ()
    less: Anchored = ()
    quarters: Spans = ()
    months: Spans = ()

    @property
    def whole_hours(self) -> int:
        return max(0, self.end_hour - self.first_hour)

    def hour_spans(self) -> Spans:
        """Every hour the rollup counts (all whole hours but the cut ones), the days' as hours: for
        a table without a daily level, or a reader without bins."""
        spans: list[tuple[int, int]] = []
        low = self.first_hour
        for hour in (*self.cut, self.end_hour):
            if hour > low:
                spans.append((low, hour))
            low = hour + 1
        return tuple(spans)


def hour_start(hour: int) -> datetime:
    return EPOCH + hour * HOUR


def plan_range(
    start: datetime,
    end: datetime,
    freq: str | None = None,
    tz: str = "UTC",
    *,
    daily: bool = True,
    split_days: bool = False,
    quarters: bool = False,
    months: bool = False,
) -> RangePlan:
    """The split of [start, end) for bins of `freq` ("h", "D" or "W-MON", None for one total) on
    the wall clock of `tz`; `daily=False` for a reader that cannot use a daily level (every whole
    hour then comes from the hours); `split_days=True` for a reader that reads `anchored` days and
    subtracts `less` hours; `quarters=True` for one that reads the cut hours' quarters;
    `months=True` for one that reads whole months (used only when `freq` is None)."""
    plan = _plan(start.astimezone(UTC), end.astimezone(UTC), freq, tz, daily, daily and split_days, quarters)
    if months and daily and freq is None and plan.days:
        month_spans, day_spans = _whole_months(plan.days)
        plan = replace(plan, days=day_spans, months=month_spans)
    return plan


@lru_cache(maxsize=256)
def _plan(
    start: datetime, end: datetime, freq: str | None, tz: str, daily: bool, split_days: bool, quarters: bool
) -> RangePlan:
    first = -(-(start - EPOCH) // HOUR)  # ceiling: the first hour that starts at or after `start`
    last = (end - EPOCH) // HOUR  # floor: the hour `end` falls in is not whole
    if last <= first:
        return RangePlan(0, 0, (), (), ((start, end),), ())
    hours = np.arange(first, last, dtype="int64")
    if freq is None:
        usable = np.ones(len(hours), dtype=bool)
        bins = np.zeros(len(hours), dtype="int64")
    else:
        usable, bins = _whole_in_a_bin(hours, freq, tz)
    cut = hours[~usable]
    day_spans: list[tuple[int, int]] = []
    anchored: list[tuple[int, int, int]] = []
    less: list[tuple[int, int, int]] = []
    by_day = np.zeros(len(hours), dtype=bool)  # counted in its bin by a day's row
    if daily:
        first_day, end_day = -(-int(first) // HOURS_PER_DAY), int(last) // HOURS_PER_DAY
        for day in range(first_day, end_day):
            at = day * HOURS_PER_DAY - int(first)
            window = slice(at, at + HOURS_PER_DAY)
            if usable[window].all() and (bins[window] == bins[at]).all():
                by_day[window] = True
                day_spans = _extended(day_spans, day)
            elif split_days and (anchor := _anchor(usable[window], bins[window])) is not None:
                in_anchor_bin = usable[window] & (bins[window] == bins[at + anchor])
                by_day[window] = in_anchor_bin
                anchored = _extended_anchored(anchored, day, anchor)
                for hour in hours[window][~in_anchor_bin]:
                    less = _extended_anchored(less, int(hour), day * HOURS_PER_DAY + anchor)
    hour_spans: list[tuple[int, int]] = []
    for hour in hours[usable & ~by_day]:
        hour_spans = _extended(hour_spans, int(hour))
    quarter_spans: list[tuple[int, int]] = []
    for hour in cut if quarters else ():
        for quarter in range(int(hour) * QUARTERS_PER_HOUR, (int(hour) + 1) * QUARTERS_PER_HOUR):
            quarter_spans = _extended(quarter_spans, quarter)
    raw: list[tuple[datetime, datetime]] = []
    edges = [(start, hour_start(int(first)))]
    edges += [] if quarters else [(hour_start(int(h)), hour_start(int(h) + 1)) for h in cut]
    for low, high in [*edges, (hour_start(int(last)), end)]:
        if low >= high:
            continue
        if raw and raw[-1][1] == low:  # adjacent: one range, not two
            raw[-1] = (raw[-1][0], high)
        else:
            raw.append((low, high))
    return RangePlan(
        int(first),
        int(last),
        tuple(day_spans),
        tuple(hour_spans),
        tuple(raw),
        tuple(int(h) for h in cut),
        tuple(anchored),
        tuple(less),
        tuple(quarter_spans),
    )


def _month_start(month: int) -> int:
    """The day number (since 1970) of the first day of `month` (months since January 1970)."""
    return (date(1970 + month // 12, month % 12 + 1, 1) - date(1970, 1, 1)).days


@lru_cache(maxsize=256)
def _whole_months(day_spans: Spans) -> tuple[Spans, Spans]:
    """The whole calendar months inside `day_spans` as month spans, and the days left over (cached
    as the plans are: a report asks for the same one many times)."""
    months: list[tuple[int, int]] = []
    days: list[tuple[int, int]] = []
    for low, high in day_spans:
        on = EPOCH.date() + timedelta(days=low)
        first = (on.year - 1970) * 12 + on.month - 1 + (on.day > 1)  # the first month starting in the span
        last = first
        while _month_start(last + 1) <= high:
            last += 1
        if last == first:  # no whole month inside
            days.append((low, high))
            continue
        months.append((first, last))
        days += [span for span in ((low, _month_start(first)), (_month_start(last), high)) if span[0] < span[1]]
    return tuple(months), tuple(days)


def _anchor(usable: np.ndarray, bins: np.ndarray) -> int | None:
    """The anchor of a day a bin boundary crosses (its first whole hour in the bin holding most of
    its whole hours), or None when its hours read fewer rows: one day and each hour outside the
    anchor's bin once taken out and (unless cut) once put in its own bin, against each whole hour."""
    if not usable.any():
        return None
    values, counts = np.unique(bins[usable], return_counts=True)
    anchor_bin = values[counts.argmax()]
    outside = int(len(usable) - counts.max())
    moved = outside - int((~usable).sum())
    if 1 + outside + moved >= int(usable.sum()):
        return None
    return int(np.flatnonzero(usable & (bins == anchor_bin))[0])


def _whole_in_a_bin(hours: np.ndarray, freq: str, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """Per whole hour: True when it lies in one local bin with one UTC offset throughout, and its
    bin (as nanoseconds of the bin's local start)."""
    starts = pd.Series(pd.to_datetime(hours * HOUR_SECONDS, unit="s", utc=True))
    ends = starts + pd.Timedelta(hours=1) - pd.Timedelta(microseconds=1)
    local_start = starts.dt.tz_convert(tz).dt.tz_localize(None)
    local_end = ends.dt.tz_convert(tz).dt.tz_localize(None)
    opening = floor_local(local_start, freq)
    same_bin = opening == floor_local(local_end, freq)
    same_offset = (local_start - starts.dt.tz_localize(None)) == (local_end - ends.dt.tz_localize(None))
    return (same_bin & same_offset).to_numpy(), opening.astype("int64").to_numpy()


def local_bins(hours: pd.Series, freq: str, tz: str) -> pd.Series:
    """The viewer's local bin of each hour a plan leaves to a rollup (an hour number; for a day,
    its first hour): naive local timestamps."""
    starts = pd.to_datetime(hours.astype("int64") * HOUR_SECONDS, unit="s", utc=True)
    return floor_local(starts.dt.tz_convert(tz).dt.tz_localize(None), freq).astype("datetime64[us]")


def _extended(spans: list[tuple[int, int]], unit: int) -> list[tuple[int, int]]:
    if spans and spans[-1][1] == unit:
        spans[-1] = (spans[-1][0], unit + 1)
    else:
        spans.append((unit, unit + 1))
    return spans


def _extended_anchored(spans: list[tuple[int, int, int]], unit: int, anchor: int) -> list[tuple[int, int, int]]:
    """`_extended` for spans that stand at an anchor: a unit joins the last span only with its anchor."""
    if spans and spans[-1][1] == unit and spans[-1][2] == anchor:
        spans[-1] = (spans[-1][0], unit + 1, anchor)
    else:
        spans.append((unit, unit + 1, anchor))
    return spans
