"""The optional transformer scorer, loaded for real from a tiny random XLM-RoBERTa built here.

Skips when the extra (`requirements-transformers.txt`: transformers + CPU torch) is absent, and
fails instead when VOC_REQUIRE_TRANSFORMERS=1 (set by `.ci/run`, whose machine has the CPU wheel).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from voc.sentiment import transformer
from voc.sentiment.scoring import SentimentLabel

MISSING_EXTRA = "optional extra not installed: pip install -r requirements-transformers.txt (transformers + CPU torch)"

if not transformer.transformers_installed():
    if os.environ.get("VOC_REQUIRE_TRANSFORMERS") == "1":
        pytest.fail(MISSING_EXTRA + " and VOC_REQUIRE_TRANSFORMERS=1", pytrace=False)
    pytest.skip(MISSING_EXTRA, allow_module_level=True)

WORDS = ["the", "service", "is", "terrible", "great", "el", "servicio", "es", "malo", "bueno", "😡", "!"]


def build_tiny_model(folder: Path, id2label: dict[int, str]) -> Path:
    """A 2-layer, 16-wide XLM-RoBERTa classifier with random weights and a word-level tokenizer."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaForSequenceClassification

    special = ["<s>", "<pad>", "</s>", "<unk>"]
    vocab = {token: i for i, token in enumerate(special + WORDS)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", vocab["<s>"]), ("</s>", vocab["</s>"])]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>"
    )
    config = XLMRobertaConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=160,
        pad_token_id=vocab["<pad>"],
        bos_token_id=vocab["<s>"],
        eos_token_id=vocab["</s>"],
        num_labels=3,
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    model = XLMRobertaForSequenceClassification(config)
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), {0: "negative", 1: "neutral", 2: "positive"})


def test_tiny_model_loads_and_scores_batches_offline(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    scorer = transformer.TransformerScorer(str(tiny))
    texts = ["the service is terrible 😡", "el servicio es bueno", "", "unknown words only"] * 5
    results = scorer.score_many(texts, ["en", "es", "und", "fr"] * 5)
    assert len(results) == 20
    for result in results:
        assert result.label in SentimentLabel
        assert 0.0 <= result.confidence <= 1.0 and -1.0 <= result.score <= 1.0
        assert result.scorer.startswith("transformer-")
    assert results[:4] == results[4:8]  # deterministic, batch position does not matter
    assert scorer.score("the service is terrible 😡", "en") == results[0]


def test_reasons_come_from_the_rules_for_the_transformers_label(tiny: Path) -> None:
    scorer = transformer.TransformerScorer(str(tiny))
    result = scorer.score("el servicio es malo 😡", "es")
    if result.label is SentimentLabel.NEGATIVE:
        assert "😡" in result.reasons
    else:
        assert "😡" not in result.reasons


def test_generic_label_names_are_read_in_negative_neutral_positive_order(tmp_path: Path) -> None:
    folder = build_tiny_model(tmp_path / "generic", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    scorer = transformer.TransformerScorer(str(folder))
    assert scorer.labels == {0: "negative", 1: "neutral", 2: "positive"}


def test_a_model_with_other_labels_is_refused() -> None:
    with pytest.raises(ValueError, match="not negative/neutral/positive"):
        transformer._label_order({0: "joy", 1: "anger", 2: "fear"})


def test_the_model_is_found_in_the_data_folder(tiny: Path, tmp_path: Path) -> None:
    assert transformer.find_model(tmp_path) is None
    target = tmp_path / "models" / transformer.FOLDER_NAME
    target.parent.mkdir(parents=True)
    target.symlink_to(tiny, target_is_directory=True)
    assert transformer.find_model(tmp_path) == str(target)
