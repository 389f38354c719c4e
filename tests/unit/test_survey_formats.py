"""Opening survey exports: encodings, delimiters, header rows, vendors, line numbers, refusals."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from voc.surveys.formats import FormatError, Vendor, detect_delimiter, open_path, open_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"
FIRST_COMMENT = "Très déçu : coupure réseau, je veux résilier. Coût 30 € perdu."


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [
        ("encoding_utf8.csv", "utf-8", ","),
        ("encoding_utf8_bom.csv", "utf-8-sig", ","),
        ("encoding_utf16.tsv", "utf-16", "\t"),
        ("encoding_cp1252.csv", "cp1252", ","),
    ],
)
def test_each_encoding_is_detected_and_reads_the_same_text(name: str, encoding: str, delimiter: str) -> None:
    with open_path(FIXTURES / name) as table:
        rows = list(table.rows)
        assert (table.encoding, table.delimiter, table.vendor) == (encoding, delimiter, Vendor.TYPEFORM)
        assert table.columns[0] == "#"  # no BOM left on the first header
    assert [row.line for row in rows] == [2, 3, 4]
    assert rows[0].cells[2] == FIRST_COMMENT
    assert rows[2].cells[2] == "“Correct” mais l’appli plante parfois…"


def test_utf16_without_a_bom_is_recognised_by_its_nul_bytes() -> None:
    text = "Timestamp\tWhat should we improve?\r\n11/20/2026 14:05:22\tLa tienda cerró antes de hora\r\n"
    with open_table(io.BytesIO(text.encode("utf-16-le")), "export.tsv") as table:
        assert table.encoding == "utf-16-le" and table.vendor is Vendor.GOOGLE_FORMS
        assert list(table.rows)[0].cells[1] == "La tienda cerró antes de hora"


def test_a_cp1252_byte_late_in_a_large_file_is_not_missed() -> None:
    body = "id,date,comment\r\n" + "".join(f"r{i},2026-11-20,fine\r\n" for i in range(20_000))
    data = body.encode("ascii") + "r-last,2026-11-20,Café fermé\r\n".encode("cp1252")
    with open_table(io.BytesIO(data), "late.csv") as table:
        assert table.encoding == "cp1252"
        assert list(table.rows)[-1].cells[2] == "Café fermé"


def test_qualtrics_has_three_header_rows_and_lines_count_them() -> None:
    with open_path(FIXTURES / "qualtrics_relationship_nps.csv") as table:
        rows = list(table.rows)
        assert table.vendor is Vendor.QUALTRICS and table.header_lines == 3
        assert "ResponseId" in table.columns and "Q1_NPS_GROUP" in table.columns
        assert table.questions["Q2"] == "What is the main reason for your score?"
        assert table.zones["RecordedDate"] == "UTC"
    # The comment on line 8 spans two lines, so the next row starts on line 10.
    assert [row.line for row in rows] == [4, 5, 6, 7, 8, 10]


def test_surveymonkey_joins_its_two_header_rows() -> None:
    with open_path(FIXTURES / "surveymonkey_post_contact.csv") as table:
        assert table.vendor is Vendor.SURVEYMONKEY and table.header_lines == 2
        assert table.columns[:2] == ("Respondent ID", "Collector ID")
        assert "What could we have done better?" in table.columns  # "Open-Ended Response" folds in
        assert table.columns[-3:] == (
            "Which channels did you use to contact us? - Phone",
            "Which channels did you use to contact us? - Chat",
            "Which channels did you use to contact us? - Other (please specify)",
        )
        assert [row.line for row in table.rows] == [3, 4, 5, 6]


@pytest.mark.parametrize(
    ("name", "vendor"),
    [
        ("typeform_onboarding.csv", Vendor.TYPEFORM),
        ("google_forms_store_visit.csv", Vendor.GOOGLE_FORMS),
        ("generic_callcentre.csv", Vendor.GENERIC),
    ],
)
def test_one_header_row_vendors_are_recognised(name: str, vendor: Vendor) -> None:
    with open_path(FIXTURES / name) as table:
        assert table.vendor is vendor and table.header_lines == 1


def test_semicolons_and_tabs_are_detected_outside_quotes() -> None:
    assert detect_delimiter('ticket;created;"a, b, c";comment') == ";"
    assert detect_delimiter("a\tb\tc") == "\t"
    assert detect_delimiter('"one, two";"three"') == ";"


def test_an_xlsx_export_keeps_typed_cells_and_sheet_row_numbers() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["#", "How likely are you to recommend us?", "Why?", "Submit Date (UTC)"])
    sheet.append(["t1", 3, "Slow", datetime(2026, 11, 20, 9, 30)])
    sheet.append([None, None, None, None])
    sheet.append(["t2", 10, "Great", 46346.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with open_table(buffer, "typeform.xlsx") as table:
        rows = list(table.rows)
        assert (table.file_kind, table.vendor, table.encoding) == ("xlsx", Vendor.TYPEFORM, None)
        assert table.fraction_read() == 1.0
    assert [row.line for row in rows] == [2, 4]  # the empty row 3 is skipped, numbering is kept
    assert rows[0].cells == ("t1", 3, "Slow", datetime(2026, 11, 20, 9, 30))
    assert rows[1].cells[3] == 46346.5


def test_a_workbook_with_a_password_is_named_as_such_not_as_an_old_xls() -> None:
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00"
    with (
        pytest.raises(FormatError, match="is a password-protected workbook"),
        open_table(io.BytesIO(encrypted), "Responses.xlsx"),
    ):
        pass


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Excel 97"),
        (b"%PDF-1.7 ...", "is a PDF"),
        (b'{"responses": []}', "looks like JSON"),
        (b"just one column\nand some lines\n", "single column"),
        (b"PK\x03\x04not really a workbook", "not an Excel workbook"),
        # a session-expired page saved as export.csv; its first line has commas of its own
        (b"\xef\xbb\xbf\n<!DOCTYPE html>\n<html><head><meta content='a, b, c'>", "is a web page (HTML)"),
        (b"<HTML><body><table><tr><td>id</td><td>date</td></tr></table>", "is a web page (HTML)"),
        (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>', "is an XML file"),
    ],
)
def test_a_wrong_format_is_refused_naming_what_was_expected(content: bytes, expected: str) -> None:
    with pytest.raises(FormatError) as refused, open_table(io.BytesIO(content), "upload.bin") as table:
        list(table.rows)
    assert expected in str(refused.value)
    assert "expected a survey export" in str(refused.value)


TYPEFORM_HEADER = "#,How likely are you to recommend us?,Why?,Submit Date (UTC)\n"


@pytest.mark.parametrize(
    "rows_after",
    [
        # the quote is never closed: it would swallow every later row up to the end of the file
        "a3,5,ok,2026-11-20 10:00\na4,2,fine,2026-11-20 10:00\n",
        # it pairs with the next quote in the file, two rows on
        'a3,5,ok,2026-11-20 10:00\na4,2,"Awful, cancel",2026-11-20 10:00\n',
    ],
)
def test_a_quote_left_open_costs_its_row_and_the_rows_after_it_are_read(rows_after: str) -> None:
    text = TYPEFORM_HEADER + "a1,9,fine,2026-11-20 10:00\n" + 'a2,3,"never closed,2026-11-20 10:00\n' + rows_after
    with open_table(io.BytesIO(text.encode()), "export.csv") as table:
        rows = list(table.rows)
    assert [row.line for row in rows] == [2, 3, 4, 5]
    assert rows[1].problem is not None and "quote opened on this line is not closed" in rows[1].problem
    assert [row.cells[0] for row in rows if row.problem is None] == ["a1", "a3", "a4"]


def test_a_quoted_comment_over_several_lines_is_still_one_row() -> None:
    text = (
        TYPEFORM_HEADER
        + 'a1,9,"line one\nline two, with a comma, and, more",2026-11-20 10:00\na2,3,x,2026-11-20 10:00\n'
    )
    with open_table(io.BytesIO(text.encode()), "export.csv") as table:
        rows = list(table.rows)
    assert [(row.line, row.problem) for row in rows] == [(2, None), (4, None)]
    assert rows[0].cells[2] == "line one\nline two, with a comma, and, more"


def test_a_quote_left_open_that_runs_into_the_cell_limit_still_loses_no_later_row() -> None:
    import csv

    rows = "".join(f"a{n},{n % 11},A fine comment number {n},2026-11-20 10:00\n" for n in range(3, 40))
    text = TYPEFORM_HEADER + "a1,9,fine,2026-11-20 10:00\n" + 'a2,3,"never closed,2026-11-20 10:00\n' + rows
    limit = csv.field_size_limit(500)  # the run-on cell passes the limit (10 MiB in use) after a dozen rows
    try:
        with open_table(io.BytesIO(text.encode()), "export.csv") as table:
            read = list(table.rows)
    finally:
        csv.field_size_limit(limit)
    assert [(row.line, row.problem is not None) for row in read[:3]] == [(2, False), (3, True), (4, False)]
    assert "quote opened on this line is not closed" in str(read[1].problem)
    assert [row.cells[0] for row in read if row.problem is None] == ["a1"] + [f"a{n}" for n in range(3, 40)]


@pytest.mark.parametrize(("bom", "sep"), [(b"", ";"), (b"\xef\xbb\xbf", ","), (b"", "\t")])
def test_excels_sep_line_names_the_delimiter_and_lines_keep_their_numbers(bom: bytes, sep: str) -> None:
    rows = ["#", "How likely are you to recommend us?", "Why?", "Submit Date (UTC)"], ["t1", "9", "Gut", "2026-11-20"]
    text = f"sep={sep}\r\n" + "".join(sep.join(row) + "\r\n" for row in rows)
    with open_table(io.BytesIO(bom + text.encode()), "export.csv") as table:
        read = list(table.rows)
        assert (table.vendor, table.delimiter) == (Vendor.TYPEFORM, sep)
    assert [(row.line, row.cells[0]) for row in read] == [(3, "t1")]


def test_a_multi_line_question_in_qualtricss_second_row_is_not_taken_for_a_quote_left_open() -> None:
    # Row 1 ends with a separator; row 2's question text runs over two lines, the second holding the other labels.
    text = (
        "StartDate,RecordedDate,ResponseId,Q1,Q2,\n"
        '"Start Date","Recorded Date","Response ID","How likely?\n(0-10)",Why?,"Extra, label, with, commas"\n'
        '{"ImportId":"startDate"},{"ImportId":"recordedDate"},{"ImportId":"_recordId"},{"ImportId":"QID1"},'
        '{"ImportId":"QID2_TEXT"},\n'
        "2026-11-20 10:00:00,2026-11-20 10:00:00,R_1,9,ok,\n"
    )
    with open_table(io.BytesIO(text.encode()), "export.csv") as table:
        rows = list(table.rows)
        assert (table.vendor, table.header_lines) == (Vendor.QUALTRICS, 3)
    assert [(row.line, row.problem, row.cells[2]) for row in rows] == [(5, None, "R_1")]
