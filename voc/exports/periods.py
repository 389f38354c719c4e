"""Export periods: ISO weeks (Monday–Sunday) and date ranges on the team's wall clock, as UTC bounds.

A week is Monday 00:00 to the next Monday 00:00 *local* time, so a week that contains a DST change
is 167 or 169 hours long; the UTC bounds come from the zone, never from adding 7×24 hours.
Domain module: no Streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


class PeriodError(ValueError):
    """A week or range that cannot be exported (malformed, reversed, unknown zone)."""


def zone(tz: str) -> ZoneInfo:
    """The IANA zone `tz`; PeriodError when it is unknown."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise PeriodError(f"unknown time zone {tz!r}; use an IANA name such as Europe/Berlin") from None


def _local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(UTC)


@dataclass(frozen=True)
class ExportPeriod:
    """Local days `first`..`last` (inclusive) in zone `tz`; `start`/`end` are the UTC bounds [start, end)."""

    first: date
    last: date
    tz: str = "UTC"

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError(f"the range ends ({self.last}) before it starts ({self.first})")
        zone(self.tz)

    @property
    def start(self) -> datetime:
        return _local_midnight(self.first, self.tz)

    @property
    def end(self) -> datetime:
        return _local_midnight(self.last + timedelta(days=1), self.tz)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def is_week(self) -> bool:
        return self.first.isoweekday() == 1 and self.days == 7

    @property
    def label(self) -> str:
        """ "2026-W47" for an ISO week, "2026-11-01 to 2026-11-14" for any other range."""
        if self.is_week:
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first.isoformat()} to {self.last.isoformat()}"

    @property
    def slug(self) -> str:
        """A file-name-safe name: "2026-W47" or "2026-11-01_2026-11-14"."""
        return self.label if self.is_week else f"{self.first.isoformat()}_{self.last.isoformat()}"

    def previous(self) -> ExportPeriod:
        """The period of the same length just before this one (the week before, for a week)."""
        return ExportPeriod(self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.tz)


def iso_week(week: str, tz: str = "UTC") -> ExportPeriod:
    """The ISO week "2026-W47" (Monday–Sunday) in zone `tz`."""
    match = _WEEK.match(week.strip())
    if not match:
        raise PeriodError(f"{week!r} is not an ISO week; write it like 2026-W47")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise PeriodError(f"{year} has no week {number}") from None
    return ExportPeriod(monday, monday + timedelta(days=6), tz)


def week_of(day: date, tz: str = "UTC") -> ExportPeriod:
    """The Monday–Sunday week that contains `day`."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    return ExportPeriod(monday, monday + timedelta(days=6), tz)


def date_range(first: date | str, last: date | str, tz: str = "UTC") -> ExportPeriod:
    """Local days `first` to `last`, both included."""
    try:
        first_day = date.fromisoformat(first) if isinstance(first, str) else first
        last_day = date.fromisoformat(last) if isinstance(last, str) else last
    except ValueError as error:
        raise PeriodError(f"dates are written like 2026-11-01 ({error})") from None
    return ExportPeriod(first_day, last_day, tz)


def last_complete_week(now: datetime, tz: str = "UTC") -> ExportPeriod:
    """The most recent Monday–Sunday week that has fully ended at `now`, in zone `tz`."""
    today = now.astimezone(zone(tz)).date()
    return week_of(today - timedelta(days=7), tz)
