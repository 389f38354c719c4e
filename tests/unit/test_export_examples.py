"""A theme's example verbatims: its tone decided by its majority, the items closest to the centroid."""

from __future__ import annotations

import numpy as np

from voc.exports.examples import most_representative, theme_tone


def unit(*values: float) -> list[float]:
    vector = np.array(values, dtype=np.float32)
    return list(vector / np.linalg.norm(vector))


def test_the_tone_is_the_majority_and_a_tie_goes_to_the_complaints() -> None:
    assert theme_tone(negative=8, neutral=3, positive=1) == "negative"
    assert theme_tone(negative=1, neutral=2, positive=9) == "positive"
    assert theme_tone(negative=0, neutral=4, positive=1) == "neutral"
    assert theme_tone(negative=3, neutral=1, positive=3) == "negative"
    assert theme_tone(negative=0, neutral=2, positive=2) == "positive"


def test_the_items_nearest_the_centroid_come_first_and_the_outlier_last() -> None:
    texts = ["typical a", "typical b", "odd one", "typical c"]
    vectors = np.array([unit(1, 0.1, 0), unit(1, 0, 0.1), unit(0, 0, 1), unit(1, 0.05, 0.05)], dtype=np.float32)
    order = most_representative(texts, vectors, limit=4)
    assert set(order[:3]) == {0, 1, 3} and order[-1] == 2
    assert most_representative(texts, vectors, limit=2) == order[:2]


def test_a_retweet_or_a_copy_is_not_a_second_example() -> None:
    texts = ["No signal since 4pm!", "RT @someone: no signal since 4pm", "Still no signal, SOS only"]
    vectors = np.array([unit(1, 0), unit(1, 0), unit(0.8, 0.6)], dtype=np.float32)
    chosen = most_representative(texts, vectors, limit=3)
    assert len(chosen) == 2 and 2 in chosen


def test_no_candidates_give_no_examples() -> None:
    assert most_representative([], np.zeros((0, 3), dtype=np.float32), limit=3) == []
