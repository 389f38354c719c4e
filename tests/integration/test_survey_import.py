"""Importing survey exports into the real databases: every vendor, every encoding, broken rows,
re-imports, saved mappings, progress on a 2k-row file, and recovery alerts fired once per response.

Tests of parsing alone run on SQLite; those whose SQL matters run on both backends (`store`)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests.actors import admin
from voc.store.facade import Store
from voc.store.schema import alerts, items, survey_imports, triage_events
from voc.surveys import SURVEY_SOURCE
from voc.surveys.importer import ImportProgress, ImportReport, import_path, import_survey
from voc.surveys.mapping import DATE_EXAMPLES, ColumnMapping
from voc.surveys.recovery import RecoveryOutcome, record_recovery_outcome, recoveries
from voc.surveys.storage import load_mapping, recent_imports

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"


def stored(store: Store, *conditions: Any) -> list[dict[str, Any]]:
    with store.read() as connection:
        query = sa.select(items).where(items.c.source == SURVEY_SOURCE, *conditions).order_by(items.c.id)
        return [dict(row) for row in connection.execute(query).mappings()]


def alert_rows(store: Store) -> list[dict[str, Any]]:
    with store.read() as connection:
        return [dict(row) for row in connection.execute(sa.select(alerts).order_by(alerts.c.id)).mappings()]


def log_rows(store: Store) -> list[dict[str, Any]]:
    with store.read() as connection:
        return [
            dict(row) for row in connection.execute(sa.select(survey_imports).order_by(survey_imports.c.id)).mappings()
        ]


def test_qualtrics_export_lands_one_item_per_comment_linked_by_response(store: Store, clock) -> None:
    report = import_path(
        store,
        FIXTURES / "qualtrics_relationship_nps.csv",
        survey="Relationship NPS",
        clock=clock,
        actor=admin("importer"),
    )
    assert (report.vendor, report.rows_total, report.responses, report.items_landed, report.rows_refused) == (
        "qualtrics",
        6,
        6,
        7,
        0,
    )
    rows = stored(store)
    first = [row for row in rows if row["response_id"] == "R_1a2B3c4D5e6F7g8"]
    assert sorted(row["survey_field"] for row in first) == ["Q2", "Q3"]
    assert {row["nps"] for row in first} == {2}
    assert first[0]["posted_at"] == datetime(2026, 11, 20, 8, 3, 41, tzinfo=UTC)
    score_only = next(row for row in rows if row["response_id"] == "R_3c4D5e6F7g8H9i0")
    assert (score_only["text"], score_only["survey_field"], score_only["nps"]) == ("", None, 8)
    french = next(row for row in rows if row["response_id"] == "R_5e6F7g8H9i0J1k2")
    assert french["text"] == "Très bon service, merci.\nLe conseiller était patient."
    assert {row["kind"] for row in rows} == {"survey"} and {row["survey"] for row in rows} == {"Relationship NPS"}


def test_respondent_emails_are_kept_only_as_a_hashed_key(sqlite_store: Store, clock) -> None:
    import_path(
        sqlite_store, FIXTURES / "qualtrics_relationship_nps.csv", survey="nps", clock=clock, actor=admin("importer")
    )
    rows = stored(sqlite_store)
    assert all(
        row["respondent_key"] and len(row["respondent_key"]) == 32
        for row in rows
        if row["response_id"] != "R_3c4D5e6F7g8H9i0"
    )
    dumped = json.dumps(rows, default=str)
    assert "jane.doe@example.com" not in dumped and "example.com" not in dumped


@pytest.mark.parametrize(
    ("name", "vendor", "landed", "fields"),
    [
        (
            "surveymonkey_post_contact.csv",
            "surveymonkey",
            4,
            {"What could we have done better?", "Which channels did you use to contact us? - Other (please specify)"},
        ),
        (
            "typeform_onboarding.csv",
            "typeform",
            4,
            {"What is the main reason for your score?", "Anything else you'd like to share?", None},
        ),
        ("google_forms_store_visit.csv", "google_forms", 3, {"What should we improve?", None}),
    ],
)
def test_each_vendor_shape_is_recognised_and_lands(
    sqlite_store: Store, clock, name: str, vendor: str, landed: int, fields: set[str | None]
) -> None:
    report = import_path(sqlite_store, FIXTURES / name, clock=clock, actor=admin("importer"))
    assert (report.vendor, report.items_landed, report.rows_refused, report.mapping_from) == (
        vendor,
        landed,
        0,
        "preset",
    )
    assert {row["survey_field"] for row in stored(sqlite_store)} >= fields


def test_surveymonkey_times_are_us_am_pm_and_scores_are_read_from_labels(sqlite_store: Store, clock) -> None:
    import_path(
        sqlite_store, FIXTURES / "surveymonkey_post_contact.csv", survey="care", clock=clock, actor=admin("importer")
    )
    first = stored(sqlite_store, items.c.response_id == "114228371001")[0]
    assert first["posted_at"] == datetime(2026, 11, 20, 14, 4, 10, tzinfo=UTC)
    assert (first["csat"], first["ces"]) == (1, 2)


def test_a_time_zone_for_naive_times_moves_them_to_utc(sqlite_store: Store, clock) -> None:
    import_path(
        sqlite_store,
        FIXTURES / "google_forms_store_visit.csv",
        survey="store",
        timezone="America/New_York",
        clock=clock,
        actor=admin("importer"),
    )
    times = sorted(row["posted_at"] for row in stored(sqlite_store))
    assert times[0] == datetime(2026, 11, 20, 19, 5, 22, tzinfo=UTC)  # 14:05:22 EST


@pytest.mark.parametrize(
    "name", ["encoding_utf8.csv", "encoding_utf8_bom.csv", "encoding_utf16.tsv", "encoding_cp1252.csv"]
)
def test_every_encoding_lands_the_same_text(sqlite_store: Store, clock, name: str) -> None:
    report = import_path(sqlite_store, FIXTURES / name, survey="encodings", clock=clock, actor=admin("importer"))
    assert report.items_landed == 3
    texts = {row["response_id"]: row["text"] for row in stored(sqlite_store)}
    assert texts["enc-1"] == "Très déçu : coupure réseau, je veux résilier. Coût 30 € perdu."
    assert texts["enc-3"] == "“Correct” mais l’appli plante parfois…"


def test_malformed_rows_are_reported_with_their_line_and_good_rows_land(store: Store, clock) -> None:
    report = import_path(store, FIXTURES / "broken_rows.csv", survey="onboarding", clock=clock, actor=admin("importer"))
    assert sorted(row["response_id"] for row in stored(store)) == ["tok-good-1", "tok-good-2", "tok-good-3"]
    assert [(p.line, p.reason.split(" in column")[0]) for p in report.problems] == [
        (3, "NPS 11 out of range 0–10"),
        (4, "date not understood: the cell holds text of 19 characters; " + DATE_EXAMPLES),
        (5, "3 columns, expected 9"),
        (7, "no response id"),
    ]
    assert not report.refused_entirely and report.rows_refused == 4
    logged = log_rows(store)[-1]
    assert (logged["rows_total"], logged["items_landed"], logged["rows_refused"], logged["via"]) == (7, 3, 4, "cli")
    assert [problem["line"] for problem in logged["problems"]] == [3, 4, 5, 7]


def test_a_wrong_format_file_is_refused_whole_and_logged(store: Store, clock) -> None:
    report = import_survey(
        store,
        io.BytesIO(b"%PDF-1.4 binary"),
        "results.pdf",
        survey="nps",
        via="upload",
        clock=clock,
        actor=admin("importer"),
    )
    assert report.refused_entirely and "expected a survey export: a CSV, TSV or XLSX" in (report.refused or "")
    assert stored(store) == []
    logged = log_rows(store)[-1]
    assert (logged["filename"], logged["vendor"], logged["items_landed"]) == ("results.pdf", "unknown", 0)
    assert "is a PDF" in logged["problems"][0]["reason"]


def test_a_text_file_that_is_no_export_is_refused_naming_the_expected_headers(sqlite_store: Store, clock) -> None:
    report = import_path(
        sqlite_store, FIXTURES / "not_a_survey.txt", survey="minutes", clock=clock, actor=admin("importer")
    )
    assert report.refused_entirely and stored(sqlite_store) == []
    assert "Qualtrics ResponseId/StartDate" in (report.refused or "") and "Google Forms Timestamp" in (
        report.refused or ""
    )


def test_importing_the_same_file_twice_changes_nothing_whichever_way_in(store: Store, clock) -> None:
    first = import_path(
        store,
        FIXTURES / "qualtrics_relationship_nps.csv",
        survey="nps",
        via="cli",
        clock=clock,
        actor=admin("importer"),
    )
    before, alerts_before = stored(store), alert_rows(store)
    clock.advance(minutes=5)
    with (FIXTURES / "qualtrics_relationship_nps.csv").open("rb") as upload:
        second = import_survey(
            store, upload, "nps.csv", survey="nps", via="upload", clock=clock, actor=admin("importer")
        )
    assert (second.items_landed, second.duplicates, second.alerts_raised) == (0, first.items_landed, 0)
    assert stored(store) == before and alert_rows(store) == alerts_before
    assert [row["via"] for row in log_rows(store)] == ["cli", "upload"]


def test_a_generic_table_needs_a_mapping_once_then_reuses_the_saved_one(store: Store, clock) -> None:
    path = FIXTURES / "generic_callcentre.csv"
    refused = import_path(store, path, survey="callcentre", clock=clock, actor=admin("importer"))
    assert refused.refused_entirely and "no column mapping is saved for survey 'callcentre'" in (refused.refused or "")
    mapping = ColumnMapping(
        submitted_at="created",
        response_id="ticket",
        text_fields=("comment", "follow_up comment"),
        csat="satisfaction",
        respondent="customer_id",
        timezone="Europe/Berlin",
        date_order="dmy",
    )
    chosen = import_path(
        store, path, survey="callcentre", mapping=mapping, via="upload", clock=clock, actor=admin("importer")
    )
    assert (chosen.mapping_from, chosen.items_landed) == ("chosen", 4)
    assert load_mapping(store, "callcentre") == ("generic", mapping)
    assert stored(store, items.c.response_id == "T-9001")[0]["posted_at"] == datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
    # Next week's export of the same survey: no choices needed.
    later = path.read_text(encoding="utf-8").replace("T-900", "T-901").replace("23.11.2026", "30.11.2026")
    report = import_survey(
        store, io.BytesIO(later.encode("utf-8")), "week2.csv", survey="callcentre", clock=clock, actor=admin("importer")
    )
    assert (report.mapping_from, report.items_landed) == ("saved", 4)


def test_an_xlsx_with_date_cells_and_excel_serials_lands(sqlite_store: Store, clock) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["StartDate", "EndDate", "RecordedDate", "ResponseId", "Q1", "Q1_NPS_GROUP", "Q2_TEXT"])
    sheet.append(["Start Date", "End Date", "Recorded Date", "Response ID", "Recommend?", "Group", "Why?"])
    sheet.append(
        [
            '{"ImportId":"startDate"}',
            '{"ImportId":"endDate"}',
            '{"ImportId":"recordedDate"}',
            '{"ImportId":"_recordId"}',
            '{"ImportId":"QID1"}',
            '{"ImportId":"QID1_NPS_GROUP"}',
            '{"ImportId":"QID2_TEXT"}',
        ]
    )
    sheet.append(
        [
            None,
            None,
            datetime(2026, 11, 20, 9, 30),
            "R_x1",
            3,
            1,
            "The app crashes and support never answers, terrible.",
        ]
    )
    sheet.append([None, None, 46346.75, "R_x2", 10, 3, "Brilliant, thank you"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_survey(
        sqlite_store, buffer, "nps.xlsx", survey="nps-xlsx", via="upload", clock=clock, actor=admin("importer")
    )
    assert (report.vendor, report.items_landed, report.rows_refused) == ("qualtrics", 2, 0)
    assert "XLSX" in report.file_format
    times = {row["response_id"]: row["posted_at"] for row in stored(sqlite_store)}
    assert times == {
        "R_x1": datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        "R_x2": datetime(2026, 11, 20, 18, 0, tzinfo=UTC),
    }


def typeform_rows(n: int) -> bytes:
    comments = [
        "Coverage is fine in town but drops on the train.",
        "Great value, happy with the plan.",
        "The app logs me out every day, annoying.",
        "",
    ]
    lines = [
        "#,How likely are you to recommend us?,Why?,Response Type,Start Date (UTC),Stage Date (UTC),Submit Date (UTC),Network ID,Tags"
    ]
    start = datetime(2026, 11, 1, 8, 0)
    for i in range(n):
        when = (start + timedelta(minutes=7 * i)).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f'tok{i:05d},{(i * 7) % 11},"{comments[i % 4]}",completed,{when},{when},{when},n{i},')
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def test_a_2k_row_import_reports_progress_and_lands_everything(sqlite_store: Store, clock) -> None:
    seen: list[ImportProgress] = []
    report = import_survey(
        sqlite_store,
        io.BytesIO(typeform_rows(2000)),
        "big.csv",
        survey="big",
        progress=seen.append,
        clock=clock,
        actor=admin("importer"),
    )
    assert (report.rows_total, report.responses, report.items_landed, report.rows_refused) == (2000, 2000, 2000, 0)
    assert len(seen) >= 5  # one per 500-row chunk, then done
    assert [step.rows_read for step in seen[:4]] == [500, 1000, 1500, 2000]
    fractions = [step.fraction for step in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and 0 < fractions[0] < 1
    assert seen[-1].items_landed == 2000


def test_the_same_answer_from_many_respondents_is_never_a_copy(store: Store, clock) -> None:
    """Survey answers go through the listeners' save path, which collapses copies of mentions:
    a common answer is still each customer's own, whichever chunk it lands in."""
    report = import_survey(
        store,
        io.BytesIO(typeform_rows(300)),
        "big.csv",
        survey="big",
        chunk_size=100,
        clock=clock,
        actor=admin("importer"),
    )
    assert (report.items_landed, report.duplicates, report.rows_refused) == (300, 0, 0)
    rows = stored(store)
    assert len(rows) == 300 and len({row["text"] for row in rows}) <= 4  # the same few answers again and again
    assert all(row["duplicate_of"] is None and row["duplicate_count"] == 0 for row in rows)


def test_the_recovery_alert_fires_exactly_once_per_response(store: Store, clock) -> None:
    csv = (
        b"#,How likely are you to recommend us?,Why?,Anything else?,Response Type,Start Date (UTC),Stage Date (UTC),Submit Date (UTC),Network ID,Tags\r\n"
        b'angry,1,"Terrible service, I will cancel.","Awful, I want a refund and I will complain.",completed,2026-11-23 10:00:00,2026-11-23 10:01:00,2026-11-23 10:01:00,n1,\r\n'
        b"happy,10,Lovely staff,,completed,2026-11-23 10:05:00,2026-11-23 10:06:00,2026-11-23 10:06:00,n2,\r\n"
    )
    report = import_survey(store, io.BytesIO(csv), "pulse.csv", survey="pulse", clock=clock, actor=admin("importer"))
    assert (report.very_unhappy, report.alerts_raised) == (1, 1)
    angry = stored(store, items.c.response_id == "angry")
    assert len(angry) == 2 and all(row["very_unhappy"] for row in angry)  # both fields match...
    assert all(row["priority"] == 100.0 for row in angry)
    assert {row["recovery_due_at"] for row in angry} == {datetime(2026, 11, 23, 12, 1, tzinfo=UTC)}
    raised = alert_rows(store)
    assert len(raised) == 1  # ...one alert for the response
    assert raised[0]["rule"] == "very_unhappy" and raised[0]["status"] == "open"
    assert (
        raised[0]["details"]["response_id"] == "angry"
        and "NPS 1 with a negative comment" in raised[0]["details"]["reasons"]
    )
    # Re-imported by another way in, and re-imported after the first alert was handled: still one.
    clock.advance(hours=1)
    import_survey(
        store, io.BytesIO(csv), "pulse-again.csv", survey="pulse", via="upload", clock=clock, actor=admin("importer")
    )
    assert len(alert_rows(store)) == 1


def test_the_recovery_outcome_is_recorded_with_actor_and_time(store: Store, clock) -> None:
    import_path(store, FIXTURES / "typeform_onboarding.csv", survey="onboarding", clock=clock, actor=admin("importer"))
    open_now = recoveries(store)
    assert list(open_now["response_id"]) == ["k5jx9m2h1q3v4p7r8s9t0u1v2w3x4y5z"]
    item_id = int(open_now["item_id"].iloc[0])
    clock.advance(minutes=45)
    changed = record_recovery_outcome(
        store, item_id, RecoveryOutcome.RECOVERED, actor=admin("maria@northwind.example"), now=clock.now
    )
    assert changed == 1
    item = store.item(item_id)
    assert item is not None
    assert (item["recovery_outcome"], item["recovery_actor"], item["recovery_outcome_at"], item["triage_status"]) == (
        "recovered",
        "maria@northwind.example",
        clock.now,
        "resolved",
    )
    assert recoveries(store).empty
    done = recoveries(store, open_only=False)
    assert list(done["recovery_outcome"]) == ["recovered"]
    alert = alert_rows(store)[0]
    assert (alert["status"], alert["acknowledged_by"]) == ("acknowledged", "maria@northwind.example")
    with store.read() as connection:
        audit = connection.execute(
            sa.select(triage_events.c.field, triage_events.c.new_value).where(triage_events.c.item_id == item_id)
        ).all()
    assert sorted(tuple(row) for row in audit) == [("recovery_outcome", "recovered"), ("triage_status", "resolved")]


def test_the_import_log_lists_the_newest_first(store: Store, clock) -> None:
    import_path(store, FIXTURES / "typeform_onboarding.csv", survey="a", clock=clock, actor=admin("importer"))
    clock.advance(minutes=1)
    import_path(store, FIXTURES / "broken_rows.csv", survey="b", clock=clock, actor=admin("importer"))
    log = recent_imports(store)
    assert list(log["survey"]) == ["b", "a"]
    assert [problem["line"] for problem in log["problems"].iloc[0]] == [3, 4, 5, 7]


def test_report_lines_name_the_refused_rows() -> None:
    report = ImportReport(
        survey="s",
        filename="f.csv",
        via="cli",
        imported_at=datetime(2026, 11, 23, tzinfo=UTC),
        rows_total=2,
        responses=1,
        items_landed=1,
    )
    assert report.summary() == "2 rows read: 1 item landed from 1 response, 0 already there, 0 rows refused"
