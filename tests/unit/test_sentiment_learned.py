"""The learned scorer: features, training, evaluation, the stored format and the routing."""

from __future__ import annotations

import hashlib
import io
import json
import random
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pytest

from voc.analysis import embeddings
from voc.sentiment.learned import (
    LABELS,
    Example,
    FeatureSpec,
    LearnedModel,
    build_features,
    evaluate,
    labels_from_proba,
    train,
)
from voc.sentiment.multilingual import SUPPORTED_LANGUAGES, MultilingualScorer, builtin_model, needs_review
from voc.sentiment.scoring import SentimentLabel
from voc.sentiment.training import TRAINING_LANGUAGES, builtin_examples, builtin_fingerprint

DIM = 32


def fake_embed(texts: Sequence[str]) -> np.ndarray:
    """A bag-of-words stand-in for the sentence model: fast, deterministic, unit-norm."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "little")
            out[row] += np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return out / norms


SPEC = FeatureSpec("fake", DIM, ngram_features=2**12, embedding_weight=1.0, ngram_weight=0.5)


def synthetic(n: int, seed: int) -> list[Example]:
    """Posts whose sentiment rests on slang no lexicon knows ("zorp" bad, "blix" good)."""
    rng = random.Random(seed)
    fillers = ["the app", "my order", "la factura", "el pedido", "support", "delivery", "die Rechnung"]
    cue = {
        "negative": ["zorp", "zorped", "so zorp"],
        "neutral": ["arrived", "is on tuesday", "update"],
        "positive": ["blix", "so blix", "blixy"],
    }
    examples = []
    for i in range(n):
        label = LABELS[i % 3]
        text = f"{rng.choice(fillers)} {rng.choice(cue[label])} {rng.choice(fillers)}"
        examples.append(Example(text, label, "es"))
    return examples


def test_learned_model_beats_the_rules_on_what_they_cannot_read() -> None:
    train_set, test_set = synthetic(240, 1), synthetic(90, 2)
    model = train(SPEC, train_set, fake_embed([e.text for e in train_set]))
    features = build_features(
        SPEC, [e.text for e in test_set], [e.language for e in test_set], fake_embed([e.text for e in test_set])
    )
    learned = evaluate([e.label for e in test_set], labels_from_proba(model.predict_proba(features)))
    rules = MultilingualScorer(None)
    by_rules = evaluate(
        [e.label for e in test_set], [rules.rule_based(e.text, e.language).label.value for e in test_set]
    )
    assert learned.macro_f1 > 90 > by_rules.macro_f1 + 30


def test_negative_weight_trades_precision_for_recall() -> None:
    rng = np.random.default_rng(0)
    noisy = [
        Example(e.text, e.label if rng.random() > 0.4 else LABELS[int(rng.integers(3))], e.language)
        for e in synthetic(300, 3)
    ]
    vectors = fake_embed([e.text for e in noisy])
    plain = train(SPEC, noisy, vectors)
    cautious = train(SPEC, noisy, vectors, negative_weight=3.0)
    features = build_features(SPEC, [e.text for e in noisy], [e.language for e in noisy], vectors)
    count = Counter(labels_from_proba(plain.predict_proba(features)))["negative"]
    assert Counter(labels_from_proba(cautious.predict_proba(features)))["negative"] > count


def test_training_needs_every_class() -> None:
    only_two = [e for e in synthetic(30, 4) if e.label != "neutral"]
    with pytest.raises(ValueError, match="neutral"):
        train(SPEC, only_two, fake_embed([e.text for e in only_two]))


def test_evaluate_reports_macro_f1_and_the_negative_class() -> None:
    scores = evaluate(["negative", "negative", "neutral", "positive"], ["negative", "neutral", "neutral", "positive"])
    assert (scores.negative_recall, scores.negative_precision, scores.accuracy) == (50.0, 100.0, 75.0)
    assert scores.macro_f1 == pytest.approx(100 * (2 / 3 + 2 / 3 + 1) / 3, abs=0.1)


def test_a_model_round_trips_through_bytes_without_pickle() -> None:
    examples = synthetic(60, 5)
    model = train(SPEC, examples, fake_embed([e.text for e in examples]), version="v1")
    model = model.with_activation(frozenset({"es"}), {"method": "test"})
    again = LearnedModel.from_bytes(model.to_bytes())
    assert (again.version, again.spec, again.active_languages, again.metrics) == (
        "v1",
        SPEC,
        frozenset({"es"}),
        {"method": "test"},
    )
    assert np.array_equal(again.coef, model.coef)


def test_a_blob_with_pickled_objects_is_refused() -> None:
    buffer = io.BytesIO()
    np.savez(
        buffer,
        coef=np.array([object()], dtype=object),
        header=np.frombuffer(json.dumps({"format": 1}).encode(), dtype=np.uint8),
    )
    with pytest.raises(ValueError):
        LearnedModel.from_bytes(buffer.getvalue())


@pytest.fixture(scope="module")
def routed() -> MultilingualScorer:
    examples = synthetic(120, 6)
    model = train(SPEC, examples, fake_embed([e.text for e in examples]), version="t1")
    return MultilingualScorer(model.with_activation(frozenset({"es"}), {}), embedder=fake_embed)


def test_the_model_decides_only_where_it_is_switched_on(routed: MultilingualScorer) -> None:
    spanish = routed.score("el pedido so zorp", "es")
    assert spanish.label is SentimentLabel.NEGATIVE and spanish.scorer == "learned-t1"
    assert routed.score("Le service est nul", "fr").scorer == "lexicon-1/fr"
    assert routed.score("Terrible service", "en").scorer.startswith("vader-")


def test_reasons_come_from_the_rules_whoever_decides(routed: MultilingualScorer) -> None:
    result = routed.score("so zorp pésimo 😡 so zorp", "es")
    assert result.label is SentimentLabel.NEGATIVE
    assert "pésimo" in result.reasons and "😡" in result.reasons


def test_batch_scoring_matches_one_by_one_and_uses_given_embeddings(routed: MultilingualScorer) -> None:
    texts = ["la factura blix", "el pedido so zorp", "", "Le colis est arrivé"]
    languages = ["es", "es", "es", "fr"]
    one_by_one = [routed.score(t, lang) for t, lang in zip(texts, languages, strict=True)]
    assert routed.score_many(texts, languages, fake_embed(texts)) == one_by_one
    assert one_by_one[2].confidence == 0.0  # empty text: nothing to say


def test_low_confidence_or_unsupported_language_needs_review() -> None:
    assert needs_review("es", 0.1)
    assert needs_review("ru", 0.9)
    assert not needs_review("es", 0.8)
    assert set(TRAINING_LANGUAGES) <= set(SUPPORTED_LANGUAGES)


def test_builtin_training_set_is_balanced_and_covers_every_language() -> None:
    examples = builtin_examples()
    for language in TRAINING_LANGUAGES:
        counts = Counter(e.label for e in examples if e.language == language)
        assert sum(counts.values()) >= 200, language
        assert max(counts.values()) - min(counts.values()) <= 0.1 * sum(counts.values()), (language, counts)
    assert len({(e.language, e.text) for e in examples}) == len(examples)


def test_shipped_model_was_built_from_the_current_training_set() -> None:
    model = builtin_model()
    assert model is not None, "run `python -m voc sentiment train --builtin`"
    assert model.version == f"builtin-{builtin_fingerprint()}", "training data or settings changed: rebuild the model"
    assert model.spec.embedding_model == embeddings.model_name()
    assert set(model.active_languages) <= set(TRAINING_LANGUAGES)


def test_real_embeddings_are_unit_vectors_that_place_translations_close() -> None:
    vectors = embeddings.embed(["The delivery was late", "La entrega llegó tarde", "I love this song"])
    assert vectors.shape == (3, embeddings.DIMENSION) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert np.array_equal(embeddings.from_bytes(embeddings.to_bytes(vectors[0])), vectors[0])
