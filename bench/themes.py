"""Themes: discovery quality, speed and memory, assignment speed, determinism — against TF-IDF + k-means.

Measured on ../shared/data/themes-dev/clinc150.jsonl (150 intents, 22,500 English requests; used
for measuring only, never for fitting anything that ships). Each case runs in its own process so
its peak memory (max RSS) is its own. Figures are printed, never asserted.

    python bench/themes.py [--quick]

Cases:
- quality: NMI / ARI / purity against the intents for our discovery (USE-m3 vectors, number of
  clusters chosen automatically), for TF-IDF (char 2–5) + our automatic k, and the references at
  k = 150 (the gold count, which a product never knows): USE + k-means and TF-IDF + k-means.
- speed: discovery of 10k and 100k items from stored vectors (and 10k from raw text, embedding
  included), TF-IDF + k-means on the same texts; wall time and peak RSS.
- assignment: items per second through rules + semantic similarity, embedding included or not.
- determinism: discovery twice on the same 10k items gives identical clusters.
- thresholds: the starter set's own examples, leave-one-out (how the assignment thresholds were set).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from _common import REPO, shared_data_dir, skip

DATA = shared_data_dir() / "themes-dev" / "clinc150.jsonl"
CACHE = Path(tempfile.gettempdir()) / "voc-bench-themes"  # outside the repo: derived from the dev set


def load() -> tuple[list[str], list[str]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def vectors(texts: list[str], name: str) -> np.ndarray:
    """USE-m3 vectors, cached between runs in the system temp folder (never in the repo)."""
    from voc.analysis import embeddings

    path = CACHE / f"{name}-{embeddings.model_name().replace('/', '_')}.npy"
    if path.is_file():
        cached = np.load(path)
        if cached.shape[0] == len(texts):
            return cached
    CACHE.mkdir(exist_ok=True)
    out = embeddings.embed(texts)
    np.save(path, out)
    return out


def scores(gold: list[str], labels: Any) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    groups: dict[int, Counter[str]] = {}
    for g, label in zip(gold, list(labels), strict=True):
        groups.setdefault(int(label), Counter())[g] += 1
    purity = sum(c.most_common(1)[0][1] for c in groups.values()) / len(gold)
    return {
        "k": len(groups),
        "nmi": round(normalized_mutual_info_score(gold, labels), 3),
        "ari": round(adjusted_rand_score(gold, labels), 3),
        "purity": round(purity, 3),
    }


def tfidf(texts: list[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2).fit_transform(texts)


def kmeans(matrix: Any, k: int) -> Any:
    from sklearn.cluster import MiniBatchKMeans
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return MiniBatchKMeans(k, n_init=3, random_state=0, batch_size=4096).fit_predict(matrix)


def perturbed(texts: list[str], n: int) -> list[str]:
    """`n` texts: the originals, then copies with one random word dropped (seeded)."""
    rng = np.random.default_rng(0)
    out = list(texts)
    while len(out) < n:
        words = texts[int(rng.integers(len(texts)))].split()
        if len(words) > 2:
            del words[int(rng.integers(len(words)))]
        out.append(" ".join(words))
    return out[:n]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- cases (each in its own process) --------------------------------------------------------------


def case_quality() -> dict[str, Any]:
    from voc.themes.discovery import cluster_labels

    texts, gold = load()
    use = vectors(texts, "clinc150")
    char = tfidf(texts)
    from sklearn.decomposition import TruncatedSVD

    lsa = TruncatedSVD(200, random_state=0).fit_transform(char)
    lsa = (lsa / np.maximum(np.linalg.norm(lsa, axis=1, keepdims=True), 1e-9)).astype(np.float32)
    k = len(set(gold))
    return {
        "ours: USE-m3 + automatic k": scores(gold, cluster_labels(use, ["en"] * len(texts))),
        "TF-IDF char (SVD 200) + our automatic k": scores(gold, cluster_labels(lsa, ["en"] * len(texts))),
        "reference: USE-m3 + k-means, k = gold": scores(gold, kmeans(use, k)),
        "baseline: TF-IDF char + k-means, k = gold": scores(gold, kmeans(char, k)),
    }


def case_discover(n: int, raw: bool) -> dict[str, Any]:
    from voc.analysis.embeddings import embed
    from voc.themes.discovery import discover

    texts, _ = load()
    texts = perturbed(texts, n)
    base = vectors(texts, f"clinc-{n}") if not raw else None
    started = time.perf_counter()
    matrix = embed(texts) if raw else base
    assert matrix is not None
    embedded = time.perf_counter() - started
    found = discover(texts, matrix, ["en"] * n)
    return {
        "n": n,
        "seconds": round(time.perf_counter() - started, 1),
        "embedding_s": round(embedded, 1),
        "proposals": len(found),
        "covered": sum(c.size for c in found),
        "peak_mb": round(peak_mb()),
    }


def case_tfidf(n: int) -> dict[str, Any]:
    texts, _ = load()
    texts = perturbed(texts, n)
    started = time.perf_counter()
    kmeans(tfidf(texts), 150)
    return {"n": n, "seconds": round(time.perf_counter() - started, 1), "peak_mb": round(peak_mb())}


def case_assign(n: int) -> dict[str, Any]:
    from voc.analysis.embeddings import embed
    from voc.themes.service import build_assigner
    from voc.themes.starter import starter_themes
    from voc.themes.taxonomy import Taxonomy

    texts, _ = load()
    texts = perturbed(texts, n)
    assigner = build_assigner(None, Taxonomy(1, starter_themes()))
    embed(texts[:10])  # the model is loaded once per process, not per item
    started = time.perf_counter()
    matrix = embed(texts)
    results = assigner.assign(texts, ["en"] * n, matrix)
    with_embedding = time.perf_counter() - started
    started = time.perf_counter()
    assigner.assign(texts, ["en"] * n, matrix)
    stored = time.perf_counter() - started
    started = time.perf_counter()
    assigner.assign(texts, ["en"] * n, None)
    rules = time.perf_counter() - started
    return {
        "n": n,
        "items_per_s_embedding_included": round(n / with_embedding),
        "items_per_s_stored_vectors": round(n / stored),
        "items_per_s_rules_only": round(n / rules),
        "themed_share": round(sum(1 for r in results if r) / n, 3),
    }


def case_determinism() -> dict[str, Any]:
    from voc.themes.discovery import discover

    texts, _ = load()
    texts = texts[:10_000]
    matrix = vectors(perturbed(texts, 10_000), "clinc-10000")
    first = discover(texts, matrix, ["en"] * len(texts))
    second = discover(list(texts), matrix.copy(), ["en"] * len(texts))
    return {"identical": first == second, "proposals": len(first)}


def case_thresholds() -> dict[str, Any]:
    from voc.analysis.embeddings import embed
    from voc.themes.assign import EXAMPLE_THRESHOLD
    from voc.themes.starter import starter_themes

    themes = starter_themes()
    top = {t.id: t.parent_id or t.id for t in themes}
    pairs = [(top[t.id], e.text) for t in themes for e in t.examples]
    matrix = embed([text for _, text in pairs])
    labels = np.array([label for label, _ in pairs])
    sims = matrix @ matrix.T
    np.fill_diagonal(sims, -1)
    same = np.array([sims[i][labels == labels[i]].max() for i in range(len(pairs))])
    other = np.array([sims[i][labels != labels[i]].max() for i in range(len(pairs))])
    return {
        "examples": len(pairs),
        "threshold": EXAMPLE_THRESHOLD,
        "found_by_own_theme": round(float(((same >= EXAMPLE_THRESHOLD) & (same > other)).mean()), 2),
        "another_theme_clears_it": round(float((other >= EXAMPLE_THRESHOLD).mean()), 2),
    }


CASES = {
    "quality": case_quality,
    "discover-10k": lambda: case_discover(10_000, raw=False),
    "discover-10k-from-text": lambda: case_discover(10_000, raw=True),
    "discover-100k": lambda: case_discover(100_000, raw=False),
    "tfidf-kmeans-10k": lambda: case_tfidf(10_000),
    "tfidf-kmeans-100k": lambda: case_tfidf(100_000),
    "assign-5k": lambda: case_assign(5_000),
    "determinism": case_determinism,
    "thresholds": case_thresholds,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=list(CASES), help="run one case in this process (used internally)")
    parser.add_argument("--quick", action="store_true", help="skip the 100k cases")
    args = parser.parse_args()
    if not DATA.is_file():
        skip(f"{DATA} not found")
    if args.case:
        print(json.dumps(CASES[args.case]()))
        return
    for name in CASES:
        if args.quick and "100k" in name:
            continue
        result = subprocess.run([sys.executable, __file__, "--case", name], capture_output=True, text=True, cwd=REPO)
        lines = result.stdout.strip().splitlines()
        if result.returncode or not lines:
            print(f"{name}: FAILED\n{result.stderr[-2000:]}")
            continue
        print(f"{name}: {json.dumps(json.loads(lines[-1]), indent=1)}", flush=True)


if __name__ == "__main__":
    main()
