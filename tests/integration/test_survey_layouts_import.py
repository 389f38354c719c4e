"""The layouts and file shapes of issue 17 imported into the real databases, by upload and through
the watched folder: what is stored, and what the report tells the user."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from listeners.runner import Runner
from listeners.survey_folder import SurveyFolderListener
from tests.actors import admin
from voc.store.facade import Store
from voc.store.schema import items, survey_imports
from voc.surveys import SURVEY_SOURCE
from voc.surveys.importer import import_path, import_survey

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"
HEADER = "#,How likely are you to recommend us?,Why?,Submit Date (UTC)\n"


def stored(store: Store) -> list[dict[str, Any]]:
    with store.read() as connection:
        query = sa.select(items).where(items.c.source == SURVEY_SOURCE).order_by(items.c.id)
        return [dict(row) for row in connection.execute(query).mappings()]


def through_the_folder(store: Store, tmp_path: Path, clock: Any, name: str, write: Any, **options: Any) -> Path:
    """The watched folder with the file `write(path)` puts at `name`, polled by the real runner until
    it is done; returns the folder (its done/ holds the report)."""
    inbox = tmp_path / "incoming" / "surveys"
    inbox.mkdir(parents=True)
    write(inbox / name)
    store.ensure_source(SURVEY_SOURCE, "survey_folder", {}, poll_interval_s=30)
    listener = SurveyFolderListener(SURVEY_SOURCE, inbox, store, settle_seconds=0, clock=clock, **options)
    runner = Runner(store, {SURVEY_SOURCE: listener}, owner="r1", clock=clock)
    for _ in range(10):
        runner.run_once()
    return inbox


def logged_problems(store: Store) -> list[dict[str, Any]]:
    """The refused rows the one import logged in `survey_imports`."""
    with store.read() as connection:
        return list(connection.execute(sa.select(survey_imports.c.problems)).scalar_one())


@pytest.mark.parametrize(
    ("fixture", "vendor", "responses", "items_landed", "fields"),
    [
        ("qualtrics_german_labels.csv", "qualtrics", 3, 5, {"Grund", "Sonstiges"}),
        ("qualtrics_legacy.csv", "qualtrics", 3, 4, {"Q2", "Q3", None}),
        (
            "surveymonkey_legacy.csv",
            "surveymonkey",
            3,
            3,
            {"What is the primary reason for your score?", None},
        ),
        ("google_apps_script_js_dates.csv", "google_forms", 3, 3, {"Any comments for our team?"}),
    ],
)
def test_each_newly_recognised_layout_lands_every_row(
    store: Store, clock: Any, fixture: str, vendor: str, responses: int, items_landed: int, fields: set[str | None]
) -> None:
    report = import_path(store, FIXTURES / fixture, survey="s", clock=clock, actor=admin("importer"))
    assert (report.vendor, report.responses, report.items_landed, report.rows_refused) == (
        vendor,
        responses,
        items_landed,
        0,
    )
    assert {row["survey_field"] for row in stored(store)} == fields


def test_a_mixed_encoding_upload_stores_no_mojibake_and_the_report_says_so(store: Store, clock: Any) -> None:
    data = (
        HEADER.encode()
        + "a1,2,Le réseau est en panne,2026-11-20 10:00\n".encode()
        + "a2,3,Le réseau est encore en panne,2026-11-20 10:05\n".encode("cp1252")
        + "a3,9,Große Klasse,2026-11-20 11:00\n".encode()
    )
    report = import_survey(
        store, io.BytesIO(data), "mixed.csv", survey="mixed", via="upload", clock=clock, actor=admin("importer")
    )
    assert report.items_landed == 3
    texts = [row["text"] for row in stored(store)]
    assert texts == ["Le réseau est en panne", "Le réseau est encore en panne", "Große Klasse"]
    assert "line 3 read as Windows-1252, the rest as UTF-8" in "\n".join(report.lines())


def test_bad_values_cost_their_rows_in_the_watched_folder_and_the_report_names_them(
    store: Store, tmp_path: Path, clock: Any
) -> None:
    export = (
        HEADER
        + "a1,9,Fine,2026-11-20T10:00:00+01:00\n"
        + "a2,3,Bad,2026-11-20T10:00:00+99:00\n"
        + "a3,4,Card in the score,2026-11-20 10:00\n".replace(",4,", ",4111 1111 1111 1111,")
        + "a4,10,Great,Mon Sep 08 2025 13:58:23 GMT-0500 (Central Daylight Time)\n"
    )
    inbox = through_the_folder(
        store, tmp_path, clock, "onboarding.csv", lambda path: path.write_text(export, encoding="utf-8")
    )
    rows = stored(store)
    assert [row["response_id"] for row in rows] == ["a1", "a4"]
    assert rows[1]["posted_at"] == datetime(2025, 9, 8, 18, 58, 23, tzinfo=UTC)
    report = (inbox / "done" / "onboarding.csv.report.txt").read_text(encoding="utf-8")
    assert "line 3: time zone offset out of range (at most ±14:00)" in report
    assert "line 4: NPS is not a number: the cell holds a number with 16 digits" in report
    assert "4111" not in report and "99:00" not in report
    logged = logged_problems(store)
    assert [entry["line"] for entry in logged] == [3, 4]
    assert not any("4111" in entry["reason"] for entry in logged)


def test_an_export_shaped_file_with_a_pasted_log_lands_cut_with_its_marker(sqlite_store: Store, clock: Any) -> None:
    source = FIXTURES / "typeform_onboarding.csv"
    text = source.read_text(encoding="utf-8")
    header, first, *rest = text.splitlines(keepends=True)
    pasted = "stack trace line\\n" * 5_000  # 90,000 characters, the escaped "\\n" as a log file shows it
    first = first.replace("Please call me back.", f'"{pasted}"', 1)
    report = import_survey(
        sqlite_store,
        io.BytesIO("".join([header, first, *rest]).encode()),
        "typeform.csv",
        survey="t",
        via="upload",
        clock=clock,
        actor=admin("importer"),
    )
    assert report.rows_refused == 0
    long_item = next(row for row in stored(sqlite_store) if row["survey_field"] == "Anything else you'd like to share?")
    marker = re.search(r" \[… cut: ([\d,]+) more characters\]$", long_item["text"])
    assert marker is not None and len(long_item["text"][: marker.start()]) <= 20_000
    assert int(marker.group(1).replace(",", "")) >= 70_000  # one marker, counting from the original cell


def test_the_folder_counts_refused_rows_for_the_sources_page(sqlite_store: Store, tmp_path: Path, clock: Any) -> None:
    inbox = tmp_path / "incoming" / "surveys"
    inbox.mkdir(parents=True)
    rows = "".join(f"a{n},{11 if n % 3 == 0 else 9},Fine,2026-11-20 10:00\n" for n in range(9))
    (inbox / "onboarding.csv").write_text(HEADER + rows, encoding="utf-8")
    listener = SurveyFolderListener(SURVEY_SOURCE, inbox, sqlite_store, settle_seconds=0, clock=clock, chunk_size=5)
    first = listener.fetch(None)
    second = listener.fetch(first.cursor)
    assert [len(first.items), len(second.items)] == [3, 3]
    assert dict(first.skipped) == {"survey rows refused in onboarding.csv (see its report)": 2}
    assert dict(second.skipped) == {"survey rows refused in onboarding.csv (see its report)": 1}
    other = tmp_path / "other"
    other.mkdir()
    (other / "results.pdf").write_bytes(b"%PDF-1.7 not a survey")
    refused = SurveyFolderListener(SURVEY_SOURCE, other, sqlite_store, settle_seconds=0, clock=clock).fetch(None)
    assert dict(refused.skipped) == {"survey file results.pdf refused (its report is in failed/)": 1}


def test_a_google_forms_download_with_a_quote_left_open_lands_every_good_row_through_the_folder(
    store: Store, tmp_path: Path, clock: Any
) -> None:
    export = (
        "Timestamp,How satisfied are you with our service?,Any comments?\r\n"
        '2026/11/20 10:15:33 AM GMT+1,5,"Lovely shop,\r\nfriendly staff"\r\n'  # lines 2–3
        '2026/11/20 3:15:33 PM GMT+5:30,1,"Rude staff, I want a refund\r\n'  # line 4: the quote is never closed
        "2026/11/20 4:00:00 PM GMT-3,4.5,Half a star off\r\n"  # line 5: not a whole score
        "2026/11/20 5:00:00 PM GMT-3,4,Quick and easy\r\n"
        '2026/11/21 9:00:00 AM GMT+1,2,"Slow, again"\r\n'
    )
    through_the_folder(
        store, tmp_path, clock, "store-visit.csv", lambda path: path.write_bytes(export.encode("utf-8")), chunk_size=2
    )
    rows = stored(store)
    assert [(row["text"], row["posted_at"]) for row in rows] == [
        ("Lovely shop,\r\nfriendly staff", datetime(2026, 11, 20, 9, 15, 33, tzinfo=UTC)),
        ("Quick and easy", datetime(2026, 11, 20, 20, 0, tzinfo=UTC)),
        ("Slow, again", datetime(2026, 11, 21, 8, 0, tzinfo=UTC)),
    ]
    logged = logged_problems(store)
    assert [entry["line"] for entry in logged] == [4, 5]
    assert "quote opened on this line is not closed" in logged[0]["reason"]
    assert logged[1]["reason"].startswith("CSAT is not a whole number")
    assert not any("refund" in entry["reason"] for entry in logged)


def test_an_upload_with_a_title_above_its_header_lands_with_true_line_numbers(store: Store, clock: Any) -> None:
    data = (
        "Customer survey — November 2026 (jo.bloggs@example.com)\n"
        "\n"
        + HEADER
        + "a1,9,Fine,2026-11-20 10:00\n"
        + "a2,11,Too high,2026-11-20 10:05\n"
        + "a3,3,Slow,2026-11-20 10:10\n"
    ).encode()
    report = import_survey(
        store, io.BytesIO(data), "titled.csv", survey="titled", via="upload", clock=clock, actor=admin("importer")
    )
    assert [row["response_id"] for row in stored(store)] == ["a1", "a3"]
    assert [p.line for p in report.problems] == [5]
    assert report.summary().endswith("; 2 lines above the header were skipped: a title and a blank line")
    assert "\n".join(report.lines()).count("above the header") == 1
    assert [entry["line"] for entry in logged_problems(store)] == [5]
    assert "jo.bloggs" not in "\n".join(report.lines())


def test_an_xlsx_with_a_merged_title_through_the_watched_folder(store: Store, tmp_path: Path, clock: Any) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "Customer survey — November 2026"
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(["#", "How likely are you to recommend us?", "Why?", "Submit Date (UTC)"])
    sheet.append(["t1", 3, "Slow delivery", datetime(2026, 11, 20, 10, 0)])
    sheet.append(["t2", 11, "Out of range", datetime(2026, 11, 20, 10, 30)])
    sheet.append(["t3", 10, "Lovely", datetime(2026, 11, 20, 11, 0)])
    inbox = through_the_folder(store, tmp_path, clock, "november.xlsx", workbook.save)
    assert [row["response_id"] for row in stored(store)] == ["t1", "t3"]
    report = (inbox / "done" / "november.xlsx.report.txt").read_text(encoding="utf-8")
    assert "line 5: NPS 11 out of range 0–10" in report
    assert report.count("2 rows above the header were skipped: a title and a blank row") == 1
