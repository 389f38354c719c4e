"""Exports read back: an Outage theme's examples are outage complaints (not the praise that mentions
the outage), and every file writes moments in the one form docs/exports.md promises."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
from openpyxl import load_workbook

from tests.actors import admin, viewer
from tests.factories import new_item
from voc.exports import build_export, iso_week
from voc.exports.summary import build_summary
from voc.exports.writers import XLSX_TIMESTAMP_FORMAT
from voc.store.facade import Store
from voc.themes import repository as repo
from voc.themes import service
from voc.themes.assign import Method, ThemeHit

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
T0 = datetime(2026, 11, 1, tzinfo=UTC)
WEEK = iso_week("2026-W47")
OUTAGE_POSTS = {
    "o1": ("negative", "No signal at all since 4pm, phone says SOS only"),
    "o2": ("negative", "Network down again, can't call anyone, no signal for hours"),
    "o3": ("negative", "Whole town has no mobile signal, outage and no updates from you"),
    "o4": ("negative", "Still no service tonight, calls fail and data is dead"),
    "o5": ("negative", "RT @someone: No signal at all since 4pm, phone says SOS only"),
    "praise": ("positive", "Eight years with you and this is the first outage I've seen, great service overall"),
    "q": ("neutral", "Is there an outage map somewhere?"),
}


def outage_week(store: Store) -> str:
    outage = service.create_theme(store, name="Outage", owner="Network ops", actor=admin("t"), now=T0)
    store.add_items([
        new_item(key, posted_at=datetime(2026, 11, 18, 16, n, 30, tzinfo=UTC), sentiment_label=label, text=text)
        for n, (key, (label, text)) in enumerate(OUTAGE_POSTS.items())
    ])  # fmt: skip
    with store.read() as connection:
        ids = dict(connection.exec_driver_sql("SELECT external_id, id FROM items").all())
    # The praise is the most confident assignment: newest-first or confidence-first would have picked it.
    hits = {ids[k]: [ThemeHit(outage, 0.99 if k == "praise" else 0.7, "rule", Method.RULE)] for k in OUTAGE_POSTS}
    repo.write_assignments(store, hits, taxonomy=repo.load_taxonomy(store), now=T0)
    return outage


def test_an_outage_theme_is_illustrated_by_outage_complaints(store: Store) -> None:
    outage = outage_week(store)
    summary = build_summary(store, repo.load_taxonomy(store), WEEK, now=T0)
    line = next(line for line in summary.themes if line.theme_id == outage)
    assert len(line.examples) == 3
    negative = {text for label, text in OUTAGE_POSTS.values() if label == "negative"}
    assert set(line.examples) <= negative
    assert not any(example.startswith("RT @") for example in line.examples)  # a copy of o1 says nothing new


def test_every_format_writes_moments_as_iso_8601_utc_with_z(store: Store, tmp_path: Path) -> None:
    outage_week(store)
    export = build_export(store, WEEK, tmp_path, formats=["csv", "xlsx", "parquet", "html"], requested_by=viewer("a"))
    folder = tmp_path / export.slug
    with (folder / f"voc-export-{export.slug}.csv").open(encoding="utf-8-sig", newline="") as handle:
        from_csv = [row["posted_at_utc"] for row in csv.DictReader(handle)]
    assert from_csv and all(ISO_Z.match(value) for value in from_csv)

    book = load_workbook(folder / f"voc-export-{export.slug}.xlsx")
    cells = [row[1] for row in book["Items"].iter_rows(min_row=2)]
    assert {cell.number_format for cell in cells} == {XLSX_TIMESTAMP_FORMAT}
    assert [cell.value.strftime("%Y-%m-%dT%H:%M:%SZ") for cell in cells] == from_csv  # the same moments, same text
    facts = {row[0]: row[1] for row in book["Summary"].values if row and len(row) > 1}
    assert ISO_Z.match(facts["Generated at"])

    table = pq.read_table(folder / f"voc-export-{export.slug}.parquet")
    assert str(table.schema.field("posted_at_utc").type) == "timestamp[us, tz=UTC]"
    assert [v.strftime("%Y-%m-%dT%H:%M:%SZ") for v in table.column("posted_at_utc").to_pylist()] == from_csv
    metadata = {k.decode(): v.decode() for k, v in table.schema.metadata.items()}
    assert ISO_Z.match(metadata["voc.start_utc"]) and ISO_Z.match(metadata["voc.end_utc"])

    html = (folder / f"voc-export-{export.slug}.html").read_text(encoding="utf-8")
    generated = re.search(r"Generated at</td><td[^>]*><b>([^<]+)</b>", html)
    assert generated and ISO_Z.match(generated.group(1).strip())
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert all(ISO_Z.match(manifest[key]) for key in ("generated_at", "start_utc", "end_utc"))
