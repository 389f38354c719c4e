"""Optional transformer scorer: `cardiffnlp/twitter-xlm-roberta-base-sentiment` through `transformers`.

Used only when the extra is installed (`pip install -r requirements-transformers.txt`) *and* the
model is on disk: in `<data dir>/models/twitter-xlm-roberta-base-sentiment/` (a
`save_pretrained` folder) or in the Hugging Face cache. Nothing is downloaded at run time unless
`VOC_TRANSFORMER_DOWNLOAD=1` is set, because users' laptops may be offline and a silent 1 GB
download is no default. The published model scores about 69 macro-F1 on the benchmark the team
measures on (docs/sentiment.md), against about 50 for the built-in model, but costs torch
(about 700 MB installed) and runs at tens of texts per second on a laptop CPU.

The label names come from the model's own `config.id2label` (cardiffnlp's are negative, neutral,
positive; `LABEL_0..2` is read in that order). Reasons still come from the lexicon rules, so the
inbox shows why whichever scorer decided.

Domain module: no Streamlit import; `transformers` and `torch` are imported only when used.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from voc.sentiment.lexicon import analyse_lexicon
from voc.sentiment.scoring import Sentiment, SentimentLabel, VaderScorer
from voc.settings import configuration

MODEL_ID: Final = "cardiffnlp/twitter-xlm-roberta-base-sentiment"
FOLDER_NAME: Final = "twitter-xlm-roberta-base-sentiment"
MAX_LENGTH: Final = 128
BATCH: Final = 16
_ORDER: Final = ("negative", "neutral", "positive")


def transformers_installed() -> bool:
    """True when the optional extra (transformers and torch) is importable."""
    return importlib.util.find_spec("transformers") is not None and importlib.util.find_spec("torch") is not None


def find_model(data_dir: Path) -> str | None:
    """Where the model can be loaded from without a download, or None."""
    local = data_dir / "models" / FOLDER_NAME
    if (local / "config.json").is_file():
        return str(local)
    if not transformers_installed():
        return None
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(MODEL_ID, "config.json")
        if isinstance(cached, str):
            return MODEL_ID
    except Exception:
        return None
    if configuration().get("VOC_TRANSFORMER_DOWNLOAD") == "1":
        return MODEL_ID
    return None


class TransformerScorer:
    """A sequence-classification transformer as a `SentimentScorer` (batched, CPU, no grad)."""

    def __init__(self, location: str, *, threads: int = 1) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        offline = configuration().get("VOC_TRANSFORMER_DOWNLOAD") != "1"
        torch.set_num_threads(threads)
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(location, local_files_only=offline)
        self.model = AutoModelForSequenceClassification.from_pretrained(location, local_files_only=offline)
        self.model.eval()
        self.labels = _label_order(dict(self.model.config.id2label))
        name = getattr(self.model.config, "_name_or_path", "") or location
        self.name = f"transformer-{Path(str(name)).name}"[:80]
        self._vader = VaderScorer()

    @property
    def wants_embeddings(self) -> bool:
        return False

    def score(self, text: str, language: str) -> Sentiment:
        return self.score_many([text], [language])[0]

    def score_many(self, texts: Sequence[str], languages: Sequence[str], embeddings: Any = None) -> list[Sentiment]:
        """Score texts in batches of `BATCH` (embeddings are not used by this scorer)."""
        results: list[Sentiment] = []
        for start in range(0, len(texts), BATCH):
            chunk = [t if t.strip() else " " for t in texts[start : start + BATCH]]
            encoded = self.tokenizer(chunk, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
            with self._torch.no_grad():
                logits = self.model(**encoded).logits
            proba = self._torch.softmax(logits, dim=-1).tolist()
            for text, language, row in zip(chunk, languages[start : start + BATCH], proba, strict=True):
                results.append(self._sentiment(text, language, row))
        return results

    def _sentiment(self, text: str, language: str, row: list[float]) -> Sentiment:
        by_label = {label: row[index] for index, label in self.labels.items()}
        best = max(by_label, key=lambda label: by_label[label])
        label = SentimentLabel(best)
        confidence = max(0.0, min(1.0, (by_label[best] - 1 / 3) * 1.5))
        if label is SentimentLabel.NEUTRAL or not text.strip():
            reasons: tuple[str, ...] = ()
        elif language == "en":
            vader = self._vader.score(text, language)
            reasons = vader.reasons if vader.label is label else ()
        else:
            features = analyse_lexicon(text, language)
            reasons = features.reasons_positive if label is SentimentLabel.POSITIVE else features.reasons_negative
        score = by_label.get("positive", 0.0) - by_label.get("negative", 0.0)
        return Sentiment(label, round(score, 4), round(confidence, 3), reasons, self.name)


def _label_order(id2label: dict[Any, str]) -> dict[int, str]:
    """Model output index -> our label, from the model's names (or LABEL_0..2 in our order)."""
    mapping: dict[int, str] = {}
    for index, name in id2label.items():
        lowered = str(name).lower()
        if lowered in _ORDER:
            mapping[int(index)] = lowered
        elif lowered.startswith("label_") and lowered[6:].isdigit() and int(lowered[6:]) < len(_ORDER):
            mapping[int(index)] = _ORDER[int(lowered[6:])]
    if sorted(mapping.values()) != sorted(_ORDER):
        raise ValueError(f"model labels {id2label} are not negative/neutral/positive")
    return mapping
