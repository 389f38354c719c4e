"""Streaming assignment: every new item gets its themes as it arrives, with no refit.

Rules come first (a rule hit is certain: confidence 1.0, or 0.85 when a misspelling was forgiven).
Then semantic similarity, in the multilingual embedding space, to each theme's example sentences
(the nearest example is the reason) and to the centroid of the items people or rules put in the
theme ("members"); a theme is added when the similarity clears its threshold. One item may get
several themes (at most `MAX_THEMES`); a sub-theme hit makes its parent's redundant, since reports
count a sub-theme towards its parent.

Thresholds are cosine similarities for USE-multilingual-v3, set on the starter set's own example
sentences (leave-one-out: see docs/themes.md), never on the measurement data.

Domain module: no Streamlit, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

import numpy as np

from voc.themes.rules import RuleBook
from voc.themes.taxonomy import Taxonomy

if TYPE_CHECKING:
    from numpy.typing import NDArray

EXAMPLE_THRESHOLD: Final = 0.55
MEMBER_THRESHOLD: Final = 0.60
SEMANTIC_MARGIN: Final = 0.05  # a second semantic theme only when this close to the best one
MAX_THEMES: Final = 3


class Method(StrEnum):
    RULE = "rule"
    EXAMPLE = "example"
    MEMBER = "member"
    PROPOSAL = "proposal"  # a person promoted or merged a discovery proposal with this item in it
    MANUAL = "manual"


STICKY_METHODS: Final = frozenset({Method.PROPOSAL, Method.MANUAL})  # people's decisions survive re-assignment


@dataclass(frozen=True)
class ThemeHit:
    """One theme for one item, with how sure we are and why."""

    theme_id: str
    confidence: float
    reason: str
    method: Method

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.theme_id,
            "confidence": round(self.confidence, 3),
            "reason": self.reason,
            "method": str(self.method),
        }


@dataclass(frozen=True)
class ExampleIndex:
    """Every active theme's example sentences and their vectors (rows L2-normalised)."""

    theme_ids: tuple[str, ...]
    texts: tuple[str, ...]
    vectors: NDArray[np.float32]


class Assigner:
    """Assigns themes of one taxonomy version; build once, call `assign` for every batch."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        examples: ExampleIndex,
        centroids: Mapping[str, NDArray[np.float32]] | None = None,
        *,
        example_threshold: float = EXAMPLE_THRESHOLD,
        member_threshold: float = MEMBER_THRESHOLD,
    ) -> None:
        self.taxonomy = taxonomy
        active = {theme.id for theme in taxonomy.active()}
        self.rules = RuleBook({theme.id: dict(theme.rules) for theme in taxonomy.active()})
        self.parents = {theme.id: theme.parent_id for theme in taxonomy.active()}
        keep = [i for i, theme_id in enumerate(examples.theme_ids) if theme_id in active]
        self._example_theme = [examples.theme_ids[i] for i in keep]
        self._example_text = [examples.texts[i] for i in keep]
        self._example_vectors = (
            examples.vectors[keep]
            if keep
            else np.zeros((0, examples.vectors.shape[1] if examples.vectors.ndim == 2 else 0), np.float32)
        )
        self._theme_order = sorted(set(self._example_theme))
        self._example_slot = np.array([self._theme_order.index(t) for t in self._example_theme], dtype=np.int64)
        live = {k: v for k, v in (centroids or {}).items() if k in active}
        self._centroid_ids = sorted(live)
        self._centroids = np.vstack([live[k] for k in self._centroid_ids]).astype(np.float32) if live else None
        self.example_threshold = example_threshold
        self.member_threshold = member_threshold

    @property
    def version(self) -> int:
        return self.taxonomy.version

    def assign(
        self, texts: Sequence[str], languages: Sequence[str], vectors: NDArray[np.float32] | None
    ) -> list[list[ThemeHit]]:
        """Themes for each text (vectors: one L2-normalised row per text, or None for rules only)."""
        semantic = self._semantic(vectors) if vectors is not None and len(texts) else [[] for _ in texts]
        results: list[list[ThemeHit]] = []
        for text, language, candidates in zip(texts, languages, semantic, strict=True):
            if not text.strip():
                results.append([])
                continue
            hits = {
                m.theme_id: ThemeHit(m.theme_id, m.confidence, m.reason, Method.RULE)
                for m in self.rules.match(text, language)
            }
            best = max((hit.confidence for hit in candidates), default=0.0)
            for hit in candidates:
                if hit.theme_id not in hits and hit.confidence >= best - SEMANTIC_MARGIN:
                    hits[hit.theme_id] = hit
            results.append(self._finish(list(hits.values())))
        return results

    def _finish(self, hits: list[ThemeHit]) -> list[ThemeHit]:
        """Drop a parent when one of its sub-themes is there; most confident first; at most MAX_THEMES."""
        present = {hit.theme_id for hit in hits}
        implied = {self.parents.get(theme_id) for theme_id in present}
        kept = [hit for hit in hits if hit.theme_id not in implied]
        kept.sort(key=lambda hit: (-hit.confidence, hit.method != Method.RULE, hit.theme_id))
        return kept[:MAX_THEMES]

    def _semantic(self, vectors: NDArray[np.float32]) -> list[list[ThemeHit]]:
        n = vectors.shape[0]
        found: list[dict[str, ThemeHit]] = [{} for _ in range(n)]
        if len(self._example_theme):
            sims = vectors @ self._example_vectors.T  # (n, examples)
            per_theme = np.full((n, len(self._theme_order)), -1.0, dtype=np.float32)
            nearest = np.zeros((n, len(self._theme_order)), dtype=np.int64)
            for slot in range(len(self._theme_order)):
                columns = np.flatnonzero(self._example_slot == slot)
                block = sims[:, columns]
                arg = block.argmax(axis=1)
                per_theme[:, slot] = block[np.arange(n), arg]
                nearest[:, slot] = columns[arg]
            rows, slots = np.nonzero(per_theme >= self.example_threshold)
            for row, slot in zip(rows.tolist(), slots.tolist(), strict=True):
                theme_id = self._theme_order[slot]
                example = self._example_text[int(nearest[row, slot])]
                found[row][theme_id] = ThemeHit(
                    theme_id, float(per_theme[row, slot]), f"like: {example}", Method.EXAMPLE
                )
        if self._centroids is not None:
            sims = vectors @ self._centroids.T
            rows, columns = np.nonzero(sims >= self.member_threshold)
            for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
                theme_id = self._centroid_ids[column]
                score = float(sims[row, column])
                if theme_id not in found[row] or found[row][theme_id].confidence < score:
                    found[row][theme_id] = ThemeHit(theme_id, score, "close to the theme's items", Method.MEMBER)
        return [list(hits.values()) for hits in found]


def centroid(vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    """The L2-normalised mean of `vectors`."""
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm else mean).astype(np.float32)


def example_index(taxonomy: Taxonomy, embed: object) -> ExampleIndex:
    """Embed every active theme's examples (`embed`: texts -> normalised rows)."""
    pairs = [(theme.id, example.text) for theme in taxonomy.active() for example in theme.examples]
    texts = [text for _, text in pairs]
    vectors = embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)  # type: ignore[operator]
    return ExampleIndex(tuple(t for t, _ in pairs), tuple(texts), np.asarray(vectors, dtype=np.float32))
