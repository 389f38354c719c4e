"""The cost and quota meter: reads per source per UTC day, their estimated price, daily budgets.

Paid APIs (X above all) bill the resources a response returns, not the requests: each post read
and each user read has a price, and X counts a resource once per UTC day. A source reports what
each page read (`Usage`); the store adds it up per source and UTC day; a source whose day has
reached its budget is paused until the next UTC midnight. The figures are estimates from public
prices: the provider's console is the bill. Domain: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd

from voc.models import SourceState

# X API pay-per-use prices (docs.x.com, "Pricing"): prices change; override them in Settings.
DEFAULT_POST_READ_USD = 0.005
DEFAULT_USER_READ_USD = 0.010
BUDGET_KEY = "daily_budget_usd"
PAID_KINDS = frozenset({"x_search", "x_mentions"})
METER_COLUMNS = (
    "source",
    "requests",
    "posts_read",
    "users_read",
    "cost_usd",
    "budget_usd",
    "budget_used",
    "paused_until",
    "pause_reason",
)


@dataclass(frozen=True)
class Rates:
    """Prices per resource read, in US dollars."""

    post_read_usd: float = DEFAULT_POST_READ_USD
    user_read_usd: float = DEFAULT_USER_READ_USD

    def cost(self, *, posts_read: int, users_read: int) -> float:
        """The estimated price of reading these resources."""
        return posts_read * self.post_read_usd + users_read * self.user_read_usd


@dataclass(frozen=True)
class Usage:
    """What one or more requests read, and its estimated price."""

    requests: int = 0
    posts_read: int = 0
    users_read: int = 0
    cost_usd: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            requests=self.requests + other.requests,
            posts_read=self.posts_read + other.posts_read,
            users_read=self.users_read + other.users_read,
            cost_usd=self.cost_usd + other.cost_usd,
        )


@dataclass(frozen=True)
class Pause:
    """A source held back until `until`, for a reason an operator can read."""

    until: datetime
    reason: str


def usage_of(*, requests: int, posts_read: int, users_read: int, rates: Rates) -> Usage:
    """Usage with its estimated cost at `rates`."""
    return Usage(
        requests=requests,
        posts_read=posts_read,
        users_read=users_read,
        cost_usd=rates.cost(posts_read=posts_read, users_read=users_read),
    )


def rates_for(config: Mapping[str, Any], default: Rates) -> Rates:
    """A source's prices: its own `post_read_usd`/`user_read_usd` (e.g. owned reads) or the default."""
    return Rates(
        post_read_usd=_number(config.get("post_read_usd"), default.post_read_usd),
        user_read_usd=_number(config.get("user_read_usd"), default.user_read_usd),
    )


def utc_day(moment: datetime) -> date:
    """The UTC calendar day a moment falls on: the unit of X's billing and of daily budgets."""
    return moment.astimezone(UTC).date()


def next_utc_midnight(moment: datetime) -> datetime:
    """The start of the UTC day after `moment`."""
    return datetime.combine(utc_day(moment) + timedelta(days=1), time(0), tzinfo=UTC)


def daily_budget(config: Mapping[str, Any]) -> float | None:
    """A source's daily budget in US dollars, or None when it has none (0 or blank means none)."""
    budget = _number(config.get(BUDGET_KEY), 0.0)
    return budget if budget > 0 else None


def budget_pause(*, spent_usd: float, budget_usd: float | None, now: datetime) -> Pause | None:
    """The pause a source takes once today's estimated spend has reached its daily budget."""
    if budget_usd is None or spent_usd < budget_usd:
        return None
    until = next_utc_midnight(now)
    return Pause(
        until=until,
        reason=(
            f"Daily budget reached: ${spent_usd:.2f} of ${budget_usd:.2f} spent today (estimate). "
            f"Paused until {until:%Y-%m-%d %H:%M} UTC; raise the budget on the Sources page to resume sooner."
        ),
    )


def budget_share(spent_usd: float, budget_usd: float | None) -> float | None:
    """How much of today's budget is spent, 0..1 (None without a budget): the meter's bar."""
    if budget_usd is None:
        return None
    return min(spent_usd / budget_usd, 1.0)


def meter_frame(
    sources: Sequence[SourceState], usage_today: Mapping[str, Usage], *, paid_kinds: frozenset[str] = PAID_KINDS
) -> pd.DataFrame:
    """The Sources page's cost meter: today's reads, estimated cost and budget per paid source."""
    rows = []
    for source in sources:
        budget = daily_budget(source.config)
        if source.kind not in paid_kinds and source.name not in usage_today and budget is None:
            continue
        usage = usage_today.get(source.name, Usage())
        rows.append(
            {
                "source": source.name,
                "requests": usage.requests,
                "posts_read": usage.posts_read,
                "users_read": usage.users_read,
                "cost_usd": round(usage.cost_usd, 4),
                "budget_usd": budget,
                "budget_used": budget_share(usage.cost_usd, budget),
                "paused_until": source.paused_until,
                "pause_reason": source.pause_reason,
            }
        )
    return pd.DataFrame(rows, columns=list(METER_COLUMNS))


def _number(value: Any, default: float) -> float:
    if value in (None, ""):
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
