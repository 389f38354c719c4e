"""No personal value in a message (issue 18, item 4, for imports): a survey file with an e-mail, a
card, an IBAN or a phone number in every kind of column is imported; the refused rows are named
by line, column and what is wrong, and no value reaches the report, the stored import log, the
command line's output, a log line or any other row of the database."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.actors import admin
from voc.__main__ import main
from voc.store.facade import Store
from voc.store.schema import items, metadata, survey_imports
from voc.surveys import SURVEY_SOURCE
from voc.surveys.importer import import_survey
from voc.surveys.mapping import ColumnMapping

EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
IBAN = "DE89 3704 0044 0532 0130 00"
PHONE = "+49 151 23456789"
# Every form a value could leak in: as written, without its spaces, and the distinctive part.
LEAKS = (EMAIL, "jane.doe", CARD, CARD.replace(" ", ""), IBAN, IBAN.replace(" ", ""), PHONE, "23456789")

HEADER = "Ticket,Created,NPS,Satisfaction,Effort,Lang,Customer email,Comment,Agent notes"
ROWS = [
    # line 2: a good row; the comment and the customer column carry personal data of their own
    f"T-1,2026-11-20 10:00,9,5,6,en,{EMAIL},Card {CARD} was charged twice,{PHONE}",
    f"T-2,2026-11-20 10:05,{CARD},4,5,en,x@example.org,Fine,",  # 3: card in the NPS column
    f"T-3,{EMAIL},7,4,5,en,,Fine,",  # 4: e-mail in the date column
    f'T-4,2026-11-20 10:15,8,"{IBAN}",5,en,,Fine,',  # 5: IBAN in the CSAT column
    f"T-5,2026-11-20 10:20,8,4,{PHONE},en,,Fine,",  # 6: phone in the effort column
    f"{EMAIL},2026-11-20 10:25,10,5,7,en,,Great,",  # 7: e-mail as the response id (lands, hashed)
    f"T-7,{CARD},{EMAIL},{IBAN.replace(' ', '')},{PHONE},{EMAIL},,Bad,",  # 8: everything wrong at once
    f"T-8,2026-11-20 10:35,+{CARD.replace(' ', '')},5,7,{EMAIL},,Fine,",  # 9: the language column ignored
]
MAPPING = ColumnMapping(
    submitted_at="Created",
    response_id="Ticket",
    nps="NPS",
    csat="Satisfaction",
    ces="Effort",
    language="Lang",
    respondent="Customer email",
    text_fields=("Comment",),
)


def pii_export() -> bytes:
    return ("\n".join([HEADER, *ROWS]) + "\n").encode("utf-8")


def assert_no_value_in(text: str, where: str) -> None:
    for value in LEAKS:
        assert value not in text, f"{where} quotes a personal value"


def dump_database(store: Store) -> str:
    """Every row of every table, as text: what someone reading the database would see."""
    out = []
    with store.read() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(sa.select(table)).mappings():
                out.append(repr(dict(row)))
    return "\n".join(out)


def test_personal_values_in_any_column_never_reach_a_message_a_log_or_the_database(
    store: Store, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    report = import_survey(
        store,
        io.BytesIO(pii_export()),
        "tickets.csv",
        survey="tickets",
        via="upload",
        mapping=MAPPING,
        clock=clock,
        actor=admin("importer"),
    )
    problems = {problem.line: problem.reason for problem in report.problems}
    assert sorted(problems) == [3, 4, 5, 6, 8, 9]
    # Each message names the column and what is wrong, and describes the value without quoting it.
    assert problems[3] == (
        "NPS is not a number: the cell holds a number with 16 digits (it may be personal data) in column 'NPS'"
    )
    assert problems[4].startswith("date not understood: the cell holds what looks like an e-mail address;")
    assert problems[4].endswith("in column 'Created'")
    assert problems[5] == (
        "CSAT is not a number: the cell holds a number with 20 digits (it may be personal data) in column 'Satisfaction'"
    )
    assert "effort score is not a number" in problems[6] and "in column 'Effort'" in problems[6]
    assert [part.split(" in column ")[1] for part in problems[8].split("; ") if " in column " in part] == [
        "'Created'",
        "'NPS'",
        "'Satisfaction'",
        "'Effort'",
    ]
    assert "NPS is not a number" in problems[9]

    for line, reason in problems.items():
        assert_no_value_in(reason, f"the problem on line {line}")
    assert_no_value_in("\n".join(report.lines()), "the report")
    with store.read() as connection:
        logged = connection.execute(sa.select(survey_imports.c.problems)).scalar_one()
    assert [entry["line"] for entry in logged] == [3, 4, 5, 6, 8, 9]
    assert_no_value_in(json.dumps(logged, ensure_ascii=False), "survey_imports.problems")
    for record in caplog.records:
        assert_no_value_in(record.getMessage(), f"log line {record.name}")

    # The rows that landed keep no value in clear either: the respondent is a hash, the comment is
    # redacted, an e-mail used as a response id is replaced by a hash of it, and the language is unread.
    with store.read() as connection:
        landed = connection.execute(sa.select(items).where(items.c.source == SURVEY_SOURCE)).mappings().all()
    assert len(landed) == 2
    hashed = next(row for row in landed if row["response_id"] != "T-1")
    assert hashed["response_id"].startswith("id-") and hashed["nps"] == 10
    assert_no_value_in(dump_database(store), "the database")


def test_the_command_line_prints_no_personal_value(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    export = tmp_path / "tickets.csv"
    export.write_bytes(pii_export())
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAPPING.to_json()), encoding="utf-8")
    database = tmp_path / "cli.db"
    monkeypatch.setenv("VOC_DATABASE_URL", f"sqlite:///{database}")
    code = main(["surveys", "import", str(export), "--mapping", str(mapping)])
    captured = capsys.readouterr()
    assert code == 0
    assert "6 rows refused" in captured.out and "line 3: NPS is not a number" in captured.out
    assert_no_value_in(captured.out + captured.err, "the command line's output")
    for record in caplog.records:
        assert_no_value_in(record.getMessage(), f"log line {record.name}")
    # The database file itself, bytes and all (checkpointed: the engine is disposed by the command).
    for path in tmp_path.glob("cli.db*"):
        raw = path.read_bytes()
        for value in LEAKS:
            assert value.encode("utf-8") not in raw, f"{path.name} holds a personal value"


def test_a_headerless_file_keeps_no_value_from_its_first_row(sqlite_store: Store, clock: Any) -> None:
    # No header: the first data row stands where the column names should be, and a user mapped it so.
    first = f"T-0,2026-11-19 09:00,{EMAIL}"
    data = (first + "\nT-1,2026-11-20 10:00,Slow refund\nT-2,2026-11-20 11:00,not a date\n").encode()
    mapping = ColumnMapping(submitted_at="2026-11-19 09:00", response_id="T-0", text_fields=(EMAIL,))
    report = import_survey(
        sqlite_store,
        io.BytesIO(data),
        "raw.csv",
        survey="raw",
        via="upload",
        mapping=mapping,
        clock=clock,
        actor=admin("a"),
    )
    assert report.items_landed == 2 and report.rows_refused == 0
    assert_no_value_in(dump_database(sqlite_store), "the database")
    with sqlite_store.read() as connection:
        fields = set(connection.execute(sa.select(items.c.survey_field)).scalars())
    assert fields == {"[email]"}
    wrong = ColumnMapping(submitted_at="Created", text_fields=(EMAIL,))
    refused = import_survey(
        sqlite_store,
        io.BytesIO(data),
        "raw.csv",
        survey="raw2",
        via="upload",
        mapping=wrong,
        clock=clock,
        actor=admin("a"),
    )
    assert refused.refused is not None and "its header row seems to be missing" in refused.refused
    assert_no_value_in(refused.refused, "the refusal")


def test_a_headerless_file_refused_by_the_saved_mapping_lists_none_of_its_first_row(
    store: Store, tmp_path: Path, clock: Any
) -> None:
    # The survey's mapping was saved from a file with a header; next week's file lost its header row.
    mapping = ColumnMapping(submitted_at="created", response_id="ticket", text_fields=("comment",))
    with_header = b"ticket,created,comment\nT1,2026-11-20 10:00,The app keeps crashing on login\n"
    import_survey(
        store, io.BytesIO(with_header), "w1.csv", survey="calls", mapping=mapping, clock=clock, actor=admin("a")
    )
    headerless = b"T2,2026-11-27 10:00,Call Dana Kowalski at home about the refund\nT3,2026-11-27 11:00,fine\n"
    (tmp_path / "w2.csv").write_bytes(headerless)
    report = import_survey(store, io.BytesIO(headerless), "w2.csv", survey="calls", clock=clock, actor=admin("a"))
    assert report.refused is not None and "its header row seems to be missing" in report.refused
    for shown in (report.refused, dump_database(store)):
        assert "Kowalski" not in shown and "T2" not in shown
