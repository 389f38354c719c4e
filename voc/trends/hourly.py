"""Which part of a long range the hourly rollup can count, and which part needs the items.

`item_counts` (revision 0014, `voc.store.rollups`) counts items per whole UTC hour. A trend
figure read from it must be the one the item query gives, so an hour comes from the rollup only
when it lies wholly inside the range and wholly inside one of the viewer's bins. The rest is
counted from `items` per quarter hour, as before: the partial hours at the range's edges, and
the hours a local bin boundary cuts (midnight in a :30 or :45 zone such as Asia/Kolkata or
Asia/Kathmandu: one hour a day, or a week, for day or week bins). Zones with whole-hour offsets,
daylight saving changes included, have none. Domain: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import pandas as pd
import sqlalchemy as sa

from voc.trends import buckets

HOUR_SECONDS: Final = 3600
SLOTS_PER_HOUR: Final = HOUR_SECONDS // buckets.SLOT_SECONDS
# Ranges up to this long are counted from items alone: hourly bins, and few rows to read anyway.
ROLLUP_FROM: Final = buckets.HOURLY_UP_TO


@dataclass(frozen=True)
class HourPlan:
    """Hours [first_hour, end_hour) less `cut` come from the rollup; `spans` from the items."""

    first_hour: int
    end_hour: int
    cut: tuple[int, ...]
    spans: tuple[tuple[datetime, datetime], ...]


def plan_hours(start: datetime, end: datetime, freq: str | None, tz: str) -> HourPlan | None:
    """The split of [start, end) for bins of `freq` in `tz` (None: one total, no bins), or None
    when the range is short enough to count from the items alone."""
    if end - start <= ROLLUP_FROM:
        return None
    first = int(-(-start.timestamp() // HOUR_SECONDS))  # the first whole hour
    last = int(end.timestamp() // HOUR_SECONDS)  # the end of the last whole hour
    if first >= last:
        return None
    cut: list[int] = []
    if freq is not None:
        hours = pd.Series(range(first, last), dtype="int64")
        opening = buckets.local_buckets(hours * SLOTS_PER_HOUR, freq, tz)
        closing = buckets.local_buckets(hours * SLOTS_PER_HOUR + SLOTS_PER_HOUR - 1, freq, tz)
        cut = [int(hour) for hour in hours[opening.to_numpy() != closing.to_numpy()]]
    spans: list[tuple[datetime, datetime]] = []
    edges = [(start, _moment(first))] + [(_moment(hour), _moment(hour + 1)) for hour in cut] + [(_moment(last), end)]
    for low, high in edges:
        if low >= high:
            continue
        if spans and spans[-1][1] == low:  # adjacent: one range, not two
            spans[-1] = (spans[-1][0], high)
        else:
            spans.append((low, high))
    return HourPlan(first, last, tuple(cut), tuple(spans))


def local_bin(hour: sa.ColumnElement[int], plan: HourPlan, freq: str, tz: str) -> sa.ColumnElement[int]:
    """The viewer's bin of a whole hour as a number, in SQL: local days (or Monday weeks) since
    1970 from the hour and the zone's offset in minutes at its start, one CASE branch per offset
    change in the plan's hours (daylight saving: two a year). Grouping by it in the database
    sends one row per bin, not one per hour. Exact for the hours the plan keeps (no cut hour),
    and as literals: PostgreSQL cannot match bound parameters in a GROUP BY."""
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


def _moment(hour: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(hours=hour)
