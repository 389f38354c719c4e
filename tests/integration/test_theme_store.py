"""Themes in the database (SQLite and PostgreSQL): merges keep old ids, proposals promote, edits re-assign.

Embeddings come from a small deterministic stand-in (a hashed bag of words) so these tests need no
model; the real multilingual model is exercised in test_theme_languages.py.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import numpy as np
import pytest

from tests.actors import admin
from tests.conftest import FrozenClock
from tests.factories import new_item
from voc.store.facade import Store
from voc.themes import reports, service
from voc.themes import repository as repo
from voc.themes.rules import LanguageRule
from voc.themes.worker import ThemeWorker
from voc.trends import queries as trends
from voc.trends.queries import TrendFilters


def bag_of_words(texts: list[str] | tuple[str, ...]) -> np.ndarray:
    """Texts sharing words get similar unit vectors: enough to cluster and assign by similarity."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            seed = int.from_bytes(hashlib.sha1(word.encode()).digest()[:4], "little")
            out[row] += np.random.default_rng(seed).normal(size=64)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


@pytest.fixture(autouse=True)
def _no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "default_embed", bag_of_words)


OUTAGE = [f"network outage again no signal in town{n}" for n in range(36)]  # one theme, 36 different posts


def fill(store: Store, clock: FrozenClock, texts: list[str], prefix: str = "i") -> None:
    store.add_items(
        [new_item(f"{prefix}{n}", text=t, posted_at=clock.now - timedelta(hours=n + 1)) for n, t in enumerate(texts)]
    )


def tick(store: Store, clock: FrozenClock, times: int = 3) -> ThemeWorker:
    if repo.chosen_starter_set(store) is None:  # nothing is seeded before an admin picks a starter set
        service.apply_starter_set(store, "care", actor=admin("ana"), now=clock.now)
    worker = ThemeWorker(store, "test", clock=clock, every_s=0)
    for _ in range(times):
        worker.tick()
    return worker


def window(clock: FrozenClock) -> TrendFilters:
    return TrendFilters(clock.now - timedelta(days=7), clock.now + timedelta(minutes=1))


def count(store: Store, clock: FrozenClock, theme: str) -> int:
    return trends.summary(
        store, TrendFilters(clock.now - timedelta(days=7), clock.now + timedelta(minutes=1), theme=theme)
    ).items


def test_new_items_are_assigned_by_rules_with_their_reason(store: Store, clock: FrozenClock) -> None:
    fill(store, clock, ["I was charged twice this month", "Where is my refund?", "lovely weather"])
    tick(store, clock)

    stored = repo.item_themes_of(store, [1, 2, 3])
    assert [(r["theme_id"], r["reason"], r["method"]) for r in stored[1]] == [
        ("billing.unexpected", "matched: charged twice", "rule")
    ]
    assert stored[2][0]["theme_id"] == "refunds"
    assert 3 not in stored
    cover = reports.coverage(store, clock.now - timedelta(days=1), clock.now)
    assert (cover.assessed, cover.themed) == (3, 2)
    assert count(store, clock, "billing") == 1  # a sub-theme counts towards its parent
    assert count(store, clock, "unthemed") == 1


def test_a_merge_keeps_the_old_id_resolvable_in_queries_and_exports(store: Store, clock: FrozenClock) -> None:
    fill(store, clock, ["Still waiting for my refund", "my bill is wrong", "refund please"])
    tick(store, clock)
    assert count(store, clock, "refunds") == 2

    version = service.merge_themes(store, "refunds", "billing", actor=admin("ana"), now=clock.now)

    assert count(store, clock, "billing") == 3
    assert count(store, clock, "refunds") == 3  # the old id now means the theme that absorbed it
    taxonomy = repo.load_taxonomy(store)
    assert taxonomy.resolve("refunds").id == "billing" and taxonomy.version == version
    export = reports.assignments_export(store, taxonomy, clock.now - timedelta(days=1), clock.now, "refunds")
    assert set(export["theme_id"]) == {"billing"}
    assert "refunds" in set(export["theme_id_as_assigned"])
    assert set(export["export_taxonomy_version"]) == {version}
    assert repo.versions(store)[0]["action"] == "merge" and repo.versions(store)[0]["actor"] == "ana"


def test_re_assignment_after_an_edit_runs_in_the_background_with_progress(store: Store, clock: FrozenClock) -> None:
    fill(store, clock, ["the esim would not activate", "esim activation failed", "no esim"])
    tick(store, clock)
    assert count(store, clock, "app") == 0

    app = repo.load_taxonomy(store).get("app")
    service.update_theme(
        store, "app", actor=admin("ana"), now=clock.now, rules={**dict(app.rules), "en": LanguageRule(any=("esim",))}
    )
    job = store.latest_job(service.REASSIGN_JOB)
    assert job["status"] == "queued" and job["total"] == 3

    tick(store, clock)

    job = store.latest_job(service.REASSIGN_JOB)
    assert (job["status"], job["done"]) == ("done", 3)
    assert count(store, clock, "app") == 3
    assert {r["taxonomy_version"] for rows in repo.item_themes_of(store, [1, 2, 3]).values() for r in rows} == {
        repo.load_taxonomy(store).version
    }


def test_promoting_a_proposal_makes_a_theme_with_its_items(store: Store, clock: FrozenClock) -> None:
    fill(store, clock, OUTAGE + ["my bill is wrong"] * 3)
    tick(store, clock)

    found = service.run_discovery(store, clock.now)
    assert len(found) == 1
    proposal = repo.proposal(store, found[0])
    size = proposal["size"]
    assert size >= 30 and "outage" in proposal["keywords"] and len(proposal["representative_item_ids"]) == 3

    theme_id = service.promote_proposal(
        store, found[0], name="Network outage", owner="Network ops", actor=admin("ana"), now=clock.now
    )

    assert theme_id == "network-outage"
    assert count(store, clock, theme_id) == size
    assert repo.proposal(store, found[0])["status"] == "promoted"
    theme = repo.load_taxonomy(store).get(theme_id)
    assert theme.owner == "Network ops" and len(theme.examples) == 3
    assert store.latest_job(service.REASSIGN_JOB)["status"] == "queued"
    tick(store, clock, times=2)  # re-assignment keeps people's decisions (and may add look-alikes)
    assert count(store, clock, theme_id) >= size


def test_discovery_is_deterministic_and_a_dismissed_proposal_stays_dismissed(store: Store, clock: FrozenClock) -> None:
    fill(store, clock, OUTAGE)
    tick(store, clock)
    first = service.run_discovery(store, clock.now)
    before = repo.proposal(store, first[0])
    assert service.run_discovery(store, clock.now) == first
    after = repo.proposal(store, first[0])
    assert {k: before[k] for k in ("label", "keywords", "member_item_ids", "size")} == {
        k: after[k] for k in ("label", "keywords", "member_item_ids", "size")
    }

    service.dismiss_proposal(store, first[0], actor=admin("ana"), now=clock.now)
    fill(store, clock, OUTAGE[:6], prefix="later")
    tick(store, clock)
    assert service.run_discovery(store, clock.now) == []
    assert repo.proposal(store, first[0])["status"] == "dismissed"


def test_an_edit_that_would_break_the_taxonomy_is_refused(store: Store, clock: FrozenClock) -> None:
    tick(store, clock)
    with pytest.raises(service.ThemeEditError):
        service.move_theme(store, "billing", "app", actor=admin("ana"), now=clock.now)  # billing has sub-themes
    with pytest.raises(service.ThemeEditError):
        service.move_theme(store, "praise", "app.login", actor=admin("ana"), now=clock.now)  # a third level
    with pytest.raises(service.ThemeEditError):
        service.update_theme(store, "praise", actor=admin("ana"), now=clock.now, rules={"en": LanguageRule(any=("*",))})
    split = service.split_theme(store, "app", name="eSIM", terms=["esim"], actor=admin("ana"), now=clock.now)
    assert repo.load_taxonomy(store).get(split).parent_id == "app"
