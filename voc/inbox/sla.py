"""SLA clocks: how long the team has to answer an item, counted from when the customer posted.

The clock starts at posting or submission time (never ingestion: a source's latency is the
customer's wait too, and is shown separately), runs only in the team's business hours in the
team's time zone (DST-aware: wall-clock opening hours), and reads *on track*, *due soon* or
*breached*. Policies per priority tier (defaults: urgent 1 h, high 4 h, normal 24 h) and business
hours per team live in `app_settings` under `sla`. Domain: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

from voc.access.roles import Permission
from voc.store.settings import register_setting

SETTINGS_KEY: Final = register_setting(
    "sla", dict, Permission.CONFIGURE_CARE, "first-response targets per priority, business hours per team"
)
DEFAULT_TEAM: Final = "default"
TIERS: Final = ("urgent", "high", "normal")
DEFAULT_TARGETS: Final = {"urgent": timedelta(hours=1), "high": timedelta(hours=4), "normal": timedelta(hours=24)}
DUE_SOON_SHARE: Final = 0.25  # due soon once less than a quarter of the target is left
_MAX_DAYS: Final = 400  # a calendar with no open hours must not loop for ever


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    BREACHED = "breached"
    MET = "met"  # answered in time
    MISSED = "missed"  # answered, late

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class BusinessHours:
    """Open hours on open weekdays (0 = Monday) in one IANA zone; 24/7 by default."""

    tz: str = "UTC"
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    start: time = time(0, 0)
    end: time | None = None  # None: midnight at the end of the day

    @property
    def always_open(self) -> bool:
        return len(self.days) == 7 and self.start == time(0, 0) and self.end is None

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The open interval of a local calendar day, as aware datetimes (None when closed)."""
        if day.weekday() not in self.days:
            return None
        zone = ZoneInfo(self.tz)
        opens = datetime.combine(day, self.start, tzinfo=zone)
        closes = (
            datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            if self.end is None
            else datetime.combine(day, self.end, tzinfo=zone)
        )
        return (opens, closes) if closes > opens else None

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of open time has passed after `start`."""
        if duration <= timedelta(0):
            return start
        left = duration
        day = start.astimezone(ZoneInfo(self.tz)).date()
        for _ in range(_MAX_DAYS):
            window = self.window(day)
            if window is not None:
                begin = max(window[0], start)
                if begin < window[1]:
                    available = window[1] - begin
                    if available >= left:
                        return (begin + left).astimezone(start.tzinfo)
                    left -= available
            day += timedelta(days=1)
        raise ValueError("business hours have no open time: check the days and hours")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Open time from `start` to `end` (negative when `end` is earlier)."""
        if end < start:
            return -self.between(end, start)
        total = timedelta(0)
        zone = ZoneInfo(self.tz)
        day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
        while day <= last:
            window = self.window(day)
            if window is not None:
                begin, finish = max(window[0], start), min(window[1], end)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total


@dataclass(frozen=True)
class SlaPolicy:
    """One team's targets per tier and its business hours."""

    targets: Mapping[str, timedelta] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    hours: BusinessHours = BusinessHours()

    def target(self, tier: str) -> timedelta:
        return self.targets.get(tier, self.targets.get("normal", DEFAULT_TARGETS["normal"]))


@dataclass(frozen=True)
class SlaClock:
    """Where one item stands against its SLA."""

    tier: str
    started_at: datetime
    due_at: datetime
    state: SlaState
    left: timedelta  # open time left (negative: overdue by that much); for answered items, the margin

    @property
    def left_text(self) -> str:
        return format_duration(self.left, signed=True)


def clock_for(
    posted_at: datetime,
    tier: str,
    now: datetime,
    policy: SlaPolicy | None = None,
    *,
    first_response_at: datetime | None = None,
) -> SlaClock:
    """The SLA clock of an item posted at `posted_at` in `tier`, as of `now`.

    Once answered (`first_response_at`), the clock stops: met or missed.
    """
    policy = policy or SlaPolicy()
    target = policy.target(tier)
    due = policy.hours.add(posted_at, target)
    stop = first_response_at or now
    left = policy.hours.between(stop, due) if stop <= due else -policy.hours.between(due, stop)
    if first_response_at is not None:
        state = SlaState.MET if first_response_at <= due else SlaState.MISSED
    elif now > due:
        state = SlaState.BREACHED
    elif left <= target * DUE_SOON_SHARE:
        state = SlaState.DUE_SOON
    else:
        state = SlaState.ON_TRACK
    return SlaClock(tier=tier, started_at=posted_at, due_at=due, state=state, left=left)


def format_duration(delta: timedelta, *, signed: bool = False) -> str:
    """ "1 h 05 min", "3 d 4 h", "12 min"; with `signed`, overdue reads "-12 min"."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 and signed else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    return f"{sign}{minutes} min"


@dataclass(frozen=True)
class SlaSettings:
    """Every team's policy, and which team answers which channel (unrouted: the default team)."""

    teams: Mapping[str, SlaPolicy] = field(default_factory=lambda: {DEFAULT_TEAM: SlaPolicy()})
    routes: Mapping[str, str] = field(default_factory=dict)  # channel -> team

    def policy_for(self, channel: str | None) -> SlaPolicy:
        team = self.routes.get(channel or "", DEFAULT_TEAM)
        return self.teams.get(team) or self.teams.get(DEFAULT_TEAM) or SlaPolicy()

    def to_json(self) -> dict[str, Any]:
        return {
            "teams": {
                name: {
                    "targets_minutes": {tier: p.target(tier).total_seconds() / 60 for tier in TIERS},
                    "tz": p.hours.tz,
                    "days": list(p.hours.days),
                    "start": p.hours.start.strftime("%H:%M"),
                    "end": p.hours.end.strftime("%H:%M") if p.hours.end else None,
                }
                for name, p in self.teams.items()
            },
            "routes": dict(self.routes),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> SlaSettings:
        """Settings as stored in `app_settings` (missing parts: the defaults)."""
        if not value:
            return cls()
        teams: dict[str, SlaPolicy] = {}
        for name, raw in dict(value.get("teams") or {}).items():
            minutes = raw.get("targets_minutes") or {}
            targets = {
                tier: timedelta(minutes=float(minutes.get(tier, DEFAULT_TARGETS[tier].total_seconds() / 60)))
                for tier in TIERS
            }
            end = raw.get("end")
            hours = BusinessHours(
                tz=str(raw.get("tz") or "UTC"),
                days=tuple(int(d) for d in raw.get("days", range(7))),
                start=time.fromisoformat(raw.get("start") or "00:00"),
                end=time.fromisoformat(end) if end else None,
            )
            ZoneInfo(hours.tz)  # an unknown zone is refused here, not at every clock
            teams[str(name)] = SlaPolicy(targets=targets, hours=hours)
        teams.setdefault(DEFAULT_TEAM, SlaPolicy())
        return cls(teams=teams, routes={str(k): str(v) for k, v in dict(value.get("routes") or {}).items()})
