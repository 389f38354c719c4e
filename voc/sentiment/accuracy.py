"""How accurate the active sentiment model is on real posts: the figure the Settings page shows.

Never the score on the examples a model was trained on (the built-in model's cross-validation on
the team-written set said 93 macro-F1 while real tweets gave 54). In order:

1. the workspace's own held-back labels (a fifth of its corrections and imported labels, never
   trained on), when the active model was retrained with at least `MIN_HELD_BACK` of them;
2. otherwise the figures measured on real tweets for the shipped model (`measured.json`, written by
   `python bench/sentiment.py --record` from 2,592 human-labelled tweets in 8 languages that nothing
   was trained or tuned on), or for the shipped model a workspace model was built on.

Domain module: no Streamlit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from voc.sentiment import precise
from voc.sentiment.learned import LearnedModel

MEASURED_FILE: Final = "measured.json"
MIN_HELD_BACK: Final = 50  # as in training: fewer held-back labels say little


@dataclass(frozen=True)
class RealAccuracy:
    """Per-language macro-F1 and negative recall/precision on real posts, and where they come from."""

    source: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    overall: dict[str, Any] | None = None


def measured_figures() -> dict[str, Any]:
    """The shipped models' figures on real tweets, by model version (empty when not recorded)."""
    blob = precise.read_bytes(MEASURED_FILE)
    return json.loads(blob.decode("utf-8")) if blob else {}


def real_accuracy(model: LearnedModel | None, *, shipped: dict[str, Any] | None = None) -> RealAccuracy | None:
    """The active model's accuracy on real posts (see the module docstring); None when unknown."""
    if model is None:
        return None
    held_back = int(model.metrics.get("labels", {}).get("held_back", 0))
    if str(model.metrics.get("method", "")).startswith("held-back") and held_back >= MIN_HELD_BACK:
        rows = [
            {"language": language, **entry["learned"]}
            for language, entry in sorted(model.metrics.get("languages", {}).items())
            if entry.get("learned") and language != "all"
        ]
        overall = (model.metrics.get("languages", {}).get("all") or {}).get("learned")
        return RealAccuracy(f"{held_back:,} held-back labels of this workspace (never trained on)", rows, overall)
    figures = measured_figures() if shipped is None else shipped
    entry = figures.get(model.version)
    note = ""
    if entry is None:  # a workspace model with too few held-back labels: its base model's figures
        base = "precise" if model.spec.embedding_model.startswith("multilingual-e5") else "builtin"
        entry = next((v for k, v in figures.items() if k.startswith(f"{base}-")), None)
        note = f"; this workspace has fewer than {MIN_HELD_BACK} held-back labels, so these are the shipped model's"
    if entry is None:
        return None
    return RealAccuracy(f"{entry['source']}{note}", list(entry["languages"]), entry.get("overall"))
