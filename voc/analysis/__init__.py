"""Text analysis applied to every item before storage: redaction (with `pii/`), language,
embeddings, and the pipeline that runs them and the workspace's sentiment scorer in one pass.

It owns no data of its own and must not know about the inbox, the sources or the UI; the
sentiment scorers themselves live in `voc.sentiment`. Domain package: it must never import
Streamlit. The heavy pieces (fastText model, the sentence-embedding model) load lazily on first
use. The package imports nothing itself, so `voc.sentiment` can use `embeddings` and `redaction`
while the pipeline uses the sentiment scorers, without an import cycle.
"""
