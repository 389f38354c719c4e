"""Beyond centring: align each language's spread of e5 vectors too?

The precise model centres each language's vectors on its mean (first-order alignment: the mean is
mostly "this is Arabic"). Languages may also differ in spread: how far, and along which
directions, their posts vary. This bench measures second-order alignments on top, each applied per
language (no label involved), to the training tweets and the dev tweets alike:

- `centre`: the mean removed (the shipped transform), with 2 or 0 language directions removed;
- `diagonal`: each dimension divided by the language's own spread and multiplied by the pooled
  spread of the training tweets (shrunk towards the pooled one by `s`);
- `coral`: the language's covariance whitened and the pooled covariance put back (CORAL, Sun et al.
  2016; the language's covariance shrunk towards the pooled diagonal by `s`);
- `length`: each language's centred vectors scaled to the pooled mean length.

The statistics of a language come from all of its posts at once (the dev tweets: each language's
2-300 tweets), for every row including the baseline, so the comparison is between transforms, not
against the product's figure (whose centres follow the posts read). The team-written posts take
the statistics of all the real tweets. The recipe is the shipped one (C 0.05, the team set,
negative weight 1.6; the language directions only after plain centring); cross-validation holds out
one AfriSenti source at a time (`precise.cross_validate`), the dev tweets are measured (argmax,
no care pass).

    python bench/precise_align.py --train-cache F --dev-cache F
(the caches as for `bench/precise_use_e5.py`: `bench/precise_base_cache.py F`, `bench/sentiment.py --e5-cache F`)
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from sentiment import (
    add_cache_arguments,
    afrisenti_and_caches,
    cached_dev_vectors,
    labels_on_own_means,
    load_dev,
    report,
    report_header,
)

from voc.analysis.language import detect_language
from voc.sentiment import precise
from voc.sentiment.training import precise_training_set

TEAM = "__team__"  # the team-written posts: the real tweets' statistics


class Spread:
    """A group's mean, per-dimension spread and covariance."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.mean = vectors.mean(axis=0)
        self.centred = vectors - self.mean
        self.std = self.centred.std(axis=0)
        self.cov = np.cov(self.centred, rowvar=False) if len(vectors) > 1 else np.diag(self.std**2)
        self.length = float(np.linalg.norm(self.centred, axis=1).mean())


def power(matrix: np.ndarray, exponent: float) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.clip(values, 1e-9, None) ** exponent) @ vectors.T


def aligned(
    vectors: np.ndarray, languages: Sequence[str], way: str, pooled: Spread, shrink: float, team: Spread | None = None
) -> np.ndarray:
    """`vectors` with each language's statistics aligned to `pooled` (the rows of TEAM: `team`'s)."""
    out = np.empty_like(vectors, dtype=np.float64)
    codes = np.asarray(languages)
    for language in sorted(set(languages)):
        rows = codes == language
        own = team if language == TEAM and team is not None else Spread(vectors[rows])
        x = vectors[rows] - own.mean
        if way == "diagonal":
            x = x / np.sqrt((1 - shrink) * own.std**2 + shrink * pooled.std**2 + 1e-12) * pooled.std
        elif way == "coral":
            mixed = (1 - shrink) * own.cov + shrink * np.diag(np.diag(pooled.cov))
            x = x @ power(mixed, -0.5) @ power(pooled.cov, 0.5)
        elif way == "length":
            x = x / max(own.length, 1e-9) * pooled.length
        out[rows] = x
    return out.astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_cache_arguments(parser)
    args = parser.parse_args()
    folder = afrisenti_and_caches(args)
    examples = precise_training_set(folder)
    evaluated = [e.origin.startswith("afrisenti") for e in examples]
    train = precise.cached_embedder(args.train_cache)([e.text for e in examples])
    languages = [e.language if real else TEAM for e, real in zip(examples, evaluated, strict=True)]
    real = np.asarray(evaluated)
    real_languages = [e.language for e, flag in zip(examples, evaluated, strict=True) if flag]
    team = Spread(train[real])  # the real tweets' statistics, all languages together
    pooled = Spread(aligned(train[real], real_languages, "centre", team, 0.0))  # each language centred
    tweets = load_dev(None)
    dev_texts = [t[1] for t in tweets]
    dev = cached_dev_vectors(args.dev_cache, dev_texts)
    dev_languages = [detect_language(t) for t in dev_texts]

    ways = [("centre", 0.0, 2), ("centre", 0.0, 0), ("diagonal", 0.0, 0), ("diagonal", 0.5, 0),
            ("coral", 0.2, 0), ("coral", 0.5, 0), ("length", 0.0, 0)]  # fmt: skip
    print("| alignment | CV at weight 1 | CV at 1.6 (± SE) | CV neg recall @ precision |")
    rows = []
    for way, shrink, directions in ways:
        x = aligned(train, languages, way, pooled, shrink, team)
        recipe = precise.Recipe(0.05, 1.6, True, (), directions)
        at_one = precise.cross_validate(x, examples, replace(recipe, negative_weight=1.0), evaluated=evaluated)
        chosen = precise.cross_validate(x, examples, recipe, evaluated=evaluated)
        name = (
            f"{way}"
            + (f", shrunk {shrink}" if way in ("diagonal", "coral") else "")
            + (f", {directions} language directions removed" if way == "centre" else "")
        )
        print(f"| {name} | {at_one.mean_f1:.2f} | {chosen.mean_f1:.2f} ± {chosen.standard_error:.2f} | "
              f"{chosen.scores.negative_recall:.1f} @ {chosen.scores.negative_precision:.1f} |", flush=True)  # fmt: skip
        model = precise.fit_precise(x, examples, recipe, evaluated=evaluated, version="bench", temperature=1.0)
        # (each language's aligned vectors already have a zero mean: centring them again changes nothing)
        rows.append((name, labels_on_own_means(model, aligned(dev, dev_languages, way, pooled, shrink), dev_languages)))
    print("\nDev tweets (measuring only; each language's statistics from all its tweets):")
    report_header("alignment")
    for name, predicted in rows:
        report(name, tweets, predicted, None)


if __name__ == "__main__":
    main()
