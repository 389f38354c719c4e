"""The analysis applied to every item before it is stored: redact, detect language, score.

Redaction runs first and everything after it sees only the redacted text, which is also the
only text an `Analysis` carries, so raw personal data cannot reach the store through here.
`analyse_many` is the path for bulk loads (100k-line files): shared detector and analyzer,
precompiled patterns, and a bounded cache that scores repeated texts (retweets, copy-pasted
complaints) once.

Domain module: no Streamlit import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from voc.analysis.language import UNDETERMINED, detect_language
from voc.analysis.redaction import redact
from voc.analysis.sentiment import Sentiment, SentimentScorer, VaderScorer

# Entries kept by analyse_many's repeat cache; an Analysis is a few hundred bytes.
CACHE_SIZE: Final = 20_000


@dataclass(frozen=True)
class Analysis:
    """What is known about one item: its redacted text, language and sentiment."""

    text: str
    redactions: tuple[str, ...]
    language: str
    sentiment: Sentiment

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
    """The scorer used by `analyse` and `analyse_many` (VADER for now)."""
    global _scorer
    if _scorer is None:
        _scorer = VaderScorer()
    return _scorer


def analyse(text: str, language_hint: str | None = None) -> Analysis:
    """Redact `text`, then detect its language and score its sentiment.

    `language_hint` (e.g. a survey's configured language) is used only when detection
    comes back undetermined.
    """
    redacted = redact(text if isinstance(text, str) else "")
    return _analyse_redacted(redacted.text, redacted.found, language_hint, default_scorer())


def analyse_many(texts: Iterable[str]) -> Iterator[Analysis]:
    """Analyse texts lazily, in order; identical texts after redaction are scored once."""
    scorer = default_scorer()
    cache: dict[str, Analysis] = {}
    for text in texts:
        redacted = redact(text if isinstance(text, str) else "")
        # Keyed on the redacted text, so the cache never holds personal data either.
        analysis = cache.get(redacted.text)
        if analysis is None:
            analysis = _analyse_redacted(redacted.text, redacted.found, None, scorer)
            if len(cache) >= CACHE_SIZE:
                cache.clear()
            cache[redacted.text] = analysis
        yield analysis


def _analyse_redacted(
    text: str, found: tuple[str, ...], language_hint: str | None, scorer: SentimentScorer
) -> Analysis:
    language = detect_language(text)
    if language == UNDETERMINED and language_hint:
        language = language_hint
    return Analysis(text, found, language, scorer.score(text, language))
