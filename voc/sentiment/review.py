"""What the inbox needs from sentiment: which items need review, where the reasons are in the
text, and which sentiment corrections an agent made in the grid.

Domain module: no Streamlit (the Inbox page renders what these functions return).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

import pandas as pd

from voc.sentiment.multilingual import REVIEW_BELOW, SUPPORTED_LANGUAGES, is_precise_scorer, likelihood, needs_review

SENTIMENTS: Final[tuple[str, ...]] = ("negative", "neutral", "positive")
REVIEW_COLUMN: Final = "needs_review"

__all__ = [
    "REVIEW_BELOW",
    "REVIEW_COLUMN",
    "SENTIMENTS",
    "SUPPORTED_LANGUAGES",
    "Segment",
    "highlight",
    "how_sure",
    "needs_review",
    "with_review_flag",
]


@dataclass(frozen=True)
class Segment:
    """A piece of an item's text; `reason` is True where it is one of the phrases behind the score."""

    text: str
    reason: bool = False


def highlight(text: str, reasons: list[str] | tuple[str, ...]) -> list[Segment]:
    """Split `text` into plain and reason segments (case- and accent-insensitive, longest first).

    A reason that is a phrase across several words ("not good", "achha nahi") is found with any
    spacing or punctuation between its words. Reasons not found in the text (an emoji described
    by words, say) are simply not highlighted.
    """
    if not text or not reasons:
        return [Segment(text)] if text else []
    folded, index = _fold(text)
    spans: list[tuple[int, int]] = []
    for reason in sorted({r for r in reasons if r and r.strip()}, key=len, reverse=True):
        words = [re.escape(_fold(w)[0]) for w in reason.split()]
        if not words:
            continue
        pattern = r"[\W_]+".join(words)
        if reason[0].isalnum():
            pattern = r"(?<![^\W_])" + pattern
        if reason[-1].isalnum():
            pattern += r"(?![^\W_])"
        for match in re.finditer(pattern, folded):
            start, end = index[match.start()], index[match.end() - 1] + 1
            if all(end <= s or start >= e for s, e in spans):
                spans.append((start, end))
    segments: list[Segment] = []
    cursor = 0
    for start, end in sorted(spans):
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        segments.append(Segment(text[start:end], True))
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:]))
    return segments


def _fold(text: str) -> tuple[str, list[int]]:
    """Lower-cased, accent-free text, and for each of its characters the index in `text`."""
    out: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        for piece in unicodedata.normalize("NFKD", char.lower()):
            if unicodedata.combining(piece):
                continue
            out.append(piece)
            index.append(i)
    return "".join(out), index


def how_sure(scorer: str | None, confidence: float) -> str:
    """How an item's label came about, for the workspace: a person's correction; the precise
    model's calibrated probability that the label is right; or another scorer's confidence (the
    fast model's, until the background precise pass reaches the item)."""
    sure = likelihood(scorer, confidence)
    return f"precise model, {sure}" if is_precise_scorer(scorer) and scorer != "correction" else sure


def with_review_flag(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (with language, sentiment_confidence and, where known, scorer) plus a boolean
    `needs_review` column; each scorer's confidence is judged by its own threshold."""
    flagged = frame.copy()
    if flagged.empty:
        flagged[REVIEW_COLUMN] = pd.Series(dtype=bool)
        return flagged
    scorers = flagged["scorer"] if "scorer" in flagged else [None] * len(flagged)
    flagged[REVIEW_COLUMN] = [
        needs_review(str(language), float(confidence), None if scorer is None else str(scorer))
        for language, confidence, scorer in zip(
            flagged["language"], flagged["sentiment_confidence"], scorers, strict=True
        )
    ]
    return flagged
