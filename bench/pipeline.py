"""Pipeline throughput: voc's analyse_many against the design card's naive stack, same run.

The naive baseline is a per-item loop of langdetect.detect (seeded, errors caught) plus one
shared VADER analyzer's polarity_scores: fair, but unredacted and uncached. Texts are the demo
scenario (listeners/demo/scenario.jsonl, field "text") repeated to --n items, or a small
built-in multilingual list when the scenario is absent.

A second table is the issue #21 figure: --distinct real, distinct texts (the UMSAB tweets of
../shared/data/sentiment-dev, then CLINC150 requests; skipped where the data is absent), the naive
loop against `analyse_many` in one process and with worker processes (`default_workers()`, one
BLAS thread each), wall time and CPU time per text (this process and its workers).
Figures are printed, never asserted.

    python bench/pipeline.py [--n 20000] [--distinct 4000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import time
from collections.abc import Iterable
from typing import Any

from _common import REPO, shared_data_dir, timed

from voc.analysis.embeddings import pin_blas_threads
from voc.analysis.pipeline import analyse, analyse_many, default_workers

SCENARIO = REPO / "listeners" / "demo" / "scenario.jsonl"
BUILT_IN = [
    "My order #48213 arrived two weeks late and support never answered. Terrible service 😡",
    "Love the new app update, checkout is so much faster now! 😍",
    "Call me back on +44 7700 900123 please, still waiting for my refund",
    "El pedido llegó roto y nadie responde. Muy decepcionado.",
    "Livraison rapide, produit conforme. Merci !",
    "Die App stürzt bei jedem Login ab. Bitte beheben.",
    "Consegna puntuale, ottimo servizio clienti.",
    "Atendimento péssimo, fiquei uma hora esperando.",
    "@acme_help my card 4111 1111 1111 1111 was charged twice, email me at jo@example.com",
    "https://x.com/acme/status/1861234567890123456 not good, not good at all",
    "ok",
    "😂😂😂",
]


def load_texts(n: int) -> tuple[list[str], str]:
    """`n` texts from the demo scenario (cycled), or from the built-in list."""
    source = "built-in list"
    texts: list[str] = []
    if SCENARIO.is_file():
        for line in SCENARIO.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line).get("text")
                if isinstance(text, str):
                    texts.append(text)
        source = f"{SCENARIO.relative_to(REPO)} ({len(texts)} texts)"
    if not texts:
        texts = BUILT_IN
    return list(itertools.islice(itertools.cycle(texts), n)), source


def naive_stack(texts: Iterable[str], analyzer: Any) -> list[tuple[str, float]]:
    """The card's stack: langdetect per item and VADER polarity_scores, one analyzer."""
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    out = []
    for text in texts:
        try:
            language = detect(text)
        except LangDetectException:
            language = "und"
        out.append((language, analyzer.polarity_scores(text)["compound"]))
    return out


def distinct_real_texts(n: int) -> list[str]:
    """Up to `n` distinct real texts: the tweets of sentiment-dev, then CLINC150's requests."""
    data = shared_data_dir()
    texts: dict[str, None] = {}
    for path in sorted((data / "sentiment-dev").glob("*/text.txt")):
        texts.update(dict.fromkeys(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()))
    clinc = data / "themes-dev" / "clinc150.jsonl"
    if clinc.is_file():
        for line in clinc.read_text(encoding="utf-8").splitlines():
            if len(texts) >= n:
                break
            texts[json.loads(line)["text"]] = None
    return list(texts)[:n]


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def distinct_table(n: int, analyzer: Any) -> None:
    texts = distinct_real_texts(n)
    if not texts:
        print("\nSKIPPED distinct real texts: ../shared/data is absent (set VOC_SHARED_DATA)")
        return
    workers = default_workers()
    print(f"\n{len(texts):,} distinct real texts (sentiment-dev tweets, then CLINC150); workers: {workers}\n")
    stacks = {
        "naive: langdetect + VADER per item": lambda: naive_stack(texts, analyzer),
        "voc analyse_many, one process": lambda: list(analyse_many(texts)),
        f"voc analyse_many, {workers} worker processes": lambda: list(analyse_many(texts, workers=workers)),
    }
    print("| stack | items/s | vs naive | CPU ms per text |")
    print("|---|---|---|---|")
    naive = 0.0
    for name, run in stacks.items():
        cpu, wall = _cpu_seconds(), time.perf_counter()
        run()
        wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
        rate = len(texts) / wall
        naive = naive or rate
        print(f"| {name} | {rate:,.0f} | {rate / naive:.2f}x | {1000 * cpu / len(texts):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description="Pipeline throughput vs the naive stack.")
    parser.add_argument("--n", type=int, default=20_000, help="items to analyse (default 20,000)")
    parser.add_argument("--distinct", type=int, default=4_000, help="distinct real texts (default 4,000; 0: skip)")
    args = parser.parse_args()
    pin_blas_threads()  # as `python -m voc analyse` does
    texts, source = load_texts(args.n)
    distinct = len(set(texts))
    print(f"{len(texts):,} items from {source}; {distinct:,} distinct\n")

    # Warm-up outside the timings: model and lexicon loading are start-up cost, not throughput.
    from vaderSentiment.vaderSentiment import (
        SentimentIntensityAnalyzer,
    )

    analyzer = SentimentIntensityAnalyzer()
    naive_stack(texts[:10], analyzer)
    list(analyse_many(texts[:10]))

    results: dict[str, float] = {}
    _, results["naive: langdetect + VADER per item"] = timed(lambda ts: naive_stack(ts, analyzer), texts)
    _, results["voc analyse() per item (no repeat cache)"] = timed(lambda ts: [analyse(t) for t in ts], texts)
    _, results["voc analyse_many (repeat cache)"] = timed(lambda ts: list(analyse_many(ts)), texts)
    # Unique texts defeat the repeat cache: what a file without duplicates costs.
    unique = [f"{t} #{i}" for i, t in enumerate(texts)]  # "#n" is no card, phone or word
    _, results["voc analyse_many, all texts made unique"] = timed(lambda ts: list(analyse_many(ts)), unique)

    naive = len(texts) / results["naive: langdetect + VADER per item"]
    print("| stack | items/s | vs naive |")
    print("|---|---|---|")
    for name, seconds in results.items():
        rate = len(texts) / seconds
        print(f"| {name} | {rate:,.0f} | {rate / naive:.1f}x |")
    print("\nvoc's stack also redacts every item; the naive stack does not.")
    if args.distinct:
        distinct_table(args.distinct, analyzer)


if __name__ == "__main__":
    main()
