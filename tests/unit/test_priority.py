"""Priority: severity × reach × customer value × time left on the SLA, with readable reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from voc.inbox.priority import VipList, prioritise
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
    assert by_handle.score > plain.score and "gold customer (×2.0)" in by_handle.reasons
    assert by_email.score > by_handle.score and any("platinum" in r for r in by_email.reasons)


def test_time_running_out_raises_priority_and_explains_it() -> None:
    fresh = prioritise(row(posted_at=NOW - timedelta(minutes=1)), now=NOW)
    late = prioritise(row(posted_at=NOW - timedelta(hours=30)), now=NOW)
    assert late.base == fresh.base and late.score == min(100.0, 2 * late.base)
    assert any(reason.startswith("SLA breached") for reason in late.reasons)


def test_a_very_unhappy_survey_respondent_is_urgent() -> None:
    result = prioritise(row(text="", nps=1, very_unhappy=True, sentiment_label="neutral"), now=NOW)
    assert result.tier == "urgent" and "very unhappy customer" in result.reasons and "NPS 1" in result.reasons
