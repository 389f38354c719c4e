"""Listener health rules, on a frozen clock: what the badge and the Sources page say."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from voc.models import SourceState
from voc.sources.health import (
    ERROR_KIND_NAMES,
    SourceHealth,
    age_in_words,
    attention_first,
    classify,
    connection_test_note,
    error_kind_name,
    next_try,
    since,
    skipped_lines,
    summary,
)

NOW = datetime.fromisoformat("2026-11-23T12:00:00+00:00")
STALE_AFTER = 60.0


def source(name: str = "demo-social", **changes: object) -> SourceState:
    healthy = SourceState(
        name=name,
        kind="replay",
        config={},
        enabled=True,
        poll_interval_s=5.0,
        cursor=None,
        lease_owner="host:1:abc",
        lease_expires_at=NOW + timedelta(seconds=80),
        heartbeat_at=NOW - timedelta(seconds=2),
        last_ok_at=NOW - timedelta(seconds=4),
        last_error_at=None,
        last_error=None,
        error_kind=None,
        consecutive_failures=0,
        next_poll_at=NOW + timedelta(seconds=1),
        items_total=120,
    )
    return replace(healthy, **changes)  # type: ignore[arg-type]


def test_a_source_polled_recently_without_failures_is_healthy() -> None:
    verdict = classify(source(), NOW, STALE_AFTER)

    assert verdict.state is SourceHealth.HEALTHY
    assert verdict.reason == "Polled 4 s ago."


def test_an_old_heartbeat_is_stale_whatever_the_last_error() -> None:
    old = source(heartbeat_at=NOW - timedelta(minutes=5), consecutive_failures=4, error_kind="auth")

    verdict = classify(old, NOW, STALE_AFTER)

    assert verdict.state is SourceHealth.STALE
    assert "5 min ago" in verdict.reason
    assert "python -m listeners" in verdict.reason


def test_a_heartbeat_exactly_at_the_limit_is_still_fresh() -> None:
    edge = source(heartbeat_at=NOW - timedelta(seconds=STALE_AFTER))

    assert classify(edge, NOW, STALE_AFTER).state is SourceHealth.HEALTHY


def test_a_source_never_polled_is_stale_and_says_how_to_start_the_listeners() -> None:
    verdict = classify(source(heartbeat_at=None, last_ok_at=None), NOW, STALE_AFTER)

    assert verdict.state is SourceHealth.STALE
    assert "No heartbeat yet" in verdict.reason


def test_a_retryable_failure_is_backing_off_until_it_repeats() -> None:
    first = source(
        consecutive_failures=1,
        error_kind="rate_limited",
        last_error="429 Too Many Requests",
        last_error_at=NOW - timedelta(seconds=3),
        next_poll_at=NOW + timedelta(seconds=30),
    )

    verdict = classify(first, NOW, STALE_AFTER)

    assert verdict.state is SourceHealth.BACKING_OFF
    assert verdict.reason == "Last poll failed (rate limit); retrying in 30 s."
    assert classify(replace(first, consecutive_failures=3), NOW, STALE_AFTER).state is SourceHealth.FAILING


@pytest.mark.parametrize("kind", ["auth", "invalid_query", "bad_data"])
def test_an_error_that_needs_a_person_is_failing_at_once(kind: str) -> None:
    broken = source(consecutive_failures=1, error_kind=kind, last_error="401 Unauthorized")

    verdict = classify(broken, NOW, STALE_AFTER)

    assert verdict.state is SourceHealth.FAILING
    assert "401 Unauthorized" in verdict.reason
    assert f"({error_kind_name(kind).lower()})" in verdict.reason and f"({kind})" not in verdict.reason


def test_a_recovered_source_is_healthy_though_its_last_error_is_kept() -> None:
    recovered = source(last_error="timeout", error_kind=None, last_error_at=NOW - timedelta(minutes=3))

    assert classify(recovered, NOW, STALE_AFTER).state is SourceHealth.HEALTHY


def test_a_disabled_source_is_disabled_even_with_an_old_heartbeat() -> None:
    off = source(enabled=False, heartbeat_at=NOW - timedelta(days=2))

    assert classify(off, NOW, STALE_AFTER).state is SourceHealth.DISABLED


def test_summary_is_green_when_every_enabled_listener_is_alive() -> None:
    result = summary([source("a"), source("b"), source("c", enabled=False)], NOW, STALE_AFTER)

    assert result.label == "Listeners 2/2 alive"
    assert result.color == "green"
    assert result.counts == {"healthy": 2, "disabled": 1}


def test_one_stale_or_failing_source_needs_attention_but_the_listeners_run() -> None:
    stale = source("b", heartbeat_at=NOW - timedelta(minutes=2))

    result = summary([source("a"), stale], NOW, STALE_AFTER)

    assert (result.label, result.attention, result.color) == (
        "Listeners running",
        "1 source needs attention: b",
        "orange",
    )
    failing = source("c", consecutive_failures=1, error_kind="auth")
    both = summary([source("a"), stale, failing], NOW, STALE_AFTER)
    assert (both.label, both.attention) == ("Listeners running", "2 sources need attention: b, c")
    many = summary([source("a"), *(replace(stale, name=n) for n in "bcdef")], NOW, STALE_AFTER)
    assert many.attention == "5 sources need attention: b, c, d and 2 more"


def test_summary_is_red_only_when_no_enabled_source_has_a_fresh_heartbeat() -> None:
    old = NOW - timedelta(minutes=10)

    result = summary([source("a", heartbeat_at=old), source("b", heartbeat_at=None)], NOW, STALE_AFTER)

    assert (result.label, result.color, result.attention) == ("Listeners not running", "red", None)


def test_summary_is_orange_while_a_listener_backs_off() -> None:
    waiting = source("b", consecutive_failures=1, error_kind="transient")

    result = summary([source("a"), waiting], NOW, STALE_AFTER)

    assert result.label == "Listeners 2/2 alive"
    assert result.color == "orange"


def test_summary_without_enabled_sources_says_so_in_gray() -> None:
    result = summary([], NOW, STALE_AFTER)

    assert result.label == "No listeners running"
    assert result.color == "gray"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (-3, "just now"),
        (0, "0 s ago"),
        (12.7, "12 s ago"),
        (89, "89 s ago"),
        (600, "10 min ago"),
        (7200, "2 h ago"),
        (3 * 86400, "3 d ago"),
    ],
)
def test_ages_read_as_short_relative_words(seconds: float, words: str) -> None:
    assert age_in_words(seconds) == words


def test_since_a_missing_moment_is_never() -> None:
    assert since(None, NOW) == "never"
    assert since(NOW - timedelta(seconds=12), NOW) == "12 s ago"


def test_a_paused_source_says_why_and_until_when_and_counts_as_alive() -> None:
    paused = source(
        "x-search",
        paused_until=NOW + timedelta(hours=3),
        pause_reason="Daily budget reached: $1.50 of $1.50 spent today (estimate).",
    )

    verdict = classify(paused, NOW, STALE_AFTER)

    assert verdict.state is SourceHealth.PAUSED
    assert verdict.reason == "Daily budget reached: $1.50 of $1.50 spent today (estimate). Resumes in 3 h."
    result = summary([source("a"), paused], NOW, STALE_AFTER)
    assert (result.label, result.color) == ("Listeners 2/2 alive", "orange")


def test_a_pause_that_has_ended_no_longer_counts() -> None:
    ended = source(paused_until=NOW - timedelta(minutes=1), pause_reason="Daily budget reached")

    assert classify(ended, NOW, STALE_AFTER).state is SourceHealth.HEALTHY


def test_a_failing_source_says_when_it_is_tried_next() -> None:
    waiting = source(consecutive_failures=2, error_kind="transient", next_poll_at=NOW + timedelta(minutes=5))

    assert next_try(waiting, NOW) == "Next try in 5 min (2026-11-23 12:05 UTC)."
    assert next_try(source(), NOW) is None  # a healthy source's next poll is no news
    paused = source(paused_until=NOW + timedelta(hours=3), pause_reason="Daily budget spent")
    assert next_try(paused, NOW) == "Next try in 3 h (2026-11-23 15:00 UTC)."


def test_skipped_entries_read_as_counts_with_their_reasons_largest_first() -> None:
    lines = skipped_lines({"no text": 3, "no id and no content to key it on": 1, "never": 0, "bad date": 1200})

    assert lines == [
        "1,200 entries skipped: bad date",
        "3 entries skipped: no text",
        "1 entry skipped: no id and no content to key it on",
    ]


def test_a_source_added_despite_a_failed_test_says_so_until_it_polls_fine() -> None:
    added = NOW - timedelta(minutes=5)
    untested = source(test_failed_at=added, test_failure="Could not connect to feeds.example", last_ok_at=None)

    assert connection_test_note(untested) == (
        "Added although its connection test failed: Could not connect to feeds.example"
    )
    assert connection_test_note(replace(untested, last_ok_at=NOW)) is None
    assert connection_test_note(source()) is None


def test_sources_needing_a_person_come_first_and_a_note_lifts_a_source_among_its_state() -> None:
    judged = attention_first(
        [
            source("a-healthy"),
            source("b-disabled", enabled=False),
            source("c-backing-off", consecutive_failures=1, error_kind="transient"),
            source("d-stale", heartbeat_at=NOW - timedelta(minutes=5)),
            source("e-failing", consecutive_failures=1, error_kind="auth"),
            source("f-paused", paused_until=NOW + timedelta(hours=1), pause_reason="Budget spent"),
            source("g-healthy-with-skips"),
            source("h-healthy-untested", test_failed_at=NOW - timedelta(minutes=5), last_ok_at=None),
        ],
        NOW,
        STALE_AFTER,
        {"g-healthy-with-skips": {"no text": 2}, "a-healthy": {"never": 0}},
    )

    assert [s.name for s, _verdict in judged] == [
        "e-failing",
        "d-stale",
        "c-backing-off",
        "f-paused",
        "g-healthy-with-skips",
        "h-healthy-untested",
        "a-healthy",
        "b-disabled",
    ]
    assert [verdict.state for _s, verdict in judged][:2] == [SourceHealth.FAILING, SourceHealth.STALE]


def test_every_error_kind_has_a_name() -> None:
    from listeners.base import ErrorKind

    assert {str(kind) for kind in ErrorKind} <= set(ERROR_KIND_NAMES)
    assert error_kind_name("transient") == "Network" and error_kind_name(None) is None
