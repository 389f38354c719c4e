"""Discovery: the number of clusters is found, labels are readable, the same data gives the same proposals."""

from __future__ import annotations

import numpy as np

from voc.themes.discovery import cluster_labels, discover, proposal_id

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


def synthetic(per_topic: int = 30, seed: int = 7) -> tuple[list[str], np.ndarray, list[str], list[str]]:
    """Three well-separated topics: texts, unit vectors around one centre per topic, languages, gold labels."""
    rng = np.random.default_rng(seed)
    centres = {name: rng.normal(size=64) for name in TOPICS}
    texts, vectors, gold = [], [], []
    for n in range(per_topic):
        for name, templates in TOPICS.items():
            texts.append(templates[n % len(templates)].format(n=n))
            vectors.append(centres[name] + rng.normal(scale=0.35, size=64))
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
