"""Pipeline throughput: voc's analyse_many against the design card's naive stack, same run.

The naive baseline is a per-item loop of langdetect.detect (seeded, errors caught) plus one
shared VADER analyzer's polarity_scores: fair, but unredacted and uncached. Texts are the demo
scenario (listeners/demo/scenario.jsonl, field "text") repeated to --n items, or a small
built-in multilingual list when the scenario is absent. Figures are printed, never asserted.

    python bench/pipeline.py [--n 20000]
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Iterable
from typing import Any

from _common import REPO, timed

from voc.analysis.pipeline import analyse, analyse_many

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


def main() -> None:
    parser = argparse.ArgumentParser(description="Pipeline throughput vs the naive stack.")
    parser.add_argument("--n", type=int, default=20_000, help="items to analyse (default 20,000)")
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
