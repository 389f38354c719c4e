"""File writers: XLSX (summary + data sheets), CSV (UTF-8 with BOM), Parquet (row groups).

Each writer takes the summary when it opens and the data rows chunk by chunk, so a whole export
is one pass over the database with every format written side by side and nothing buffered beyond
a chunk (Parquet: one row group). Every text cell a spreadsheet opens goes through `safety`.
Domain module: no Streamlit.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Final, Protocol

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from voc.exports.comparison import COMPARISON_HEADER, comparison_rows
from voc.exports.rows import COLUMN_NAMES, COLUMNS, Row
from voc.exports.safety import neutralise, spreadsheet_text
from voc.exports.summary import ExportSummary

# One timestamp form in every file (docs/exports.md): ISO 8601, UTC, to the second, with "Z".
TIMESTAMP_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"
XLSX_TIMESTAMP_FORMAT: Final = 'yyyy-mm-dd"T"hh:mm:ss"Z"'  # the same text, on a real date cell that sorts and filters


def utc_text(moment: datetime) -> str:
    """`2026-11-17T12:00:00Z`: how every export writes a moment as text."""
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


EXCEL_MAX_ROWS: Final = 1_048_576
PARQUET_ROW_GROUP: Final = 100_000
HEADER_FONT: Final = Font(bold=True, color="FFFFFF")
HEADER_FILL: Final = PatternFill("solid", fgColor="1F4E79")
TITLE_FONT: Final = Font(bold=True, size=14)
SECTION_FONT: Final = Font(bold=True, size=12)


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    PARQUET = "parquet"
    HTML = "html"


class ItemSink(Protocol):
    """Receives the data rows of one export, chunk by chunk."""

    def add(self, rows: Sequence[Row]) -> None: ...
    def close(self) -> None: ...


THEME_HEADER: Final = ("theme_id", "theme", "parent", "owner_team", "items", "previous_items", "change", "negative",
                       "neutral", "positive", "negative_share", "nps", "nps_responses", "csat", "csat_responses",
                       "example_1", "example_2", "example_3")  # fmt: skip
EMERGING_HEADER: Final = ("proposal_id", "label", "language", "size", "growth", "keywords")


def theme_rows(summary: ExportSummary) -> list[tuple[Any, ...]]:
    """The per-theme table, as the XLSX summary sheet and the themes CSV hold it."""
    out = []
    for line in summary.themes:
        mix = line.mix
        examples = (*line.examples, "", "", "")[:3]
        share = round(mix.negative_share, 3) if mix.negative_share is not None else None
        change = round(line.change, 3) if line.change is not None else None
        out.append((line.theme_id, line.name, line.parent, line.owner, mix.items, line.previous, change, mix.negative,
                    mix.neutral, mix.positive, share, mix.nps, mix.nps_responses, mix.csat, mix.csat_responses, *examples))  # fmt: skip
    return out


def summary_facts(summary: ExportSummary) -> list[tuple[str, Any]]:
    """The headline figures, label and value."""
    totals, before, cov = summary.totals, summary.previous_totals, summary.coverage
    return [
        ("Period", f"{summary.period.first} to {summary.period.last} ({summary.period.tz}), Monday–Sunday" if summary.period.is_week
         else f"{summary.period.first} to {summary.period.last} ({summary.period.tz})"),
        ("Previous period", f"{summary.previous_period.first} to {summary.previous_period.last}"),
        ("Taxonomy version", summary.taxonomy_version),
        ("Generated at", utc_text(summary.generated_at)),
        ("Items", totals.items),
        ("Items in the previous period", before.items),
        ("Duplicates not counted", summary.duplicates),
        ("Negative / neutral / positive", f"{totals.negative} / {totals.neutral} / {totals.positive}"),
        ("NPS", totals.nps),
        ("CSAT (mean)", totals.csat),
        ("Theme coverage", f"{cov.share:.0%} of {cov.assessed} assessed items" if cov.share is not None else "no items assessed"),
    ]  # fmt: skip


# ---- XLSX -------------------------------------------------------------------------------------------


class XlsxSink:
    """openpyxl in write-only mode: rows go to a temporary file per sheet, not to memory."""

    def __init__(self, path: Path, summary: ExportSummary) -> None:
        self.path = path
        self.book = Workbook(write_only=True)
        self._summary_sheet(summary)
        self._comparison_sheet(summary)
        self.sheets = 0
        self.rows_in_sheet = EXCEL_MAX_ROWS  # forces the first data sheet
        self.sheet: WriteOnlyWorksheet | None = None
        self._new_data_sheet()

    def _header(self, sheet: WriteOnlyWorksheet, names: Sequence[str]) -> list[WriteOnlyCell]:
        cells = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
        return cells

    def _styled(self, sheet: WriteOnlyWorksheet, value: Any, font: Font) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=spreadsheet_text(value))
        cell.font = font
        return cell

    def _summary_sheet(self, summary: ExportSummary) -> None:
        sheet = self.book.create_sheet("Summary")
        for index, width in enumerate((30, 28, 16, 18, 8, 9, 8, 9, 8, 8, 9, 7, 9, 7, 9, 50, 50, 50), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([self._styled(sheet, f"Customer voice: {summary.period.label}", TITLE_FONT)])
        for label, value in summary_facts(summary):
            sheet.append([spreadsheet_text(label), spreadsheet_text(value)])
        sheet.append([])
        sheet.append([self._styled(sheet, "What changed", SECTION_FONT)])
        for sentence in summary.changes:
            sheet.append([spreadsheet_text(sentence)])
        sheet.append([])
        sheet.append(
            [self._styled(sheet, "Themes (ids are stable: merged themes' old ids resolve to these)", SECTION_FONT)]
        )
        sheet.append(self._header(sheet, THEME_HEADER))
        for row in theme_rows(summary):
            sheet.append([spreadsheet_text(v) for v in row])
        if not summary.themes:
            sheet.append(["No themes are defined yet."])
        sheet.append([])
        sheet.append([self._styled(sheet, "Emerging themes (discovery proposals awaiting review)", SECTION_FONT)])
        if summary.emerging:
            sheet.append(self._header(sheet, EMERGING_HEADER))
            for e in summary.emerging:
                sheet.append(
                    [
                        spreadsheet_text(v)
                        for v in (e.proposal_id, e.label, e.language, e.size, e.growth, ", ".join(e.keywords))
                    ]
                )
        else:
            sheet.append(["None this period."])

    def _comparison_sheet(self, summary: ExportSummary) -> None:
        sheet = self.book.create_sheet("Comparison")
        for index, width in enumerate((12, 24, 30, 14, 16, 10), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        previous = summary.previous_period
        sheet.append(
            [self._styled(sheet, f"{summary.period.label} against {previous.first} to {previous.last}", TITLE_FONT)]
        )
        sheet.append(self._header(sheet, COMPARISON_HEADER))
        for row in comparison_rows(summary):
            sheet.append([spreadsheet_text(v) for v in row])

    def _new_data_sheet(self) -> None:
        self.sheets += 1
        sheet = self.book.create_sheet("Items" if self.sheets == 1 else f"Items ({self.sheets})")
        for index, column in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "B2"
        sheet.append(self._header(sheet, COLUMN_NAMES))
        self.sheet, self.rows_in_sheet = sheet, 1

    def add(self, rows: Sequence[Row]) -> None:
        for row in rows:
            if self.rows_in_sheet >= EXCEL_MAX_ROWS:  # Excel's limit: carry on in another sheet
                self._new_data_sheet()
            assert self.sheet is not None
            self.sheet.append([spreadsheet_text(v) if i != 1 else self._moment(v) for i, v in enumerate(row)])
            self.rows_in_sheet += 1

    def _moment(self, value: datetime) -> WriteOnlyCell:
        # Excel has no time zones: the cell holds naive UTC, shown in the export's one form with its "Z".
        cell = WriteOnlyCell(self.sheet, value=value.astimezone(UTC).replace(tzinfo=None))
        cell.number_format = XLSX_TIMESTAMP_FORMAT
        return cell

    def close(self) -> None:
        self.book.save(self.path)


# ---- CSV --------------------------------------------------------------------------------------------


def _csv_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_text(value)
    return neutralise(value)


class CsvSink:
    """Items as CSV, the per-theme summary (`…-themes.csv`) and this period against the previous
    one (`…-comparison.csv`) beside it, all UTF-8 with a BOM.

    The BOM is what makes Excel read UTF-8 (emoji, accents, non-Latin scripts) instead of the
    system code page; every other CSV reader ignores it.
    """

    def __init__(self, path: Path, summary: ExportSummary) -> None:
        self.path = path
        self.themes_path = path.with_name(path.stem + "-themes.csv")
        with path.with_name(path.stem + "-comparison.csv").open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COMPARISON_HEADER)
            writer.writerows([neutralise(v) for v in row] for row in comparison_rows(summary))
        with self.themes_path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(("taxonomy_version", *THEME_HEADER))
            for row in theme_rows(summary):
                writer.writerow([summary.taxonomy_version, *(neutralise(v) for v in row)])
        self.handle: IO[str] = path.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(COLUMN_NAMES)

    def add(self, rows: Sequence[Row]) -> None:
        self.writer.writerows([_csv_cell(v) for v in row] for row in rows)

    def close(self) -> None:
        self.handle.close()


# ---- Parquet ----------------------------------------------------------------------------------------

_ARROW_TYPES: Final = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "text": pa.string(),
                       "timestamp": pa.timestamp("us", tz="UTC")}  # fmt: skip


def parquet_schema(summary: ExportSummary) -> pa.Schema:
    fields = [pa.field(c.name, _ARROW_TYPES[c.kind]) for c in COLUMNS]
    metadata = {
        "voc.period": summary.period.label, "voc.tz": summary.period.tz,
        "voc.start_utc": utc_text(summary.period.start), "voc.end_utc": utc_text(summary.period.end),
        "voc.taxonomy_version": str(summary.taxonomy_version),
    }  # fmt: skip
    return pa.schema(fields, metadata=metadata)


class ParquetSink:
    """Typed columns (UTC timestamps, nullable scores) for analysts; one row group per ~100k rows.

    Each chunk becomes an Arrow record batch as it arrives (columnar: a few bytes a cell), and the
    batches are written as one row group once they hold `row_group` rows. Before issue #21 the
    rows waited as Python tuples (a hundred bytes a cell): a year's export rose by 330 MB."""

    def __init__(self, path: Path, summary: ExportSummary, *, row_group: int = PARQUET_ROW_GROUP) -> None:
        self.schema = parquet_schema(summary)
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.row_group = row_group
        self.batches: list[pa.RecordBatch] = []
        self.buffered = 0

    def add(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        self.batches.append(
            pa.RecordBatch.from_arrays(
                [pa.array(col, type=f.type) for col, f in zip(columns, self.schema, strict=True)], schema=self.schema
            )
        )
        self.buffered += len(rows)
        if self.buffered >= self.row_group:
            self._flush()

    def _flush(self) -> None:
        if not self.batches:
            return
        self.writer.write_table(pa.Table.from_batches(self.batches, schema=self.schema), row_group_size=self.buffered)
        self.batches, self.buffered = [], 0

    def close(self) -> None:
        self._flush()
        if self.writer.is_open:
            self.writer.close()


def open_sink(fmt: ExportFormat, path: Path, summary: ExportSummary) -> ItemSink:
    """A writer for `fmt` (HTML has no data rows: see `voc.exports.html`)."""
    if fmt is ExportFormat.XLSX:
        return XlsxSink(path, summary)
    if fmt is ExportFormat.CSV:
        return CsvSink(path, summary)
    if fmt is ExportFormat.PARQUET:
        return ParquetSink(path, summary)
    raise ValueError(f"{fmt} has no data rows")
