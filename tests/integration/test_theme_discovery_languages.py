"""Discovery with the real multilingual model: two posts in a small language join their English counterpart.

The pool is the industry starter sets' sentences (team-written: tests/unit/test_starter_sets.py and
the sets' own examples) that the care set leaves unthemed, in eight languages, and two Hindi posts
about cards. The workspace's history is the demo week (team-written too) and the Hindi sentences
on the other topics. Before, no language had the 50 pool items centring needed, so nothing was
centred and the two Hindi posts sat apart from the English card post; centred on each language's
stored history, they are grouped with it.
"""

from __future__ import annotations

from datetime import timedelta

from listeners.replay import load_scenario
from tests.actors import admin
from tests.conftest import FrozenClock
from tests.factories import new_item
from tests.unit.test_starter_sets import SAMPLES
from voc.store.facade import Store
from voc.themes import repository as repo
from voc.themes import service
from voc.themes.discovery import LanguageMeans, cluster_labels
from voc.themes.starter import starter_sets, starter_themes
from voc.themes.worker import ThemeWorker

SMALL_LANGUAGE, TOPIC = "hi", "cards"  # Hindi: outside the 16 languages the model was trained on


def starter_sentences() -> list[tuple[str, str, str]]:
    """(top-level theme, language, text) of every industry theme: its examples, then its test sentences."""
    seen = {theme.id: theme for name in starter_sets() for theme in starter_themes(name)}
    top = {theme.id: theme.parent_id or theme.id for theme in seen.values()}
    rows = [(top[t.id], e.language, e.text) for t in seen.values() for e in t.examples]
    rows += [
        (top[theme], language, text)
        for by_theme in SAMPLES.values()
        for theme, texts in by_theme.items()
        for language, text in texts.items()
    ]
    return rows


def test_two_posts_in_a_small_language_join_their_topic_in_discovery(store: Store, clock: FrozenClock) -> None:
    service.apply_starter_set(store, "care", actor=admin("ana"), now=clock.now)
    rows = starter_sentences()
    small = [r for r in rows if r[1] == SMALL_LANGUAGE]
    # History, a month back: the demo week and the small language's posts on every other topic.
    history = [(f["language"], f["text"]) for f in (entry.fields for entry in load_scenario())]
    history += [(language, text) for theme, language, text in small if theme != TOPIC]
    store.add_items(
        [
            new_item(f"h{n}", text=text, language=language, posted_at=clock.now - timedelta(days=30, minutes=n))
            for n, (language, text) in enumerate(history)
        ]
    )
    # This fortnight: the other languages on every topic, and two posts in the small language.
    recent = [r for r in rows if r[1] != SMALL_LANGUAGE] + [r for r in small if r[0] == TOPIC]
    store.add_items(
        [
            new_item(f"p{n}", text=text, language=language, posted_at=clock.now - timedelta(hours=1, minutes=n))
            for n, (_, language, text) in enumerate(recent)
        ]
    )
    worker = ThemeWorker(store, "test", clock=clock, every_s=0, batch=5_000)
    for _ in range(3):
        worker.tick()  # assigns the care themes; what they leave is the unthemed pool

    theme_of = {text: theme for theme, _, text in recent}
    pool = service.unthemed_pool(store, clock.now)
    positions = [i for i, row in enumerate(pool) if row["language"] == SMALL_LANGUAGE]
    assert len(positions) == 2
    languages = [str(row["language"]) for row in pool]
    vectors = service.vectors_for(store, pool)

    def beside_an_english_topic_post(labels: list[int]) -> list[bool]:
        """For each small-language post: is an English post on its topic in its cluster?"""
        english = {
            labels[i] for i, row in enumerate(pool) if row["language"] == "en" and theme_of[row["text"]] == TOPIC
        }
        return [labels[i] in english for i in positions]

    means = repo.language_means(store, sorted(set(languages)), service.model_name(), int(vectors.shape[1]))
    assert beside_an_english_topic_post(cluster_labels(vectors, languages, means=means).tolist()) == [True, True]
    # Before: no language had the 50 pool items centring needed, so nothing was centred.
    before = cluster_labels(vectors, languages, means=LanguageMeans({}, {})).tolist()
    assert beside_an_english_topic_post(before) == [False, False]

    service.run_discovery(store, clock.now)  # the proposals are these clusters
    proposal_of = {i: p["id"] for p in repo.proposals(store) for i in p["member_item_ids"]}
    english = {
        proposal_of.get(int(row["id"])) for row in pool if row["language"] == "en" and theme_of[row["text"]] == TOPIC
    }
    assert all(proposal_of.get(int(pool[i]["id"])) in english - {None} for i in positions)
