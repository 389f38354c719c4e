"""Retention per source deletes exactly the expired items and what derives from them, crash-safely.

On SQLite and PostgreSQL; the workspace is filled through the real write paths
(tests/privacy_workspace.py) and what is asserted is what stays stored.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from listeners.runner import Runner
from tests.conftest import FrozenClock
from tests.factories import new_item
from tests.privacy_workspace import NOW, Workspace, everything_stored, export_text, fill, rows_of
from voc.access.roles import AccessDenied, Actor, Role
from voc.exports import list_exports
from voc.privacy.exports import queued_regenerations
from voc.privacy.policy import save_retention, set_hide_handles
from voc.privacy.retention import RetentionWorker, preview_retention, sweep
from voc.privacy.settings import load_privacy
from voc.store.facade import Store
from voc.store.schema import items, sources

ADMIN = Actor("olga@northwind.example", Role.ADMIN)
POLICY = {"mastodon-tag": 2, "x-brand": 5, "surveys": 0}  # surveys: off


@pytest.fixture
def workspace(store: Store, tmp_path: Path) -> Workspace:
    filled = fill(store, tmp_path / "exports")
    save_retention(store, POLICY, actor=ADMIN, now=NOW)
    return filled


def test_retention_is_off_until_an_admin_sets_it(store: Store, tmp_path: Path) -> None:
    filled = fill(store, tmp_path / "exports")
    before = everything_stored(store)
    report = sweep(store, now=NOW + timedelta(days=3650), exports_dir=filled.exports_dir)
    assert report.items == 0 and everything_stored(store) == before


def test_the_policy_is_stored_per_source_and_zero_means_off(store: Store, workspace: Workspace) -> None:
    assert load_privacy(store).retention == (("mastodon-tag", 2), ("x-brand", 5))
    audit = store.audit_entries(action="setting.privacy.retention")
    assert [(r["actor"], r["role"]) for r in audit] == [(ADMIN.name, "admin")]
    with pytest.raises(ValueError, match="negative"):
        save_retention(store, {"x-brand": -1}, actor=ADMIN, now=NOW)
    assert load_privacy(store).retention_days("x-brand") == 5


def test_the_preview_says_what_the_next_sweep_deletes_and_deletes_nothing(store: Store, workspace: Workspace) -> None:
    before = everything_stored(store)
    previews = {p.source: p for p in preview_retention(store, now=NOW, actor=ADMIN)}
    assert {name: p.items for name, p in previews.items()} == {"mastodon-tag": 3, "surveys": 0, "x-brand": 1}
    assert previews["surveys"].days is None and previews["mastodon-tag"].cutoff == NOW - timedelta(days=2)
    assert previews["mastodon-tag"].counts["item_notes"] == 1 and previews["x-brand"].counts["theme_proposals"] == 1
    assert everything_stored(store) == before


def test_a_sweep_deletes_expired_items_with_everything_derived_and_keeps_the_rest(
    store: Store, workspace: Workspace
) -> None:
    expired = workspace.of("lena-1", "lena-2", "copy-1", "other-old")
    kept = workspace.of("other-1", "jo-1")
    kept_before = rows_of(store, kept)
    assert set(rows_of(store, expired)) >= {
        "items",
        "item_embeddings",
        "item_notes",
        "sentiment_labels",
        "alerts",
        "item_themes",
    }

    report = sweep(store, now=NOW, exports_dir=workspace.exports_dir, batch_size=2)

    assert rows_of(store, expired) == {}
    assert rows_of(store, kept) == kept_before
    assert report.deleted["mastodon-tag"]["items"] == 3 and report.deleted["x-brand"]["items"] == 1
    assert report.deleted["mastodon-tag"]["alert_deliveries"] == 2
    assert sorted(report.exports_regenerated) == ["2026-W47", "2026-W48"]
    exports = {e.slug: e for e in list_exports(workspace.exports_dir)}
    assert exports["2026-W48"].regenerated == "retention" and exports["2026-W48"].items == 2
    assert exports["2026-W47"].items == 0 and "old town" not in export_text(workspace.exports_dir, "2026-W47")
    audit = store.audit_entries(action="privacy.retention")
    assert [(r["actor"], r["role"], r["subject"]) for r in reversed(audit)] == [
        ("system:retention", "system process", "source:mastodon-tag"),  # two of three, then the third
        ("system:retention", "system process", "source:mastodon-tag"),
        ("system:retention", "system process", "source:x-brand"),
    ]
    assert sum(r["detail"]["counts"]["items"] for r in audit) == 4
    assert all(set(r["detail"]) == {"source", "days", "cutoff", "counts", "exports_queued"} for r in audit)
    assert "lena" not in repr(audit).lower()


def test_the_sources_item_counts_follow_what_is_still_stored(store: Store, workspace: Workspace) -> None:
    for name in ("mastodon-tag", "x-brand"):
        store.ensure_source(name, "feed", {"url": "https://feeds.example/a"})
        with store.write() as connection:  # as the runner counts: every item it stored
            connection.execute(
                sources.update()
                .where(sources.c.name == name)
                .values(items_total=sa.select(sa.func.count()).where(items.c.source == name).scalar_subquery())
            )
    before = {s.name: s.items_total for s in store.sources()}

    sweep(store, now=NOW, exports_dir=workspace.exports_dir, batch_size=2)

    after = {s.name: s.items_total for s in store.sources()}
    assert after == {"mastodon-tag": before["mastodon-tag"] - 3, "x-brand": before["x-brand"] - 1}
    assert after == {name: store.count_items(source=name) for name in after}


def test_a_second_sweep_finds_nothing_to_do(store: Store, workspace: Workspace) -> None:
    sweep(store, now=NOW, exports_dir=workspace.exports_dir)
    after_first, audit = everything_stored(store), store.audit_entries()
    report = sweep(store, now=NOW + timedelta(minutes=5), exports_dir=workspace.exports_dir)
    assert report.items == 0 and report.lines() == ["nothing to delete"]
    assert everything_stored(store) == after_first and store.audit_entries() == audit


def test_a_crash_mid_sweep_leaves_whole_batches_and_the_next_sweep_finishes(
    store: Store, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import voc.privacy.retention as retention

    original, calls = retention.queue_regeneration, {"n": 0}

    def die_in_second_batch(*args: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # after the batch's deletes, before its commit
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(retention, "queue_regeneration", die_in_second_batch)
    with pytest.raises(KeyboardInterrupt):
        sweep(store, now=NOW, exports_dir=workspace.exports_dir, batch_size=1)
    first, second = workspace.of("lena-1"), workspace.of("lena-2")
    assert rows_of(store, first) == {}  # committed whole
    assert {"items", "item_embeddings", "sentiment_labels", "alerts", "theme_assessments"} <= set(
        rows_of(store, second)
    )
    assert set(queued_regenerations(store)) == {"2026-W48"}  # queued with the first batch, not yet rebuilt
    monkeypatch.setattr(retention, "queue_regeneration", original)

    sweep(store, now=NOW, exports_dir=workspace.exports_dir, batch_size=1)

    assert rows_of(store, workspace.of("lena-1", "lena-2", "copy-1", "other-old")) == {}
    assert queued_regenerations(store) == {}
    assert "social.example/@lena" not in export_text(workspace.exports_dir, "2026-W48")


def test_an_export_queued_before_a_crash_is_regenerated_by_the_next_sweep(
    store: Store, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import voc.privacy.retention as retention

    def die(*args: object, **kwargs: object) -> list[str]:
        raise KeyboardInterrupt  # the items are deleted and committed; the files not yet rebuilt

    monkeypatch.setattr(retention, "regenerate_queued", die)
    with pytest.raises(KeyboardInterrupt):
        sweep(store, now=NOW, exports_dir=workspace.exports_dir)
    assert set(queued_regenerations(store)) == {"2026-W47", "2026-W48"}
    monkeypatch.undo()

    report = sweep(store, now=NOW, exports_dir=workspace.exports_dir)

    assert report.items == 0 and sorted(report.exports_regenerated) == ["2026-W47", "2026-W48"]
    assert queued_regenerations(store) == {}
    assert "social.example/@lena" not in export_text(workspace.exports_dir, "2026-W48")


def test_the_listener_process_sweeps_once_an_hour_across_processes(store: Store, workspace: Workspace) -> None:
    clock = FrozenClock(NOW)
    first = Runner(
        store,
        {},
        owner="a",
        clock=clock,
        workers=[RetentionWorker(store, workspace.exports_dir, clock=clock, background=False)],
    )
    second = Runner(
        store,
        {},
        owner="b",
        clock=clock,
        workers=[RetentionWorker(store, workspace.exports_dir, clock=clock, background=False)],
    )
    first.run_once()
    assert rows_of(store, workspace.of("lena-1", "other-old")) == {}

    store.add_items([new_item("late-expired", source="x-brand", posted_at=NOW - timedelta(days=30))])
    clock.advance(minutes=10)
    second.run_once()  # another listener process, ten minutes later: the sweep is not due
    assert store.count_items("x-brand") == 2
    clock.advance(minutes=55)
    second.run_once()
    assert store.count_items("x-brand") == 1
    assert {r["actor"] for r in store.audit_entries(action="privacy.retention")} == {"system:retention"}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT])
def test_viewers_and_agents_cannot_sweep_or_change_the_policy(store: Store, workspace: Workspace, role: Role) -> None:
    someone = Actor(f"{role}@northwind.example", role)
    before, audit = everything_stored(store), store.audit_entries()
    with pytest.raises(AccessDenied):
        sweep(store, now=NOW, actor=someone, exports_dir=workspace.exports_dir)
    with pytest.raises(AccessDenied):
        preview_retention(store, now=NOW, actor=someone)
    with pytest.raises(AccessDenied):
        save_retention(store, {"surveys": 1}, actor=someone, now=NOW)
    with pytest.raises(AccessDenied):
        set_hide_handles(store, True, actor=someone, now=NOW)
    assert everything_stored(store) == before and store.audit_entries() == audit


def test_an_export_that_cannot_be_rebuilt_is_removed_rather_than_kept_with_deleted_items(
    store: Store, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import voc.privacy.exports as privacy_exports

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(privacy_exports, "build_export", disk_full)
    sweep(store, now=NOW, exports_dir=workspace.exports_dir)

    assert list_exports(workspace.exports_dir) == []  # both weeks held expired items
    assert not (workspace.exports_dir / "2026-W48").exists()
    assert queued_regenerations(store) == {}
