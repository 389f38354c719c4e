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


def _moment(hour: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(hours=hour)
