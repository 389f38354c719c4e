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

Qualtrics is also recognised by structure alone, whatever the language of its labels: the
`{"ImportId":…}` row, and its legacy layout (`V1`…`Vn`, then `ResponseID`, `ResponseSet`… in row 2).
SurveyMonkey's legacy layout (`RespondentID`, `CollectorID`, `StartDate`…) too. Header cells are
compared without case, spaces, non-breaking spaces or zero-width marks, and renamed to the
vendor's documented spelling.

Encodings: a BOM decides (UTF-8, UTF-16, UTF-32; doubled BOMs are dropped); UTF-16/32 without one
by their NUL bytes; otherwise UTF-8 if the whole file decodes as UTF-8, else each line is read as
UTF-8 when it decodes and as Windows-1252 when not, and the table says which lines were.
A cell over `CELL_LIMIT` costs its row, never the file. A title above the header (a title line,
blank lines, a merged title cell) is skipped when the header is found within `HEADER_SEARCH`
lines; `Table.above_header` says how many lines, never their text. Domain: no Streamlit, no store.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from itertools import chain, takewhile
from pathlib import Path
from typing import IO, Any, Final

from voc.textlines import PER_LINE, Lines, LineTooLong, bom_encoding, describe_lines

EXPECTED: Final = (
    "expected a survey export: a CSV, TSV or XLSX table with a header row "
    "(Qualtrics, SurveyMonkey, Typeform, Google Forms, or any table with a column mapping)"
)
SAMPLE_BYTES: Final = 64 * 1024
SCAN_BYTES: Final = 1024 * 1024
DELIMITERS: Final = (",", ";", "\t", "|")
CELL_LIMIT: Final = 10 * 1024 * 1024  # characters: a longer cell costs its row (csv's own limit)
LINE_LIMIT: Final = 16 * 1024 * 1024  # characters of one physical line held at once; longer ones are skipped
HEADER_SEARCH: Final = 10  # lines above the header (a title, "Exported … by …", blanks) looked through
csv.field_size_limit(CELL_LIMIT)


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
    problem: str | None = None  # the row could not be read at all (e.g. a cell over the size limit)


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
    import_ids: dict[str, str] = field(default_factory=dict)  # column -> Qualtrics ImportId (QID2_TEXT...)
    open_ended: tuple[str, ...] = ()  # columns the layout marks as free text (SurveyMonkey's "Open-Ended Response")
    sheet: str | None = None  # XLSX: the sheet the export was found on
    notes: tuple[str, ...] = ()  # what the user should know about how the file was read
    above_header: str = ""  # the lines skipped above the header, in words ("2 lines above the header…")
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
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        parts.append(f"{self.header_lines} header row{'s' if self.header_lines != 1 else ''}")
        return "; ".join([", ".join(parts), *self.notes])


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
    if head.startswith(b"PK\x03\x04"):
        with _open_xlsx(stream, filename) as table:
            yield table
        return
    yield _csv_table(open_records(stream, filename, title_lines=HEADER_SEARCH), stream, filename)


def open_records(stream: IO[bytes], filename: str, expected: str = EXPECTED, *, title_lines: int = 0) -> Records:
    """The records of a delimited text file (a seekable binary stream): its encoding and delimiter
    decided as for a survey export, each record with the line it starts on. `FormatError` (ending
    with `expected`) when the file is empty, binary or another known kind. With `title_lines`, a
    first line without any separator (a title) leaves the delimiter to the first of the next
    `title_lines` lines that has one."""
    stream.seek(0)
    head = stream.read(64)
    stream.seek(0)
    if not head:
        raise FormatError(f"{filename} is empty; {expected}")
    if head.startswith(b"PK\x03\x04"):
        raise FormatError(f"{filename} is a zip file or an XLSX workbook, not a text table; {expected}")
    _refuse_known_binaries(head, filename, expected)
    encoding = detect_encoding(stream)
    codec, skip = _codec(head, encoding)
    stream.seek(0)
    lines = Lines(stream, codec, skip=skip, limit=LINE_LIMIT)
    notes: tuple[str, ...] = ()
    if encoding == MIXED:
        scan = _scan_lines(stream)
        notes = (
            f"the file mixes encodings: line{'s' if len(scan.cp1252_lines) > 1 else ''} "
            f"{describe_lines(scan.cp1252_lines)} read as Windows-1252, the rest as UTF-8",
        )
    try:
        first_line = next(lines, "")
    except LineTooLong as error:
        raise FormatError(f"{filename}: the first line is longer than {LINE_LIMIT:,} characters; {expected}") from error
    if "\x00" in first_line or sum(1 for c in first_line if ord(c) < 32 and c not in "\t\r\n") > 2:
        raise FormatError(f"{filename} is not a text table (binary content); {expected}")
    directive = _SEP_DIRECTIVE.match(first_line)
    if directive:  # Excel's "sep=;" line names the delimiter and is not part of the table
        return Records(lines, encoding, directive.group(1), notes)
    lines.unread(first_line)
    return Records(lines, encoding, _delimiter_below_title(lines, title_lines), notes)


def _delimiter_below_title(lines: Lines, title_lines: int) -> str:
    """The delimiter of the first line; when it has no separator at all (a title such as "Customer
    survey — November 2026"), that of the first line below it that has one. Lines are put back."""
    seen: list[str | LineTooLong] = []
    delimiter = ","
    try:
        for _ in range(title_lines + 1):
            try:
                line = next(lines)
            except LineTooLong as error:
                seen.append(error)
                continue
            seen.append(line)
            if _separators(line):
                delimiter = detect_delimiter(line)
                break
    except StopIteration:
        pass
    for looked in reversed(seen):
        if isinstance(looked, LineTooLong):
            lines.unread_too_long(looked)
        else:
            lines.unread(looked)
    return delimiter


_SEP_DIRECTIVE: Final = re.compile(r'^"?sep=([,;\t|])"?[,;\t|]*\r?\n?$', re.IGNORECASE)


MIXED: Final = "utf-8 and cp1252"
_BOM_NAMES: Final = {
    "utf-8": "utf-8-sig",
    "utf-16-le": "utf-16",
    "utf-16-be": "utf-16",
    "utf-32-le": "utf-32",
    "utf-32-be": "utf-32",
}


def _codec(head: bytes, encoding: str) -> tuple[str, int]:
    """The `Lines` codec for a detected encoding, and the BOM bytes to skip."""
    bom, length = bom_encoding(head)
    if bom is not None:
        return (PER_LINE if bom == "utf-8" else bom), length
    if encoding.startswith(("utf-16", "utf-32")):
        return encoding, 0
    return PER_LINE, 0  # UTF-8 (checked whole), Windows-1252 or both: decided line by line


def _scan_lines(stream: IO[bytes]) -> Lines:
    """One pass over a file that is not all UTF-8: which lines are Windows-1252."""
    stream.seek(0)
    lines = Lines(stream, PER_LINE, limit=LINE_LIMIT)
    while True:
        try:
            next(lines)
        except StopIteration:
            break
        except LineTooLong:
            continue
    stream.seek(0)
    return lines


def _refuse_known_binaries(head: bytes, filename: str, expected: str = EXPECTED) -> None:
    if head.startswith(b"\xd0\xcf\x11\xe0") and filename.lower().endswith((".xlsx", ".xlsm")):
        # Excel wraps a workbook with a password to open in the old container format.
        raise FormatError(
            f"{filename} is a password-protected workbook; remove the password in Excel "
            f"(File → Info → Protect Workbook) and save it again — {expected}"
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormatError(f"{filename} is an old Excel 97–2003 workbook (.xls); save it as .xlsx or CSV — {expected}")
    if head.startswith(b"%PDF"):
        raise FormatError(f"{filename} is a PDF; {expected}")
    text = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if text[:1] in (b"{", b"["):
        raise FormatError(f"{filename} looks like JSON; {expected}")
    if text.startswith((b"<!doctype html", b"<html")):
        raise FormatError(
            f"{filename} is a web page (HTML), perhaps a sign-in or error page saved instead of the export; {expected}"
        )
    if text.startswith(b"<?xml"):
        raise FormatError(
            f"{filename} is an XML file (an Excel 2003 XML workbook?); save it as .xlsx or CSV — {expected}"
        )


def detect_encoding(stream: IO[bytes]) -> str:
    """BOM, then UTF-32/16 by NUL pattern, then UTF-8 (whole file checked), else Windows-1252 where
    no line is UTF-8 with accents, else `MIXED` (decoded line by line)."""
    stream.seek(0)
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    bom, _ = bom_encoding(sample)
    if bom is not None:
        return _BOM_NAMES[bom]
    wide = _nul_pattern(sample)
    if wide:
        return wide
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(SCAN_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    finally:
        stream.seek(0)
    return MIXED if _scan_lines(stream).mixed else "cp1252"


def _nul_pattern(sample: bytes) -> str | None:
    """UTF-32 or UTF-16 without a BOM, told by where the NUL bytes of ASCII text fall."""
    quads = sample[: len(sample) - len(sample) % 4]
    if len(quads) >= 8:
        n = len(quads) // 4
        columns = [quads[i::4].count(0) for i in range(4)]
        if columns[1] > 0.9 * n and columns[2] > 0.9 * n and columns[3] > 0.9 * n and columns[0] < 0.1 * n:
            return "utf-32-le"
        if columns[0] > 0.9 * n and columns[1] > 0.9 * n and columns[2] > 0.9 * n and columns[3] < 0.1 * n:
            return "utf-32-be"
    pairs = sample[: len(sample) - len(sample) % 2]
    if pairs:
        odd_nuls = pairs[1::2].count(0)
        even_nuls = pairs[0::2].count(0)
        half = len(pairs) // 2
        if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
            return "utf-16-le"
        if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
            return "utf-16-be"
    return None


def detect_delimiter(first_line: str) -> str:
    """The separator used most often outside quotes in the header line (comma when none is)."""
    counts = _separators(first_line)
    best = max(DELIMITERS, key=lambda d: counts.get(d, 0))
    return best if counts.get(best) else ","


def _separators(line: str) -> dict[str, int]:
    """How often each delimiter occurs outside quotes in `line` (only those that do)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return {d: n for d, n in counts.items() if n}


# Each vendor's documented column names; a header cell with the same key is renamed to these.
QUALTRICS_COLUMNS: Final = (
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
    # the legacy (V1…Vn) layout's names
    "ResponseSet",
    "Name",
    "ExternalDataReference",
    "EmailAddress",
    "LocationAccuracy",
)
# Qualtrics's ImportIds of its system columns: they name the column whatever its label's language.
QUALTRICS_IMPORT_IDS: Final = {
    "startDate": "StartDate",
    "endDate": "EndDate",
    "status": "Status",
    "ipAddress": "IPAddress",
    "progress": "Progress",
    "duration": "Duration (in seconds)",
    "finished": "Finished",
    "recordedDate": "RecordedDate",
    "_recordId": "ResponseId",
    "recipientLastName": "RecipientLastName",
    "recipientFirstName": "RecipientFirstName",
    "recipientEmail": "RecipientEmail",
    "externalDataReference": "ExternalReference",
    "locationLatitude": "LocationLatitude",
    "locationLongitude": "LocationLongitude",
    "distributionChannel": "DistributionChannel",
    "userLanguage": "UserLanguage",
}
SURVEYMONKEY_COLUMNS: Final = (
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Custom Data 1",
)
TYPEFORM_COLUMNS: Final = (
    "#",
    "Response Type",
    "Start Date (UTC)",
    "Stage Date (UTC)",
    "Submit Date (UTC)",
    "Network ID",
    "Tags",
)
_INVISIBLE = re.compile("[\x00\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u3000]+")
_LEGACY_V = re.compile(r"^V\d+$", re.I)


def header_key(name: str) -> str:
    """What two header cells must share to be the same column: no case, spaces or invisible marks."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", clean_header(name)).casefold())


def _keyed(names: Iterable[str]) -> dict[str, str]:
    return {header_key(name): name for name in names}


def detect_vendor(first_row: Sequence[Any], later_rows: Sequence[Sequence[Any]] = ()) -> Vendor:
    """The vendor whose documented header layout the first rows show (labels in any case or spacing)."""
    keys = {header_key(cell) for cell in first_row if cell is not None}
    if {"responseid", "startdate"} <= keys or {"responseid", "recordeddate"} <= keys:
        return Vendor.QUALTRICS
    if any(_is_import_id_row(row) for row in later_rows[:2]) or _is_legacy_qualtrics(first_row, later_rows):
        return Vendor.QUALTRICS
    if {"respondentid", "collectorid"} <= keys:
        return Vendor.SURVEYMONKEY
    if "#" in keys and "submitdate(utc)" in keys:
        return Vendor.TYPEFORM
    if first_row and header_key(first_row[0]) in _GOOGLE_KEYS:
        return Vendor.GOOGLE_FORMS
    return Vendor.GENERIC


def _is_legacy_qualtrics(first_row: Sequence[Any], later_rows: Sequence[Sequence[Any]]) -> bool:
    """Qualtrics's legacy export: V1, V2… in row 1, ResponseID, ResponseSet… in row 2."""
    names = [clean_header(cell) for cell in first_row[:2]]
    if len(names) < 2 or not all(_LEGACY_V.match(name) for name in names) or not later_rows:
        return False
    return "responseid" in {header_key(cell) for cell in later_rows[0] if cell is not None}


def clean_header(value: Any) -> str:
    """A header cell as text: NFC, without NULs, BOMs or zero-width marks, spaces (non-breaking too) as one."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = _SPACES.sub(" ", _INVISIBLE.sub("", text))
    return unicodedata.normalize("NFC", text).strip()


_CANONICAL: Final = {
    "qualtrics": _keyed(QUALTRICS_COLUMNS),
    "surveymonkey": {**_keyed(SURVEYMONKEY_COLUMNS), "customdata": "Custom Data 1"},
    "typeform": _keyed(TYPEFORM_COLUMNS),
}
_GOOGLE_KEYS: Final = frozenset(header_key(name) for name in GOOGLE_TIMESTAMPS)


def _is_import_id_row(row: Sequence[Any]) -> bool:
    return any(isinstance(cell, str) and cell.lstrip().startswith('{"ImportId"') for cell in row)


@dataclass(frozen=True)
class _Header:
    vendor: Vendor
    columns: tuple[str, ...]
    questions: dict[str, str]
    lines: int  # header rows consumed
    zones: dict[str, str] = field(default_factory=dict)
    import_ids: dict[str, str] = field(default_factory=dict)
    open_ended: tuple[str, ...] = ()


def _import_ids(row: list[str]) -> list[dict[str, Any]]:
    """Qualtrics's ImportId row cell by cell: {"ImportId":"recordedDate","timeZone":"America/Denver"}."""
    out: list[dict[str, Any]] = []
    for cell in row:
        try:
            data = json.loads(cell) if cell else {}
        except ValueError:
            data = {}
        out.append(data if isinstance(data, dict) else {})
    return out


def _read_header(first_rows: list[list[Any]], filename: str) -> _Header:
    """Decide the vendor and how many header rows there are from up to the first three rows."""
    if not first_rows or not any(clean_header(cell) for cell in first_rows[0]):
        raise FormatError(f"{filename} has no header row; {EXPECTED}")
    row1 = [clean_header(cell) for cell in first_rows[0]]
    vendor = detect_vendor(row1, first_rows[1:])
    # Trailing empty header cells come from a trailing separator, except in SurveyMonkey's first
    # row, where a question's later choice columns are blank and named in the second row.
    named = [bool(name) for name in row1]
    # SurveyMonkey's second row names each column's answer, blank under Respondent ID; a value there
    # is the first response (the sub-header row was deleted), never to be read as names.
    monkey_rows = vendor is Vendor.SURVEYMONKEY and len(first_rows) > 1 and _blank_under_respondent(row1, first_rows[1])
    if monkey_rows:
        row2 = [clean_header(cell) for cell in first_rows[1]]
        row1 += [""] * max(0, len(row2) - len(row1))
        named = [bool(name) or (i < len(row2) and bool(row2[i])) for i, name in enumerate(row1)]
    width = len(named)
    while width and not named[width - 1]:
        width -= 1
    row1 = row1[:width]
    questions: dict[str, str] = {}
    zones: dict[str, str] = {}
    ids: list[str] = []
    open_ended: list[int] = []
    lines = 1
    names = [_canonical(vendor, name) for name in row1]
    if vendor is Vendor.QUALTRICS:
        row2 = _padded(first_rows, 1, len(row1))
        row3 = _padded(first_rows, 2, len(row1))
        id_row: list[str] = []
        if _is_legacy_qualtrics(row1, first_rows[1:]):
            lines = 2  # V1…Vn, then the system columns' names and the questions' text
            names = [
                _canonical(vendor, row2[i]) if _LEGACY_V.match(name) and i < len(row2) and row2[i] else name
                for i, name in enumerate(row1)
            ]
            questions = {n: text for n, old, text in zip(names, row1, row2, strict=False) if text and n == old}
        elif _is_import_id_row(row3):
            lines, id_row = 3, row3
        elif _is_import_id_row(row2):
            lines, id_row, row2 = 2, row2, []
        elif row2 and any(header_key(cell) == "responseid" for cell in row2):
            lines = 2  # an export with labels in row 2 and no ImportId row
        if id_row:
            parsed = _import_ids(id_row)
            ids = [str(data.get("ImportId") or "") for data in parsed]
            # System columns are named by their ImportId, so translated labels in row 1 still match.
            names = [QUALTRICS_IMPORT_IDS.get(i, name) for i, name in zip(ids, names, strict=False)] + names[len(ids) :]
            zones = {
                name: data["timeZone"]
                for name, data in zip(names, parsed, strict=False)
                if isinstance(data.get("timeZone"), str)
            }
        if lines >= 2 and not questions:
            questions = {name: text for name, text in zip(names, row2, strict=False) if text}
    elif monkey_rows:
        row2 = _padded(first_rows, 1, len(row1))
        lines = 2
        tops = names
        names = []
        question = ""
        for top, sub in zip(tops, row2 + [""] * (len(tops) - len(row2)), strict=False):
            question = top or question  # a question spans its choice columns: forward-fill
            if header_key(sub) == "open-endedresponse":
                open_ended.append(len(names))
            if sub in ("", "Response", "Open-Ended Response"):
                names.append(question)
            else:
                names.append(f"{question} - {sub}")
            questions[names[-1]] = question
    unique = _unique([name or f"Column {i + 1}" for i, name in enumerate(names)])
    if monkey_rows:
        questions = {new: questions.get(old, "") for old, new in zip(names, unique, strict=True)}
    elif questions:
        questions = {new: questions[old] for old, new in zip(names, unique, strict=True) if old in questions}
    if len(unique) < 2:
        raise FormatError(f"{filename} has a single column; {EXPECTED} — separated by commas, semicolons or tabs")
    import_ids = {column: i for column, i in zip(unique, ids, strict=False) if i}
    zones = {new: zones[old] for old, new in zip(names, unique, strict=True) if old in zones}
    texts = tuple(unique[i] for i in open_ended) if vendor is Vendor.SURVEYMONKEY else ()
    return _Header(vendor, tuple(unique), questions, lines, zones, import_ids, texts)


def _maybe_title(cells: Sequence[Any]) -> bool:
    """A first row that may be a title above the header: at most two cells, not a known layout."""
    return _title_cells(cells, 2) and detect_vendor([clean_header(cell) for cell in cells]) is Vendor.GENERIC


def _title_cells(cells: Sequence[Any], most: int) -> bool:
    """At most `most` non-empty cells, no more than one of them a value (a number or a date), and
    not only values: "Exported:" beside a date is a title line, a date or a score alone is data."""
    filled = [cell for cell in cells if clean_header(cell)]
    values = sum(1 for cell in filled if _is_value_cell(cell))
    return len(filled) <= most and (not filled or (values <= 1 and values < len(filled)))


def _title_like(cells: Sequence[Any], header: Sequence[Any]) -> bool:
    """A line above `header` that is a title, a note or blank: fewer cells than the header (at most
    half of them, and at most two) and no response data."""
    named = _filled_count(header)
    return _filled_count(cells) < named and _title_cells(cells, min(2, max(1, named // 2)))


def _filled_count(cells: Sequence[Any]) -> int:
    return sum(1 for cell in cells if clean_header(cell))


_VALUE_TEXT: Final = re.compile(
    r"[-+]?\d+(?:[.,]\d+)?%?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?.*)?", re.I
)


def _is_value_cell(cell: Any) -> bool:
    """A number or a date (typed, or as text): what a response row holds and a header row does not."""
    if isinstance(cell, bool | int | float | datetime | date | time):
        return True
    return isinstance(cell, str) and bool(_VALUE_TEXT.fullmatch(cell.strip()))


def _enough_rows(rows: list[list[Any]], titled: bool) -> bool:
    """Rows enough to decide the header: three, or below a possible title until three past the
    first row that is not title-like (its header rows and a row to compare widths), at most
    `HEADER_SEARCH` lines above the header."""
    if not titled:
        return len(rows) >= 3
    body = next((i for i, cells in enumerate(rows) if not _title_cells(cells, 2)), None)
    return len(rows) >= HEADER_SEARCH + 4 or (body is not None and len(rows) >= body + 4)


def _header_start(rows: list[list[Any]]) -> int:
    """Where the header is when the first row may be a title: the first row within `HEADER_SEARCH`
    that a known layout recognises, else the first that reads as a generic table's names, with
    only title-like lines above it; 0 (the first row, as without a title) when none does."""
    last = min(HEADER_SEARCH, len(rows) - 1)
    for start in range(1, last + 1):
        row = [clean_header(cell) for cell in rows[start]]
        if detect_vendor(row, rows[start + 1 : start + 3]) is not Vendor.GENERIC and all(
            _title_like(cells, rows[start]) for cells in rows[:start]
        ):
            return start
    for start in range(1, last + 1):
        if _names_row(rows[start], rows[start + 1 : start + 4]) and all(
            _title_like(cells, rows[start]) for cells in rows[:start]
        ):
            return start
    return 0


def _names_row(cells: Sequence[Any], below: Sequence[Sequence[Any]]) -> bool:
    """A generic table's header: two names or more, no value among them, and rows below it no
    wider than it (a row of data names no more columns than its header)."""
    named = _filled_count(cells)
    return (
        named >= 2
        and not any(_is_value_cell(cell) for cell in cells if clean_header(cell))
        and bool(below)
        and all(_filled_count(row) <= named for row in below)
    )


def _above_header(lines: int, titles: int, unit: str) -> str:
    """The lines skipped above the header, in words; never their text (a title may name a person)."""
    if not titles:
        return ""
    blank = max(0, lines - titles)
    kinds = ["a title" if titles == 1 else f"{titles} title {unit}s"]
    if blank:
        kinds.append(f"a blank {unit}" if blank == 1 else f"{blank} blank {unit}s")
    were = "was" if lines == 1 else "were"
    return f"{lines} {unit}{'' if lines == 1 else 's'} above the header {were} skipped: {' and '.join(kinds)}"


def _blank_under_respondent(row1: list[str], row2: Sequence[Any]) -> bool:
    """Row 2 has no value under the Respondent ID column (so it is SurveyMonkey's sub-header row)."""
    keys = [header_key(name) for name in row1]
    column = next((i for i, key in enumerate(keys) if key == "respondentid"), 0)
    return column >= len(row2) or not clean_header(row2[column])


def _canonical(vendor: Vendor, name: str) -> str:
    """`name` as the vendor documents it ("respondentid" → "Respondent ID"), or unchanged."""
    table = _CANONICAL.get(str(vendor))
    return table.get(header_key(name), name) if table else name


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


class _Taken:
    """The physical lines the CSV reader takes for the record it is reading (it reads no further)."""

    def __init__(self, lines: Lines) -> None:
        self.lines = lines
        self.taken: list[str] = []

    def __iter__(self) -> _Taken:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.taken.append(line)
        return line


class Records:
    """A delimited text file's records, read once, lazily: (line it starts on, cells, None), or
    (line, None, problem) for a record that cannot be read (blank lines are not records).

    Once `width` is known (the header's), a record of another width whose later lines hold a row's
    worth of separators is a quote left open that ran on over the next rows: its first line is
    refused, and the lines after it are read again as rows of their own, so they are not lost.
    """

    def __init__(self, lines: Lines, encoding: str, delimiter: str, notes: tuple[str, ...] = ()) -> None:
        self.lines = lines
        self.encoding = encoding
        self.delimiter = delimiter
        self.notes = notes
        self.width = 0
        self.widest = 0  # until the header is read: the first line's cells with its trailing empty ones
        self.start = lines.number  # lines before the first record's (1 after a "sep=" line)
        self._taken = _Taken(lines)
        self._reader = csv.reader(self._taken, delimiter=delimiter)
        self._records = self._read()

    def __iter__(self) -> Iterator[tuple[int, list[str] | None, str | None]]:
        return self._records

    def _read(self) -> Iterator[tuple[int, list[str] | None, str | None]]:
        lines, taken = self.lines, self._taken.taken
        previous = lines.number  # 1 after a "sep=" line
        lines.quotes = 0
        while True:
            problem = None
            taken.clear()
            try:
                record = next(self._reader)
            except StopIteration:
                return
            except LineTooLong:
                problem = f"a line longer than {LINE_LIMIT // (1024 * 1024)} MiB; the row is refused"
            except csv.Error as error:
                problem = _csv_problem(error)
                if self._rows_in(taken):  # a quote never closed ran on over rows until the cell limit
                    start = previous + 1
                    for line in reversed(taken[1:]):
                        lines.unread(line)
                    lines.quotes = 0
                    yield start, None, _ran_on_problem(start + len(taken) - 1)
                    previous = start
                    continue
            if problem is not None:
                _past_open_quote(lines)
                start, previous = previous + 1, lines.number
                lines.quotes = 0
                yield start, None, problem
                continue
            start, previous = previous + 1, lines.number
            lines.quotes = 0
            if self._ran_on(record, taken):
                for line in reversed(taken[1:]):
                    lines.unread(line)
                yield start, None, _ran_on_problem(previous)
                previous = start
                continue
            if record and any(cell.strip() for cell in record):  # blank lines are not rows
                yield start, record, None

    def _ran_on(self, record: list[str], taken: list[str]) -> bool:
        """A record of the wrong width whose later physical lines look like rows: a quote never closed."""
        fits = len(record) >= self.width and not any(cell.strip() for cell in record[max(self.width, self.widest) :])
        return bool(record) and not fits and self._rows_in(taken)

    def _rows_in(self, taken: list[str]) -> bool:
        """Some physical line after a record's first holds a row's worth of separators."""
        width = self.width
        return width > 1 and len(taken) > 1 and any(line.count(self.delimiter) >= width - 1 for line in taken[1:])


def _ran_on_problem(last_line: int) -> str:
    return (
        f"a quote opened on this line is not closed where the row ends (it ran on to line {last_line:,}); "
        "the row is refused and the lines after it are read as rows"
    )


def _csv_table(records: Records, raw: IO[bytes], filename: str) -> Table:
    stream = iter(records)
    first: list[tuple[int, list[str]]] = []
    held: list[tuple[int, list[str] | None, str | None]] = []  # a bad row met while looking for the header
    titled = False  # the first line may be a title above the header: look further down for it
    for line, cells, problem in stream:
        if cells is None:
            if not first:
                raise FormatError(f"{filename}: header line {line}: {problem}; {EXPECTED}")
            held.append((line, cells, problem))
            break
        first.append((line, cells))
        if len(first) == 1 or titled:  # until the header is read, the widest line so far tells a run-on quote
            width = len(cells) - len(list(takewhile(lambda cell: not cell.strip(), reversed(cells))))
            records.width = max(records.width, width)
            records.widest = max(records.widest, len(cells))
            titled = titled or _maybe_title(cells)
        if _enough_rows([cells for _, cells in first], titled):
            break
    start = _header_start([cells for _, cells in first]) if titled else 0
    header = _read_header([cells for _, cells in first[start : start + 3]], filename)
    records.width = records.widest = len(header.columns)
    above = first[start][0] - 1 - records.start if start else 0
    first = first[start:]
    size = _size(raw)
    lines = records.lines

    def rows() -> Iterator[Row]:
        for line, cells in first[header.lines :]:
            yield Row(line, tuple(cells))
        for line, maybe, problem in chain(held, stream):
            yield Row(line, tuple(maybe or ()), problem)

    return Table(
        filename=filename,
        file_kind="csv",
        vendor=header.vendor,
        columns=header.columns,
        header_lines=header.lines,
        rows=rows(),
        questions=header.questions,
        zones=header.zones,
        encoding=records.encoding,
        delimiter=records.delimiter,
        import_ids=header.import_ids,
        open_ended=header.open_ended,
        notes=records.notes,
        above_header=_above_header(above, start, "line"),
        _fraction=lambda: lines.bytes_read / size if size else 1.0,
    )


def _past_open_quote(lines: Lines) -> None:
    """After the reader gave up inside a quoted cell (an odd number of quotes so far in the record),
    skip to the line that closes it, so the cell's later lines are not read as rows of their own."""
    while lines.quotes % 2:
        try:
            next(lines)
        except StopIteration:
            return
        except LineTooLong:
            continue


def _csv_problem(error: csv.Error) -> str:
    """A CSV syntax error in words, without the cell's content."""
    text = str(error)
    if "field larger than field limit" in text:
        return f"a cell is larger than {CELL_LIMIT // (1024 * 1024)} MiB, the most a survey cell may hold; the row is refused"
    return "the row is not valid CSV (" + text.split("(")[0].strip() + "); the row is refused"


def _size(raw: IO[bytes]) -> int:
    position = raw.tell()
    raw.seek(0, io.SEEK_END)
    size = raw.tell()
    raw.seek(position)
    return size


def _has_values(cells: Sequence[Any]) -> bool:
    return any(cell is not None and (not isinstance(cell, str) or cell.strip()) for cell in cells)


class _Damaged(Exception):
    """A sheet's XML or its zip entry cannot be read."""


def _sheet_rows(sheet: Any, name: str) -> Iterator[tuple[int, list[Any]]]:
    """A sheet's non-empty rows with their row numbers; a damaged sheet raises `FormatError`."""
    first_row_number = int(getattr(sheet, "min_row", 1) or 1)
    offset = -1
    try:
        for offset, cells in enumerate(sheet.iter_rows(values_only=True)):
            if _has_values(cells):
                yield first_row_number + offset, list(cells)
    except Exception as error:  # zipfile, zlib and XML parsers raise many kinds for a damaged sheet
        where = f"after row {first_row_number + offset}" if offset >= 0 else "from its first row"
        raise FormatError(
            f"sheet {name!r} is damaged {where} (its XML cannot be read: {type(error).__name__}); "
            "open the file in Excel and save it again"
        ) from None


@contextmanager
def _open_xlsx(stream: IO[bytes], filename: str) -> Iterator[Table]:
    from openpyxl import load_workbook  # imported here: only XLSX files need it

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a zip that is not a workbook
        raise FormatError(
            f"{filename} is a zip file but not an Excel workbook that can be read ({type(error).__name__}: "
            f"damaged, or another kind of zip); open it in Excel and save it again — {EXPECTED}"
        ) from None
    try:
        chosen, header, first, stream_rows, damaged, above = _find_sheet(workbook, filename)
        sheet = workbook[chosen]
        total = int(sheet.max_row or 0)
        width = len(header.columns)
        read = [first[-1][0] if first else 0]

        def rows() -> Iterator[Row]:
            for line, cells in chain(first[header.lines :], stream_rows):
                read[0] = line
                trimmed = list(cells)
                while len(trimmed) > width and trimmed[-1] in (None, ""):
                    trimmed.pop()
                yield Row(line, tuple(trimmed))

        many = len(workbook.worksheets) > 1
        yield Table(
            filename=filename,
            file_kind="xlsx",
            vendor=header.vendor,
            columns=header.columns,
            header_lines=header.lines,
            rows=rows(),
            questions=header.questions,
            zones=header.zones,
            import_ids=header.import_ids,
            open_ended=header.open_ended,
            sheet=chosen if many else None,
            notes=tuple(damaged),
            above_header=above,
            _fraction=lambda: read[0] / total if total else 0.0,
        )
    finally:
        workbook.close()


def _find_sheet(
    workbook: Any, filename: str
) -> tuple[str, _Header, list[tuple[int, list[Any]]], Iterator[tuple[int, list[Any]]], list[str], str]:
    """The first sheet holding a recognised export (else the first with a usable header table), from
    its header row on (a title above it skipped), and the rows skipped above it in words."""
    fallback = None
    damaged: list[str] = []
    refusals: list[str] = []
    for sheet in workbook.worksheets:  # chart sheets hold no cells
        name = sheet.title
        rows = _sheet_rows(sheet, name)
        first: list[tuple[int, list[Any]]] = []
        titled = False  # the first row may be a title (a merged cell) above the header
        try:
            for record in rows:
                first.append(record)
                titled = titled or (len(first) == 1 and _maybe_title(record[1]))
                if _enough_rows([cells for _, cells in first], titled):
                    break
        except FormatError as error:
            damaged.append(str(error))
            continue
        if not first:
            continue
        start = _header_start([cells for _, cells in first]) if titled else 0
        try:
            header = _read_header([cells for _, cells in first[start : start + 3]], f"{filename}, sheet {name!r},")
        except FormatError as error:
            refusals.append(str(error))
            continue
        above = _above_header(first[start][0] - 1, start, "row")
        if header.vendor is not Vendor.GENERIC:
            return name, header, first[start:], rows, damaged, above
        if fallback is None:
            fallback = (name, header, first[start:], rows, damaged, above)
    if fallback is not None:
        return fallback
    if damaged:
        raise FormatError(f"{filename}: " + "; ".join(damaged))
    if refusals:
        raise FormatError(refusals[0])
    raise FormatError(f"{filename} has no header row on any sheet; {EXPECTED}")
