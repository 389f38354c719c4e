"""Themes: a curated, id-stable taxonomy; streaming assignment; discovery that only proposes.

- `taxonomy`, `starter`: themes with stable ids, two levels, owners, rules, examples; the starter set.
- `rules`: per-language keyword rules (any / all / none, wildcards, misspellings).
- `assign`: rules first, then similarity to examples and members (multilingual embeddings).
- `discovery`: clusters with an automatic number of clusters, labels, representatives.
- `repository`, `service`, `worker`: the database side, edits and proposals, the listener step.
- `reports`, `queries`: coverage, per-theme trends, exports, the theme filter for Trends.
- `cli`: `python -m voc themes discover FILE` and the themes in `python -m voc analyse`.

Domain package: no Streamlit. See docs/themes.md.
"""
