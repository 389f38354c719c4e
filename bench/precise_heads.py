"""Other heads on the precise model's e5 vectors, chosen by the same leave-one-source-out
cross-validation as the shipped logistic regression; then measured once on the dev tweets.

Issue #20's second round: the levers not tried yet, all cheap because `precise-base.npz` holds the
training vectors (no re-embedding). Each head is cross-validated exactly as `precise.cross_validate`
does it (one AfriSenti source held out at a time, centred on its own mean; the training folds on
theirs; the team set only ever trains): first its own settings at negative weight 1, then the
largest negative weight within one standard error of that best (the shipped rule). The head that
cross-validation prefers is then scored on the dev tweets (`--dev-cache`, written by
`python bench/sentiment.py --e5-cache F`), as the product reads them (centres following the posts
read, batches of 256). Nothing is chosen on the dev tweets; this prints figures for the docs.

Heads:
- `lr`: the shipped recipe (read from the shipped model's metrics), the reference;
- `mlp`: one hidden layer (sklearn `MLPClassifier`, ReLU, early stopping on a stratified 10 % of
  the training fold, classes balanced and the negative class weighted via sample weights);
- `bag`: the mean of logistic regressions on bootstrap samples (the mean of linear models is linear:
  it would ship as one coefficient matrix);
- `lexicon`: the logistic regression on e5 + the fast model's lexicon readings (the lexicon block
  the scorer already builds; needs the training texts: AfriSenti and the team set are re-read, the
  base file's rows line up with them);
- `project`: the logistic regression after removing the subspace spanned by the language centres
  (a principled centring variant: what separates languages' means is removed from every vector,
  not only the mean itself; foldable into the coefficients, so it would ship as a linear model).

    python bench/precise_heads.py --dev-cache F [--heads lr,mlp,bag,project,lexicon]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from _common import shared_data_dir, skip
from sentiment import cached_dev_vectors, load_dev, report, report_header

from voc.analysis.language import detect_language
from voc.sentiment import precise
from voc.sentiment.learned import LABELS, centre, evaluate, language_centres

Logits = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (centred vectors, extra features) -> logits


@dataclass(frozen=True)
class Head:
    name: str
    settings: dict[str, Any]
    fit: Callable[[np.ndarray, np.ndarray, list[str], dict[str, np.ndarray], float], Logits]


def class_weights(labels: Sequence[str], negative_weight: float) -> np.ndarray:
    counts = {label: max(1, list(labels).count(label)) for label in LABELS}
    weight = {label: len(labels) / (len(LABELS) * counts[label]) for label in LABELS}
    weight["negative"] *= negative_weight
    return np.array([weight[label] for label in labels])


def lr_head(c: float, *, bags: int = 0, project: int = 0) -> Head:
    def fit(x: np.ndarray, extra: np.ndarray, labels: list[str], centres: dict[str, np.ndarray], nw: float) -> Logits:
        from sklearn.linear_model import LogisticRegression

        basis = language_basis(centres, project) if project else None

        def prepare(v: np.ndarray, e: np.ndarray) -> np.ndarray:
            if basis is not None:
                v = v - (v @ basis.T) @ basis
            return np.hstack([precise._features(v.astype(np.float32)), e])

        features = prepare(x, extra)
        y = np.array([LABELS.index(label) for label in labels])
        weights = class_weights(labels, nw)
        rng = np.random.default_rng(0)
        draws = [np.arange(len(y))] if not bags else [rng.integers(0, len(y), len(y)) for _ in range(bags)]
        coefs, intercepts = [], []
        for rows in draws:
            model = LogisticRegression(C=c, max_iter=2000)
            model.fit(features[rows], y[rows], sample_weight=weights[rows])
            coefs.append(model.coef_)
            intercepts.append(model.intercept_)
        coef, intercept = np.mean(coefs, axis=0), np.mean(intercepts, axis=0)
        return lambda v, e: prepare(v, e) @ coef.T + intercept

    name = "bag" if bags else "project" if project else "lr"
    return Head(name, {"c": c, **({"bags": bags} if bags else {}), **({"k": project} if project else {})}, fit)


def language_basis(centres: dict[str, np.ndarray], k: int) -> np.ndarray:
    """Orthonormal rows spanning the top `k` directions along which the training languages' mean
    vectors differ (each language's mean minus the mean of all, then an SVD)."""
    spread = np.vstack([v - centres["*"] for key, v in sorted(centres.items()) if key != "*"])
    _, _, vt = np.linalg.svd(spread, full_matrices=False)
    return vt[:k]


def mlp_head(hidden: int, alpha: float) -> Head:
    def fit(x: np.ndarray, extra: np.ndarray, labels: list[str], centres: dict[str, np.ndarray], nw: float) -> Logits:
        from sklearn.neural_network import MLPClassifier

        features = np.hstack([precise._features(x), extra])
        y = np.array([LABELS.index(label) for label in labels])
        model = MLPClassifier(
            hidden_layer_sizes=(hidden,),
            alpha=alpha,
            early_stopping=True,
            validation_fraction=0.1,
            n_iter_no_change=8,
            max_iter=200,
            random_state=0,
        )
        model.fit(features, y, sample_weight=class_weights(labels, nw))
        return lambda v, e: np.log(model.predict_proba(np.hstack([precise._features(v), e])) + 1e-9)

    return Head("mlp", {"hidden": hidden, "alpha": alpha}, fit)


@dataclass
class Data:
    vectors: np.ndarray
    labels: list[str]
    languages: np.ndarray
    origins: np.ndarray
    extra: np.ndarray  # extra feature columns (lexicon readings) or zero columns


def folds(data: Data) -> list[tuple[np.ndarray, np.ndarray]]:
    """The same folds as `precise.cross_validate`: each scorable AfriSenti source held out; the
    team set (origin "builtin") trains in every fold."""
    real = np.char.startswith(data.origins.astype(str), "afrisenti")
    sources = ["afrisenti-dz", "afrisenti-ma", "afrisenti-pcm", "afrisenti-pt"]
    return [(np.flatnonzero(real & (data.origins != s)), np.flatnonzero(data.origins == s)) for s in sources]


def cross_validate(data: Data, head: Head, nw: float) -> tuple[float, float, np.ndarray, list[int]]:
    """(mean held-out macro-F1, its standard error, out-of-fold logits, their rows)."""
    team = np.flatnonzero(data.origins == "builtin")
    f1s, all_logits, rows = [], [], []
    for real_train, test in folds(data):
        train = np.concatenate([real_train, team])
        centres = language_centres(data.vectors[real_train], list(data.languages[real_train]))
        x = centre(data.vectors[train], list(data.languages[train]), centres)
        logits_of = head.fit(x, data.extra[train], [data.labels[i] for i in train], centres, nw)
        test_centres = language_centres(data.vectors[test], list(data.languages[test]), min_count=1)
        xt = centre(data.vectors[test], list(data.languages[test]), test_centres)
        logits = logits_of(xt, data.extra[test])
        f1s.append(evaluate([data.labels[i] for i in test], [LABELS[i] for i in logits.argmax(axis=1)]).macro_f1)
        all_logits.append(logits)
        rows += list(test)
    return float(np.mean(f1s)), float(np.std(f1s, ddof=1) / np.sqrt(len(f1s))), np.vstack(all_logits), rows


def choose(data: Data, candidates: Sequence[Head], weights: Sequence[float]) -> tuple[Head, float, list[str]]:
    """Best settings at negative weight 1, then the largest negative weight within one standard error."""
    lines = []
    results = []
    for head in candidates:
        start = time.perf_counter()
        mean, se, _, _ = cross_validate(data, head, 1.0)
        results.append((mean, se, head))
        lines.append(
            f"  {head.name} {head.settings} nw 1.0: {mean:.2f} ± {se:.2f} ({time.perf_counter() - start:.0f} s)"
        )
        print(lines[-1], flush=True)
    mean, se, best = max(results, key=lambda r: r[0])
    chosen_weight = 1.0
    for weight in weights[1:]:
        heavier, _, logits, rows = cross_validate(data, best, weight)
        truth = [data.labels[i] for i in rows]
        pooled = evaluate(truth, [LABELS[i] for i in logits.argmax(axis=1)])
        lines.append(
            f"  {best.name} {best.settings} nw {weight}: {heavier:.2f} (neg recall {pooled.negative_recall}, "
            f"precision {pooled.negative_precision})"
        )
        print(lines[-1], flush=True)
        if heavier < mean - se:
            break
        chosen_weight = weight
    return best, chosen_weight, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev-cache", type=Path, required=True)
    parser.add_argument("--heads", default="lr,mlp,bag,project,lexicon")
    args = parser.parse_args()
    blob = precise.read_bytes(precise.PRECISE_BASE)
    if blob is None:
        skip("precise-base.npz is missing")
    vectors, labels, languages, origins = precise.base_from_bytes(blob)
    data = Data(vectors, labels, np.array(languages), np.array(origins), np.zeros((len(labels), 0), np.float32))
    heads = args.heads.split(",")
    weights = precise.NEGATIVE_WEIGHTS
    print(f"{len(labels)} training rows from {precise.PRECISE_BASE}")
    chosen: dict[str, tuple[Head, float, Data]] = {}
    if "lr" in heads:  # the shipped recipe, as `precise.choose_recipe` chose it
        recipe = precise.Recipe(**(precise_model_recipe()))
        reference = lr_head(recipe.c, project=recipe.language_directions)
        for weight in (1.0, recipe.negative_weight):
            mean, se, _, _ = cross_validate(data, reference, weight)
            print(f"  lr (shipped) {reference.settings} nw {weight}: {mean:.2f} ± {se:.2f}", flush=True)
        chosen["lr"] = (reference, recipe.negative_weight, data)
    if "mlp" in heads:
        grid = [mlp_head(h, a) for h in (64, 256) for a in (1e-2, 1.0)]
        chosen["mlp"] = (*choose(data, grid, weights)[:2], data)
    if "bag" in heads:
        chosen["bag"] = (*choose(data, [lr_head(c, bags=8) for c in (0.05,)], weights)[:2], data)
    if "project" in heads:
        chosen["project"] = (*choose(data, [lr_head(0.05, project=k) for k in (1, 2, 4, 8)], weights)[:2], data)
    if "lexicon" in heads:
        with_lexicon = Data(vectors, labels, data.languages, data.origins, training_lexicon(labels, origins))
        chosen["lexicon"] = (*choose(with_lexicon, [lr_head(c) for c in (0.05, 0.25, 1.0)], weights)[:2], with_lexicon)
    dev(args.dev_cache, chosen)


def precise_model_recipe() -> dict[str, Any]:
    from voc.sentiment.multilingual import precise_model

    model = precise_model()
    if model is None:
        skip("the shipped precise model is missing")
    return dict(model.metrics["recipe"])


def training_lexicon(labels: Sequence[str], origins: Sequence[str]) -> np.ndarray:
    """The lexicon block (readings + VADER) of the training texts, re-read in the base file's order."""
    from voc.sentiment.learned import lexicon_block
    from voc.sentiment.training import precise_training_set

    examples = precise_training_set(shared_data_dir() / "afrisenti")
    if [e.label for e in examples] != list(labels) or [e.origin for e in examples] != list(origins):
        skip("the training texts do not line up with precise-base.npz")
    return lexicon_block([e.text for e in examples], [e.language for e in examples])


def dev(cache: Path, chosen: dict[str, tuple[Head, float, Data]]) -> None:
    """Fit each chosen head on every training row and score the dev tweets as the product reads them."""
    if not cache.is_file():
        skip("the dev tweets' e5 cache is missing (see the docstring)")
    tweets = load_dev(None)
    texts = [t[1] for t in tweets]
    dev_vectors = cached_dev_vectors(cache, texts)
    languages = [detect_language(t) for t in texts]
    lexicon = None
    print()
    report_header("head (chosen by cross-validation)")
    for name, (head, weight, data) in chosen.items():
        real = np.flatnonzero(np.char.startswith(data.origins.astype(str), "afrisenti"))
        centres = language_centres(data.vectors[real], list(data.languages[real]))
        x = centre(data.vectors, list(data.languages), centres)
        logits_of = head.fit(x, data.extra, data.labels, centres, weight)
        if data.extra.shape[1] and lexicon is None:
            from voc.sentiment.learned import lexicon_block

            lexicon = lexicon_block(texts, languages)
        extra = lexicon if data.extra.shape[1] else np.zeros((len(texts), 0), np.float32)
        predicted = [LABELS[i] for i in following_centres(dev_vectors, languages, centres, extra, logits_of)]
        report(f"{name} {head.settings}, negative weight {weight}", tweets, predicted, None)


def following_centres(vectors, languages, centres, extra, logits_of, batch=256, prior=100):  # type: ignore[no-untyped-def]
    """As `MultilingualScorer._centred` reads posts: each language's centre follows the posts read."""
    seen: dict[str, tuple[np.ndarray, int]] = {}
    out = []
    codes = np.asarray(languages)
    for start in range(0, len(vectors), batch):
        v, c = vectors[start : start + batch], codes[start : start + batch]
        current = dict(centres)
        for language in set(c):
            total, count = seen.get(language, (np.zeros(v.shape[1]), 0))
            total, count = total + v[c == language].astype(np.float64).sum(axis=0), count + int((c == language).sum())
            seen[language] = (total, count)
            base = centres.get(language, centres["*"])
            current[language] = ((base * prior + total) / (prior + count)).astype(np.float32)
        out.append(logits_of(centre(v, list(c), current), extra[start : start + batch]).argmax(axis=1))
    return np.concatenate(out)


if __name__ == "__main__":
    main()
