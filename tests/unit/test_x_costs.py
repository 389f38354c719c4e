"""The cost meter's arithmetic: prices, UTC days, daily budgets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest

from voc.models import SourceState
from voc.sources.costs import (
    Rates,
    Usage,
    budget_pause,
    budget_share,
    daily_budget,
    meter_frame,
    next_utc_midnight,
    rates_for,
    usage_of,
    utc_day,
)

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_reads_are_priced_per_post_and_per_user_at_the_public_rates_by_default() -> None:
    usage = usage_of(requests=1, posts_read=100, users_read=60, rates=Rates())
    assert usage.cost_usd == pytest.approx(100 * 0.005 + 60 * 0.010)
    assert usage + usage == Usage(requests=2, posts_read=200, users_read=120, cost_usd=pytest.approx(2.2))


def test_a_source_can_override_the_prices_and_nonsense_falls_back() -> None:
    rates = rates_for({"post_read_usd": "0.001", "user_read_usd": "n/a"}, Rates())
    assert rates == Rates(post_read_usd=0.001, user_read_usd=0.010)


def test_the_day_is_the_utc_day_whatever_the_zone() -> None:
    late_in_new_york = datetime(2026, 11, 23, 22, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert utc_day(late_in_new_york) == date(2026, 11, 24)
    assert next_utc_midnight(NOON) == datetime(2026, 11, 24, tzinfo=UTC)
    assert next_utc_midnight(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)


def test_a_spent_budget_pauses_until_the_next_utc_midnight_and_says_so() -> None:
    assert budget_pause(spent_usd=4.99, budget_usd=5.0, now=NOON) is None
    assert budget_pause(spent_usd=100.0, budget_usd=None, now=NOON) is None
    pause = budget_pause(spent_usd=5.01, budget_usd=5.0, now=NOON)
    assert pause is not None and pause.until == datetime(2026, 11, 24, tzinfo=UTC)
    assert "$5.01 of $5.00" in pause.reason and "2026-11-24 00:00 UTC" in pause.reason


def test_a_budget_of_zero_or_blank_means_no_budget() -> None:
    assert daily_budget({}) is None
    assert daily_budget({"daily_budget_usd": 0}) is None
    assert daily_budget({"daily_budget_usd": ""}) is None
    assert daily_budget({"daily_budget_usd": "2.5"}) == 2.5
    assert budget_share(1.0, 4.0) == 0.25 and budget_share(9.0, 4.0) == 1.0 and budget_share(1.0, None) is None


def _source(name: str, kind: str, config: dict, **fields: object) -> SourceState:
    values = dict.fromkeys(SourceState.__dataclass_fields__)
    values.update(name=name, kind=kind, config=config, enabled=True, poll_interval_s=60.0)
    values.update(consecutive_failures=0, items_total=0, **fields)
    return SourceState(**values)  # type: ignore[arg-type]


def test_the_meter_lists_paid_sources_with_todays_spend_against_their_budget() -> None:
    midnight = datetime(2026, 11, 24, tzinfo=UTC)
    sources = [
        _source("demo-social", "replay", {}),
        _source(
            "x-brand", "x_search", {"daily_budget_usd": 2.0}, paused_until=midnight, pause_reason="Daily budget reached"
        ),
        _source("x-mentions", "x_mentions", {}),
    ]
    frame = meter_frame(sources, {"x-brand": Usage(requests=4, posts_read=200, users_read=100, cost_usd=2.0)})
    assert list(frame["source"]) == ["x-brand", "x-mentions"]  # the free demo feed is not metered
    brand, mentions = frame.to_dict("records")
    assert (brand["posts_read"], brand["cost_usd"], brand["budget_usd"], brand["budget_used"]) == (200, 2.0, 2.0, 1.0)
    assert brand["paused_until"] == midnight and brand["pause_reason"] == "Daily budget reached"
    assert (mentions["requests"], mentions["cost_usd"]) == (0, 0.0)
    assert pd.isna(mentions["budget_usd"]) and pd.isna(mentions["budget_used"])
