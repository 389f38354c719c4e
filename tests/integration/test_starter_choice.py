"""Picking an industry starter set: audited, adds the industry's themes once, and the demo picks telecom."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listeners.registry import register_demo_sources
from tests.actors import admin, viewer
from tests.factories import new_item
from voc.access.roles import AccessDenied
from voc.settings import Settings
from voc.store.facade import Store
from voc.themes import reports, service
from voc.themes import repository as repo
from voc.themes.starter import starter_themes
from voc.themes.worker import ThemeWorker

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_a_new_workspace_starts_with_the_set_the_admin_picked(store: Store) -> None:
    added = service.apply_starter_set(store, "telecom", actor=admin("ana"), now=NOW)
    assert set(added) == {theme.id for theme in starter_themes("telecom")}
    taxonomy = repo.load_taxonomy(store)
    assert taxonomy.get("network.outage") is not None and taxonomy.get("billing") is not None
    assert repo.chosen_starter_set(store) == "telecom"
    assert [e["actor"] for e in store.audit_entries(action=f"setting.{repo.STARTER_SET_KEY}")] == ["ana"]


def test_nothing_is_seeded_or_assessed_before_a_set_is_picked(store: Store) -> None:
    store.add_items([new_item("a", text="no signal at all since noon, is there an outage?")])
    worker = ThemeWorker(store, "test", clock=lambda: NOW, every_s=0)
    worker.tick()
    assert not repo.ensure_starter(store, NOW) and repo.load_taxonomy(store).version == 0
    assert reports.coverage(store, NOW - timedelta(days=30), NOW + timedelta(days=1)).assessed == 0
    service.apply_starter_set(store, "telecom", actor=admin("ana"), now=NOW)
    worker.tick()
    with store.read() as connection:
        item_id = int(connection.exec_driver_sql("SELECT id FROM items").scalar_one())
    assert {row["theme_id"] for row in repo.item_themes_of(store, [item_id])[item_id]} >= {"network.outage"}


def test_picking_a_set_later_adds_only_the_missing_themes_and_re_assigns(store: Store) -> None:
    service.apply_starter_set(store, "care", actor=admin("ana"), now=NOW)
    before = repo.load_taxonomy(store)
    added = service.apply_starter_set(store, "telecom", actor=admin("ana"), now=NOW)
    assert set(added) == {"network", "network.outage", "data", "roaming", "sim", "device", "porting"}
    after = repo.load_taxonomy(store)
    assert after.version > before.version and len(after.themes) == len(before.themes) + len(added)
    job = store.latest_job(service.REASSIGN_JOB)
    assert job is not None and job["status"] == "queued"
    assert service.apply_starter_set(store, "telecom", actor=admin("ana"), now=NOW) == []  # nothing twice


def test_only_an_admin_picks_and_an_unknown_set_changes_nothing(store: Store) -> None:
    with pytest.raises(AccessDenied):
        service.apply_starter_set(store, "telecom", actor=viewer("val"), now=NOW)
    with pytest.raises(ValueError, match="unknown starter set"):
        service.apply_starter_set(store, "bakery", actor=admin("ana"), now=NOW)
    assert repo.load_taxonomy(store).version == 0 and store.get_setting(repo.STARTER_SET_KEY) is None


def test_the_demo_feed_uses_the_telecom_set_unless_one_was_picked(store: Store, tmp_path: Path) -> None:
    settings = Settings.load({"VOC_DEMO_FEED": "on", "VOC_DATA_DIR": str(tmp_path)})
    register_demo_sources(store, settings)
    assert repo.chosen_starter_set(store) == "telecom"
    assert repo.load_taxonomy(store).get("network.outage") is not None
    service.apply_starter_set(store, "care", actor=admin("ana"), now=NOW)
    register_demo_sources(store, settings)  # the next start keeps the admin's choice
    assert repo.chosen_starter_set(store) == "care"
