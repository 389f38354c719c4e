"""`python -m voc surveys import FILE [--survey NAME]`: once as a real process, the rest in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from voc.__main__ import main
from voc.store.facade import Store
from voc.store.schema import items

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "surveys"


def run_import(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voc", "surveys", "import", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "VOC_DATABASE_URL": f"sqlite:///{database}"},
    )


def import_in_process(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("VOC_DATABASE_URL", f"sqlite:///{database}")
    code = main(["surveys", "import", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def surveys_in(database: Path) -> set[str]:
    store = Store.from_url(f"sqlite:///{database}", upgrade=False)
    try:
        with store.read() as connection:
            return set(connection.execute(sa.select(items.c.survey).distinct()).scalars())
    finally:
        store.engine.dispose()


def test_import_prints_what_landed_and_the_refused_lines(tmp_path: Path) -> None:
    database = tmp_path / "cli.db"
    result = run_import(database, str(FIXTURES / "broken_rows.csv"), "--survey", "Onboarding")
    assert result.returncode == 0, result.stderr
    assert "3 items landed from 3 responses" in result.stdout and "4 rows refused" in result.stdout
    for line in ("line 3: NPS 11", "line 4: date not understood", "line 5: 3 columns", "line 7: no response id"):
        assert line in result.stdout
    assert surveys_in(database) == {"Onboarding"}
    again = run_import(database, str(FIXTURES / "broken_rows.csv"), "--survey", "Onboarding")
    assert "0 items landed from 3 responses, 3 already there" in again.stdout


def test_a_refused_file_exits_non_zero_with_what_was_expected(tmp_path: Path, capsys, monkeypatch) -> None:
    pdf = tmp_path / "results.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    code, _, err = import_in_process(tmp_path / "cli.db", capsys, monkeypatch, str(pdf))
    assert code == 1
    assert "Refused results.pdf" in err and "expected a survey export" in err


def test_a_generic_table_is_refused_with_a_suggested_mapping_then_imported_with_it(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    database = tmp_path / "cli.db"
    source = FIXTURES / "generic_callcentre.csv"
    code, _, err = import_in_process(database, capsys, monkeypatch, str(source), "--survey", "Call centre")
    assert code == 1
    suggested = json.loads(err[err.index("{") :])
    assert suggested["response_id"] == "ticket" and suggested["csat"] == "satisfaction"
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({**suggested, "date_order": "dmy"}), encoding="utf-8")
    code, out, err = import_in_process(
        database, capsys, monkeypatch, str(source), "--survey", "Call centre", "--mapping", str(mapping)
    )
    assert code == 0, err
    assert "4 items landed" in out and "mapping chosen" in out


def test_a_missing_file_bad_mapping_or_bad_zone_exits_2(tmp_path: Path, capsys, monkeypatch) -> None:
    database = tmp_path / "cli.db"
    assert import_in_process(database, capsys, monkeypatch, str(tmp_path / "nope.csv"))[0] == 2

    def with_mapping(text: str, encoding: str) -> tuple[int, str]:
        (tmp_path / "mapping.json").write_text(text, encoding=encoding)
        code, _, err = import_in_process(
            database, capsys, monkeypatch, str(FIXTURES / "typeform_onboarding.csv"),
            "--mapping", str(tmp_path / "mapping.json"),
        )  # fmt: skip
        return code, err

    code, err = with_mapping('{"submitted_at": ""}', "utf-8")
    assert code == 2 and "not a usable column mapping" in err
    # a hand-written mapping of the wrong shape (saved by Notepad, with a BOM) is named, not a traceback
    code, err = with_mapping('{"submitted_at": "Submit Date (UTC)", "text_fields": "Why"}', "utf-8-sig")
    assert code == 2 and "not a usable column mapping: 'text_fields' must be a list of column names" in err
    code, _, err = import_in_process(
        database, capsys, monkeypatch, str(FIXTURES / "typeform_onboarding.csv"), "--timezone", "Mars/Olympus"
    )
    assert code == 2 and "unknown time zone" in err
