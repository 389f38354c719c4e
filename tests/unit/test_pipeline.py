"""The analysis pipeline: redaction first, then language and sentiment, in bulk too."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest

from voc.analysis.pipeline import MAX_WORKERS, Analysis, analyse, analyse_many, default_workers
from voc.sentiment.scoring import SentimentLabel

RAW_EMAIL = "jane.doe@example.com"
COMPLAINT = f"Still waiting for my refund, terrible service. Email me at {RAW_EMAIL}"


@pytest.fixture
def complaint() -> Analysis:
    return analyse(COMPLAINT)


def test_raw_email_appears_nowhere_in_the_analysis(complaint: Analysis) -> None:
    assert RAW_EMAIL not in repr(complaint)
    assert RAW_EMAIL not in json.dumps(complaint.to_json_dict(), ensure_ascii=False)
    assert complaint.text.endswith("Email me at [email]")
    assert complaint.redactions == ("email",)


def test_language_and_sentiment_are_computed_on_the_redacted_text(complaint: Analysis) -> None:
    assert complaint.language == "en"
    assert complaint.sentiment.label is SentimentLabel.NEGATIVE
    assert "terrible" in complaint.sentiment.reasons


def test_json_dict_is_flat_and_serialisable(complaint: Analysis) -> None:
    data = complaint.to_json_dict()
    assert {
        "text",
        "language",
        "sentiment",
        "score",
        "confidence",
        "reasons",
        "scorer",
        "redactions",
    } <= data.keys()
    assert data["sentiment"] == "negative"
    assert data["redactions"] == ["email"]
    assert isinstance(data["reasons"], list)
    assert data["scorer"].startswith("learned-builtin-")  # the default: the shipped learned model
    assert json.loads(json.dumps(data)) == data


def test_language_hint_is_used_when_detection_is_undetermined() -> None:
    assert analyse("😂😂😂", language_hint="fr").language == "fr"


def test_language_hint_does_not_override_a_detected_language() -> None:
    assert analyse("The parcel arrived late and damaged", language_hint="fr").language == "en"


def test_undetermined_without_hint_stays_undetermined() -> None:
    assert analyse("🔥").language == "und"


def test_analyse_many_matches_analyse_item_by_item_in_order() -> None:
    texts = [COMPLAINT, "Merci beaucoup, service parfait !", "", COMPLAINT, "call +44 7700 900123"]
    assert list(analyse_many(texts)) == [analyse(t) for t in texts]


def test_analyse_many_is_lazy_and_accepts_any_iterable() -> None:
    def lines() -> Iterator[str]:
        yield "great app"
        raise AssertionError("read past the first item")

    first = next(analyse_many(lines()))
    assert first.sentiment.label is SentimentLabel.POSITIVE


def test_analysis_package_never_imports_streamlit() -> None:
    code = (
        "import sys, voc.analysis.pipeline as a; a.analyse('hello there, great app'); "
        "list(a.analyse_many(['x'])); assert 'streamlit' not in sys.modules, 'streamlit imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_analyse_many_in_worker_processes_matches_the_single_path() -> None:
    """Forked workers give what one process gives, in order, embeddings included, across many
    batches (the first one analysed before the fork, repeats across batches served by the cache)."""
    base = [COMPLAINT, "Merci beaucoup, service parfait !", "", "call +44 7700 900123", "La app no funciona"]
    texts = [f"{text} {n}" if n % 3 else text for n, text in enumerate(base * 120)]
    single = list(analyse_many(texts))
    parallel = list(analyse_many(texts, workers=2))
    assert parallel == single
    assert single[:12] == [analyse(t) for t in texts[:12]]
    for one, other in zip(single, parallel, strict=True):
        assert (one.embedding is None) == (other.embedding is None)
        if one.embedding is not None and other.embedding is not None:
            assert np.allclose(one.embedding, other.embedding, atol=1e-6)


def test_analyse_many_in_worker_processes_is_lazy() -> None:
    def lines() -> Iterator[str]:
        yield "great app"
        raise AssertionError("read past the first item")

    first = next(analyse_many(lines(), workers=2))
    assert first.sentiment.label is SentimentLabel.POSITIVE


def test_default_workers_is_at_least_one_and_bounded() -> None:
    assert 1 <= default_workers() <= MAX_WORKERS
