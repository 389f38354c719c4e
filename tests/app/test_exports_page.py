"""The Exports page, rendered by AppTest: build a week on demand in the background (its progress, its
downloads, its failure), see it listed with downloads, save the schedule."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.actors import viewer
from ui.exports import download_label
from voc.exports import build_export, iso_week, list_exports, load_schedule, week_of
from voc.exports.on_demand import BUILD_JOB, ExportBuild, latest_build, request_export
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
    finished_build(store_with_items)  # written in the background
    at.run()

    assert not at.exception
    week = week_of(today - timedelta(days=1))
    assert any(week.label in s.value and "items written" in s.value for s in at.success)
    [export] = list_exports(exports_dir)
    assert export.label == week.label and export.requested_by == "local user"
    assert at.dataframe[0].value["Period"].tolist() == [week.label]
    labels = [b.proto.label.split(" · ")[0] for b in at.get("download_button")]
    # Under the build's outcome and under Past exports; the CSVs told apart.
    assert sorted(labels) == sorted(["CSV", "Comparison CSV", "HTML", "PARQUET", "Themes CSV", "XLSX"] * 2)


def finished_build(store: Store) -> ExportBuild:
    """The latest build once its background thread is done (waits up to a minute)."""
    for _ in range(600):
        build = latest_build(store)
        if build is not None and not build.active:
            return build
        time.sleep(0.1)
    raise AssertionError("the background build did not finish")


def test_a_build_in_progress_shows_its_rows_and_holds_the_button(
    app: AppTest, store_with_items: Store, exports_dir: Path
) -> None:
    now = datetime.now(UTC)
    request_export(store_with_items, iso_week("2026-W47"), ["csv"], actor=ANALYST, now=now)
    job = store_with_items.claim_job(BUILD_JOB, "another-process", now)  # the listener process is writing it
    assert job is not None
    store_with_items.report_progress(job["id"], done=40_000, total=120_000, alive_at=now)

    at = open_exports(app)

    assert not at.exception
    [bar] = at.get("progress")
    assert bar.proto.text == "2026-W47: writing rows 40,000 of 120,000" and bar.proto.value == 33
    assert at.button(key="export_build").disabled


def test_a_build_queued_before_the_app_stopped_is_written_when_the_page_opens(
    app: AppTest, store_with_items: Store, exports_dir: Path
) -> None:
    week = week_of(datetime.now(UTC).date())
    request_export(store_with_items, week, ["csv"], actor=ANALYST, now=datetime.now(UTC))  # nobody runs it yet

    at = open_exports(app)
    assert not at.exception
    assert finished_build(store_with_items).status == "done"
    at.run()
    assert any(week.label in s.value and "items written" in s.value for s in at.success)


def test_a_failed_build_says_so_and_the_next_can_start(
    app: AppTest, store_with_items: Store, exports_dir: Path
) -> None:
    exports_dir.write_text("not a folder")  # the exports folder cannot be made
    at = open_exports(app)
    at.date_input(key="export_week").set_value(datetime.now(UTC).date()).run()
    at.button(key="export_build").click().run()
    assert finished_build(store_with_items).status == "failed"
    at.run()

    assert not at.exception
    [error] = at.error
    assert "failed: the exports folder could not be written" in error.value and "build it again" in error.value
    assert str(exports_dir) not in error.value
    assert not at.button(key="export_build").disabled


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
