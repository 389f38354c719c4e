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
from functools import lru_cache
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
    plan = plan_range(start, end, freq, tz, split_days=True, quarters=True, months=True)
    return plan if plan.whole_hours else None


def local_bin(
    unit: sa.ColumnElement[int],
    plan: RangePlan,
    freq: str,
    tz: str,
    *,
    seconds: int = HOUR_SECONDS,
    span: tuple[int, int] | None = None,
) -> sa.ColumnElement[int]:
    """The viewer's bin of a whole hour (or of a day, by its first hour; or, with `seconds` 900,
    of a quarter hour in `span`, [first, end) quarters) as a number, in SQL: local days (or Monday
    weeks) since 1970 from the unit and the zone's offset in minutes at its start, one CASE branch
    per offset change (daylight saving: two a year). Grouping by it in the database sends one row
    per bin, not one per hour. Exact for the hours and days the plan gives a rollup (none a bin
    boundary or an offset change cuts) and for every quarter hour (every offset, and every change
    of it, is a whole number of quarter hours). Constants as literals: PostgreSQL cannot match
    bound parameters between a SELECT and its GROUP BY."""
    first, end = (plan.first_hour, plan.end_hour) if span is None else span
    changes = _offset_changes(first, end, tz, seconds)
    per_unit = seconds // 60
    minutes = [unit * sa.literal_column(str(per_unit)) + sa.literal_column(str(offset)) for _, offset in changes]
    local_minutes: sa.ColumnElement[int] = minutes[-1]
    if len(minutes) > 1:
        local_minutes = sa.case(
            *((unit < sa.literal_column(str(changes[n + 1][0])), minutes[n]) for n in range(len(changes) - 1)),
            else_=minutes[-1],
        )
    day = local_minutes // sa.literal_column("1440")
    if freq == buckets.WEEK:
        return (day + sa.literal_column("3")) // sa.literal_column("7")  # 1 January 1970 was a Thursday
    if freq != buckets.DAY:
        raise ValueError(f"local_bin counts days or weeks, not {freq!r}")
    return day


@lru_cache(maxsize=64)
def _offset_changes(first: int, end: int, tz: str, seconds: int) -> tuple[tuple[int, int], ...]:
    """(unit, the zone's offset in minutes from its start on) for the first unit of [first, end)
    and each unit where the offset changes."""
    units = pd.Series(range(first, max(end, first + 1)), dtype="int64")
    moments = pd.to_datetime(units * seconds, unit="s", utc=True)
    offsets = (
        (moments.dt.tz_convert(tz).dt.tz_localize(None) - moments.dt.tz_localize(None)).dt.total_seconds() // 60
    ).astype("int64")
    changes = (offsets != offsets.shift()).to_numpy().nonzero()[0]
    return tuple((int(units.iloc[i]), int(offsets.iloc[i])) for i in changes)
