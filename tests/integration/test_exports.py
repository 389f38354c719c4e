"""Weekly exports against the real database: files read back, themes by stable id, the schedule.

Data: a small week (2026-W47, 16–22 November) of items with themes, one assigned under a theme id
that was later merged, customer texts that a spreadsheet would run as formulas, and the week before.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from tests.actors import admin, viewer
from tests.conftest import FrozenClock
from tests.factories import new_item
from voc.access.roles import Permission
from voc.exports import build_export, date_range, iso_week, list_exports
from voc.exports.rows import COLUMN_NAMES, iter_row_chunks
from voc.exports.schedule import LAST_WEEK_KEY, ExportSchedule, ExportScheduler, produce_due_export, save_schedule
from voc.exports.summary import build_summary
from voc.inbox.vip import VIP_SETTINGS_KEY, VipList
from voc.store.facade import Store
from voc.themes import reports, service
from voc.themes import repository as repo
from voc.themes.assign import Method, ThemeHit

ANALYST = viewer("analyst")  # exports are a viewer's right

T0 = datetime(2026, 11, 1, tzinfo=UTC)
FORMULA = '=HYPERLINK("http://evil.example","click")'


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def themed(store: Store) -> Store:
    """Billing (owned by Payments), Network (Network ops) with Outage merged into it, and items."""
    billing = service.create_theme(store, name="Billing", owner="Payments", actor=admin("t"), now=T0)
    network = service.create_theme(store, name="Network", owner="Network ops", actor=admin("t"), now=T0)
    outage = service.create_theme(store, name="Outage", actor=admin("t"), now=T0)
    rows = {
        "b1": (at(17), "negative", FORMULA, [billing], None, None),
        "b2": (at(18), "negative", "+44 charged twice, fix it", [billing], None, None),
        "b3": (at(19), "neutral", "@support where is my bill?", [billing], None, 4),
        "n1": (at(20), "negative", "no signal all day", [outage], 3, None),  # assigned before the merge
        "n2": (at(21), "positive", "network is great now", [network], 10, 5),
        "u1": (at(21, 9), "neutral", "the shop opens at nine", [], None, None),
        "late": (
            at(22, 23, 30),
            "negative",
            "late sunday night outage",
            [network],
            None,
            None,
        ),  # Monday 00:30 in Berlin
        "prev": (at(10), "negative", "last week's bill was wrong", [billing], None, None),
    }
    store.add_items([
        new_item(key, posted_at=posted, sentiment_label=label, text=text, nps=nps, csat=csat,
                 author="@private_person", link=f"https://x.com/someone/status/{key}")
        for key, (posted, label, text, _, nps, csat) in rows.items()
    ])  # fmt: skip
    with store.read() as connection:
        ids = dict(connection.exec_driver_sql("SELECT external_id, id FROM items").all())
    taxonomy = repo.load_taxonomy(store)
    repo.write_assignments(
        store,
        {
            ids[key]: [ThemeHit(t, 0.9, "rule", Method.RULE) for t in themes]
            for key, (_, _, _, themes, _, _) in rows.items()
        },
        taxonomy=taxonomy,
        now=T0,
    )
    service.merge_themes(store, outage, network, actor=admin("t"), now=T0 + timedelta(days=20))
    return store


def test_a_week_in_every_format_reads_back_with_stable_theme_ids(themed: Store, tmp_path: Path) -> None:
    export = build_export(themed, iso_week("2026-W47", "UTC"), tmp_path, now=at(23, 8), requested_by=ANALYST)
    folder = tmp_path / "2026-W47"
    version = repo.load_taxonomy(themed).version

    assert export.items == 7 and export.taxonomy_version == version
    assert {f.name for f in export.files} == {
        "voc-export-2026-W47.xlsx", "voc-export-2026-W47.csv", "voc-export-2026-W47-themes.csv",
        "voc-export-2026-W47-comparison.csv", "voc-export-2026-W47.parquet", "voc-export-2026-W47.html",
    }  # fmt: skip
    assert json.loads((tmp_path / "index.json").read_text())[0]["slug"] == "2026-W47"

    book = load_workbook(folder / "voc-export-2026-W47.xlsx", read_only=True)
    assert book.sheetnames == ["Summary", "Comparison", "Items"]
    sheet = list(book["Items"].values)
    assert sheet[0] == COLUMN_NAMES
    data = [dict(zip(COLUMN_NAMES, row, strict=True)) for row in sheet[1:]]
    assert len(data) == 7
    by_text = {row["text"]: row for row in data}
    assert "'" + FORMULA in by_text  # neutralised, not a formula
    assert by_text["no signal all day"]["theme_ids"] == "network"  # the merged id resolves
    assert by_text["no signal all day"]["theme_ids_as_assigned"] == "outage"
    assert by_text["no signal all day"]["nps"] == 3
    assert {row["taxonomy_version"] for row in data} == {version}
    assert "author" not in COLUMN_NAMES and "@private_person" not in str(sheet)
    summary = [row for row in book["Summary"].values]
    facts = {row[0]: row[1] for row in summary if len(row) > 1 and row[0]}
    assert facts["Taxonomy version"] == version and facts["Items"] == 7
    header_at = next(i for i, row in enumerate(summary) if row and row[0] == "theme_id")
    themes = {row[0]: row for row in summary[header_at + 1 : header_at + 3]}
    assert summary[header_at + 3] == ()  # Outage was merged: only live themes are listed
    assert themes["billing"][3] == "Payments" and themes["billing"][4] == 3 and themes["billing"][5] == 1
    assert themes["network"][4] == 3  # n1 (via the old id), n2, late
    examples = [
        v for v in themes["billing"][15:18] if v
    ]  # Billing's tone is negative: its neutral question is no example
    assert len(examples) == 2 and not any("where is my bill" in v for v in examples)
    styled = load_workbook(folder / "voc-export-2026-W47.xlsx")  # widths and styles need the full reader
    assert styled["Items"].column_dimensions["J"].width == 80 and styled["Items"]["A1"].font.bold
    assert styled["Items"].freeze_panes == "B2"

    with (folder / "voc-export-2026-W47.csv").open(encoding="utf-8") as handle:
        assert handle.read(1) == "\ufeff"  # the BOM Excel needs
    with (folder / "voc-export-2026-W47.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 7 and {r["text"] for r in rows} >= {
        "'" + FORMULA,
        "'+44 charged twice, fix it",
        "'@support where is my bill?",
    }
    assert rows[0]["posted_at_utc"] == "2026-11-17T12:00:00Z"
    with (folder / "voc-export-2026-W47-themes.csv").open(encoding="utf-8-sig", newline="") as handle:
        theme_csv = {r["theme_id"]: r for r in csv.DictReader(handle)}
    assert theme_csv["network"]["owner_team"] == "Network ops" and theme_csv["network"]["taxonomy_version"] == str(
        version
    )

    table = pq.read_table(folder / "voc-export-2026-W47.parquet")
    assert table.num_rows == 7 and table.column_names == list(COLUMN_NAMES)
    assert table.schema.metadata[b"voc.taxonomy_version"] == str(version).encode()
    assert str(table.schema.field("posted_at_utc").type) == "timestamp[us, tz=UTC]"
    assert FORMULA in table.column("text").to_pylist()  # analysts get the text as written

    page = (folder / "voc-export-2026-W47.html").read_text()
    assert "<script" not in page and "What changed" in page and "&quot;" in page or "HYPERLINK" not in page
    assert "Payments" in page and f"Taxonomy version {version}" in page


def test_the_summary_agrees_with_the_themes_page(themed: Store) -> None:
    taxonomy = repo.load_taxonomy(themed)
    period = iso_week("2026-W47", "UTC")
    summary = build_summary(themed, taxonomy, period, now=at(23))
    page = reports.theme_summary(themed, taxonomy, period.start, period.end).set_index("theme_id")
    for line in summary.themes:
        assert line.mix.items == page.loc[line.theme_id, "items"]
        assert line.previous == page.loc[line.theme_id, "previous"]
    network = next(line for line in summary.themes if line.theme_id == "network")
    assert (network.mix.negative, network.mix.positive, network.mix.nps) == (2, 1, 0.0)
    assert any(sentence.startswith("Up: Billing 1 → 3") for sentence in summary.changes)


def test_the_week_follows_the_team_time_zone(themed: Store, tmp_path: Path) -> None:
    utc = build_export(themed, iso_week("2026-W47", "UTC"), tmp_path / "utc", formats=["csv"], requested_by=ANALYST)
    berlin = build_export(
        themed, iso_week("2026-W47", "Europe/Berlin"), tmp_path / "berlin", formats=["csv"], requested_by=ANALYST
    )
    assert utc.items == 7 and berlin.items == 6  # Sunday 23:30 UTC is Monday in Berlin
    assert berlin.start_utc == "2026-11-15T23:00:00Z"  # the one timestamp form of every export


def test_an_empty_week_gives_clear_valid_files(themed: Store, tmp_path: Path) -> None:
    export = build_export(themed, iso_week("2026-W30", "UTC"), tmp_path, requested_by=ANALYST)
    folder = tmp_path / "2026-W30"
    assert export.items == 0
    book = load_workbook(folder / "voc-export-2026-W30.xlsx", read_only=True)
    assert list(book["Items"].values) == [COLUMN_NAMES]
    assert any("No customer feedback was recorded" in str(row[0]) for row in book["Summary"].values if row)
    assert pq.read_table(folder / "voc-export-2026-W30.parquet").num_rows == 0
    with (folder / "voc-export-2026-W30.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [list(COLUMN_NAMES)]
    assert "No customer feedback was recorded" in (folder / "voc-export-2026-W30.html").read_text()


def test_any_date_range_streams_in_chunks(themed: Store, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    export = build_export(themed, date_range("2026-11-10", "2026-11-21"), tmp_path, formats=["parquet"], requested_by=ANALYST,
                          chunk_size=2, progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert export.slug == "2026-11-10_2026-11-21" and export.items == 7
    assert seen == [(0, 7), (2, 7), (4, 7), (6, 7), (7, 7)]
    table = pq.read_table(tmp_path / export.slug / f"voc-export-{export.slug}.parquet")
    posted = table.column("posted_at_utc").to_pylist()
    assert posted == sorted(posted) and len(set(table.column("item_id").to_pylist())) == 7  # oldest first, none twice
    assert list_exports(tmp_path)[0].label == "2026-11-10 to 2026-11-21"


def test_the_schedule_produces_last_week_once_even_across_restarts(sqlite_store: Store, tmp_path: Path) -> None:
    store = sqlite_store
    store.add_items([new_item("a", posted_at=at(18))])
    save_schedule(store, ExportSchedule(weekday=0, tz="Europe/Berlin", formats=("csv",)), actor=admin("t"), now=T0)
    clock = FrozenClock(datetime(2026, 11, 23, 5, 30, tzinfo=UTC))  # Monday 06:30 in Berlin: too early
    first = ExportScheduler(store, tmp_path, clock=clock, background=False)

    first.tick()
    assert list_exports(tmp_path) == []

    clock.advance(hours=1)  # 07:30 Berlin
    first.tick()
    first.tick()
    assert [e.label for e in list_exports(tmp_path)] == ["2026-W47"]
    produced_at = list_exports(tmp_path)[0].generated_at

    restarted = ExportScheduler(store, tmp_path, clock=clock, background=False)  # a new process
    clock.advance(days=2)
    restarted.tick()
    assert list_exports(tmp_path)[0].generated_at == produced_at
    assert store.get_setting(LAST_WEEK_KEY)["week"] == "2026-W47"

    store.add_items([new_item("b", posted_at=at(26))])  # a week with no items is never exported: give W48 one
    clock.advance(days=5)  # the next Monday
    restarted.tick()
    assert [e.label for e in list_exports(tmp_path)] == ["2026-W48", "2026-W47"]


def test_the_first_export_is_the_latest_week_with_items_and_waits_for_a_backfill(
    sqlite_store: Store, tmp_path: Path
) -> None:
    store = sqlite_store
    save_schedule(store, ExportSchedule(formats=("csv",)), actor=admin("t"), now=T0)
    clock = FrozenClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Monday: last week is W48, which is empty
    scheduler = ExportScheduler(store, tmp_path, clock=clock, background=False)
    scheduler.tick()
    assert list_exports(tmp_path) == []  # nothing stored at all: no export, not an empty one
    store.add_items(
        [
            new_item(
                f"w47-{n}",
                text=f"my bill is wrong again, month {n}",
                posted_at=at(18, n),
                ingested_at=clock.now - timedelta(minutes=2),
            )
            for n in range(3)
        ]  # fmt: skip
    )
    scheduler.tick()
    assert list_exports(tmp_path) == []  # items arrived two minutes ago: a back-fill may still be running
    clock.advance(minutes=10)
    scheduler.tick()
    assert [(e.label, e.items) for e in list_exports(tmp_path)] == [("2026-W47", 3)]  # the latest week with items
    clock.advance(days=7)  # W49 has no items either: skipped, and nothing is produced twice
    scheduler.tick()
    assert [e.label for e in list_exports(tmp_path)] == ["2026-W47"]


def test_only_one_process_wins_the_week(sqlite_store: Store, tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    from voc.exports.schedule import claim_week

    assert claim_week(sqlite_store, "2026-W47", "a", now)
    assert not claim_week(sqlite_store, "2026-W47", "b", now)
    assert produce_due_export(sqlite_store, tmp_path, now, owner="b") is None  # a holds the claim
    assert claim_week(sqlite_store, "2026-W47", "b", now + timedelta(hours=3))  # a died: its claim expires


def test_delivery_sends_the_export_to_the_named_channels(sqlite_store: Store, tmp_path: Path) -> None:
    from voc.alerts.channels import Channel, ChannelKind
    from voc.alerts.service import save_channels

    save_channels(
        sqlite_store, [Channel("product", ChannelKind.WEBHOOK, url="https://hooks.example/x")], actor=admin("t"), now=T0
    )
    save_schedule(
        sqlite_store, ExportSchedule(formats=("xlsx", "html"), deliver_to=("product",)), actor=admin("t"), now=T0
    )
    sqlite_store.add_items([new_item("a", posted_at=at(18), ingested_at=at(18))])  # an empty week is never exported
    sent: list[tuple[str, str]] = []
    export = produce_due_export(
        sqlite_store, tmp_path, at(23, 9), sender=lambda c, e, d: sent.append((c.name, e.label))
    )
    assert export is not None and sent == [("product", "2026-W47")]


def test_the_export_carries_the_priority_agents_see_in_the_queue(store: Store) -> None:
    """One priority: the queue weighs a VIP's items by their tier, and so does the export."""
    store.add_items([
        new_item("vip", author="@BigAccount", posted_at=at(17), text="charged twice this month, sort it out"),
        new_item("plain", posted_at=at(17, 13), text="no signal at home since Monday evening"),
    ])  # fmt: skip
    vip = VipList().with_entry("@bigaccount", "gold").to_json()
    store.put_setting(VIP_SETTINGS_KEY, vip, actor=admin("t"), permission=Permission.CONFIGURE_CARE, now=T0)
    with store.read() as connection:
        stored = dict(connection.exec_driver_sql("SELECT external_id, priority FROM items").all())
    [rows] = list(iter_row_chunks(store, date_range("2026-11-16", "2026-11-22"), repo.load_taxonomy(store)))
    vip_row, plain_row = rows  # oldest first
    priority = COLUMN_NAMES.index("priority")
    assert plain_row[priority] == pytest.approx(stored["plain"])
    assert vip_row[priority] == pytest.approx(min(100.0, stored["vip"] * 2.0))  # gold weighs twice


def test_the_html_summary_names_an_emerging_themes_languages(themed: Store, tmp_path: Path) -> None:
    """A cross-lingual proposal is stored as "it,de,en,+"; the page product teams read names them."""
    from voc.store.schema import theme_proposals

    with themed.write() as connection:
        connection.execute(
            theme_proposals.insert().values(
                id="p-nothing0001", label="niente, nichts, nada", language="it,de,en,+", keywords=["niente"],
                representative_item_ids=[], member_item_ids=[], size=10, growth=2.1, sentiment={"negative": 10},
                emerging=True, status="open", discovered_at=at(20),
            )
        )  # fmt: skip
    build_export(themed, iso_week("2026-W47", "UTC"), tmp_path, formats=["html"], requested_by=ANALYST)
    page = (tmp_path / "2026-W47" / "voc-export-2026-W47.html").read_text()
    assert "niente, nichts, nada (10 items, Italian, German, English and others)" in page
