"""Every way an item comes in caps its text at `MAX_ITEM_CHARS` with a visible marker: a huge feed
entry through the runner and a huge survey cell through the importer land cut, not whole."""

from __future__ import annotations

import io

from listeners.base import Batch, RawItem
from listeners.runner import Runner
from tests.actors import admin
from voc.sources.ingest import MAX_ITEM_CHARS
from voc.store.facade import Store
from voc.surveys.importer import import_survey


def texts(store: Store) -> list[str]:
    with store.read() as connection:
        return [row[0] for row in connection.exec_driver_sql("SELECT text FROM items ORDER BY external_id")]


def test_a_huge_entry_from_a_source_lands_cut_with_a_marker(store: Store, clock) -> None:
    huge = "The network is down again. " * 200_000  # 5,400,000 characters

    class Huge:
        name = "feed"

        def fetch(self, cursor: str | None) -> Batch:
            return Batch([RawItem(external_id="big", text=huge, posted_at=clock.now)], "done")

    store.ensure_source("feed", "test")
    Runner(store, {"feed": Huge()}, owner="r1", clock=clock, workers=[]).run_once()

    [text] = texts(store)
    assert len(text) < MAX_ITEM_CHARS + 60
    assert text.startswith("The network is down again.")
    cut = len(huge) - text.index(" [… cut: ")
    assert text.endswith(f" [… cut: {cut:,} more characters]")


def test_a_huge_survey_comment_lands_cut_with_a_marker(store: Store, clock) -> None:
    comment = "Billing is a mess and nobody calls back " * 1_000  # 40,000 characters
    export = (
        "Timestamp,How likely are you to recommend Northwind Mobile? (0-10),What should we improve?\n"
        f"11/20/2026 14:05:22,2,{comment}\n"
    ).encode()

    report = import_survey(
        store, io.BytesIO(export), "visit.csv", survey="Store visit", actor=admin("ada"), clock=lambda: clock.now
    )

    assert report.items_landed == 1, report.problems
    [text] = texts(store)
    assert text.startswith("Billing is a mess") and len(text) < MAX_ITEM_CHARS + 60
    assert " [… cut: " in text and text.endswith(" more characters]")
