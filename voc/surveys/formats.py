"""Open a survey export: sniff CSV/TSV/XLSX, its encoding and delimiter, its header rows and vendor.

What comes out is a `Table`: unique column names, the question text behind each column where the
export has one, and the data rows read lazily, each with the line number a person sees when they
open the file (header rows counted; for a CSV record that spans lines, the line it starts on; for
XLSX, the sheet's row number). Rows are never all in memory, so a 50k-row file stays small.

Vendors are recognised from their documented header layouts:

- Qualtrics: row 1 internal ids (`ResponseId`, `StartDate`, `Q1`, `Q1_NPS_GROUP`...), row 2 the
  question text, row 3 `{"ImportId":"QID1"}` (legacy exports lack row 3)
- SurveyMonkey: row 1 questions (`Respondent ID`, `Collector ID`...), row 2 sub-answers
  (`Response`, `Open-Ended Response`, choice labels); the two are joined into one name per column
- Typeform: one row, `#` (the response token) and `Submit Date (UTC)`
- Google Forms: one row starting with `Timestamp` (or its translation)
- anything else is `generic` and needs a column mapping

Encodings: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise UTF-8 if the whole file decodes as
UTF-8, UTF-16 when every other byte is NUL, else Windows-1252. Domain: no Streamlit, no store.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain
from pathlib import Path
from typing import IO, Any, Final

EXPECTED: Final = (
    "expected a survey export: a CSV, TSV or XLSX table with a header row "
    "(Qualtrics, SurveyMonkey, Typeform, Google Forms, or any table with a column mapping)"
)
SAMPLE_BYTES: Final = 64 * 1024
SCAN_BYTES: Final = 1024 * 1024
DELIMITERS: Final = (",", ";", "\t", "|")
csv.field_size_limit(10 * 1024 * 1024)  # a long comment must not break the reader


class Vendor(StrEnum):
    QUALTRICS = "qualtrics"
    SURVEYMONKEY = "surveymonkey"
    TYPEFORM = "typeform"
    GOOGLE_FORMS = "google_forms"
    GENERIC = "generic"

    @property
    def label(self) -> str:
        return _VENDOR_LABELS[self]


_VENDOR_LABELS = {
    Vendor.QUALTRICS: "Qualtrics",
    Vendor.SURVEYMONKEY: "SurveyMonkey",
    Vendor.TYPEFORM: "Typeform",
    Vendor.GOOGLE_FORMS: "Google Forms",
    Vendor.GENERIC: "Generic table",
}

# Google Forms names its first column in the form owner's language.
GOOGLE_TIMESTAMPS: Final = frozenset(
    {
        "timestamp",
        "marca temporal",  # es
        "horodateur",  # fr
        "zeitstempel",  # de
        "carimbo de data/hora",  # pt
        "informazioni cronologiche",  # it
        "tijdstempel",  # nl
    }
)


class FormatError(ValueError):
    """The file cannot be read as a survey export; the message says what was expected instead."""


@dataclass(frozen=True)
class Row:
    """One data row: where it starts in the file, and its cells (text, or typed cells from XLSX)."""

    line: int
    cells: tuple[Any, ...]


@dataclass
class Table:
    """An opened export. `rows` can be read once, lazily; `fraction_read()` drives a progress bar."""

    filename: str
    file_kind: str  # "csv" or "xlsx"
    vendor: Vendor
    columns: tuple[str, ...]
    header_lines: int
    rows: Iterator[Row]
    questions: dict[str, str] = field(default_factory=dict)  # column -> question text, when known
    zones: dict[str, str] = field(default_factory=dict)  # column -> time zone the export names (Qualtrics)
    encoding: str | None = None
    delimiter: str | None = None
    _fraction: Callable[[], float] = lambda: 0.0

    def fraction_read(self) -> float:
        """How much of the file has been read, 0..1 (by bytes for CSV, by rows for XLSX)."""
        return max(0.0, min(1.0, self._fraction()))

    def describe(self) -> str:
        """A short description for reports: vendor, file kind, encoding, delimiter, header rows."""
        parts = [self.vendor.label, self.file_kind.upper()]
        if self.encoding:
            parts.append(self.encoding)
        if self.delimiter:
            parts.append("tab-separated" if self.delimiter == "\t" else f"'{self.delimiter}'-separated")
        parts.append(f"{self.header_lines} header row{'s' if self.header_lines != 1 else ''}")
        return ", ".join(parts)


@contextmanager
def open_path(path: Path | str) -> Iterator[Table]:
    """`open_table` for a file on disk."""
    path = Path(path)
    with path.open("rb") as stream, open_table(stream, path.name) as table:
        yield table


@contextmanager
def open_table(stream: IO[bytes], filename: str) -> Iterator[Table]:
    """Open a seekable binary stream (a file, an upload) as a `Table`; raise `FormatError` if it is not one."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise FormatError(f"{filename} is empty; {EXPECTED}")
    if head.startswith(b"PK\x03\x04"):
        with _open_xlsx(stream, filename) as table:
            yield table
        return
    _refuse_known_binaries(head, filename)
    encoding = detect_encoding(stream)
    wrapper = io.TextIOWrapper(
        stream, encoding=encoding, errors="replace" if encoding == "cp1252" else "strict", newline=""
    )
    try:
        yield _csv_table(wrapper, stream, filename, encoding)
    except UnicodeDecodeError as error:  # pragma: no cover - detect_encoding read the whole file
        raise FormatError(f"{filename}: cannot decode as {encoding} ({error.reason}); {EXPECTED}") from error
    finally:
        wrapper.detach()  # leave the caller's stream open (an upload may be read again)


def _refuse_known_binaries(head: bytes, filename: str) -> None:
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormatError(f"{filename} is an old Excel 97–2003 workbook (.xls); save it as .xlsx or CSV — {EXPECTED}")
    if head.startswith(b"%PDF"):
        raise FormatError(f"{filename} is a PDF; {EXPECTED}")
    if head[:1] in (b"{", b"["):
        raise FormatError(f"{filename} looks like JSON; {EXPECTED}")


def detect_encoding(stream: IO[bytes]) -> str:
    """BOM, then UTF-8 (whole file checked), then UTF-16 by NUL pattern, else Windows-1252."""
    stream.seek(0)
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Python's utf-16 reads the BOM and picks the byte order
    pairs = sample[: len(sample) - len(sample) % 2]
    if pairs:
        odd_nuls = pairs[1::2].count(0)
        even_nuls = pairs[0::2].count(0)
        half = len(pairs) // 2
        if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
            return "utf-16-le"
        if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
            return "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(SCAN_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        stream.seek(0)


def detect_delimiter(first_line: str) -> str:
    """The separator used most often outside quotes in the header line (comma when none is)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def detect_vendor(first_row: list[str]) -> Vendor:
    """The vendor whose documented header columns appear in the first header row."""
    names = {clean_header(cell) for cell in first_row}
    lowered = {name.lower() for name in names}
    if {"responseid", "startdate"} <= lowered or {"responseid", "recordeddate"} <= lowered:
        return Vendor.QUALTRICS
    if {"Respondent ID", "Collector ID"} <= names:
        return Vendor.SURVEYMONKEY
    if "#" in names and "Submit Date (UTC)" in names:
        return Vendor.TYPEFORM
    if first_row and clean_header(first_row[0]).lower() in GOOGLE_TIMESTAMPS:
        return Vendor.GOOGLE_FORMS
    return Vendor.GENERIC


def clean_header(value: Any) -> str:
    """A header cell as text: NFC, without NULs, BOMs or surrounding spaces."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return unicodedata.normalize("NFC", text.replace("\x00", "").replace("\ufeff", "")).strip()


def _is_import_id_row(row: list[Any]) -> bool:
    return any(isinstance(cell, str) and cell.lstrip().startswith('{"ImportId"') for cell in row)


@dataclass(frozen=True)
class _Header:
    vendor: Vendor
    columns: tuple[str, ...]
    questions: dict[str, str]
    lines: int  # header rows consumed
    zones: dict[str, str] = field(default_factory=dict)


def _import_id_zones(names: list[str], row: list[str]) -> dict[str, str]:
    """Qualtrics's third header row names the zone of date columns: {"ImportId":"recordedDate","timeZone":"America/Denver"}."""
    zones = {}
    for name, cell in zip(names, row, strict=False):
        try:
            data = json.loads(cell)
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("timeZone"), str):
            zones[name] = data["timeZone"]
    return zones


def _read_header(first_rows: list[list[Any]], filename: str) -> _Header:
    """Decide the vendor and how many header rows there are from up to the first three rows."""
    if not first_rows or not any(clean_header(cell) for cell in first_rows[0]):
        raise FormatError(f"{filename} has no header row; {EXPECTED}")
    row1 = [clean_header(cell) for cell in first_rows[0]]
    vendor = detect_vendor(row1)
    # Trailing empty header cells come from a trailing separator, except in SurveyMonkey's first
    # row, where a question's later choice columns are blank and named in the second row.
    named = [bool(name) for name in row1]
    if vendor is Vendor.SURVEYMONKEY and len(first_rows) > 1:
        row2 = [clean_header(cell) for cell in first_rows[1]]
        row1 += [""] * max(0, len(row2) - len(row1))
        named = [bool(name) or (i < len(row2) and bool(row2[i])) for i, name in enumerate(row1)]
    width = len(named)
    while width and not named[width - 1]:
        width -= 1
    row1 = row1[:width]
    questions: dict[str, str] = {}
    zones: dict[str, str] = {}
    lines = 1
    names = list(row1)
    if vendor is Vendor.QUALTRICS:
        row2 = _padded(first_rows, 1, len(row1))
        row3 = _padded(first_rows, 2, len(row1))
        if _is_import_id_row(row3):
            lines = 3
            zones = _import_id_zones(row1, row3)
        elif _is_import_id_row(row2):
            zones = _import_id_zones(row1, row2)
            lines = 2
            row2 = []
        elif row2 and any(cell == "Response ID" for cell in row2):
            lines = 2  # legacy export: ids, then question text
        if lines >= 2:
            questions = {name: text for name, text in zip(row1, row2, strict=False) if text}
    elif vendor is Vendor.SURVEYMONKEY:
        row2 = _padded(first_rows, 1, len(row1))
        lines = 2
        names = []
        question = ""
        for top, sub in zip(row1, row2 + [""] * (len(row1) - len(row2)), strict=False):
            question = top or question  # a question spans its choice columns: forward-fill
            if sub in ("", "Response", "Open-Ended Response"):
                names.append(question)
            else:
                names.append(f"{question} - {sub}")
            questions[names[-1]] = question
    unique = _unique([name or f"Column {i + 1}" for i, name in enumerate(names)])
    if vendor is Vendor.SURVEYMONKEY:
        questions = {new: questions.get(old, "") for old, new in zip(names, unique, strict=True)}
    if len(unique) < 2:
        raise FormatError(
            f"{filename} has a single column ({unique[0]!r}); {EXPECTED} — separated by commas, semicolons or tabs"
        )
    return _Header(vendor, tuple(unique), questions, lines, zones)


def _padded(rows: list[list[Any]], index: int, width: int) -> list[str]:
    if index >= len(rows):
        return []
    return [clean_header(cell) for cell in rows[index]][:width]


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        out.append(name if count == 1 else f"{name} ({count})")
    return out


def _csv_table(text: io.TextIOWrapper, raw: IO[bytes], filename: str, encoding: str) -> Table:
    first_line = text.readline()
    if "\x00" in first_line or sum(1 for c in first_line if ord(c) < 32 and c not in "\t\r\n") > 2:
        raise FormatError(f"{filename} is not a text table (binary content); {EXPECTED}")
    text.seek(0)
    delimiter = detect_delimiter(first_line)
    reader = csv.reader(text, delimiter=delimiter)

    def records() -> Iterator[tuple[int, list[str]]]:
        previous = 0
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if record and any(cell.strip() for cell in record):  # blank lines are not rows
                yield start, record

    stream = records()
    try:
        first: list[tuple[int, list[str]]] = []
        for record in stream:
            first.append(record)
            if len(first) == 3:
                break
    except csv.Error as error:
        raise FormatError(f"{filename}: {error}; {EXPECTED}") from error
    header = _read_header([cells for _, cells in first], filename)
    size = _size(raw)

    def rows() -> Iterator[Row]:
        for line, cells in chain(first[header.lines :], _tolerant(stream)):
            yield Row(line, tuple(cells))

    return Table(
        filename=filename,
        file_kind="csv",
        vendor=header.vendor,
        columns=header.columns,
        header_lines=header.lines,
        rows=rows(),
        questions=header.questions,
        zones=header.zones,
        encoding=encoding,
        delimiter=delimiter,
        _fraction=lambda: raw.tell() / size if size else 1.0,
    )


def _tolerant(records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """Records, stopping at a CSV syntax error (e.g. a NUL byte) with a clear message."""
    try:
        yield from records
    except csv.Error as error:
        raise FormatError(f"cannot read further: {error}") from error


def _size(raw: IO[bytes]) -> int:
    position = raw.tell()
    raw.seek(0, io.SEEK_END)
    size = raw.tell()
    raw.seek(position)
    return size


@contextmanager
def _open_xlsx(stream: IO[bytes], filename: str) -> Iterator[Table]:
    from openpyxl import load_workbook  # imported here: only XLSX files need it

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a zip that is not a workbook
        raise FormatError(f"{filename} is a zip file but not an Excel workbook ({error}); {EXPECTED}") from error
    try:
        sheet = workbook.worksheets[0]
        total = int(sheet.max_row or 0)
        first_row_number = int(sheet.min_row or 1)
        values = sheet.iter_rows(values_only=True)
        read = [0]

        def numbered() -> Iterator[tuple[int, list[Any]]]:
            for offset, cells in enumerate(values):
                read[0] = offset + 1
                if any(cell is not None and (not isinstance(cell, str) or cell.strip()) for cell in cells):
                    yield first_row_number + offset, list(cells)

        stream_rows = numbered()
        first: list[tuple[int, list[Any]]] = []
        for record in stream_rows:
            first.append(record)
            if len(first) == 3:
                break
        header = _read_header([cells for _, cells in first], filename)
        width = len(header.columns)

        def rows() -> Iterator[Row]:
            for line, cells in chain(first[header.lines :], stream_rows):
                trimmed = list(cells)
                while len(trimmed) > width and trimmed[-1] in (None, ""):
                    trimmed.pop()
                yield Row(line, tuple(trimmed))

        yield Table(
            filename=filename,
            file_kind="xlsx",
            vendor=header.vendor,
            columns=header.columns,
            header_lines=header.lines,
            rows=rows(),
            questions=header.questions,
            zones=header.zones,
            _fraction=lambda: read[0] / total if total else 0.0,
        )
    finally:
        workbook.close()
