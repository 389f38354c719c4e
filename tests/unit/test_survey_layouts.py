"""Export layouts and file shapes the importer used to refuse or garble (issue 17), read without a store:
Qualtrics by structure and its legacy layout, SurveyMonkey's legacy layout, header cells with odd
case and invisible marks, JavaScript dates, UTF-32 and doubled BOMs, files mixing UTF-8 and
Windows-1252 lines, lone CRs, XLSX exports on a later sheet, damaged workbooks, and bad values
(impossible offsets, oversized cells) that cost their row and never the file."""

from __future__ import annotations

import codecs
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from voc.surveys.formats import CELL_LIMIT, FormatError, Vendor, open_path, open_table
from voc.surveys.importer import Problem, SurveyResponse, read_responses, sample_rows, settle_mapping
from voc.surveys.mapping import ColumnMapping, suggest_mapping

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"


def read_all(data: bytes, filename: str = "export.csv") -> tuple[list[SurveyResponse], list[Problem], str]:
    """Open `data`, settle the vendor preset, read every row: (responses, problems, description)."""
    with open_table(io.BytesIO(data), filename) as table:
        mapping, _ = settle_mapping(None, table, "survey")
        entries = list(read_responses(table, mapping))
        description = table.describe()
    responses = [e for e in entries if isinstance(e, SurveyResponse)]
    problems = [e for e in entries if isinstance(e, Problem)]
    return responses, problems, description


# ---- Qualtrics by structure ------------------------------------------------------------------


def test_qualtrics_with_german_labels_is_recognised_by_its_import_ids() -> None:
    with open_path(FIXTURES / "qualtrics_german_labels.csv") as table:
        assert table.vendor is Vendor.QUALTRICS and table.header_lines == 3
        mapping = suggest_mapping(table.vendor, table.columns, sample_rows(table), table.questions, table.import_ids)
    assert mapping is not None
    assert (mapping.response_id, mapping.submitted_at, mapping.nps) == ("ResponseId", "RecordedDate", "Empfehlung")
    # "Grund" and "Sonstiges" match no English (or German) hint, and the Japanese answer has no
    # spaces: only the QID2_TEXT / QID3_TEXT import ids say they are free text.
    assert mapping.text_fields == ("Grund", "Sonstiges")
    responses, problems, _ = read_all((FIXTURES / "qualtrics_german_labels.csv").read_bytes())
    assert problems == []
    assert [r.answers for r in responses] == [
        (("Grund", "Netz weg."), ("Sonstiges", "Kündigung folgt.")),
        (("Grund", "電波が良い"),),
        (("Grund", "Ok."), ("Sonstiges", "Preis zu hoch.")),
    ]
    # RecordedDate is in the zone row 3 names (Berlin, UTC+1 in November)
    assert responses[0].submitted_at == datetime(2026, 11, 20, 8, 3, 41, tzinfo=UTC)


def test_qualtrics_with_translated_system_labels_in_row_one_is_recognised_by_structure() -> None:
    lines = (FIXTURES / "qualtrics_german_labels.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    # Only labels, in German, above the ImportId row: no "ResponseId" or "StartDate" anywhere.
    data = "".join([lines[1], lines[1], *lines[2:]]).encode("utf-8")
    with open_table(io.BytesIO(data), "export.csv") as table:
        assert table.vendor is Vendor.QUALTRICS
        assert {"ResponseId", "RecordedDate", "StartDate", "RecipientEmail"} <= set(table.columns)
    responses, problems, _ = read_all(data)
    assert problems == [] and len(responses) == 3
    assert responses[1].response_id == "R_8yX7wV6uT5sR4qP" and responses[1].nps == 9
    assert responses[1].answers[0][1] == "電波が良い"


def test_qualtrics_legacy_v1_layout_is_recognised() -> None:
    with open_path(FIXTURES / "qualtrics_legacy.csv") as table:
        assert (table.vendor, table.header_lines) == (Vendor.QUALTRICS, 2)
        assert table.columns[:3] == ("ResponseId", "ResponseSet", "Name")
        assert table.questions["Q2"] == "What is the main reason for your score?"
    responses, problems, _ = read_all((FIXTURES / "qualtrics_legacy.csv").read_bytes())
    assert problems == []
    assert [(r.line, r.response_id, r.nps) for r in responses] == [
        (3, "R_3qLq0ICNYrvjxkV", 2),
        (4, "R_1Nb7XHgSvcKSmqx", 10),
        (5, "R_2CJeXvKhq9jFsF1", 7),
    ]
    assert [field for field, _ in responses[0].answers] == ["Q2", "Q3"]
    assert responses[0].submitted_at == datetime(2015, 3, 2, 10, 15, 40, tzinfo=UTC)


def test_a_surveymonkey_export_without_its_second_header_row_keeps_its_first_response() -> None:
    data = (
        b"Respondent ID,Collector ID,Start Date,End Date,How likely is it that you would recommend us?,"
        b"What could we have done better?\n"
        b'11401,4321,11/20/2026 10:00:00 AM,11/20/2026 10:05:00 AM,9,"Nothing really, all was quick and fine"\n'
        b"11402,4321,11/20/2026 11:00:00 AM,11/20/2026 11:05:00 AM,3,Call Dana Kowalski back about the bill\n"
    )
    responses, problems, description = read_all(data)
    assert "1 header row" in description and problems == []
    assert [(r.line, r.response_id, r.nps) for r in responses] == [(2, "11401", 9), (3, "11402", 3)]


def test_surveymonkey_legacy_layout_is_recognised() -> None:
    with open_path(FIXTURES / "surveymonkey_legacy.csv") as table:
        assert (table.vendor, table.header_lines) == (Vendor.SURVEYMONKEY, 2)
        assert table.columns[:4] == ("Respondent ID", "Collector ID", "Start Date", "End Date")
    responses, problems, _ = read_all((FIXTURES / "surveymonkey_legacy.csv").read_bytes())
    assert problems == []
    assert [(r.line, r.response_id, r.nps, len(r.answers)) for r in responses] == [
        (3, "3412345678", 3, 1),
        (4, "3412345679", 9, 1),
        (5, "3412345680", 6, 0),
    ]
    assert responses[0].submitted_at == datetime(2014, 11, 20, 14, 4, 10, tzinfo=UTC)


# ---- header cells ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "respondent id,COLLECTOR ID,start date,end date,Email Address,What could we have done better?",
        "Respondent\u00a0ID,Collector\u202fID,Start Date,End\u00a0Date,Email Address,What could we have done better?",
        "\u200bRespondent ID,Collector\u200d ID,Start\u2060 Date,End Date\u200b,Email Address,What could we have done better?",
    ],
    ids=["case", "non-breaking spaces", "zero-width marks"],
)
def test_header_cells_match_whatever_their_case_and_invisible_marks(header: str) -> None:
    data = (
        header + "\n,,,,,Open-Ended Response\n1001,7,11/20/2026 2:01 PM,11/20/2026 2:04 PM,,Faster answers please\n"
    ).encode()
    with open_table(io.BytesIO(data), "export.csv") as table:
        assert table.vendor is Vendor.SURVEYMONKEY
        assert table.columns[:4] == ("Respondent ID", "Collector ID", "Start Date", "End Date")
    responses, problems, _ = read_all(data)
    assert problems == [] and responses[0].response_id == "1001"


def test_a_saved_mapping_finds_its_columns_despite_case_and_spacing() -> None:
    data = "ticket,CREATED\u00a0AT,comment \u200b\nT-1,2026-11-20 10:00,Slow refund\n".encode()
    saved = ColumnMapping(submitted_at="Created At", response_id="Ticket", text_fields=("Comment",))
    with open_table(io.BytesIO(data), "calls.csv") as table:
        mapping, origin = settle_mapping(None, table, "calls", saved)
        entries = list(read_responses(table, mapping))
    assert origin == "chosen" and mapping.submitted_at == "CREATED AT"
    assert [(e.response_id, e.answers) for e in entries if isinstance(e, SurveyResponse)] == [
        ("T-1", (("comment", "Slow refund"),))
    ]


# ---- dates and bad values --------------------------------------------------------------------


def test_google_apps_script_dates_as_javascript_writes_them() -> None:
    responses, problems, _ = read_all((FIXTURES / "google_apps_script_js_dates.csv").read_bytes())
    assert problems == []
    assert [r.submitted_at for r in responses] == [
        datetime(2025, 9, 8, 18, 58, 23, tzinfo=UTC),
        datetime(2025, 9, 9, 13, 2, 11, tzinfo=UTC),
        datetime(2025, 9, 10, 17, 45, tzinfo=UTC),
    ]


TYPEFORM_HEADER = "#,How likely are you to recommend us?,Why?,Submit Date (UTC)\n"


def test_an_impossible_offset_costs_its_row_with_a_plain_message() -> None:
    data = (
        TYPEFORM_HEADER
        + "a1,9,Fine,2026-11-20T10:00:00+01:00\n"
        + "a2,3,Bad,2026-11-20T10:00:00+99:00\n"
        + "a3,4,Meh,2026-11-20 10:00 -25:30\n"
        + "a4,10,Great,2026-11-20 11:00:00\n"
    ).encode()
    responses, problems, _ = read_all(data)
    assert [r.response_id for r in responses] == ["a1", "a4"]
    assert [p.line for p in problems] == [3, 4]
    for problem in problems:
        assert problem.reason.startswith("time zone offset out of range (at most ±14:00)")
        assert "timedelta" not in problem.reason and "99" not in problem.reason and "25" not in problem.reason


def test_a_cell_over_the_limit_costs_its_row_and_the_rows_after_it_land() -> None:
    huge = "x" * (CELL_LIMIT + 10)
    data = (
        TYPEFORM_HEADER
        + "a1,9,Fine,2026-11-20 10:00\n"
        + f'a2,3,"{huge}",2026-11-20 10:00\n'
        + "a3,4,Meh,2026-11-20 10:00\n"
    ).encode()
    responses, problems, _ = read_all(data)
    assert [r.response_id for r in responses] == ["a1", "a3"]
    assert [(p.line, p.reason) for p in problems] == [
        (3, "a cell is larger than 10 MiB, the most a survey cell may hold; the row is refused")
    ]


def test_a_long_comment_under_the_limit_is_cut_with_a_visible_marker() -> None:
    data = (TYPEFORM_HEADER + f"a1,9,{'word ' * 10_000},2026-11-20 10:00\n").encode()
    responses, problems, _ = read_all(data)
    text = responses[0].answers[0][1]
    assert problems == [] and len(text) < 20_100
    assert text.endswith(" [… cut: 30,000 more characters]")  # cut at the space before the limit


# ---- encodings and line ends -----------------------------------------------------------------

TEXT = (
    TYPEFORM_HEADER
    + 'a1,2,"Le réseau est en panne, je veux résilier",2026-11-20 10:00\n'
    + "a2,9,Große Klasse,2026-11-20 11:00\n"
)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32"),
        (codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"), "utf-32"),
        (TEXT.encode("utf-32-le"), "utf-32-le"),
        (codecs.BOM_UTF8 + codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "\ufeff".encode("utf-16-le") + TEXT.encode("utf-16-le"), "utf-16"),
    ],
    ids=["utf-32 le bom", "utf-32 be bom", "utf-32 without bom", "doubled utf-8 bom", "doubled utf-16 bom"],
)
def test_utf32_and_doubled_boms_are_read(data: bytes, encoding: str) -> None:
    with open_table(io.BytesIO(data), "export.csv") as table:
        assert table.encoding == encoding and table.vendor is Vendor.TYPEFORM
    responses, problems, _ = read_all(data)
    assert problems == []
    assert [r.answers[0][1] for r in responses] == ["Le réseau est en panne, je veux résilier", "Große Klasse"]


def test_a_file_mixing_utf8_and_cp1252_lines_is_decoded_line_by_line_and_says_so() -> None:
    data = (
        TYPEFORM_HEADER.encode()
        + "a1,2,Le réseau est en panne,2026-11-20 10:00\n".encode()
        + "a2,3,Le réseau est encore en panne,2026-11-20 10:05\n".encode("cp1252")
        + "a3,9,Große Klasse,2026-11-20 11:00\n".encode()
        + "a4,1,Coût 30 €,2026-11-20 11:30\n".encode("cp1252")
    )
    responses, problems, description = read_all(data)
    assert problems == []
    assert [r.answers[0][1] for r in responses] == [
        "Le réseau est en panne",
        "Le réseau est encore en panne",
        "Große Klasse",
        "Coût 30 €",
    ]
    assert "Ã" not in "".join(r.answers[0][1] for r in responses)
    assert "the file mixes encodings: lines 3 and 5 read as Windows-1252, the rest as UTF-8" in description


def test_a_lone_cr_ends_a_line_and_a_cr_inside_quotes_stays_in_the_comment() -> None:
    data = (
        TYPEFORM_HEADER.replace("\n", "\r") + 'a1,2,"first\rsecond",2026-11-20 10:00\ra2,9,ok,2026-11-20 11:00\r'
    ).encode()
    responses, problems, _ = read_all(data)
    assert problems == []
    assert [(r.line, r.answers[0][1]) for r in responses] == [(2, "first\rsecond"), (4, "ok")]


# ---- XLSX ------------------------------------------------------------------------------------


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def typeform_workbook(first_sheet_rows: list[list[object]]) -> Workbook:
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    for row in first_sheet_rows:
        summary.append(row)
    responses = workbook.create_sheet("Responses")
    responses.append(["#", "How likely are you to recommend us?", "Why?", "Submit Date (UTC)"])
    responses.append(["t1", 3, "Slow delivery", datetime(2026, 11, 20, 10, 0)])
    responses.append(["t2", 10, "Lovely", datetime(2026, 11, 20, 11, 0)])
    return workbook


def test_an_xlsx_export_on_a_later_sheet_is_found_and_named() -> None:
    workbook = typeform_workbook([["Survey", "Onboarding"], ["Responses", 2], ["NPS", 0]])
    chart = BarChart()
    chart.add_data(Reference(workbook["Summary"], min_col=2, min_row=1, max_row=3))
    workbook.create_chartsheet("Chart", 0).add_chart(chart)  # a chart sheet first: no cells at all
    data = workbook_bytes(workbook)
    with open_table(io.BytesIO(data), "export.xlsx") as table:
        assert (table.vendor, table.sheet) == (Vendor.TYPEFORM, "Responses")
        assert "sheet 'Responses'" in table.describe()
    responses, problems, _ = read_all(data, "export.xlsx")
    assert problems == [] and [(r.line, r.nps) for r in responses] == [(2, 3), (3, 10)]


def rewrite_member(data: bytes, member: str, content: bytes) -> bytes:
    """The workbook with one zip member's bytes replaced (as a damaged copy or a buggy tool leaves it)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == member else source.read(info.filename))
    return out.getvalue()


def test_a_damaged_first_sheet_is_skipped_for_the_export_on_the_next_and_said() -> None:
    data = workbook_bytes(typeform_workbook([["Survey", "Onboarding"]]))
    sheet1 = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    damaged = rewrite_member(data, "xl/worksheets/sheet1.xml", sheet1[: len(sheet1) // 2])
    with open_table(io.BytesIO(damaged), "export.xlsx") as table:
        assert table.sheet == "Responses"
        assert "sheet 'Summary' is damaged" in table.describe()
        assert len(list(table.rows)) == 2


def test_a_damaged_only_sheet_is_a_clear_error_not_a_traceback() -> None:
    workbook = Workbook()
    workbook.active.append(["#", "Why?", "Submit Date (UTC)"])
    data = workbook_bytes(workbook)
    sheet1 = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    damaged = rewrite_member(data, "xl/worksheets/sheet1.xml", sheet1[: sheet1.index(b"<sheetData>") + 20])
    expected = r"sheet 'Sheet' is damaged .* open the file in Excel and save it again"
    with pytest.raises(FormatError, match=expected), open_table(io.BytesIO(damaged), "export.xlsx"):
        pass


def test_illegal_characters_in_a_sheet_are_a_clear_error_and_earlier_rows_are_kept() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["#", "Why?", "Submit Date (UTC)"])
    for n in range(3000):
        sheet.append([f"t{n}", "Fine", "2026-11-20 10:00"])
    sheet.append(["bad", "PLACEHOLDER", "2026-11-20 11:00"])
    data = workbook_bytes(workbook)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    # A control character is not allowed in XML 1.0: a tool that wrote one left the sheet unreadable there.
    broken = rewrite_member(data, "xl/worksheets/sheet1.xml", xml.replace(b"PLACEHOLDER", b"bad\x01char"))
    read = []
    with pytest.raises(FormatError) as refused, open_table(io.BytesIO(broken), "export.xlsx") as table:
        for row in table.rows:
            read.append(row.line)
    message = str(refused.value)
    assert message.startswith("sheet 'Sheet' is damaged after row ") and "save it again" in message
    assert "Traceback" not in message and "\\x01" not in message
    assert len(read) > 1000 and read[:2] == [2, 3]  # what came before the damage was read


def test_an_oversized_cell_spanning_many_lines_costs_only_its_own_row() -> None:
    # A pasted log inside one quoted comment: 11 MiB over 120,000 short lines, with quotes of its own.
    pasted = '"quoted" part\n'.join(f"log line {n:06d}: {'detail ' * 10}" for n in range(120_000))
    data = (
        TYPEFORM_HEADER
        + "a1,9,Fine,2026-11-20 10:00\n"
        + 'a2,3,"'
        + pasted.replace('"', '""')
        + '",2026-11-20 10:00\n'
        + "a3,4,Meh,2026-11-20 10:00\n"
    ).encode()
    assert len(pasted) > CELL_LIMIT
    responses, problems, _ = read_all(data)
    assert [r.response_id for r in responses] == ["a1", "a3"]
    assert [p.line for p in problems] == [3]
    assert responses[1].line == 3 + pasted.count("\n") + 1


def test_a_line_over_the_line_limit_is_skipped_without_being_held() -> None:
    from voc.surveys.formats import LINE_LIMIT

    data = (
        TYPEFORM_HEADER.encode()
        + b"a1,9,Fine,2026-11-20 10:00\n"
        + b'a2,3,"'
        + b'x""' * (LINE_LIMIT // 2)
        + b'",2026-11-20 10:00\n'
        + b"a3,4,Meh,2026-11-20 10:00\n"
    )
    responses, problems, _ = read_all(data)
    assert [r.response_id for r in responses] == ["a1", "a3"]
    assert [(p.line, p.reason) for p in problems] == [(3, "a line longer than 16 MiB; the row is refused")]


# ---- a title above the header ------------------------------------------------------------------

TITLE = "Customer survey — November 2026"


def read_with(data: bytes, filename: str, mapping: ColumnMapping | None = None) -> tuple[list[Any], str]:
    """Open `data` and read every row (the preset, or `mapping`): (responses and problems, the skipped lines' words)."""
    with open_table(io.BytesIO(data), filename) as table:
        settled, _ = settle_mapping(None, table, "survey", mapping)
        return list(read_responses(table, settled)), table.above_header


@pytest.mark.parametrize(
    "fixture",
    [
        "qualtrics_relationship_nps.csv",  # 3 header rows
        "qualtrics_legacy.csv",  # 2 header rows (V1…)
        "surveymonkey_post_contact.csv",  # 2 header rows
        "surveymonkey_legacy.csv",
        "typeform_onboarding.csv",
        "google_forms_store_visit.csv",
    ],
)
def test_a_title_and_a_blank_line_above_a_known_layout_are_skipped_and_lines_stay_true(fixture: str) -> None:
    original = (FIXTURES / fixture).read_bytes()
    plain, skipped = read_with(original, fixture)
    assert skipped == ""
    titled, skipped = read_with(f"{TITLE}\n\n".encode() + original, fixture)
    assert skipped == "2 lines above the header were skipped: a title and a blank line"
    assert [type(e) for e in titled] == [type(e) for e in plain]
    assert [e.line for e in titled] == [e.line + 2 for e in plain]  # each row's physical line in the file
    assert [getattr(e, "answers", None) for e in titled] == [getattr(e, "answers", None) for e in plain]


def test_a_refused_row_below_a_title_keeps_its_physical_line_and_no_title_text_is_quoted() -> None:
    data = (
        "Customer survey for jo.bloggs@example.com\n"
        "\n"
        "Exported 2026-12-01 by Jo Bloggs\n"
        + TYPEFORM_HEADER
        + "a1,9,Fine,2026-11-20 10:00\n"
        + "a2,11,Too high,2026-11-20 10:05\n"
        + "a3,3,Slow,2026-11-20 10:10\n"
    ).encode()
    entries, skipped = read_with(data, "export.csv")
    assert [(type(e).__name__, e.line) for e in entries] == [
        ("SurveyResponse", 5),
        ("Problem", 6),
        ("SurveyResponse", 7),
    ]
    assert skipped == "3 lines above the header were skipped: 2 title lines and a blank line"
    assert "jo.bloggs" not in skipped and "Bloggs" not in skipped


@pytest.mark.parametrize("trailing", [";;;", ""], ids=["excel-fills-the-row", "title-alone"])
def test_a_semicolon_excel_csv_in_windows_1252_with_a_title_is_read(trailing: str) -> None:
    data = (
        f"Enquête clients — novembre 2026{trailing}\r\n"
        f"{trailing}\r\n"
        "Envoyé le;Score;Commentaire;Dossier\r\n"
        "20/11/2026 10:00;9;Très bien, merci;1\r\n"
        "21/11/2026 10:00;12;Déçu;2\r\n"
        "22/11/2026 10:00;2;Réseau coupé;3\r\n"
    ).encode("cp1252")
    mapping = ColumnMapping(submitted_at="Envoyé le", response_id="Dossier", nps="Score", text_fields=("Commentaire",))
    with open_table(io.BytesIO(data), "enquete.csv") as table:
        assert (table.vendor, table.delimiter, table.encoding) == (Vendor.GENERIC, ";", "cp1252")
        assert table.columns == ("Envoyé le", "Score", "Commentaire", "Dossier")
    entries, skipped = read_with(data, "enquete.csv", mapping)
    assert [(type(e).__name__, e.line) for e in entries] == [
        ("SurveyResponse", 4),
        ("Problem", 5),
        ("SurveyResponse", 6),
    ]
    assert entries[0].answers == (("Commentaire", "Très bien, merci"),)
    assert skipped.startswith("2 lines above the header were skipped: a title")


def test_an_xlsx_header_on_row_three_under_a_merged_title_is_found() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Responses"
    sheet["A1"] = TITLE
    sheet.merge_cells("A1:D1")
    sheet.append([])  # row 2 left blank
    sheet.append(["#", "How likely are you to recommend us?", "Why?", "Submit Date (UTC)"])
    sheet.append(["t1", 3, "Slow delivery", datetime(2026, 11, 20, 10, 0)])
    sheet.append(["t2", 11, "Out of range", datetime(2026, 11, 20, 10, 30)])
    sheet.append(["t3", 10, "Lovely", datetime(2026, 11, 20, 11, 0)])
    data = workbook_bytes(workbook)
    with open_table(io.BytesIO(data), "export.xlsx") as table:
        assert (table.vendor, table.columns[0]) == (Vendor.TYPEFORM, "#")
    entries, skipped = read_with(data, "export.xlsx")
    assert [(type(e).__name__, e.line) for e in entries] == [
        ("SurveyResponse", 4),
        ("Problem", 5),
        ("SurveyResponse", 6),
    ]
    assert skipped == "2 rows above the header were skipped: a title and a blank row"


def test_a_title_above_rows_without_a_header_is_still_refused() -> None:
    data = f"{TITLE}\n\n2026-11-20 10:00,9,Fine\n2026-11-21 10:00,3,Slow\n".encode()
    with pytest.raises(FormatError), open_table(io.BytesIO(data), "export.csv") as table:
        settle_mapping(None, table, "survey")


def test_a_headerless_file_is_refused_as_before_and_a_two_column_table_keeps_its_first_row_as_header() -> None:
    with (
        pytest.raises(FormatError, match="header row seems to be missing"),
        open_table(io.BytesIO(b"2026-11-20 10:00,9,Fine\n2026-11-21 10:00,3,Slow\n"), "export.csv") as table,
    ):
        settle_mapping(None, table, "survey", ColumnMapping(submitted_at="Submitted", text_fields=("Comment",)))
    with open_table(io.BytesIO(b"Submitted,Comment\nNote,Fine\n2026-11-21 10:00,Slow\n"), "two.csv") as table:
        assert (table.columns, table.above_header) == (("Submitted", "Comment"), "")
        assert [row.line for row in table.rows] == [2, 3]
