"""`python -m voc`: analyse from a file or standard input, migrate a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from voc.store.engine import create_engine_for
from voc.store.migrate import current_revision, head_revision

ROOT = Path(__file__).resolve().parents[2]


def run_voc(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voc", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_analyse_reads_standard_input_and_writes_one_json_object_per_line() -> None:
    result = run_voc("analyse", stdin="I love the new app, great job!\nMy bill is wrong and support is terrible\n\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3  # the empty line still gets its (undetermined) answer, so lines stay aligned
    assert [row["sentiment"] for row in rows[:2]] == ["positive", "negative"]
    assert rows[0]["language"] == "en"
    assert rows[2]["language"] == "und"
    assert "terrible" in rows[1]["reasons"]
    for row in rows:
        assert {"language", "sentiment", "score", "confidence", "reasons"} <= row.keys()


def test_analyse_reads_a_file_and_never_echoes_personal_data(tmp_path: Path) -> None:
    source = tmp_path / "comments.txt"
    source.write_text("Refund me now: card 4111 1111 1111 1111, mail jo@example.com\n", encoding="utf-8")
    result = run_voc("analyse", str(source))
    assert result.returncode == 0, result.stderr
    assert "4111" not in result.stdout and "jo@example.com" not in result.stdout
    assert sorted(json.loads(result.stdout)["redactions"]) == ["card", "email"]


def test_analyse_reports_a_missing_file_clearly(tmp_path: Path) -> None:
    result = run_voc("analyse", str(tmp_path / "nope.txt"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_migrate_brings_a_fresh_database_to_the_newest_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    result = run_voc("migrate", env={"VOC_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert head_revision() in result.stdout
    assert current_revision(create_engine_for(url)) == head_revision()
