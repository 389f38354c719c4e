"""`python -m voc themes discover FILE`: one proposal id per input line, labels on stderr, same file same ids."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTAGE = [
    "No signal at all in {t}, is the network down?",
    "Network outage in {t} again, no calls possible",
    "Mobile network down in {t} since this morning",
]
ROAMING = [
    "Roaming charges in {t} were crazy expensive",
    "My roaming pass did not work in {t}",
    "Why was I billed for roaming data in {t}?",
]
TOWNS = ["Leeds", "Paris", "Berlin", "Madrid", "Lisbon", "Rome", "Utrecht", "York"]


def run(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voc", "themes", "discover", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_discover_writes_one_proposal_id_per_line_and_the_same_ids_twice(tmp_path: Path) -> None:
    lines = [template.format(t=town) for town in TOWNS for template in OUTAGE + ROAMING]
    lines.insert(5, "")  # an empty line keeps its place
    source = tmp_path / "export.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    first, second = run(source), run(source)

    assert first.returncode == 0, first.stderr
    ids = first.stdout.splitlines()
    assert len(ids) == len(lines) and ids[5] == ""
    assert first.stdout == second.stdout
    outage = {ids[i] for i, line in enumerate(lines) if "network" in line.lower() or "signal" in line.lower()} - {""}
    roaming = {ids[i] for i, line in enumerate(lines) if "roaming" in line.lower()} - {""}
    assert outage and roaming and not outage & roaming  # no proposal mixes the two topics
    assert sum(1 for i in ids if i) >= 0.8 * (len(lines) - 1)
    assert "roaming" in first.stderr


def test_a_file_saved_by_excel_in_windows_1252_or_utf16_gives_the_same_ids_and_no_replacement_marks(
    tmp_path: Path,
) -> None:
    towns = ["Málaga", "Zürich", "Köln", "Besançon", "Genève", "Göteborg", "Córdoba", "Aarhus"]
    lines = [template.format(t=town) for town in towns for template in OUTAGE + ROAMING]
    utf8, cp1252, utf16 = tmp_path / "utf8.txt", tmp_path / "cp1252.txt", tmp_path / "utf16.txt"
    utf8.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cp1252.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    utf16.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-16-le"))

    results = [run(path) for path in (utf8, cp1252, utf16)]

    assert all(result.returncode == 0 for result in results), [result.stderr for result in results]
    assert results[1].stdout == results[0].stdout == results[2].stdout
    assert "\ufffd" not in results[1].stderr and "\ufffd" not in results[2].stderr
