"""Write an e5 cache (`precise.cached_embedder`'s file) for the precise training set from the shipped
`precise-base.npz`, so `python -m voc sentiment train --precise --e5-cache F` retrains in minutes
instead of embedding 13,500 texts again (15-25 minutes idle, hours on a loaded machine).

The base set's rows are the training set's rows in order (AfriSenti, then the team set; no source
left out), which is checked on the labels and origins before anything is written. The vectors are
the base set's int8 ones, dequantised: a retrain from them reproduces the shipped cross-validation
to 0.1-0.2 points (docs/sentiment.md).

    python bench/precise_base_cache.py OUT.npz [--afrisenti DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from _common import shared_data_dir, skip

from voc.sentiment import precise
from voc.sentiment.training import precise_training_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--afrisenti", type=Path, default=None)
    args = parser.parse_args()
    blob = precise.read_bytes(precise.PRECISE_BASE)
    if blob is None:
        skip("precise-base.npz is missing")
    vectors, labels, _, origins = precise.base_from_bytes(blob)[:4]
    examples = precise_training_set(args.afrisenti or shared_data_dir() / "afrisenti")
    if [e.label for e in examples] != labels or [e.origin for e in examples] != origins:
        skip("the training texts do not line up with precise-base.npz")
    texts = [e.text for e in examples]
    first = {text: n for n, text in reversed(list(enumerate(texts)))}  # a repeated text: its first row
    unique = list(first)
    np.savez(args.out, texts=np.array(unique, dtype=str), vectors=vectors[[first[t] for t in unique]])
    print(f"{len(unique)} distinct texts of {len(texts)} written to {args.out}")


if __name__ == "__main__":
    main()
