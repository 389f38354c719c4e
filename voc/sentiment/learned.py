"""The learned sentiment scorer: a linear model over embeddings, lexicon readings and character n-grams.

Features for one text, in three blocks, each scaled by a block weight:

1. its sentence embedding (`voc.analysis.embeddings`, multilingual: what transfers across languages);
2. the lexicon readings (`voc.sentiment.lexicon`: compound, positive and negative mass, negations,
   emoji, punctuation) plus VADER's compound, which reads the English words every language borrows;
3. hashed character 2-4-grams (word-bounded): what a workspace's own labels teach about its
   customers' spelling, slang and product names. Hashing keeps the model free of a vocabulary.

One multinomial logistic regression (scikit-learn) maps them to negative/neutral/positive. A model
is stored without pickle: `to_bytes` writes a `.npz` of plain arrays plus a JSON header, so a
model read back from the database can only ever be numbers.

Domain module: no Streamlit, no database (the store and the training orchestration are in
`voc.sentiment.training`).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from voc.sentiment.lexicon import FEATURE_NAMES, LexiconFeatures, analyse_lexicon
from voc.sentiment.scoring import shared_analyzer

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from scipy.sparse import csr_matrix

LABELS: Final[tuple[str, ...]] = ("negative", "neutral", "positive")
FORMAT: Final = 1
VADER_CHARS: Final = 2000
_URL_HANDLE_RE = re.compile(r"(?:https?://|www\.)\S+|@\w+", re.IGNORECASE)


@dataclass(frozen=True)
class FeatureSpec:
    """How texts become feature vectors; stored with every model so it is read back the same."""

    embedding_model: str
    embedding_dim: int
    ngram_features: int = 2**17
    ngram_range: tuple[int, int] = (2, 4)
    embedding_weight: float = 1.0
    lexicon_weight: float = 1.0
    ngram_weight: float = 0.5

    @property
    def lexicon_dim(self) -> int:
        return len(FEATURE_NAMES) + 1  # + VADER's compound

    @property
    def width(self) -> int:
        ngrams = self.ngram_features if self.ngram_weight else 0
        return self.embedding_dim + self.lexicon_dim + ngrams


@dataclass(frozen=True)
class Example:
    """One labelled text: the training and evaluation unit."""

    text: str
    label: str
    language: str
    origin: str = "builtin"


@dataclass(frozen=True)
class LearnedModel:
    """A trained linear model and what is known about it."""

    version: str
    spec: FeatureSpec
    coef: NDArray[np.float32]  # (3, width)
    intercept: NDArray[np.float32]  # (3,)
    classes: tuple[str, ...] = LABELS
    active_languages: frozenset[str] = frozenset()
    metrics: dict[str, Any] = field(default_factory=dict)
    trained_on: int = 0
    # Per-language mean vectors subtracted from the embeddings before the features are built
    # ("*": the mean over all languages, for a language without its own); empty = no centring.
    centres: dict[str, NDArray[np.float32]] = field(default_factory=dict)
    # Probabilities are softmax(logits / temperature): fitted on held-out folds (calibration).
    temperature: float = 1.0

    def is_active_for(self, language: str) -> bool:
        return "*" in self.active_languages or language in self.active_languages

    def with_activation(self, languages: frozenset[str], metrics: dict[str, Any]) -> LearnedModel:
        return replace(self, active_languages=languages, metrics=metrics)

    def centred(self, embeddings: NDArray[np.float32], languages: Sequence[str]) -> NDArray[np.float32]:
        """`embeddings` minus their language's mean vector (unchanged for a model without centres)."""
        return centre(embeddings, languages, self.centres)

    def logits(self, features: csr_matrix | NDArray[np.float32]) -> NDArray[np.float64]:
        """The linear model's raw class scores (before the temperature)."""
        logits = features @ self.coef.T.astype(np.float64) + self.intercept.astype(np.float64)
        return np.asarray(logits, dtype=np.float64)

    def predict_proba(self, features: csr_matrix | NDArray[np.float32]) -> NDArray[np.float64]:
        """Class probabilities (rows sum to 1, columns in `classes` order), calibrated when the
        model carries a fitted temperature."""
        return softmax(self.logits(features) / self.temperature)

    def to_bytes(self) -> bytes:
        """The model as `.npz` bytes: arrays plus a JSON header (no pickle)."""
        centre_languages = sorted(self.centres)
        header = {
            "format": FORMAT,
            "version": self.version,
            "spec": {**self.spec.__dict__, "ngram_range": list(self.spec.ngram_range)},
            "classes": list(self.classes),
            "active_languages": sorted(self.active_languages),
            "metrics": self.metrics,
            "trained_on": self.trained_on,
            "centre_languages": centre_languages,
            "temperature": self.temperature,
        }
        arrays: dict[str, Any] = {}
        if centre_languages:
            arrays["centres"] = np.vstack([self.centres[c] for c in centre_languages]).astype(np.float32)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
            **arrays,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> LearnedModel:
        """Read a model written by `to_bytes`; anything else (pickles included) is a ValueError."""
        try:
            return cls._from_arrays(blob)
        except (KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError, OSError) as error:
            raise ValueError(f"not a sentiment model: {type(error).__name__}: {error}") from error

    @classmethod
    def _from_arrays(cls, blob: bytes) -> LearnedModel:
        with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
            header = json.loads(arrays["header"].tobytes().decode("utf-8"))
            if header.get("format") != FORMAT:
                raise ValueError(f"unknown sentiment model format {header.get('format')!r}")
            spec_fields = dict(header["spec"])
            spec_fields["ngram_range"] = tuple(spec_fields["ngram_range"])
            return cls(
                version=str(header["version"]),
                spec=FeatureSpec(**spec_fields),
                coef=arrays["coef"].astype(np.float32),
                intercept=arrays["intercept"].astype(np.float32),
                classes=tuple(header["classes"]),
                active_languages=frozenset(header["active_languages"]),
                metrics=dict(header["metrics"]),
                trained_on=int(header.get("trained_on", 0)),
                centres={
                    str(language): arrays["centres"][i].astype(np.float32)
                    for i, language in enumerate(header.get("centre_languages", []))
                },
                temperature=float(header.get("temperature", 1.0)),
            )


def softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def language_centres(
    embeddings: NDArray[np.float32], languages: Sequence[str], *, min_count: int = 30
) -> dict[str, NDArray[np.float32]]:
    """Each language's mean vector (languages with at least `min_count` texts) and "*", the mean of all."""
    centres = {"*": embeddings.mean(axis=0).astype(np.float32)} if len(embeddings) else {}
    codes = np.asarray(languages)
    for language in sorted(set(languages)):
        mask = codes == language
        if mask.sum() >= min_count:
            centres[language] = embeddings[mask].mean(axis=0).astype(np.float32)
    return centres


def centre(
    embeddings: NDArray[np.float32], languages: Sequence[str], centres: dict[str, NDArray[np.float32]]
) -> NDArray[np.float32]:
    """`embeddings` minus their language's mean (or the overall mean "*"); unchanged without centres."""
    if not centres:
        return embeddings
    overall = centres.get("*")
    fallback = overall if overall is not None else np.zeros(embeddings.shape[1], dtype=np.float32)
    means = np.zeros_like(embeddings)
    for row, language in enumerate(languages):
        means[row] = centres.get(language, fallback)
    return (embeddings - means).astype(np.float32)


# ---- features ------------------------------------------------------------------------------


def lexicon_block(texts: Sequence[str], languages: Sequence[str]) -> NDArray[np.float32]:
    """The lexicon readings of each text in its language, plus VADER's compound."""
    rows = [lexicon_row(analyse_lexicon(t, lang), vader_compound(t)) for t, lang in zip(texts, languages, strict=True)]
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), -1)


def lexicon_row(features: LexiconFeatures, vader: float) -> list[float]:
    """One row of the lexicon block, from readings already made."""
    return [*features.vector(), vader]


def vader_compound(text: str) -> float:
    """VADER's compound for any text: the English words every language borrows."""
    return float(shared_analyzer().polarity_scores(text[:VADER_CHARS])["compound"]) if text else 0.0


def _ngram_vectorizer(spec: FeatureSpec) -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=spec.ngram_range,
        n_features=spec.ngram_features,
        alternate_sign=False,
        norm="l2",
        lowercase=True,
        preprocessor=lambda t: _URL_HANDLE_RE.sub(" ", t.lower()),
        dtype=np.float32,
    )


def build_features(
    spec: FeatureSpec,
    texts: Sequence[str],
    languages: Sequence[str],
    embeddings: NDArray[np.float32],
    lexicon: NDArray[np.float32] | None = None,
) -> csr_matrix:
    """The feature matrix for `texts` (embeddings given, one row per text)."""
    from scipy import sparse

    if embeddings.shape != (len(texts), spec.embedding_dim):
        raise ValueError(f"expected embeddings of shape {(len(texts), spec.embedding_dim)}, got {embeddings.shape}")
    if lexicon is None:
        lexicon = lexicon_block(texts, languages)
    # Unit-norm embeddings have per-dimension values of about 1/sqrt(dim): scale to about 1.
    blocks = [
        sparse.csr_matrix(embeddings * (spec.embedding_weight * np.sqrt(spec.embedding_dim))),
        sparse.csr_matrix(lexicon * spec.lexicon_weight),
    ]
    if spec.ngram_weight:
        blocks.append(_ngram_vectorizer(spec).transform(list(texts)) * spec.ngram_weight)
    return sparse.hstack(blocks, format="csr", dtype=np.float32)


# ---- training and evaluation ---------------------------------------------------------------


def train(
    spec: FeatureSpec,
    examples: Sequence[Example],
    embeddings: NDArray[np.float32],
    *,
    c: float = 0.5,
    version: str | None = None,
    sample_weight: NDArray[np.float64] | None = None,
    lexicon: NDArray[np.float32] | None = None,
    negative_weight: float = 1.0,
) -> LearnedModel:
    """Fit the logistic regression on `examples`; not yet active anywhere.

    Classes are balanced, then the negative class is weighted `negative_weight` times more:
    missing an angry customer costs more than a second look at a neutral post.
    """
    from sklearn.linear_model import LogisticRegression

    labels = [e.label for e in examples]
    missing = set(LABELS) - set(labels)
    if missing:
        raise ValueError(f"cannot train without examples of {', '.join(sorted(missing))}")
    features = build_features(spec, [e.text for e in examples], [e.language for e in examples], embeddings, lexicon)
    counts = {label: labels.count(label) for label in LABELS}
    class_weight = {label: len(labels) / (len(LABELS) * counts[label]) for label in LABELS}
    class_weight["negative"] *= negative_weight
    classifier = LogisticRegression(C=c, max_iter=3000, class_weight=class_weight)
    classifier.fit(features, labels, sample_weight=sample_weight)
    order = [list(classifier.classes_).index(label) for label in LABELS]
    return LearnedModel(
        version=version or fingerprint(examples, spec, c),
        spec=spec,
        coef=classifier.coef_[order].astype(np.float32),
        intercept=classifier.intercept_[order].astype(np.float32),
        trained_on=len(examples),
    )


def fingerprint(examples: Sequence[Example], spec: FeatureSpec, c: float) -> str:
    """A short, stable hash of the training data and settings: the model's version suffix."""
    digest = hashlib.sha256()
    digest.update(json.dumps([spec.__dict__, c], default=str, sort_keys=True).encode())
    for example in examples:
        digest.update(f"{example.language}\t{example.label}\t{example.text}\n".encode())
    return digest.hexdigest()[:10]


@dataclass(frozen=True)
class Scores:
    """Evaluation of one scorer on one language: macro-F1 and the negative class (percent)."""

    n: int
    macro_f1: float
    negative_recall: float
    negative_precision: float
    accuracy: float

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


def evaluate(truth: Sequence[str], predicted: Sequence[str]) -> Scores:
    """Macro-F1 over the three classes, and recall/precision of the negative class, in percent."""
    f1s = []
    negative = (0.0, 0.0)
    for label in LABELS:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p == label)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p == label and t != label)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
        if label == "negative":
            negative = (recall, precision)
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    return Scores(
        n=len(truth),
        macro_f1=round(100 * sum(f1s) / len(f1s), 1),
        negative_recall=round(100 * negative[0], 1),
        negative_precision=round(100 * negative[1], 1),
        accuracy=round(100 * correct / len(truth), 1) if truth else 0.0,
    )


def labels_from_proba(proba: NDArray[np.float64], classes: Sequence[str] = LABELS) -> list[str]:
    return [classes[i] for i in np.argmax(proba, axis=1)]
