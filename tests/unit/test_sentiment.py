"""Sentiment: VADER labels, the reasons behind them, confidence and the scorer's name."""

from __future__ import annotations

import importlib.metadata
import time

import pytest

from voc.sentiment.scoring import (
    MAX_REASONS,
    SentimentLabel,
    SentimentScorer,
    VaderScorer,
    shared_analyzer,
)


@pytest.fixture(scope="module")
def scorer() -> SentimentScorer:
    return VaderScorer()


def test_praise_is_positive_with_its_words_as_reasons(scorer: SentimentScorer) -> None:
    result = scorer.score("Great support, the agent was so helpful", "en")
    assert result.label is SentimentLabel.POSITIVE
    assert result.score >= 0.05
    assert {"great", "helpful"} <= set(result.reasons)


def test_complaint_is_negative_with_its_words_as_reasons(scorer: SentimentScorer) -> None:
    result = scorer.score("Terrible service, the app is broken and useless", "en")
    assert result.label is SentimentLabel.NEGATIVE
    assert result.score <= -0.05
    assert {"terrible", "broken", "useless"} <= set(result.reasons)


def test_negated_praise_is_negative_and_names_the_phrase(scorer: SentimentScorer) -> None:
    result = scorer.score("The new checkout is not good", "en")
    assert result.label is SentimentLabel.NEGATIVE
    assert "not good" in result.reasons


def test_negated_complaint_is_positive_and_names_the_phrase(scorer: SentimentScorer) -> None:
    result = scorer.score("The refund was not bad at all", "en")
    assert result.label is SentimentLabel.POSITIVE
    assert result.reasons == ("not bad",)


def test_emoji_is_given_as_a_reason(scorer: SentimentScorer) -> None:
    result = scorer.score("new update 😍", "en")
    assert result.label is SentimentLabel.POSITIVE
    assert result.reasons == ("😍",)


def test_reasons_only_point_the_way_of_the_label(scorer: SentimentScorer) -> None:
    result = scorer.score("The food was good but the service was awful and slow", "en")
    assert result.label is SentimentLabel.NEGATIVE
    assert "awful" in result.reasons
    assert "good" not in result.reasons


def test_reasons_are_strongest_first_and_at_most_five(scorer: SentimentScorer) -> None:
    text = "ok fine nice good great excellent amazing wonderful love"
    reasons = scorer.score(text, "en").reasons
    lexicon = shared_analyzer().lexicon
    assert len(reasons) == MAX_REASONS
    assert [lexicon[r] for r in reasons] == sorted((lexicon[r] for r in reasons), reverse=True)


def test_plain_statement_is_neutral_without_reasons(scorer: SentimentScorer) -> None:
    result = scorer.score("The parcel was delivered on Tuesday", "en")
    assert result.label is SentimentLabel.NEUTRAL
    assert result.reasons == ()


def test_empty_text_is_neutral_with_no_confidence(scorer: SentimentScorer) -> None:
    result = scorer.score("", "und")
    assert (result.label, result.score, result.confidence) == (SentimentLabel.NEUTRAL, 0.0, 0.0)


@pytest.mark.parametrize(
    "text",
    [
        "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        "At least it isn't a horrible book.",
        "Today only kinda sux! But I'll get by, lol",
        "Catch utf-8 emoji such as 💘 and 💋 and 😁",
        "😡terrible service🔥",
        "With VADER, sentiment analysis is the shit!",
        "no problems, no complaints",
        "",
    ],
)
def test_score_is_vaders_own_compound(scorer: SentimentScorer, text: str) -> None:
    assert scorer.score(text, "en").score == shared_analyzer().polarity_scores(text)["compound"]


def test_confidence_is_lower_outside_english(scorer: SentimentScorer) -> None:
    text = "I love this, thank you!"
    english = scorer.score(text, "en").confidence
    assert 0 < scorer.score(text, "fr").confidence < scorer.score(text, "und").confidence < english


def test_confidence_grows_with_the_strength_of_the_score(scorer: SentimentScorer) -> None:
    mild = scorer.score("it is ok", "en").confidence
    strong = scorer.score("absolutely love it, best service ever!!!", "en").confidence
    assert 0 < mild < strong <= 1


def test_scorer_names_vader_and_its_installed_version(scorer: SentimentScorer) -> None:
    expected = "vader-" + importlib.metadata.version("vaderSentiment")
    assert scorer.name == expected
    assert scorer.score("fine", "en").scorer == expected


def test_very_long_text_is_scored_quickly(scorer: SentimentScorer) -> None:
    start = time.perf_counter()
    result = scorer.score("terrible 😡 " * 20_000, "en")
    assert result.label is SentimentLabel.NEGATIVE
    assert time.perf_counter() - start < 5  # VADER alone is quadratic: minutes on this input


def test_scorers_share_one_analyzer() -> None:
    assert shared_analyzer() is shared_analyzer()
