"""Retention and erasure cannot forget a table: every one that refers to items is purged."""

from __future__ import annotations

from pathlib import Path

from voc.privacy.purge import COUNT_NAMES, COUNTED, ITEM_TABLES
from voc.store.schema import alerts, items, metadata

ROOT = Path(__file__).resolve().parents[2]


def test_every_table_with_an_item_id_is_handled_by_the_purge() -> None:
    referring = {table.name for table in metadata.sorted_tables if "item_id" in table.c}
    handled = {table.name for table in ITEM_TABLES} | {alerts.name}
    assert referring == handled, "a new table refers to items: delete its rows in voc/privacy/purge.py"


def test_every_table_pointing_at_items_by_a_foreign_key_is_handled() -> None:
    pointing = {
        fk.parent.table.name
        for table in metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table is items
    }
    assert pointing <= {table.name for table in ITEM_TABLES} | {alerts.name}


def test_the_privacy_guide_names_every_table_the_purge_touches() -> None:
    guide = (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")
    for name in COUNTED:
        if name != "duplicates_relinked":
            assert f"`{name}`" in guide, f"docs/privacy.md does not say what happens to {name}"


def test_every_count_an_admin_reads_has_a_name_not_a_table_name() -> None:
    """The erasure preview, its result and the CLI name what goes ("Workflow history entries"), not "triage_events"."""
    assert set(COUNTED) <= set(COUNT_NAMES), "name the new count in voc/privacy/purge.py COUNT_NAMES"
    assert not [name for name in COUNT_NAMES.values() if "_" in name]
