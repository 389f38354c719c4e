"""Column mappings: reading scores and dates, vendor presets, and the generic guess."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from voc.surveys.formats import Vendor, open_path
from voc.surveys.importer import sample_rows
from voc.surveys.mapping import (
    CSAT_LABELS,
    CellError,
    ColumnMapping,
    guess_date_order,
    language_of,
    parse_datetime,
    parse_score,
    suggest_mapping,
    text_of,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("9", 9), (9, 9), (9.0, 9), ("10 - Extremely likely", 10), ("0", 0), ("", None), (None, None), ("n/a", None)],
)
def test_nps_cells_read_as_whole_numbers(cell: object, expected: int | None) -> None:
    assert parse_score(cell, "NPS", 0, 10) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("11", "out of range 0–10"),
        ("-1", "out of range"),
        ("great", "not a number"),
        (7.5, "not a whole number"),
        # a decimal written as text is refused, not cut to its whole part (7,5 is not a 7)
        ("7.5", "not a whole number"),
        ("7,5", "not a whole number"),
        ("0.5", "not a whole number"),
        ("1e1", "not a whole number"),
    ],
)
def test_bad_score_cells_say_why(cell: object, reason: str) -> None:
    with pytest.raises(CellError, match=reason):
        parse_score(cell, "NPS", 0, 10)


def test_csat_labels_map_to_one_to_five() -> None:
    assert parse_score("Very dissatisfied", "CSAT", 1, 5, CSAT_LABELS) == 1
    assert parse_score("Neither satisfied nor dissatisfied", "CSAT", 1, 5, CSAT_LABELS) == 3
    assert parse_score("very satisfied", "CSAT", 1, 5, CSAT_LABELS) == 5


@pytest.mark.parametrize(
    ("labels", "language"),
    [
        (["Très insatisfait", "Insatisfaite", "Neutre", "Satisfait", "Très satisfaite"], "fr"),
        (["Sehr unzufrieden", "Unzufrieden", "Weder zufrieden noch unzufrieden", "Zufrieden", "Sehr zufrieden"], "de"),
        (["Muy insatisfecho", "Insatisfecha", "Ni satisfecho ni insatisfecho", "Satisfecho", "Muy satisfecha"], "es"),
        (
            ["Muito insatisfeito", "Insatisfeito", "Nem satisfeito nem insatisfeito", "Satisfeita", "Muito satisfeito"],
            "pt",
        ),
        (
            [
                "Molto insoddisfatto",
                "Insoddisfatto",
                "Né soddisfatto né insoddisfatto",
                "Soddisfatta",
                "Molto soddisfatto",
            ],
            "it",
        ),
        (["Zeer ontevreden", "Ontevreden", "Neutraal", "Tevreden", "Zeer tevreden"], "nl"),
    ],
)
def test_csat_labels_are_read_in_the_languages_the_forms_are_written_in(labels: list[str], language: str) -> None:
    assert [parse_score(label, "CSAT", 1, 5, CSAT_LABELS) for label in labels] == [1, 2, 3, 4, 5]
    # and the column is found from them, so a French form's CSAT is not silently left unread
    rows = [["20/11/2026 10:15", label, "Un commentaire assez long pour compter"] for label in labels]
    mapping = suggest_mapping(Vendor.GOOGLE_FORMS, ["Horodateur", "Satisfaction", "Commentaire"], rows)
    assert mapping is not None and mapping.csat == "Satisfaction", language


@pytest.mark.parametrize(
    ("cell", "order", "expected"),
    [
        ("2026-11-20 14:03:11", "mdy", datetime(2026, 11, 20, 13, 3, 11, tzinfo=UTC)),  # naive: Paris
        ("2026-11-20T14:03:11Z", "mdy", datetime(2026, 11, 20, 14, 3, 11, tzinfo=UTC)),
        ("11/20/2026 2:03:11 PM", "mdy", datetime(2026, 11, 20, 13, 3, 11, tzinfo=UTC)),
        ("20/11/2026 14:03", "dmy", datetime(2026, 11, 20, 13, 3, tzinfo=UTC)),
        ("23.11.2026 09:15", "dmy", datetime(2026, 11, 23, 8, 15, tzinfo=UTC)),
        ("2026/02/01 1:05:22 PM GMT", "mdy", datetime(2026, 2, 1, 13, 5, 22, tzinfo=UTC)),
        # Google Forms' own CSV download names the form's zone as an hour offset
        ("2026/11/20 10:15:33 AM GMT+1", "mdy", datetime(2026, 11, 20, 9, 15, 33, tzinfo=UTC)),
        ("2026/11/20 3:15:33 PM GMT+5:30", "mdy", datetime(2026, 11, 20, 9, 45, 33, tzinfo=UTC)),
        ("2026/11/20 3:15:33 PM GMT-3", "mdy", datetime(2026, 11, 20, 18, 15, 33, tzinfo=UTC)),
        ("20/11/2026 15:15:33 GMT+01:00", "dmy", datetime(2026, 11, 20, 14, 15, 33, tzinfo=UTC)),
        ("2026-07-01 12:00:00+02:00", "mdy", datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),
        (46346.5, "mdy", datetime(2026, 11, 20, 11, 0, tzinfo=UTC)),  # Excel serial, noon in Paris
        ("46346.5", "mdy", datetime(2026, 11, 20, 11, 0, tzinfo=UTC)),
        (datetime(2026, 7, 1, 9, 0), "mdy", datetime(2026, 7, 1, 7, 0, tzinfo=UTC)),  # summer time
    ],
)
def test_dates_become_aware_utc_reading_naive_times_in_the_mapping_zone(
    cell: object, order: str, expected: datetime
) -> None:
    assert parse_datetime(cell, PARIS, order) == expected


@pytest.mark.parametrize(
    "cell", ["yesterday", "13/13/2026", "", 12.0, "31/02/2026 10:00", "2026/11/20 10:15 AM GMT+15"]
)
def test_unreadable_dates_are_cell_errors(cell: object) -> None:
    with pytest.raises(CellError):
        parse_datetime(cell, UTC, "dmy")


def test_date_order_is_guessed_from_the_values() -> None:
    assert guess_date_order(["02/01/2026 10:00", "23/01/2026 10:00"]) == "dmy"
    assert guess_date_order(["02/01/2026 10:00", "01/23/2026 10:00"]) == "mdy"
    assert guess_date_order(["2026-01-02"]) == "ymd"
    assert guess_date_order(["02/01/2026"]) == "mdy"  # ambiguous: the US tools' default
    assert guess_date_order(["02/01/2026 10:00 GMT+1", "23/01/2026 10:00 GMT+1"]) == "dmy"


def test_text_cells_are_cleaned_and_placeholders_dropped() -> None:
    assert text_of("  Cafe\u0301\x00 ") == "Café"  # NFC, no NUL
    assert text_of("N/A") == "" and text_of("-") == "" and text_of(None) == ""
    assert language_of("PT-BR") == "pt" and language_of("Deutsch") is None


def test_qualtrics_preset_finds_the_nps_by_its_group_column_and_text_answers() -> None:
    mapping = _suggested("qualtrics_relationship_nps.csv")
    assert (mapping.response_id, mapping.submitted_at, mapping.nps) == ("ResponseId", "RecordedDate", "Q1")
    assert mapping.text_fields == ("Q2", "Q3")
    assert (mapping.respondent, mapping.language) == ("RecipientEmail", "UserLanguage")


def test_surveymonkey_preset_reads_csat_labels_effort_and_open_ended_columns() -> None:
    mapping = _suggested("surveymonkey_post_contact.csv")
    assert (mapping.response_id, mapping.submitted_at, mapping.respondent) == (
        "Respondent ID",
        "End Date",
        "Email Address",
    )
    assert mapping.csat and mapping.csat.startswith("Overall, how satisfied")
    assert mapping.ces == "How easy was it to get your issue resolved?"
    assert mapping.text_fields == (
        "What could we have done better?",
        "Which channels did you use to contact us? - Other (please specify)",
    )


def test_typeform_preset_uses_the_token_and_utc_submit_date() -> None:
    mapping = _suggested("typeform_onboarding.csv")
    assert (mapping.response_id, mapping.submitted_at) == ("#", "Submit Date (UTC)")
    assert mapping.utc_columns == ("Submit Date (UTC)",)
    assert mapping.nps == "How likely are you to recommend Northwind Mobile to a friend?"


def test_google_forms_preset_has_no_response_id_so_rows_are_hashed() -> None:
    mapping = _suggested("google_forms_store_visit.csv")
    assert mapping.response_id is None and mapping.submitted_at == "Timestamp"
    assert mapping.respondent == "Email Address"
    assert mapping.nps == "How likely are you to recommend Northwind Mobile? (0-10)"
    assert mapping.csat == "How satisfied were you with your visit to our store?"
    assert mapping.text_fields == ("What should we improve?",)


def test_a_generic_table_gets_a_guess_from_names_and_values() -> None:
    mapping = _suggested("generic_callcentre.csv")
    assert (mapping.response_id, mapping.submitted_at, mapping.respondent, mapping.csat) == (
        "ticket",
        "created",
        "customer_id",
        "satisfaction",
    )
    assert mapping.text_fields == ("comment", "follow_up comment")


def test_a_mapping_round_trips_through_json_and_names_missing_columns() -> None:
    mapping = ColumnMapping(
        submitted_at="created", response_id="ticket", text_fields=("comment",), csat="sat", timezone="Europe/Paris"
    )
    assert ColumnMapping.from_json({**mapping.to_json(), "from_a_newer_version": 1}) == mapping
    assert mapping.missing_from(["ticket", "created", "comment"]) == ["sat"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"submitted_at": ""}, "submission date"),
        ({"submitted_at": "d"}, "comment column or score"),
        ({"submitted_at": "d", "nps": "n", "timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"submitted_at": "d", "nps": "n", "date_order": "ydm"}, "date order"),
    ],
)
def test_an_unusable_mapping_is_refused_with_a_reason(values: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ColumnMapping(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "is a JSON object"),
        ("Submitted", "is a JSON object"),
        ({"submitted_at": 5, "nps": "n"}, "'submitted_at' must be text"),
        ({"submitted_at": "d", "text_fields": "Why?"}, "'text_fields' must be a list of column names"),
        ({"submitted_at": "d", "nps": ["n"]}, "'nps' must be a column name or null"),
        ({"submitted_at": "d", "ces": "e", "ces_max": "7"}, "'ces_max' must be a whole number"),
        ({"submitted_at": "d", "nps": "n", "timezone": None}, "'timezone' must be text"),
    ],
)
def test_a_hand_written_mapping_of_the_wrong_shape_is_refused_naming_the_key(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ColumnMapping.from_json(data)


def _suggested(name: str) -> ColumnMapping:
    with open_path(FIXTURES / name) as table:
        mapping = suggest_mapping(table.vendor, table.columns, sample_rows(table), table.questions)
    assert mapping is not None
    return mapping


def test_a_german_excel_csv_gets_a_guess_and_reads_its_decimal_commas_and_day_first_dates() -> None:
    import io

    from voc.surveys.formats import open_table
    from voc.surveys.importer import read_responses, settle_mapping

    text = (
        "ID;Datum;Zufriedenheit (CSAT);Kommentar\r\n"
        "1;20.11.2026 10:15;4,0;Sehr gut, schnelle Lieferung\r\n"
        "2;31.12.2026 23:59;2;Zu teuer für die Qualität – schade\r\n"
    )
    with open_table(io.BytesIO(text.encode("cp1252")), "umfrage.csv") as table:
        guess = suggest_mapping(table.vendor, table.columns, sample_rows(table), table.questions)
        assert guess is not None
        assert (guess.submitted_at, guess.response_id, guess.csat, guess.text_fields) == (
            "Datum",
            "ID",
            "Zufriedenheit (CSAT)",
            ("Kommentar",),
        )
        mapping, _ = settle_mapping(None, table, "umfrage", guess)
        read = list(read_responses(table, mapping))
    assert [(r.submitted_at, r.csat) for r in read] == [  # type: ignore[union-attr]
        (datetime(2026, 11, 20, 10, 15, tzinfo=UTC), 4),
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), 2),
    ]
    assert read[1].answers == (("Kommentar", "Zu teuer für die Qualität – schade"),)  # type: ignore[union-attr]
