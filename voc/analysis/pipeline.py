"""The analysis applied to every item before it is stored: redact, detect language, score.

Redaction runs first and everything after it sees only the redacted text, which is also the
only text an `Analysis` carries, so raw personal data cannot reach the store through here.
`analyse_many` is the path for bulk loads (100k-line files): shared detector and analyzer,
precompiled patterns, a bounded cache that scores repeated texts (retweets, copy-pasted
complaints) once, and sentence embeddings computed in batches (growing 1, 2, 4 ... 256, so the
first result of a stream still comes at once). `analyse_batch` is the same for a list in hand
(a listener's page); its analyses carry their embedding so the store can keep it.

Domain module: no Streamlit import.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from voc.analysis import embeddings as embedding_model
from voc.analysis.language import UNDETERMINED, detect_language
from voc.analysis.redaction import Redacted, redact
from voc.sentiment.multilingual import MultilingualScorer, builtin_model
from voc.sentiment.scoring import Sentiment, SentimentScorer

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

    import numpy as np
    from numpy.typing import NDArray

# Entries kept by analyse_many's repeat cache; an Analysis is a few hundred bytes (plus 2 KB
# of embedding when the scorer uses one).
CACHE_SIZE: Final = 20_000
MAX_BATCH: Final = 256
# Worker processes for bulk analysis at most (each holds the models' working memory, ~150 MB).
MAX_WORKERS: Final = 4


@dataclass(frozen=True)
class Analysis:
    """What is known about one item: its redacted text, language and sentiment."""

    text: str
    redactions: tuple[str, ...]
    language: str
    sentiment: Sentiment
    # The text's sentence embedding (see voc.analysis.embeddings) when it was computed.
    embedding: NDArray[np.float32] | None = field(default=None, compare=False, repr=False)

    def to_json_dict(self) -> dict[str, Any]:
        """A flat, JSON-ready dict (label as its string value, tuples as lists)."""
        return {
            "text": self.text,
            "language": self.language,
            "sentiment": self.sentiment.label.value,
            "score": self.sentiment.score,
            "confidence": self.sentiment.confidence,
            "reasons": list(self.sentiment.reasons),
            "scorer": self.sentiment.scorer,
            "redactions": list(self.redactions),
        }


_scorer: SentimentScorer | None = None


def default_scorer() -> SentimentScorer:
    """The scorer used by `analyse` and `analyse_many`.

    Out of the box: the multilingual scorer with the built-in learned model
    (`voc.sentiment.multilingual`). The listener process and the command line install the
    workspace's active model with `set_default_scorer`.
    """
    global _scorer
    if _scorer is None:
        _scorer = MultilingualScorer(builtin_model())
    return _scorer


def set_default_scorer(scorer: SentimentScorer | None) -> None:
    """Use `scorer` from now on (None: back to the built-in default on next use)."""
    global _scorer
    _scorer = scorer


def analyse(text: str, language_hint: str | None = None) -> Analysis:
    """Redact `text`, then detect its language and score its sentiment.

    `language_hint` (e.g. a survey's configured language) is used only when detection
    comes back undetermined.
    """
    return analyse_batch([text], [language_hint])[0]


def analyse_batch(
    texts: Sequence[str], language_hints: Sequence[str | None] | None = None, *, with_embeddings: bool | None = None
) -> list[Analysis]:
    """Analyse a list of texts at once (embeddings in one call); results in the same order.

    Embeddings are computed when the scorer uses them, or always with `with_embeddings=True`
    (the listeners store them for themes and duplicates).
    """
    redacted = [redact(t if isinstance(t, str) else "") for t in texts]
    return _analyse_redacted(redacted, language_hints, with_embeddings)


def _analyse_redacted(
    redacted: Sequence[Redacted], language_hints: Sequence[str | None] | None, with_embeddings: bool | None
) -> list[Analysis]:
    scorer = default_scorer()
    hints = language_hints if language_hints is not None else [None] * len(redacted)
    clean = [r.text for r in redacted]
    languages = []
    for text, hint in zip(clean, hints, strict=True):
        language = detect_language(text)
        languages.append(hint if language == UNDETERMINED and hint else language)
    wants = bool(getattr(scorer, "wants_embeddings", False))
    vectors = embedding_model.embed(clean) if (wants or with_embeddings) and clean else None
    score_many = getattr(scorer, "score_many", None)
    if score_many is not None:
        sentiments: list[Sentiment] = score_many(clean, languages, vectors if wants else None)
    else:
        sentiments = [scorer.score(text, language) for text, language in zip(clean, languages, strict=True)]
    return [
        Analysis(text, r.found, language, sentiment, vectors[i] if vectors is not None else None)
        for i, (text, r, language, sentiment) in enumerate(zip(clean, redacted, languages, sentiments, strict=True))
    ]


def analyse_many(texts: Iterable[str], *, workers: int = 1) -> Iterator[Analysis]:
    """Analyse texts lazily, in order; identical texts after redaction are scored once.

    Texts are read in batches that grow from 1 to `MAX_BATCH`, so embeddings are computed in
    bulk while the first result of a stream still arrives at once. With `workers` > 1 (the
    command line passes `default_workers()`), batches are analysed by that many forked worker
    processes, each with one BLAS thread, at most two batches each in flight; redaction, the
    repeat cache and the order stay in this process. Without `fork` (Windows, macOS' default),
    it runs in this process.
    """
    chunks = _chunks(iter(texts))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        cache: dict[str, Analysis] = {}
        for chunk in chunks:
            yield from _analyse_chunk(chunk, cache)
        return
    yield from _analyse_in_workers(chunks, workers)


def default_workers() -> int:
    """Worker processes for bulk analysis: one per core this process may use, at most `MAX_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _chunks(iterator: Iterator[str]) -> Iterator[list[str]]:
    size = 1
    while True:
        chunk = []
        for text in iterator:
            chunk.append(text if isinstance(text, str) else "")
            if len(chunk) >= size:
                break
        if not chunk:
            return
        yield chunk
        size = min(size * 2, MAX_BATCH)


def _analyse_chunk(chunk: list[str], cache: dict[str, Analysis]) -> Iterator[Analysis]:
    redacted = [redact(text) for text in chunk]
    # Keyed on the redacted text, so the cache never holds personal data either.
    unseen = list({r.text: r for r in redacted if r.text not in cache}.values())
    if unseen:
        if len(cache) + len(unseen) > CACHE_SIZE:
            cache.clear()
        for fresh in _analyse_redacted(unseen, None, None):
            cache[fresh.text] = fresh
    for original, r in zip(chunk, redacted, strict=True):
        analysis = cache.get(r.text)
        yield analysis if analysis is not None else analyse(original)


def _analyse_in_workers(chunks: Iterator[list[str]], workers: int) -> Iterator[Analysis]:
    """`analyse_many` over forked workers. The first batch is analysed here, which also loads the
    models before the fork, so the workers share them instead of loading their own copies."""
    cache: dict[str, Analysis] = {}
    first = next(chunks, None)
    if first is None:
        return
    yield from _analyse_chunk(first, cache)
    pending: deque[tuple[list[Redacted], AsyncResult[list[Analysis]]]] = deque()
    with multiprocessing.get_context("fork").Pool(workers, initializer=embedding_model.pin_blas_threads) as pool:
        for chunk in chunks:
            redacted = [redact(text) for text in chunk]
            unseen = list({r.text: r for r in redacted if r.text not in cache}.values())
            pending.append((redacted, pool.apply_async(_analyse_redacted, (unseen, None, None))))
            if len(pending) >= 2 * workers:
                yield from _collect(*pending.popleft(), cache)
        while pending:
            yield from _collect(*pending.popleft(), cache)


def _collect(
    redacted: list[Redacted], result: AsyncResult[list[Analysis]], cache: dict[str, Analysis]
) -> Iterator[Analysis]:
    fresh = {analysis.text: analysis for analysis in result.get()}
    if len(cache) + len(fresh) > CACHE_SIZE:
        cache.clear()
    cache.update(fresh)
    for r in redacted:
        # Seen in an earlier batch, or analysed with this one (a later batch may clear the cache).
        yield fresh.get(r.text) or cache.get(r.text) or _analyse_redacted([r], None, None)[0]
