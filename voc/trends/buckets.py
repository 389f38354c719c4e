"""Time buckets for trend charts: which bin a range gets, and counting per bin in SQL.

A chart reads when it has between a dozen and a hundred bars: hours up to three days (72 bars),
days up to sixty (60), ISO weeks (Monday to Sunday) beyond. The database counts items per
quarter hour of UTC (`epoch_slot`): every time zone's offset is a whole number of quarter hours
(India +5:30, Nepal +5:45), so the quarter-hour counts add up exactly into the viewer's local
hours, days and weeks, and at most ~8,700 grouped rows leave the database for 90 days whatever
the volume. Domain: no Streamlit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

HOURLY_UP_TO: Final = timedelta(days=3)
DAILY_UP_TO: Final = timedelta(days=60)
SLOT_SECONDS: Final = 900
HOUR: Final = "h"
DAY: Final = "D"
WEEK: Final = "W-MON"  # pandas' name for weeks starting on Monday
LABELS: Final = {HOUR: "hour", DAY: "day", WEEK: "week"}


def bucket_for(span: timedelta) -> str:
    """The pandas frequency of the bins for a range of length `span`: hour, day or week."""
    if span <= HOURLY_UP_TO:
        return HOUR
    if span <= DAILY_UP_TO:
        return DAY
    return WEEK


def share_bucket_for(span: timedelta) -> str:
    """Bins for share of voice: a share needs more mentions per bar than a count, so hours only
    for a day, days up to sixty, weeks beyond (a few readable bars, each labelled with its share)."""
    if span <= timedelta(days=1):
        return HOUR
    return DAY if span <= DAILY_UP_TO else WEEK


class epoch_slot(FunctionElement[int]):  # noqa: N801 - SQL function names are lower case
    """`floor(seconds since 1970 / size)` of a UTC timestamp column, on SQLite and PostgreSQL alike."""

    type = sa.BigInteger()
    inherit_cache = True
    name = "epoch_slot"
    # The size is part of the SQL, so of the cache key: else a statement compiled for hours is
    # reused for days.
    _traverse_internals = [*FunctionElement._traverse_internals, ("size", InternalTraversal.dp_plain_obj)]

    def __init__(self, column: Any, size: int = SLOT_SECONDS) -> None:
        self.size = int(size)
        super().__init__(column)


@compiles(epoch_slot, "sqlite")
def _epoch_slot_sqlite(element: epoch_slot, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps the naive UTC text "2026-11-23 11:00:00.000000"; strftime('%s') reads it.
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"(CAST(strftime('%s', {column}) AS INTEGER) / {element.size})"


@compiles(epoch_slot, "postgresql")
def _epoch_slot_postgresql(element: epoch_slot, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column}) / {element.size}) AS BIGINT)"


class epoch_month(FunctionElement[int]):  # noqa: N801 - SQL function names are lower case
    """Whole UTC months since January 1970 of a UTC timestamp column (`item_counts_monthly`)."""

    type = sa.BigInteger()
    inherit_cache = True
    name = "epoch_month"


@compiles(epoch_month, "sqlite")
def _epoch_month_sqlite(element: epoch_month, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    year, month = (f"CAST(strftime('%{part}', {column}) AS INTEGER)" for part in ("Y", "m"))
    return f"(({year} - 1970) * 12 + {month} - 1)"


@compiles(epoch_month, "postgresql")
def _epoch_month_postgresql(element: epoch_month, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    year, month = (f"EXTRACT({part} FROM ({column} AT TIME ZONE 'UTC'))" for part in ("YEAR", "MONTH"))
    return f"CAST(({year} - 1970) * 12 + {month} - 1 AS BIGINT)"


def slot_start(slots: pd.Series, size: int = SLOT_SECONDS) -> pd.Series:
    """The UTC start of each slot number, as aware timestamps."""
    return pd.to_datetime(slots.astype("int64") * size, unit="s", utc=True)


def floor_local(moments: pd.Series, freq: str) -> pd.Series:
    """Naive local timestamps floored to the start of their hour, day or (Monday) week."""
    if freq == WEEK:
        days = moments.dt.floor("D")
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return moments.dt.floor(freq)


def to_local(moment: datetime, tz: str) -> pd.Timestamp:
    """An aware moment as a naive timestamp on the wall clock of `tz`."""
    return pd.Timestamp(moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None))


def bucket_grid(start: datetime, end: datetime, freq: str, tz: str) -> pd.DatetimeIndex:
    """Every bin of [start, end) on the viewer's wall clock, the first and last partial ones included."""
    first = floor_local(pd.Series([to_local(start, tz)]), freq).iloc[0]
    last = floor_local(pd.Series([to_local(end - timedelta(microseconds=1), tz)]), freq).iloc[0]
    step = "7D" if freq == WEEK else freq
    return pd.date_range(first, last, freq=step, name="bucket").astype("datetime64[us]")


def local_buckets(slots: pd.Series, freq: str, tz: str) -> pd.Series:
    """Quarter-hour slot numbers (UTC) as the viewer's local bins."""
    local = slot_start(slots).dt.tz_convert(tz).dt.tz_localize(None)
    return floor_local(local, freq).astype("datetime64[us]")
