"""Priority: severity × reach × customer value, one formula stored and read, with readable reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from voc.inbox.priority import TOP, needs_for, prioritise, queue_priority, stored_priority_of, with_customer_value
from voc.inbox.vip import VipList
from voc.sources.ingest import respondent_key

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def row(**values: Any) -> dict[str, Any]:
    base = {"text": "the app is slow today", "language": "en", "sentiment_label": "negative", "sentiment_confidence": 0.6,
            "author": "someone", "author_reach": 50, "posted_at": NOW - timedelta(minutes=5), "respondent_key": None}  # fmt: skip
    return base | values


def order(rows: dict[str, dict[str, Any]], vip: VipList | None = None) -> list[str]:
    return sorted(rows, key=lambda name: -prioritise(rows[name], now=NOW, vip=vip).score)


def test_severity_reach_value_and_time_order_the_queue() -> None:
    rows = {
        "mild": row(sentiment_confidence=0.2),
        "angry": row(sentiment_confidence=0.95),
        "angry_famous": row(sentiment_confidence=0.95, author_reach=250_000),
        "refund": row(text="I want a refund now", sentiment_confidence=0.3),
    }
    assert order(rows) == ["angry_famous", "refund", "angry", "mild"]


def test_an_urgent_word_counts_in_the_items_own_language() -> None:
    german = prioritise(row(text="Ich will kündigen, sofort", language="de", sentiment_confidence=0.2), now=NOW)
    assert any("kundig" in reason for reason in german.reasons)
    assert german.score > prioritise(row(sentiment_confidence=0.2), now=NOW).score


def test_a_vip_by_handle_or_by_hashed_email_ranks_higher_and_says_so() -> None:
    vip = VipList().with_entry("@BigClient", "gold").with_entry("ceo@example.com", "platinum")
    assert "ceo@example.com" not in str(vip.to_json())  # only the salted hash is kept
    by_handle = prioritise(row(author="bigclient"), now=NOW, vip=vip)
    by_email = prioritise(row(author=None, respondent_key=respondent_key("CEO@example.com ")), now=NOW, vip=vip)
    plain = prioritise(row(), now=NOW, vip=vip)
    assert by_handle.score > plain.score and "Gold customer (×2.0)" in by_handle.reasons
    assert by_email.score > by_handle.score and any("Platinum" in r for r in by_email.reasons)


def test_time_does_not_move_the_priority_but_the_clock_explains_it() -> None:
    fresh = prioritise(row(posted_at=NOW - timedelta(minutes=1)), now=NOW)
    late = prioritise(row(posted_at=NOW - timedelta(hours=30)), now=NOW)
    assert late.score == fresh.score  # the order stays put while clocks run; ties go to the oldest
    assert any(reason.startswith("SLA breached") for reason in late.reasons)


def test_the_stored_part_times_the_customer_value_is_what_agents_see() -> None:
    item = row(author="bigclient")
    vip = VipList().with_entry("@bigclient", "silver")
    assert prioritise(item, now=NOW, vip=vip).score == with_customer_value(stored_priority_of(item), "silver")
    assert prioritise(item, now=NOW).score == stored_priority_of(item)
    assert with_customer_value(80.0, "platinum") == TOP  # capped


def test_the_sql_ordering_applies_the_same_tier_weights() -> None:
    priority, author, key = sa.column("priority"), sa.column("author"), sa.column("respondent_key")
    assert queue_priority(priority, author, key, VipList()) is priority  # no VIPs: the stored value
    weighted = queue_priority(priority, author, key, VipList().with_entry("@Boss", "gold"))
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        query = sa.select(weighted).select_from(
            sa.select(sa.literal(40.0).label("priority"), sa.literal("@boss").label("author"),
                      sa.literal(None).label("respondent_key")).subquery()
        )  # fmt: skip
        assert connection.execute(query).scalar() == with_customer_value(40.0, "gold")


def test_what_a_person_is_needed_for() -> None:
    assert needs_for(row()) == ["negative"]
    assert needs_for(row(sentiment_label="neutral", text="Does roaming work in Spain?")) == ["question"]
    assert needs_for(row(sentiment_label="neutral", text="Cancel my contract now")) == ["urgent request"]
    assert needs_for(row(sentiment_label="positive", text="The refund came quickly, thanks")) == []
    assert needs_for(row(sentiment_label="neutral", text="Watching the match")) == []


def test_a_very_unhappy_survey_respondent_is_urgent() -> None:
    result = prioritise(row(text="", nps=1, very_unhappy=True, sentiment_label="neutral"), now=NOW)
    assert result.tier == "urgent" and "very unhappy customer" in result.reasons and "NPS 1" in result.reasons


def test_a_negative_reason_carries_the_figure_the_workspace_shows() -> None:
    """The precise model's confidence 0.59 is a 73 % calibrated probability; the queue said "59% sure"
    while the opened item said "73% likely right" of the same label."""
    from voc.sentiment.review import how_sure

    precise = row(sentiment_confidence=0.59, scorer="learned-precise-22ee6f22c9")
    assert "negative (73% likely right)" in prioritise(precise, now=NOW).reasons
    assert how_sure(precise["scorer"], 0.59).endswith("73% likely right")
    assert (
        "negative (59% sure)" in prioritise(row(sentiment_confidence=0.59, scorer="learned-builtin-x"), now=NOW).reasons
    )
    corrected = row(sentiment_confidence=1.0, scorer="correction")
    assert "negative (corrected by a person)" in prioritise(corrected, now=NOW).reasons
