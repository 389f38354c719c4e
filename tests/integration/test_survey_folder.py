"""The watched survey folder end to end: file dropped, runner polls, items stored, file filed away
with a report; bad files to failed/; a crash mid-file neither loses nor repeats anything."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from listeners.registry import build_listener, register_default_sources, register_demo_sources
from listeners.runner import Runner, standard_workers
from listeners.survey_folder import SurveyFolderListener
from tests.actors import admin, agent
from voc.access.roles import AccessDenied
from voc.privacy.policy import save_survey_files_days
from voc.privacy.raw_files import SurveyFilePruner
from voc.privacy.settings import load_privacy
from voc.settings import Settings
from voc.store.facade import Store
from voc.store.schema import alerts, items, survey_imports
from voc.surveys import SURVEY_SOURCE
from voc.surveys.importer import import_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming" / "surveys"
    folder.mkdir(parents=True)
    return folder


def folder_runner(store: Store, inbox: Path, clock, **options: Any) -> tuple[Runner, SurveyFolderListener]:
    store.ensure_source(SURVEY_SOURCE, "survey_folder", {}, poll_interval_s=30)
    listener = SurveyFolderListener(SURVEY_SOURCE, inbox, store, settle_seconds=0, clock=clock, **options)
    # The listener process prunes done/ with its own worker beside the polling (listeners/__main__.py).
    pruner = SurveyFilePruner(store, inbox.parents[1], clock=clock)
    workers = [*standard_workers(store, "r1", clock), pruner]
    return Runner(store, {SURVEY_SOURCE: listener}, owner="r1", clock=clock, workers=workers), listener


def drain(runner: Runner, polls: int = 20) -> None:
    """Poll until the folder source has nothing more to do now (the runner repeats while `more`)."""
    for _ in range(polls):
        runner.run_once()


def survey_items(store: Store) -> list[dict[str, Any]]:
    with store.read() as connection:
        query = sa.select(items).where(items.c.source == SURVEY_SOURCE).order_by(items.c.id)
        return [dict(row) for row in connection.execute(query).mappings()]


def imports(store: Store) -> list[dict[str, Any]]:
    with store.read() as connection:
        return [
            dict(row) for row in connection.execute(sa.select(survey_imports).order_by(survey_imports.c.id)).mappings()
        ]


def count_alerts(store: Store) -> int:
    with store.read() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(alerts)).scalar_one())


def test_a_dropped_file_is_imported_and_moved_to_done_with_a_report(store: Store, inbox: Path, clock) -> None:
    shutil.copy(FIXTURES / "broken_rows.csv", inbox / "onboarding.csv")
    runner, _ = folder_runner(store, inbox, clock)
    drain(runner)
    assert sorted(row["response_id"] for row in survey_items(store)) == ["tok-good-1", "tok-good-2", "tok-good-3"]
    assert {row["survey"] for row in survey_items(store)} == {"onboarding"}
    assert not (inbox / "onboarding.csv").exists()
    assert (inbox / "done" / "onboarding.csv").exists()
    report = (inbox / "done" / "onboarding.csv.report.txt").read_text(encoding="utf-8")
    assert "3 items landed" in report and "4 rows refused" in report
    assert "line 3: NPS 11 out of range 0–10" in report and "line 5: 3 columns, expected 9" in report
    logged = imports(store)
    assert [(row["via"], row["items_landed"], row["rows_refused"]) for row in logged] == [("folder", 3, 4)]
    source = store.source(SURVEY_SOURCE)
    assert source is not None and source.cursor is None and source.items_total == 3 and source.error_kind is None


def test_a_file_that_is_not_a_survey_goes_to_failed_with_a_report(store: Store, inbox: Path, clock) -> None:
    (inbox / "minutes.pdf").write_bytes(b"%PDF-1.4 not a table")
    shutil.copy(FIXTURES / "typeform_onboarding.csv", inbox / "typeform.csv")
    runner, _ = folder_runner(store, inbox, clock)
    drain(runner)
    assert (inbox / "failed" / "minutes.pdf").exists()
    report = (inbox / "failed" / "minutes.pdf.report.txt").read_text(encoding="utf-8")
    assert "is a PDF" in report and "expected a survey export" in report
    assert (inbox / "done" / "typeform.csv").exists()  # the next file was not held up
    assert len(survey_items(store)) == 4


def test_a_generic_table_without_a_saved_mapping_fails_and_says_how_to_fix_it(store: Store, inbox: Path, clock) -> None:
    shutil.copy(FIXTURES / "generic_callcentre.csv", inbox / "callcentre.csv")
    runner, _ = folder_runner(store, inbox, clock)
    drain(runner)
    report = (inbox / "failed" / "callcentre.csv.report.txt").read_text(encoding="utf-8")
    assert "no column mapping is saved for survey 'callcentre'" in report


def test_a_file_whose_every_row_is_broken_goes_to_failed(store: Store, inbox: Path, clock) -> None:
    lines = (FIXTURES / "broken_rows.csv").read_text(encoding="utf-8").splitlines()
    (inbox / "all-bad.csv").write_text("\n".join([lines[0], lines[2], lines[3]]) + "\n", encoding="utf-8")
    runner, _ = folder_runner(store, inbox, clock)
    drain(runner)
    report = (inbox / "failed" / "all-bad.csv.report.txt").read_text(encoding="utf-8")
    assert "every row was refused" in report and "line 2:" in report and "line 3:" in report


def test_a_subfolder_names_the_survey(store: Store, inbox: Path, clock) -> None:
    (inbox / "Relationship NPS").mkdir()
    shutil.copy(FIXTURES / "qualtrics_relationship_nps.csv", inbox / "Relationship NPS" / "export.csv")
    runner, _ = folder_runner(store, inbox, clock)
    drain(runner)
    assert {row["survey"] for row in survey_items(store)} == {"Relationship NPS"}
    assert (inbox / "done" / "export.csv").exists()


def test_a_crash_mid_file_neither_loses_nor_repeats_items(store: Store, inbox: Path, clock) -> None:
    shutil.copy(FIXTURES / "qualtrics_relationship_nps.csv", inbox / "nps.csv")
    runner, _ = folder_runner(store, inbox, clock, chunk_size=2)
    runner.run_once()  # the first chunk of two responses is stored with its cursor
    assert len(survey_items(store)) == 3
    # The process dies here. A new runner, with a new listener, picks up from the stored cursor.
    runner, _ = folder_runner(store, inbox, clock, chunk_size=2)
    drain(runner)
    rows = survey_items(store)
    assert len(rows) == 7 and len({row["external_id"] for row in rows}) == 7
    assert [(row["items_landed"], row["duplicates"], row["rows_total"]) for row in imports(store)] == [(7, 0, 6)]
    # One alert per very unhappy respondent (how many depends on the sentiment scorer), none twice.
    assert count_alerts(store) == len({row["response_id"] for row in rows if row["very_unhappy"]}) >= 2
    assert (inbox / "done" / "nps.csv.report.txt").exists()


def test_a_fetch_whose_batch_was_not_saved_is_repeated_from_the_stored_cursor(store: Store, inbox: Path, clock) -> None:
    shutil.copy(FIXTURES / "qualtrics_relationship_nps.csv", inbox / "nps.csv")
    _, listener = folder_runner(store, inbox, clock, chunk_size=2)
    lost = listener.fetch(None)  # fetched, then the runner died before saving: nothing stored
    assert len(lost.items) == 3 and survey_items(store) == []
    runner = Runner(store, {SURVEY_SOURCE: listener}, owner="r2", clock=clock)
    drain(runner)
    assert len(survey_items(store)) == 7
    assert [(row["items_landed"], row["rows_total"]) for row in imports(store)] == [(7, 6)]


def test_a_re_dropped_file_adds_nothing_and_fires_no_second_alert(store: Store, inbox: Path, clock) -> None:
    import_path(store, FIXTURES / "qualtrics_relationship_nps.csv", survey="nps", clock=clock, actor=admin("importer"))
    alerted = count_alerts(store)
    assert alerted == len({row["response_id"] for row in survey_items(store) if row["very_unhappy"]}) >= 2
    shutil.copy(FIXTURES / "qualtrics_relationship_nps.csv", inbox / "nps.csv")
    runner, _ = folder_runner(store, inbox, clock)
    drain(runner)
    assert len(survey_items(store)) == 7 and count_alerts(store) == alerted
    report = (inbox / "done" / "nps.csv.report.txt").read_text(encoding="utf-8")
    assert "0 items landed from 6 responses, 7 already there" in report
    # The same name dropped again later does not overwrite the first one in done/.
    clock.advance(hours=1)
    shutil.copy(FIXTURES / "qualtrics_relationship_nps.csv", inbox / "nps.csv")
    drain(runner)
    assert len(list((inbox / "done").glob("nps*.csv"))) == 2


def test_files_still_being_written_or_temporary_are_left_alone(store: Store, inbox: Path, clock) -> None:
    shutil.copy(FIXTURES / "typeform_onboarding.csv", inbox / "typeform.csv.part")
    shutil.copy(FIXTURES / "typeform_onboarding.csv", inbox / "fresh.csv")
    store.ensure_source(SURVEY_SOURCE, "survey_folder", {})
    listener = SurveyFolderListener(SURVEY_SOURCE, inbox, store, settle_seconds=3600, clock=clock)
    assert listener.fetch(None).items == []  # fresh.csv was modified under an hour ago
    assert (inbox / "fresh.csv").exists() and (inbox / "typeform.csv.part").exists()


def test_the_folder_source_is_registered_by_default_and_keeps_the_demo_feed_on(store: Store, tmp_path: Path) -> None:
    settings = Settings(database_url="sqlite://", data_dir=tmp_path, demo_feed="auto")
    assert register_demo_sources(store, settings)  # the default folder is not "a real source"
    names = {source.name: source.kind for source in store.sources()}
    assert names == {"surveys": "survey_folder", "demo-social": "replay", "demo-survey": "replay"}
    register_default_sources(store, settings)  # idempotent
    folder = store.source(SURVEY_SOURCE)
    assert folder is not None
    listener = build_listener(folder, Settings(database_url=_url(store), data_dir=tmp_path))
    assert isinstance(listener, SurveyFolderListener)
    assert listener.folder == tmp_path / "incoming" / "surveys"


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def imported_days_ago(path: Path, clock, days: float) -> None:
    """Date a filed export (and its report) as imported `days` before the clock."""
    when = (clock() - timedelta(days=days)).timestamp()
    for each in (path, path.with_name(path.name + ".report.txt")):
        os.utime(each, (when, when))


def test_imported_exports_are_deleted_after_thirty_days_and_the_report_says_so(
    store: Store, inbox: Path, clock
) -> None:
    """The vendor's export holds addresses in clear: done/ keeps it 30 days, not for ever."""
    shutil.copy(FIXTURES / "broken_rows.csv", inbox / "old.csv")
    shutil.copy(FIXTURES / "typeform_onboarding.csv", inbox / "recent.csv")
    runner, _ = folder_runner(store, inbox, clock)
    drain(runner)
    done = inbox / "done"
    imported_days_ago(done / "old.csv", clock, 31)
    imported_days_ago(done / "recent.csv", clock, 29)
    clock.advance(hours=2)  # the next idle poll after the hourly check

    runner.run_once()

    assert not (done / "old.csv").exists() and (done / "recent.csv").exists()
    report = (done / "old.csv.report.txt").read_text(encoding="utf-8")
    assert "3 items landed" in report  # the report stays, and says what happened to the file
    assert "The export itself was deleted on 2026-11-23: imported exports are kept 30 days" in report
    assert len(survey_items(store)) == 3 + 4  # the items it brought stay


def test_failed_files_stay_until_someone_fixes_them(store: Store, inbox: Path, clock) -> None:
    shutil.copy(FIXTURES / "generic_callcentre.csv", inbox / "callcentre.csv")
    runner, _ = folder_runner(store, inbox, clock)
    drain(runner)
    imported_days_ago(inbox / "failed" / "callcentre.csv", clock, 400)
    clock.advance(hours=2)
    runner.run_once()
    assert (inbox / "failed" / "callcentre.csv").exists()


def test_an_admin_sets_how_long_imported_exports_are_kept(store: Store, inbox: Path, clock) -> None:
    """Privacy page, survey files: 7 days deletes a week-old export; 0 keeps them for ever."""
    shutil.copy(FIXTURES / "typeform_onboarding.csv", inbox / "typeform.csv")
    runner, _ = folder_runner(store, inbox, clock)
    drain(runner)
    exported = inbox / "done" / "typeform.csv"
    imported_days_ago(exported, clock, 8)
    save_survey_files_days(store, 0, actor=admin("olga"), now=clock())
    clock.advance(hours=2)
    runner.run_once()
    assert exported.exists()  # 0: kept for ever

    save_survey_files_days(store, 7, actor=admin("olga"), now=clock())
    clock.advance(hours=2)
    runner.run_once()
    assert not exported.exists()
    assert "kept 7 days" in exported.with_name("typeform.csv.report.txt").read_text(encoding="utf-8")


def test_only_an_admin_may_change_how_long_exports_are_kept(store: Store) -> None:
    with pytest.raises(AccessDenied):
        save_survey_files_days(store, 0, actor=agent("ana"), now=datetime.now(UTC))
    assert load_privacy(store).survey_files_days == 30
    with pytest.raises(ValueError, match="cannot be negative"):
        save_survey_files_days(store, -1, actor=admin("olga"), now=datetime.now(UTC))


def test_a_file_named_in_windows_1252_is_imported_under_a_readable_name(store: Store, inbox: Path, clock) -> None:
    # A zip made on Windows and unpacked here leaves "é" as the single byte 0xE9 in the name.
    try:
        path = inbox / os.fsdecode(b"r\xe9ponses.csv")
        shutil.copy(FIXTURES / "typeform_onboarding.csv", path)
    except (OSError, UnicodeError):
        pytest.skip("this file system takes UTF-8 names only")
    runner, _ = folder_runner(store, inbox, clock)
    drain(runner)
    assert {row["survey"] for row in survey_items(store)} == {"réponses"}
    assert [entry["filename"] for entry in imports(store)] == ["réponses.csv"]
    with store.read() as connection:
        assert connection.execute(sa.text("select last_error from sources")).scalar_one() is None
    report = (inbox / "done" / (path.name + ".report.txt")).read_text(encoding="utf-8")
    assert report.startswith("Survey import: réponses.csv")


def test_a_survey_name_longer_than_its_column_is_cut_not_a_failure(store: Store, inbox: Path, clock) -> None:
    # A file named after its long survey title (Linux allows 255 bytes) and a long name typed on the page.
    long_stem = "Customer satisfaction after a support contact " * 5  # 235 characters
    shutil.copy(FIXTURES / "typeform_onboarding.csv", inbox / f"{long_stem}.csv")
    runner, _ = folder_runner(store, inbox, clock)
    drain(runner)
    typed = import_path(store, FIXTURES / "typeform_onboarding.csv", survey="Q" * 250, clock=clock, actor=admin("a"))
    assert typed.items_landed == 4
    assert {len(row["survey"]) for row in survey_items(store)} == {200}
    with store.read() as connection:
        assert connection.execute(sa.text("select last_error from sources")).scalar_one() is None
