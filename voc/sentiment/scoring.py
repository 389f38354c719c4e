"""Sentiment of a customer text: label, score, confidence and the words that drove it.

`SentimentScorer` is the seam for scorers; `VaderScorer` (vaderSentiment, English lexicon and
emoji) is the only one today. It reproduces VADER's own scoring loop once per text so that the
per-token valences behind the compound score are kept: they become the `reasons` shown to
analysts ("terrible", "not good", "😡"). A unit test checks the compound against VADER's own
`polarity_scores` so the two cannot drift apart.

Domain module: no Streamlit import.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol

# Importing is cheap (plain Python); building an analyzer is not, see shared_analyzer().
from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    SentiText,
    negated,
)

POSITIVE_THRESHOLD: Final = 0.05  # VADER's standard cut-offs on the compound score
NEGATIVE_THRESHOLD: Final = -0.05
MAX_REASONS: Final = 5
# VADER's cost grows with (sentiment words x tokens); past this many tokens the rest is ignored.
MAX_TOKENS: Final = 1000
# Share of tokens carrying valence at which coverage stops adding confidence.
FULL_COVERAGE: Final = 0.25
# VADER is an English lexicon: elsewhere it mostly sees no words at all (see docs/analysis.md).
LANGUAGE_WEIGHT_ENGLISH: Final = 1.0
LANGUAGE_WEIGHT_UNDETERMINED: Final = 0.8
LANGUAGE_WEIGHT_OTHER: Final = 0.4


class SentimentLabel(StrEnum):
    """The three classes every scorer answers with."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@dataclass(frozen=True)
class Sentiment:
    """A scored text: label, compound score in -1..1, confidence in 0..1, and why."""

    label: SentimentLabel
    score: float
    confidence: float
    reasons: tuple[str, ...]
    scorer: str


class SentimentScorer(Protocol):
    """Anything that turns a (redacted) text and its language into a `Sentiment`."""

    name: str

    def score(self, text: str, language: str) -> Sentiment: ...


def label_for(compound: float) -> SentimentLabel:
    """Map a compound score to a label with VADER's standard thresholds."""
    if compound >= POSITIVE_THRESHOLD:
        return SentimentLabel.POSITIVE
    if compound <= NEGATIVE_THRESHOLD:
        return SentimentLabel.NEGATIVE
    return SentimentLabel.NEUTRAL


def confidence_for(label: SentimentLabel, compound: float, coverage: float, language: str) -> float:
    """How far to trust a label, from 0 to 1.

    Positive/negative: |compound| scaled by 0.6..1.0 as the share of valence-carrying tokens
    rises to `FULL_COVERAGE`. Neutral: at most 0.6 (no lexicon hit is weak evidence), lowered
    as valence-carrying tokens cancel out and as the compound nears a threshold. Then weighted
    by language, since VADER only knows English.
    """
    covered = min(1.0, coverage / FULL_COVERAGE)
    if label is SentimentLabel.NEUTRAL:
        base = 0.6 * (1.0 - covered) * (1.0 - abs(compound) / POSITIVE_THRESHOLD)
    else:
        base = abs(compound) * (0.6 + 0.4 * covered)
    if language == "en":
        weight = LANGUAGE_WEIGHT_ENGLISH
    elif language == "und":
        weight = LANGUAGE_WEIGHT_UNDETERMINED
    else:
        weight = LANGUAGE_WEIGHT_OTHER
    return round(max(0.0, min(1.0, base * weight)), 3)


class VaderScorer:
    """VADER (vaderSentiment) with reasons; one shared analyzer per process."""

    def __init__(self, analyzer: SentimentIntensityAnalyzer | None = None) -> None:
        self._analyzer = analyzer
        self.name = f"vader-{_vader_version()}"

    def score(self, text: str, language: str) -> Sentiment:
        """Score `text`; `language` only lowers the confidence outside English."""
        analyzer = self._analyzer or shared_analyzer()
        compound, tokens, valences, emoji_at = _vader_valences(analyzer, text)
        label = label_for(compound)
        hits = sum(1 for v in valences if v)
        coverage = hits / len(tokens) if tokens else 0.0
        confidence = 0.0 if not tokens else confidence_for(label, compound, coverage, language)
        reasons = _reasons(label, tokens, valences, emoji_at, analyzer.lexicon)
        return Sentiment(label, compound, confidence, reasons, self.name)


@functools.cache
def shared_analyzer() -> SentimentIntensityAnalyzer:
    """The process-wide VADER analyzer: building one reads and parses both lexicon files."""
    return SentimentIntensityAnalyzer()


@functools.cache
def _vader_version() -> str:
    try:
        return importlib.metadata.version("vaderSentiment")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


_EMOJI_CHARS: dict[int, frozenset[str]] = {}


def _emoji_chars(emojis: dict[str, str]) -> frozenset[str]:
    """The analyzer's emoji as a set, to skip VADER's per-character loop when there are none."""
    chars = _EMOJI_CHARS.get(id(emojis))
    if chars is None:
        # VADER looks emoji up one character at a time, so single-character keys suffice.
        chars = frozenset(k for k in emojis if len(k) == 1)
        _EMOJI_CHARS[id(emojis)] = chars
    return chars


def _vader_valences(
    analyzer: SentimentIntensityAnalyzer, text: str
) -> tuple[float, list[str], list[float], dict[int, str]]:
    """VADER's polarity_scores loop, keeping each token's final valence.

    Returns the compound score, VADER's tokens, their valences, and for tokens that came from
    an emoji's description the emoji itself (by token index).
    """
    described, emoji_spans = _describe_emoji(analyzer, text)
    stripped = _first_tokens(described.strip(), MAX_TOKENS)
    sentitext = SentiText(stripped)
    tokens: list[str] = sentitext.words_and_emoticons
    sentiments: list[float] = []
    for i, item in enumerate(tokens):
        lower = item.lower()
        if lower in BOOSTER_DICT or (lower == "kind" and i < len(tokens) - 1 and tokens[i + 1].lower() == "of"):
            sentiments.append(0)
            continue
        sentiments = analyzer.sentiment_valence(0, sentitext, item, i, sentiments)
    sentiments = analyzer._but_check(tokens, sentiments)
    compound = float(analyzer.score_valence(sentiments, stripped)["compound"])
    emoji_at: dict[int, str] = {}
    if emoji_spans:
        offset = len(described) - len(described.lstrip())
        for index, token in enumerate(re.finditer(r"\S+", stripped)):
            start, end = token.start() + offset, token.end() + offset
            for span_start, span_end, emoji in emoji_spans:
                if start < span_end and span_start < end:
                    emoji_at[index] = emoji
                    break
    return compound, tokens, [float(v) for v in sentiments], emoji_at


def _first_tokens(text: str, limit: int) -> str:
    """`text` cut after its `limit`-th whitespace-separated token (unchanged when shorter)."""
    if len(text) < 2 * limit:  # cannot hold `limit` tokens
        return text
    for count, token in enumerate(re.finditer(r"\S+", text), start=1):
        if count == limit:
            return text[: token.end()]
    return text


def _describe_emoji(analyzer: SentimentIntensityAnalyzer, text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Replace emoji with their descriptions exactly as VADER does, remembering where."""
    emojis: dict[str, str] = analyzer.emojis
    if _emoji_chars(emojis).isdisjoint(text):
        return text, []
    out: list[str] = []
    length = 0
    spans: list[tuple[int, int, str]] = []
    prev_space = True
    for char in text:
        description = emojis.get(char)
        if description is not None:
            if not prev_space:
                out.append(" ")
                length += 1
            out.append(description)
            spans.append((length, length + len(description), char))
            length += len(description)
            prev_space = False
        else:
            out.append(char)
            length += 1
            prev_space = char == " "
    return "".join(out), spans


def _reasons(
    label: SentimentLabel,
    tokens: list[str],
    valences: list[float],
    emoji_at: dict[int, str],
    lexicon: dict[str, float],
) -> tuple[str, ...]:
    """The tokens, emoji and phrases pushing towards `label`, strongest first, at most five."""
    if label is SentimentLabel.NEUTRAL:
        return ()
    sign = 1.0 if label is SentimentLabel.POSITIVE else -1.0
    weight: dict[str, float] = {}
    lowered = [t.lower() for t in tokens]
    for i, valence in enumerate(valences):
        if valence * sign <= 0:
            continue
        reason = emoji_at.get(i) or _phrase(i, lowered, valence, lexicon)
        weight[reason] = weight.get(reason, 0.0) + abs(valence)
    # Stable sort: equal weights keep the order they appear in the text.
    ranked = sorted(weight, key=lambda r: -weight[r])
    return tuple(ranked[:MAX_REASONS])


def _phrase(i: int, lowered: list[str], valence: float, lexicon: dict[str, float]) -> str:
    """The token, or the phrase that flipped it ("not good", "the shit")."""
    word = lowered[i]
    base = lexicon.get(word, 0.0)
    if base * valence >= 0:
        return word
    # VADER's negation looks up to three tokens back; name the nearest negator.
    for back in range(1, 4):
        j = i - back
        if j < 0:
            break
        if lowered[j] in ("no", "least") or negated([lowered[j]]):
            return " ".join(lowered[j : i + 1])
    for start in range(max(0, i - 3), i + 1):
        for end in range(i + 1, min(len(lowered), i + 3) + 1):
            phrase = " ".join(lowered[start:end])
            if phrase in SPECIAL_CASES:
                return phrase
    return word
