"""Which verbatims stand for a theme in an export: its most representative items of its own tone.

The newest items of a theme are a poor sample: the first example for *Outage* used to be a post
praising eight years of service that happened to mention the outage. A theme's tone is the
sentiment most of its items in the period carry (negative wins a tie: care teams read complaints
first). Among the items with that sentiment, the examples are those closest to their centroid
(cosine similarity of the item embeddings stored at ingest), so they are typical, not extreme.
Near-duplicates (retweets, copy-paste) stay out: they would say the same thing twice.
Domain module: no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
import sqlalchemy as sa

from voc.exports.periods import ExportPeriod
from voc.store.facade import Store
from voc.store.schema import item_themes, items
from voc.themes.queries import theme_family
from voc.themes.service import vectors_for

if TYPE_CHECKING:
    from numpy.typing import NDArray

TONES: Final = ("negative", "positive", "neutral")  # the order that breaks a tie
POOL: Final = 400  # candidates per theme, highest assignment confidence first: a week of a million items stays cheap


def theme_tone(negative: int, neutral: int, positive: int) -> str:
    """The sentiment most of a theme's items carry; a tie goes to negative, then positive."""
    counts = {"negative": negative, "positive": positive, "neutral": neutral}
    return max(TONES, key=lambda tone: (counts[tone], -TONES.index(tone)))


def _normalised(text: str) -> str:
    return re.sub(r"\W+", " ", re.sub(r"^RT @\w+:\s*", "", text).casefold()).strip()


def most_representative(texts: Sequence[str], vectors: NDArray[np.float32], limit: int) -> list[int]:
    """Indexes of up to `limit` texts closest to the centroid of `vectors`, no two with the same wording."""
    if not len(texts):
        return []
    centroid = vectors.mean(axis=0)
    norm = float(np.linalg.norm(centroid))
    similarity = vectors @ (centroid / norm) if norm else np.zeros(len(texts))
    chosen: list[int] = []
    seen: set[str] = set()
    for index in sorted(range(len(texts)), key=lambda i: (-float(similarity[i]), i)):
        key = _normalised(texts[index])
        if key in seen:
            continue
        seen.add(key)
        chosen.append(index)
        if len(chosen) == limit:
            break
    return chosen


def representative_examples(store: Store, theme_id: str, period: ExportPeriod, tone: str, limit: int) -> list[str]:
    """The theme's `limit` most representative texts in the period among its items of `tone`."""
    query = (
        sa.select(items.c.id, items.c.text)
        .join(item_themes, item_themes.c.item_id == items.c.id)
        .where(
            item_themes.c.theme_id.in_(theme_family(theme_id)),
            items.c.posted_at >= period.start,
            items.c.posted_at < period.end,
            items.c.sentiment_label == tone,
            items.c.duplicate_of.is_(None),
        )
        .group_by(items.c.id, items.c.text)
        .order_by(sa.func.max(item_themes.c.confidence).desc(), items.c.id.desc())
        .limit(POOL)
    )
    with store.read() as connection:
        found = [(int(i), str(t)) for i, t in connection.execute(query)]
    if not found:
        return []
    texts = [text for _, text in found]
    vectors = vectors_for(store, [{"id": i, "text": t} for i, t in found])
    return [texts[i] for i in most_representative(texts, vectors, limit)]
