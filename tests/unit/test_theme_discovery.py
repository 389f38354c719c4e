"""Discovery: the number of clusters is found, labels are readable, the same data gives the same proposals."""

from __future__ import annotations

import numpy as np

from voc.themes.discovery import LanguageMeans, centre_by_language, cluster_labels, discover, proposal_id

TOPICS = {
    "outage": [
        "network down again {n}",
        "no signal since the outage {n}",
        "outage in my town {n}",
        "network outage all day {n}",
    ],
    "roaming": [
        "roaming charges abroad {n}",
        "roaming pass in spain {n}",
        "roaming fees are crazy {n}",
        "abroad roaming not working {n}",
    ],
    "esim": [
        "esim activation failed {n}",
        "cannot activate my esim {n}",
        "esim qr code broken {n}",
        "esim transfer stuck {n}",
    ],
}


def synthetic(
    per_topic: int = 30, seed: int = 7, noise: float = 0.35
) -> tuple[list[str], np.ndarray, list[str], list[str]]:
    """Three well-separated topics: texts, unit vectors around one centre per topic, languages, gold labels."""
    rng = np.random.default_rng(seed)
    centres = {name: rng.normal(size=64) for name in TOPICS}
    texts, vectors, gold = [], [], []
    for n in range(per_topic):
        for name, templates in TOPICS.items():
            texts.append(templates[n % len(templates)].format(n=n))
            vectors.append(centres[name] + rng.normal(scale=noise, size=64))
            gold.append(name)
    matrix = np.asarray(vectors, dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return texts, matrix, ["en"] * len(texts), gold


def test_the_number_of_clusters_is_chosen_from_the_data() -> None:
    _, vectors, languages, gold = synthetic()
    labels = cluster_labels(vectors, languages).tolist()
    sizes = {label: labels.count(label) for label in set(labels)}
    big = {label for label, size in sizes.items() if size >= 10}
    assert len(big) == 3
    assert sum(sizes[label] for label in big) >= 0.95 * len(labels)
    for name in TOPICS:  # each topic is one cluster, whatever strays
        assert len({label for label, g in zip(labels, gold, strict=True) if g == name and label in big}) == 1


def test_proposals_get_distinctive_words_and_three_representatives() -> None:
    texts, vectors, languages, gold = synthetic()
    clusters = discover(texts, vectors, languages)
    labels = {cluster.keywords[0] for cluster in clusters}
    assert labels == {"outage", "roaming", "esim"}
    for cluster in clusters:
        assert cluster.size >= 28 and len(cluster.representatives) == 3
        assert {gold[i] for i in cluster.representatives} == {cluster.keywords[0]}


def test_discovery_on_unchanged_data_gives_identical_proposals() -> None:
    texts, vectors, languages, _ = synthetic()
    first = discover(texts, vectors, languages)
    second = discover(list(texts), vectors.copy(), list(languages))
    assert first == second
    assert [proposal_id([texts[i] for i in c.members]) for c in first] == [
        proposal_id([texts[i] for i in c.members]) for c in second
    ]


def test_small_groups_are_not_proposed() -> None:
    texts, vectors, languages, _ = synthetic(per_topic=2)
    assert discover(texts, vectors, languages) == []


# ---- language centring ------------------------------------------------------------------------


def test_a_language_with_little_history_is_centred_on_the_mean_of_all_languages() -> None:
    english, italian = np.eye(2, dtype=np.float32)
    means = LanguageMeans({"en": 150 * english, "it": 50 * italian}, {"en": 150, "it": 50})
    assert np.allclose(means.mean("en"), english)
    assert np.allclose(means.mean("it"), italian)
    few = LanguageMeans({"en": 150 * english, "it": 49 * italian}, {"en": 150, "it": 49})
    overall = (150 * english + 49 * italian) / 199
    assert np.allclose(few.mean("it"), overall)
    assert np.allclose(few.mean("nl"), overall)  # a language not stored yet
    assert LanguageMeans({"en": 30 * english, "it": 19 * italian}, {"en": 30, "it": 19}).mean("en") is None


def test_one_language_alone_is_centred_too() -> None:
    _, vectors, languages, _ = synthetic()
    centred = centre_by_language(vectors, languages)
    expected = vectors - vectors.mean(axis=0)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(centred, expected, atol=1e-5)
    assert centre_by_language(vectors, languages, LanguageMeans({}, {})) is vectors  # no window: unchanged


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def test_a_few_posts_in_a_small_language_join_their_topic_when_centred_on_its_stored_history() -> None:
    texts, vectors, languages, gold = synthetic()
    rng = np.random.default_rng(0)
    accent = unit(rng.normal(size=64)) * 0.8  # what every Italian text shares, whatever its topic
    outage = [i for i, g in enumerate(gold) if g == "outage"]
    italian = unit(vectors[outage[:5]] + accent)  # five posts, all on one topic
    history = unit(vectors[rng.choice(len(vectors), 120)] + accent)  # earlier Italian posts, every topic
    pool = np.vstack([vectors, italian])
    pool_languages = languages + ["it"] * 5
    stored = LanguageMeans(
        {"en": vectors.sum(axis=0), "it": np.vstack([history, italian]).sum(axis=0)},
        {"en": len(vectors), "it": len(history) + 5},
    )

    def english_beside_each_italian(means: LanguageMeans | None) -> list[set[str]]:
        labels = cluster_labels(pool, pool_languages, means=means).tolist()
        english = list(zip(labels[: len(vectors)], gold, strict=True))
        return [{g for label, g in english if label == own} for own in labels[len(vectors) :]]

    assert english_beside_each_italian(stored) == [{"outage"}] * 5
    assert english_beside_each_italian(None) == [set()] * 5  # centred on the pool alone, the five stay apart


def test_a_cross_lingual_cluster_names_its_first_three_languages_and_says_when_there_are_more() -> None:
    from voc.themes.discovery import cluster_languages

    assert cluster_languages([("it", 3), ("de", 3), ("en", 2), ("es", 1), ("fr", 1)]) == ("it", "de", "en", "+")
    assert cluster_languages([("it", 4), ("de", 3), ("en", 3)]) == ("it", "de", "en")
    assert cluster_languages([("en", 9), ("de", 1)]) == ("en", "de")
    assert cluster_languages([("en", 12)]) == ("en",)
    assert len(",".join(cluster_languages([("und", 3), ("pt", 3), ("es", 3), ("it", 1)]))) <= 16  # the column's width
