"""Discovery: cluster items no theme covers into proposals a person can promote, merge or dismiss.

Steps, all deterministic for the same items in the same order (seeded k-means, one BLAS thread):

1. Subtract from every vector its language's mean over that language's stored history
   (`LanguageMeans`; the pool's own when there is none): otherwise the multilingual space splits by
   language before it splits by topic, and even one language alone groups better without the
   direction all its texts share. A language with fewer than `CENTRE_MIN_ITEMS` stored items is
   centred on the mean of all languages, so that every vector is centred alike.
2. Over-cluster with k-means, k₀ = 2·√n micro-clusters (at most `MAX_MICRO_CLUSTERS`; fitted on a seeded sample of at most `FIT_SAMPLE` items, the rest assigned
   to the nearest centre), so no real theme is forced to share a cluster.
3. Choose the number of clusters automatically by merging micro-clusters (average linkage over their
   centroids) whose centroids are more alike than the median item is to its own centroid: two
   groups closer to each other than their members are to them are one theme. The threshold comes
   from the data in hand, not from a constant tuned on a benchmark.
4. Clusters of at least `min_size` items (¼·√n by default) become proposals, largest first; each gets a label from
   its distinctive words in its main language (class-based TF-IDF against the other clusters, stop
   words of that language removed, a word must occur in at least two of the cluster's items) and
   the three items nearest its centroid as representatives.

Domain module: no Streamlit, no database.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from voc.themes.text import normalise, stop_words, words

if TYPE_CHECKING:
    from numpy.typing import NDArray

SEED: Final = 20260
MAX_MICRO_CLUSTERS: Final = 200
FIT_SAMPLE: Final = 20_000
SEEDING_SAMPLE: Final = 4_000
CENTRE_MIN_ITEMS: Final = 50
MIN_PROPOSAL_SIZE: Final = 4
KEYWORDS: Final = 5
REPRESENTATIVES: Final = 3


@dataclass(frozen=True)
class Cluster:
    """A discovered group of items (indices into the input), with its label and representatives."""

    members: tuple[int, ...]
    language: str
    keywords: tuple[str, ...]
    representatives: tuple[int, ...]
    cohesion: float  # mean cosine of the members to their centroid
    headline: str = ""  # the most central text, shortened: the label when no word stands out
    languages: tuple[str, ...] = ()  # its members' languages, most first (`cluster_languages`)

    @property
    def stored_languages(self) -> str:
        """Its languages as a proposal keeps them ("it,de,en,+"; `naming.languages_name` reads them)."""
        return ",".join(self.languages or (self.language,))

    @property
    def label(self) -> str:
        return ", ".join(self.keywords[:3]) if self.keywords else self.headline or "(no distinctive words)"

    @property
    def size(self) -> int:
        return len(self.members)


def proposal_id(keys: Sequence[str]) -> str:
    """A deterministic id from the members' keys (item ids, or texts for a file)."""
    digest = hashlib.sha1("\n".join(sorted(keys)).encode("utf-8")).hexdigest()
    return f"p-{digest[:10]}"


@dataclass(frozen=True)
class LanguageMeans:
    """Each language's vector sum and item count over a window of its stored items.

    A mean over the language's stored history, not over the pool in hand: five Italian posts about
    one outage have that outage as their mean, and subtracting it would erase the topic they share
    with the English posts about it. A language with fewer than `CENTRE_MIN_ITEMS` stored items is
    centred on the mean of all the windows instead (the direction every text shares, whatever its
    language), so that every vector is centred alike.
    """

    sums: Mapping[str, NDArray[np.float32]]
    counts: Mapping[str, int]

    @classmethod
    def of(cls, vectors: NDArray[np.float32], languages: Sequence[str]) -> LanguageMeans:
        """The means of the vectors in hand (when there is no stored history, e.g. a file)."""
        codes = np.asarray(languages, dtype=object)
        sums = {language: vectors[codes == language].sum(axis=0) for language in set(languages)}
        return cls(sums, dict(Counter(languages)))

    def mean(self, language: str) -> NDArray[np.float32] | None:
        """The language's own mean with ≥ `CENTRE_MIN_ITEMS` items, else the mean of all the windows;
        None when all the windows together hold fewer than `CENTRE_MIN_ITEMS` (too little to estimate)."""
        count = self.counts.get(language, 0)
        if count >= CENTRE_MIN_ITEMS:
            return (np.asarray(self.sums[language], dtype=np.float64) / count).astype(np.float32)
        total = sum(self.counts.values())
        if total < CENTRE_MIN_ITEMS:
            return None
        overall = np.sum([np.asarray(v, dtype=np.float64) for v in self.sums.values()], axis=0) / total
        return overall.astype(np.float32)


def centre_by_language(
    vectors: NDArray[np.float32], languages: Sequence[str], means: LanguageMeans | None = None
) -> NDArray[np.float32]:
    """Every vector minus its language's mean (`LanguageMeans.mean`), renormalised.

    Every language is centred, one language alone included, or none is: centring some languages
    and not others puts the two kinds apart, which measured worse than centring none
    (bench/themes_vectors.py --centring). `means` defaults to the vectors in hand.
    """
    means = means if means is not None else LanguageMeans.of(vectors, languages)
    codes = np.asarray(languages, dtype=object)
    centred = vectors.astype(np.float32, copy=True)
    for language in sorted(set(languages)):
        mean = means.mean(language)
        if mean is None:
            return vectors
        centred[codes == language] -= mean
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return centred / norms


def cluster_labels(
    vectors: NDArray[np.float32],
    languages: Sequence[str] | None = None,
    *,
    means: LanguageMeans | None = None,
    seed: int = SEED,
    min_size: int | None = None,
) -> NDArray[np.int64]:
    """A cluster number for every row, the number of clusters chosen automatically (steps 1–3).

    Items of clusters smaller than `min_size` then join the nearest larger cluster when they are as
    close to its centre as its farthest member, so stragglers of a theme are
    not left out; the rest stay in their small clusters.
    """
    n = vectors.shape[0]
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    centred = centre_by_language(vectors, languages, means) if languages is not None else vectors
    # Identical vectors (retweets, copy-pasted complaints) are clustered once, weighted by their
    # count: otherwise a pile of duplicates looks like the tightest theme there is.
    data, first, inverse, weights = _distinct(centred)
    if data.shape[0] < 2:
        return np.zeros(n, dtype=np.int64)
    labels = _cluster_distinct(data, weights, seed)
    full = labels[inverse]
    return _attach_stragglers(centred, full, min_size or default_min_size(n))


def _distinct(
    vectors: NDArray[np.float32],
) -> tuple[NDArray[np.float32], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    keys = np.empty(vectors.shape[0], dtype=np.uint64)
    for start in range(0, vectors.shape[0], 8192):  # a hash per row, without copying all the vectors
        block = np.round(vectors[start : start + 8192], 5)
        keys[start : start + len(block)] = [
            int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=8).digest(), "little") for row in block
        ]
    _, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(first, kind="stable")  # keep the input order: same data, same result
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return vectors[first[order]], first[order], rank[inverse.ravel()], counts[order].astype(np.float64)


def _cluster_distinct(data: NDArray[np.float32], weights: NDArray[np.float64], seed: int) -> NDArray[np.int64]:
    from sklearn.cluster import AgglomerativeClustering, KMeans, kmeans_plusplus
    from threadpoolctl import threadpool_limits

    n = data.shape[0]
    k0 = int(min(MAX_MICRO_CLUSTERS, max(2, round(2 * math.sqrt(n))), n))
    with threadpool_limits(1):
        sample = data
        if n > FIT_SAMPLE:
            picked = np.sort(np.random.default_rng(seed).choice(n, FIT_SAMPLE, replace=False))
            sample = data[picked]
        # k-means++ seeding on a small seeded subsample: the full-data seeding costs more than
        # the fit itself at k₀ = 200, for no measurable gain.
        rng = np.random.default_rng(seed)
        seeding = (
            sample
            if len(sample) <= SEEDING_SAMPLE
            else sample[np.sort(rng.choice(len(sample), SEEDING_SAMPLE, replace=False))]
        )
        init, _ = kmeans_plusplus(seeding, k0, random_state=seed)
        model = KMeans(n_clusters=k0, init=init, n_init=1, random_state=seed, max_iter=100).fit(
            sample, sample_weight=weights if n <= FIT_SAMPLE else weights[picked]
        )
        micro = model.labels_ if n <= FIT_SAMPLE else _nearest(data, model.cluster_centers_)
        sums = np.zeros((k0, data.shape[1]), dtype=np.float64)
        np.add.at(sums, micro, data)
        counts = np.bincount(micro, minlength=k0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        centres = (sums / norms).astype(np.float32)
        used = np.unique(micro)
        if len(used) < 2:
            return np.zeros(n, dtype=np.int64)
        # How close each item is to the rest of its micro-cluster (itself left out, so small
        # clusters do not look tighter than they are).
        own = _leave_one_out_similarity(data, micro, sums.astype(np.float32), counts)
        threshold = max(0.05, 1.0 - float(np.median(own))) if own.size else 0.5
        merged = AgglomerativeClustering(
            n_clusters=None, distance_threshold=threshold, metric="cosine", linkage="average"
        ).fit(centres[used])
    remap = np.zeros(k0, dtype=np.int64)
    remap[used] = merged.labels_
    return remap[micro]


def default_min_size(n: int) -> int:
    """The smallest cluster worth a person's time: ¼·√n items (25 of 10k, 5 of 400), at least `MIN_PROPOSAL_SIZE`.

    It grows slower than the pool on purpose: a hundred customers saying the same new thing is a
    theme whether the pool holds a thousand items or a hundred thousand.
    """
    return max(MIN_PROPOSAL_SIZE, math.ceil(math.sqrt(n) / 4))


def _attach_stragglers(data: NDArray[np.float32], labels: NDArray[np.int64], min_size: int) -> NDArray[np.int64]:
    sizes = np.bincount(labels)
    big = np.flatnonzero(sizes >= min_size)
    small_rows = np.flatnonzero(sizes[labels] < min_size)
    if len(big) == 0 or len(small_rows) == 0:
        return labels
    centres = np.vstack([data[labels == c].mean(axis=0) for c in big]).astype(np.float32)
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    floors = np.array([(data[labels == c] @ centres[i]).min() for i, c in enumerate(big)], dtype=np.float32)
    sims = data[small_rows] @ centres.T
    best = sims.argmax(axis=1)
    close = sims[np.arange(len(small_rows)), best] >= floors[best]
    out = labels.copy()
    out[small_rows[close]] = big[best[close]]
    _, compact = np.unique(out, return_inverse=True)
    return compact.astype(np.int64)


def _leave_one_out_similarity(
    data: NDArray[np.float32],
    micro: NDArray[np.int64],
    sums: NDArray[np.float32],
    counts: NDArray[np.int64],
    chunk: int = 8192,
) -> NDArray[np.float32]:
    """Each item's cosine to the mean of the rest of its micro-cluster (items alone in theirs skipped)."""
    out = []
    for start in range(0, data.shape[0], chunk):
        rows, labels = data[start : start + chunk], micro[start : start + chunk]
        keep = counts[labels] >= 2
        rest = sums[labels[keep]] - rows[keep]
        out.append(np.einsum("ij,ij->i", rows[keep], rest) / np.maximum(np.linalg.norm(rest, axis=1), 1e-9))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


def _nearest(data: NDArray[np.float32], centres: NDArray[np.float64], chunk: int = 8192) -> NDArray[np.int64]:
    centres32 = centres.astype(np.float32)
    out = np.empty(data.shape[0], dtype=np.int64)
    for start in range(0, data.shape[0], chunk):
        out[start : start + chunk] = np.argmax(data[start : start + chunk] @ centres32.T, axis=1)
    return out


def discover(
    texts: Sequence[str],
    vectors: NDArray[np.float32],
    languages: Sequence[str],
    *,
    means: LanguageMeans | None = None,
    min_size: int | None = None,
    seed: int = SEED,
) -> list[Cluster]:
    """Proposal-sized clusters of `texts`, largest first (ties: earliest first member)."""
    n = len(texts)
    if n == 0:
        return []
    size = min_size or default_min_size(n)
    labels = cluster_labels(vectors, languages, means=means, seed=seed, min_size=size)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(index)
    ordered = sorted(groups.values(), key=lambda members: (-len(members), members[0]))
    tokens = [_label_words(text) for text in texts]
    clusters = []
    cluster_words = [Counter(w for i in members for w in set(tokens[i])) for members in ordered]
    document_frequency: Counter[str] = Counter()
    for counts in cluster_words:
        document_frequency.update(counts)
    average = sum(sum(c.values()) for c in cluster_words) / max(1, len(cluster_words))
    for members in ordered:
        if len(members) < size:
            continue
        spoken = Counter(languages[i] for i in members).most_common()
        language = spoken[0][0]
        in_language = [i for i in members if languages[i] == language]
        keywords = _keywords(
            in_language if len(in_language) >= 3 else members, tokens, language, document_frequency, average
        )
        if len(keywords) < 2:  # a mixed-language cluster: its words across languages say more
            keywords = _keywords(members, tokens, "*", document_frequency, average)
        centre = vectors[members].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)
        similarity = vectors[members] @ centre
        representatives: list[int] = []
        seen: set[str] = set()
        for position in np.argsort(-similarity, kind="stable").tolist():
            key = " ".join(tokens[members[position]]) or normalise(texts[members[position]])
            if key in seen:
                continue
            seen.add(key)
            representatives.append(members[position])
            if len(representatives) == REPRESENTATIVES:
                break
        clusters.append(
            Cluster(
                tuple(members),
                language,
                keywords,
                tuple(representatives),
                float(similarity.mean()),
                _headline(texts[representatives[0]]),
                cluster_languages(spoken),
            )
        )
    return clusters


def cluster_languages(spoken: Sequence[tuple[str, int]]) -> tuple[str, ...]:
    """The languages a cluster is written in, most first: the first three, and "+" when it has more.
    A cross-lingual cluster of 3 Italian, 3 German and 2 English posts was shown as "Italian" beside
    German and English examples; one of six posts in six languages as "English" alone."""
    listed = tuple(language for language, _ in spoken[:3])
    return listed + (("+",) if len(spoken) > 3 else ())


def _headline(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _label_words(text: str) -> list[str]:
    tokens = [w for w in words(text) if len(w) > 2 and not w.isdigit()]
    bigrams = [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    return tokens + bigrams


def _keywords(
    members: list[int], tokens: list[list[str]], language: str, document_frequency: Counter[str], average: float
) -> tuple[str, ...]:
    stops = stop_words(language)
    counts: Counter[str] = Counter()
    for i in members:
        counts.update(set(tokens[i]))
    total = sum(counts.values()) or 1
    floor = max(2, math.ceil(0.1 * len(members)))
    scored = []
    for term, count in counts.items():
        parts = term.split()
        if count < floor or any(part in stops for part in parts):
            continue
        idf = math.log(1 + average / document_frequency[term])
        scored.append((count / total * idf, term))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    chosen: list[str] = []
    for _, term in scored:
        term_words = set(term.split())
        if any(term_words & set(other.split()) for other in chosen):
            continue  # "card pin" after "pin": one reading per word
        chosen.append(term)
        if len(chosen) == KEYWORDS:
            break
    return tuple(chosen)
