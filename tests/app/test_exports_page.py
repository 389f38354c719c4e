"""The Exports page, rendered by AppTest: build a week on demand, see it listed with downloads, save the schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.actors import viewer
from ui.exports import download_label
from voc.exports import build_export, iso_week, list_exports, load_schedule, week_of
from voc.store.facade import Store

ANALYST = viewer("analyst")  # exports are a viewer's right


@pytest.fixture
def exports_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VOC_DATA_DIR", str(tmp_path))
    return tmp_path / "exports"


def open_exports(app: AppTest) -> AppTest:
    app.switch_page("pages/exports.py")
    return app.run()


def test_an_empty_workspace_explains_where_exports_come_from(
    app: AppTest, empty_store: Store, exports_dir: Path
) -> None:
    at = open_exports(app)
    assert not at.exception
    assert at.title[0].value == "Exports"
    assert any("No export yet" in i.value for i in at.info)


def test_building_this_week_on_demand_lists_it_with_downloads(
    app: AppTest, store_with_items: Store, exports_dir: Path
) -> None:
    at = open_exports(app)
    today = datetime.now(UTC).date()
    at.date_input(key="export_week").set_value(today - timedelta(days=1)).run()
    at.button(key="export_build").click().run()

    assert not at.exception
    week = week_of(today - timedelta(days=1))
    assert any(week.label in s.value for s in at.success)
    [export] = list_exports(exports_dir)
    assert export.label == week.label and export.requested_by == "local user"
    assert at.dataframe[0].value["Period"].tolist() == [week.label]
    labels = [b.proto.label.split(" · ")[0] for b in at.get("download_button")]
    assert sorted(labels) == ["CSV", "Comparison CSV", "HTML", "PARQUET", "Themes CSV", "XLSX"]  # CSVs told apart


def test_download_labels_say_which_table_and_a_readable_size() -> None:
    assert download_label("voc-export-2026-W48-themes.csv", 412) == "Themes CSV · 412 B"
    assert download_label("voc-export-2026-W48-comparison.csv", 300) == "Comparison CSV · 300 B"
    assert download_label("voc-export-2026-W48.xlsx", 8_300) == "XLSX · 8 KB"
    assert download_label("voc-export-2026-W48.parquet", 3 * 1024**2) == "PARQUET · 3.0 MB"


def test_past_exports_are_listed_newest_first(app: AppTest, store_with_items: Store, exports_dir: Path) -> None:
    for week in ("2026-W46", "2026-W47"):
        build_export(store_with_items, iso_week(week), exports_dir, requested_by=ANALYST, formats=["csv"])
    at = open_exports(app)
    assert at.dataframe[0].value["Period"].tolist() == ["2026-W47", "2026-W46"]
    assert len(at.get("download_button")) == 3  # the items, themes and comparison CSVs of the newest week


def test_saving_the_schedule_stores_it_for_the_listener_process(
    app: AppTest, empty_store: Store, exports_dir: Path
) -> None:
    at = open_exports(app)
    at.text_input[0].set_value("Europe/Berlin")
    at.button[-1].click().run()  # "Save schedule"
    assert not at.exception
    assert load_schedule(empty_store).tz == "Europe/Berlin"
