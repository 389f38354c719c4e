"""Long Trends ranges from the rollups: when they apply, and the viewer's bins in SQL.

`item_counts` and `item_counts_daily` (revisions 0014 and 0017, `voc.store.rollups`) count items
per whole UTC hour and day. Which days, hours and raw ranges a figure reads is the shared
planner's business (`voc.store.ranges.plan_range`: a day or hour comes from a rollup only when
it lies wholly inside the range and inside one of the viewer's bins); this module says from what
length on Trends uses it, and groups rollup rows into local days or weeks in the database.
Domain: no Streamlit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import pandas as pd
import sqlalchemy as sa

from voc.store.ranges import RangePlan, plan_range
from voc.trends import buckets

HOUR_SECONDS: Final = 3600
SLOTS_PER_HOUR: Final = HOUR_SECONDS // buckets.SLOT_SECONDS
# Ranges up to this long are counted from items alone: hourly bins, and few rows to read anyway.
ROLLUP_FROM: Final = buckets.HOURLY_UP_TO


def plan_hours(start: datetime, end: datetime, freq: str | None, tz: str) -> RangePlan | None:
    """The split of [start, end) for bins of `freq` in `tz` (None: one total, no bins), or None
    when the range is short enough to count from the items alone (or holds no whole hour)."""
    if end - start <= ROLLUP_FROM:
        return None
    plan = plan_range(start, end, freq, tz, split_days=True)
    return plan if plan.whole_hours else None


def local_bin(hour: sa.ColumnElement[int], plan: RangePlan, freq: str, tz: str) -> sa.ColumnElement[int]:
    """The viewer's bin of a whole hour (or of a day, by its first hour) as a number, in SQL:
    local days (or Monday weeks) since 1970 from the hour and the zone's offset in minutes at its
    start, one CASE branch per offset change in the plan's hours (daylight saving: two a year).
    Grouping by it in the database sends one row per bin, not one per hour. Exact for the hours
    and days the plan gives a rollup (none a bin boundary or an offset change cuts), and as
    literals: PostgreSQL cannot match bound parameters in a GROUP BY."""
    hours = pd.Series(range(plan.first_hour, plan.end_hour), dtype="int64")
    moments = pd.to_datetime(hours * HOUR_SECONDS, unit="s", utc=True)
    offsets = (
        (moments.dt.tz_convert(tz).dt.tz_localize(None) - moments.dt.tz_localize(None)).dt.total_seconds() // 60
    ).astype("int64")
    changes = [int(i) for i in (offsets != offsets.shift()).to_numpy().nonzero()[0]]
    minutes = [(hour * 60 + sa.literal_column(str(int(offsets.iloc[i])))) for i in changes]
    local_minutes: sa.ColumnElement[int] = minutes[-1] if minutes else hour * 60
    if len(minutes) > 1:
        local_minutes = sa.case(
            *(
                (hour < sa.literal_column(str(int(hours.iloc[changes[n + 1]]))), minutes[n])
                for n in range(len(changes) - 1)
            ),
            else_=minutes[-1],
        )
    day = local_minutes // sa.literal_column("1440")
    if freq == buckets.WEEK:
        return (day + sa.literal_column("3")) // sa.literal_column("7")  # 1 January 1970 was a Thursday
    if freq != buckets.DAY:
        raise ValueError(f"local_bin counts days or weeks, not {freq!r}")
    return day
