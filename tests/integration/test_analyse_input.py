"""`python -m voc analyse`: the same bytes give the same output from a file and from standard input
(issue 17): non-UTF-8 bytes, lone CRs and BOMs are read alike, and no output line carries a raw
U+2028, U+2029 or U+0085 that would split it for a line reader. Real processes, both ways."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# One text per line, in every shape that used to differ: a Windows-1252 line in a UTF-8 file,
# bytes that are neither, CR LF, a lone CR, and line separators inside a text.
LINES = [
    "Le réseau est en panne depuis ce matin".encode(),
    "Le réseau est encore en panne, je veux résilier".encode("cp1252"),
    b"Broken \xff\xfe bytes \x81 here, service is terrible",
    "Große Klasse, danke!".encode(),
    "first part\u2028second part\u2029third \u0085 fourth, all great".encode(),
    b"",
    b"I love the new app",
]
EXPECTED_TEXTS = [
    "Le réseau est en panne depuis ce matin",
    "Le réseau est encore en panne, je veux résilier",
    "Broken ÿþ bytes \ufffd here, service is terrible",
    "Große Klasse, danke!",
    "first part\u2028second part\u2029third \u0085 fourth, all great",
    "",
    "I love the new app",
]


def payload(ends: list[bytes], prefix: bytes = b"") -> bytes:
    return prefix + b"".join(line + end for line, end in zip(LINES, ends, strict=True))


def run_analyse(tmp_path: Path, data: bytes, *, from_file: bool) -> bytes:
    env = {**os.environ, "VOC_DATABASE_URL": f"sqlite:///{tmp_path}/absent.db", "LC_ALL": "C", "LANG": "C"}
    env.pop("PYTHONIOENCODING", None)
    if from_file:
        source = tmp_path / "input.txt"
        source.write_bytes(data)
        args, stdin = [str(source)], b""
    else:
        args, stdin = [], data
    result = subprocess.run(
        [sys.executable, "-m", "voc", "analyse", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=180,
        env=env,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("ends", "prefix"),
    [
        ([b"\n"] * len(LINES), b""),
        ([b"\r"] * len(LINES), b""),
        ([b"\r\n", b"\r", b"\n", b"\r", b"\r\n", b"\r", b""], b""),
        ([b"\n"] * len(LINES), b"\xef\xbb\xbf"),
    ],
    ids=["lf", "lone cr", "mixed line ends, no final end", "utf-8 bom"],
)
def test_the_same_bytes_give_the_same_output_from_a_file_and_from_stdin(
    tmp_path: Path, ends: list[bytes], prefix: bytes
) -> None:
    data = payload(ends, prefix)
    from_file = run_analyse(tmp_path, data, from_file=True)
    from_stdin = run_analyse(tmp_path, data, from_file=False)
    assert from_file == from_stdin
    text = from_stdin.decode("utf-8")  # always UTF-8 out, whatever the locale (LC_ALL=C here)
    for raw in ("\u2028", "\u2029", "\u0085"):
        assert raw not in text
    lines = text.splitlines()  # str.splitlines breaks at U+2028 too: one object per line survives it
    rows = [json.loads(line) for line in lines]
    assert [row["text"] for row in rows] == EXPECTED_TEXTS
    assert rows[1]["language"] == "fr" and rows[1]["sentiment"] == "negative"


def test_a_long_line_is_cut_with_its_marker_and_one_past_the_line_limit_is_skipped_unread(tmp_path: Path) -> None:
    from voc.surveys.formats import LINE_LIMIT

    source = tmp_path / "input.txt"
    with source.open("wb") as handle:
        handle.write(b"Terrible service, I want a refund. " * 3_000 + b"\n")  # 105,000 characters
        handle.write(b"x" * (LINE_LIMIT + 200_000) + b"\n")  # read in 64 KiB chunks: well past the limit
        handle.write(b"Great shop\n")
    env = {**os.environ, "VOC_DATABASE_URL": f"sqlite:///{tmp_path}/absent.db"}
    result = subprocess.run(
        [sys.executable, "-m", "voc", "analyse", "--fast", "--workers", "1", str(source)],
        cwd=ROOT,
        capture_output=True,
        timeout=180,
        env=env,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    texts = [json.loads(line)["text"] for line in result.stdout.decode("utf-8").splitlines()]
    assert len(texts) == 3 and texts[2] == "Great shop"
    assert len(texts[0]) < 20_100 and texts[0].endswith("more characters]")
    assert texts[1] == f"[… cut: a line longer than {LINE_LIMIT:,} characters]"
    assert f"line 2 is longer than {LINE_LIMIT:,} characters: skipped" in result.stderr.decode("utf-8")
