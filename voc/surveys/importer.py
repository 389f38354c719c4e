"""Import a survey export into the store: every good row lands, every bad row is named by its line.

The same steps serve the three ways in (upload on the Surveys page, the watched folder, the
command line): open the file (`formats`), settle the column mapping (chosen now, saved for the
survey, or the vendor's preset), read rows into `SurveyResponse`s or `Problem`s, turn responses
into one `RawItem` per non-empty comment field (a score-only response still lands once, with an
empty text, so its score counts and a CSAT 1 without a word still reaches a person), skip what
is already stored, analyse and store the rest in chunks (through the listeners' save path,
`Store.add_items`: one transaction a chunk), raise recovery alerts, and log the import.

No value in a message: a refused row is named by its line, the column and what is wrong, never
the cell's content (see `mapping.describe_value`); column names are shown redacted; a response id
that is itself personal data (an e-mail, a card) is replaced by a hash of it before it is stored.
A comment longer than `voc.sources.ingest.MAX_ITEM_CHARS` is cut with its marker (`cap_text`); a cell over
`formats.CELL_LIMIT` refuses its row. Neither stops the file.

Dedupe: every item's external id is built from survey, response id and field under the one source
name `surveys`, so importing a file twice, or by another way in, adds nothing.
Domain: no Streamlit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any, Final

from voc.access.roles import Actor, Permission, require
from voc.analysis.redaction import redact
from voc.clock import utcnow
from voc.models import ItemKind, RawItem
from voc.sources.ingest import build_item, cap_text
from voc.store.facade import Store
from voc.surveys import SURVEY_SOURCE
from voc.surveys.formats import EXPECTED, FormatError, Row, Table, Vendor, open_table
from voc.surveys.mapping import (
    CSAT_LABELS,
    CSAT_RANGE,
    NPS_RANGE,
    CellError,
    ColumnMapping,
    guess_date_order,
    language_of,
    parse_datetime,
    parse_score,
    suggest_mapping,
    text_of,
    zone_for,
)
from voc.surveys.recovery import RecoveryRules, raise_recovery_alerts
from voc.surveys.storage import existing_external_ids, load_mapping, record_import, save_mapping

CHUNK_SIZE: Final = 500
SAMPLE_ROWS: Final = 50
FIELD_MAX: Final = 200
SURVEY_NAME_MAX: Final = 200  # items.survey, survey_mappings.survey
COLUMN_SHOWN_MAX: Final = 60
log = logging.getLogger(__name__)
VIAS: Final = ("upload", "folder", "cli")


@dataclass(frozen=True)
class Problem:
    """Why a row (or, with no line, the whole file) was refused."""

    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line is not None else self.reason


@dataclass(frozen=True)
class SurveyResponse:
    """One respondent's answers as read from one row."""

    line: int
    response_id: str
    submitted_at: datetime
    nps: int | None
    csat: int | None
    ces: int | None
    respondent: str | None
    language: str | None
    answers: tuple[tuple[str, str], ...]  # (field, comment) for each non-empty free-text column

    @property
    def is_empty(self) -> bool:
        return not self.answers and self.nps is None and self.csat is None and self.ces is None


@dataclass(frozen=True)
class ImportProgress:
    """Where a running import is: rows read, share of the file read, items landed so far."""

    rows_read: int
    fraction: float
    items_landed: int


@dataclass(frozen=True)
class ImportReport:
    """What an import did, for the page, the command line, the folder's report file and the log."""

    survey: str
    filename: str
    via: str
    imported_at: datetime
    vendor: str = "unknown"
    file_format: str = ""
    mapping_from: str = ""  # chosen | saved | preset
    rows_total: int = 0
    responses: int = 0
    empty_rows: int = 0
    items_landed: int = 0
    duplicates: int = 0
    problems: tuple[Problem, ...] = ()
    refused: str | None = None  # the whole file was refused, and why
    above_header: str = ""  # lines skipped above the header (a title), in words, never their text
    very_unhappy: int = 0  # responses newly marked very unhappy
    alerts_raised: int = 0

    @property
    def rows_refused(self) -> int:
        return sum(1 for problem in self.problems if problem.line is not None)

    @property
    def refused_entirely(self) -> bool:
        """Nothing could be read: a wrong-format file, or every row broken."""
        return self.refused is not None or (self.rows_total > 0 and self.responses == 0 and self.empty_rows == 0)

    def summary(self) -> str:
        """One line: what landed and what was refused."""
        if self.refused is not None and self.rows_total == 0:
            return f"Refused {self.filename}: {self.refused}"
        text = (
            f"{plural(self.rows_total, 'row')} read: {plural(self.items_landed, 'item')} landed from "
            f"{plural(self.responses, 'response')}, {self.duplicates} already there, "
            f"{plural(self.rows_refused, 'row')} refused" + (f", {self.empty_rows} empty" if self.empty_rows else "")
        )
        if self.above_header:
            text += f"; {self.above_header}"
        return f"Refused {self.filename}: {self.refused} ({text})" if self.refused else text

    def lines(self) -> list[str]:
        """The full report as text lines (the folder writes these beside the file)."""
        out = [
            f"Survey import: {self.filename}",
            f"survey:   {self.survey}",
            f"via:      {self.via}, {self.imported_at.isoformat(timespec='seconds')}",
        ]
        if self.file_format:
            out.append(f"format:   {self.file_format}; mapping {self.mapping_from}")
        out.append(f"result:   {self.summary()}")
        if self.very_unhappy or self.alerts_raised:
            out.append(
                f"recovery: {plural(self.very_unhappy, 'very unhappy response')}, "
                f"{plural(self.alerts_raised, 'recovery alert')} raised"
            )
        rows = [p for p in self.problems if p.line is not None]
        if rows:
            out.append("")
            out.append("Refused rows (line numbers as in the file, header rows counted):")
            out += [f"  line {p.line}: {p.reason}" for p in rows]
        return out


def plural(n: int, word: str) -> str:
    """ "1 row", "2 rows"."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# ---- mapping ---------------------------------------------------------------------------------


def sample_rows(table: Table, n: int = SAMPLE_ROWS) -> list[tuple[Any, ...]]:
    """The first `n` rows' cells, keeping them in `table.rows` for the import itself."""
    first = list(islice(table.rows, n))
    table.rows = chain(first, table.rows)
    return [row.cells for row in first]


def settle_mapping(
    store: Store | None,
    table: Table,
    survey: str,
    chosen: ColumnMapping | None = None,
    *,
    timezone: str | None = None,
) -> tuple[ColumnMapping, str]:
    """The mapping to import `table` with and where it came from: chosen now, saved for the survey,
    or the vendor preset. Raises `FormatError` naming the expected columns when none fits."""
    sample = sample_rows(table)
    if chosen is not None:
        chosen = chosen.resolved(table.columns)
        missing = chosen.missing_from(table.columns)
        if missing:
            raise FormatError(
                f"the chosen mapping needs columns {_names(missing)}; this file has {_file_columns(table.columns)}"
            )
        mapping, origin = chosen, "chosen"
    else:
        saved = load_mapping(store, survey) if store is not None else None
        preset = suggest_mapping(
            table.vendor, table.columns, sample, table.questions, table.import_ids, table.open_ended
        )
        if preset is not None and preset.missing_from(table.columns):
            preset = None  # a damaged header lacks a column the vendor's preset relies on
        if saved is not None and not saved[1].missing_from(table.columns):
            mapping, origin = saved[1].resolved(table.columns), "saved"
        elif table.vendor is not Vendor.GENERIC and preset is not None:
            mapping, origin = preset, "preset"
        elif saved is not None:
            raise FormatError(
                f"the mapping saved for survey {survey!r} expects columns {_names(saved[1].missing_from(table.columns))}, "
                f"which this file lacks; it has {_file_columns(table.columns)}"
            )
        elif table.vendor is not Vendor.GENERIC:
            raise FormatError(
                f"recognised a {table.vendor.label} export but found no submission date and no comment or score "
                f"column in {_file_columns(table.columns)}; choose the columns on the Surveys page"
            )
        else:
            raise FormatError(
                f"{table.filename} is not a recognised export (Qualtrics ResponseId/StartDate, SurveyMonkey "
                f"Respondent ID/Collector ID, Typeform #/Submit Date (UTC), Google Forms Timestamp) and no column "
                f"mapping is saved for survey {survey!r}; choose one on the Surveys page or pass --mapping"
            )
    if timezone:
        mapping = mapping.with_changes(timezone=timezone)
    elif origin == "preset" and (zone := _known_zone(table.zones.get(mapping.submitted_at))):
        mapping = mapping.with_changes(timezone=zone)
    if mapping.date_order == "auto":
        column = table.columns.index(mapping.submitted_at)
        mapping = mapping.with_changes(
            date_order=guess_date_order(cells[column] for cells in sample if column < len(cells))
        )
    return mapping, origin


def _known_zone(name: str | None) -> str | None:
    if not name:
        return None
    if name.upper() in ("Z", "UTC", "GMT"):
        return "UTC"
    try:
        zone_for(name)
    except ValueError:
        return None
    return name


def _names(columns: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(column_shown(c) for c in list(columns)[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def _file_columns(columns: Sequence[str]) -> str:
    """The file's columns for a message, unless its first row is data (a date or a number in it: the
    header row is missing), whose values must not reach a message, the log or the report."""
    if any(_is_value(column) for column in columns):
        return (
            f"{len(columns)} columns whose first row holds values, not names (a date or a number): "
            "its header row seems to be missing"
        )
    return _names(columns)


def _is_value(cell: str) -> bool:
    if _NUMBER.fullmatch(cell):
        return True
    try:
        parse_datetime(cell, UTC, "mdy")
    except CellError:
        return False
    return True


_NUMBER: Final = re.compile(r"\s*[-+]?\d+(?:[.,]\d+)?\s*")


def column_shown(column: str) -> str:
    """A column's name for a message: quoted, redacted (a headerless file's first row is data), short."""
    name = redact(column).text
    if len(name) > COLUMN_SHOWN_MAX:
        name = name[: COLUMN_SHOWN_MAX - 1] + "…"
    return repr(name)


def _names_personal_data(mapping: ColumnMapping) -> bool:
    """A mapping whose "column names" hold personal data (a headerless file's first row) is not
    saved: it would keep the values, and could not fit the survey's next file anyway."""
    return any(redact(column).found for column in mapping.used_columns())


def stored_response_id(response_id: str) -> str:
    """The response id to store: as written, unless it is personal data (then a stable hash of it)."""
    if redact(response_id).found:
        return "id-" + hashlib.sha256(response_id.encode("utf-8")).hexdigest()[:24]
    return response_id[:FIELD_MAX]


# ---- rows ------------------------------------------------------------------------------------


def read_responses(table: Table, mapping: ColumnMapping) -> Iterator[SurveyResponse | Problem]:
    """Each data row as a `SurveyResponse`, or a `Problem` naming its line and every reason."""
    mapping = mapping.resolved(table.columns)
    index = {name: i for i, name in enumerate(table.columns)}
    width = len(table.columns)
    zone = zone_for(mapping.timezone)
    date_zone = zone_for("UTC") if mapping.submitted_at in mapping.utc_columns else zone
    ces_range = (1, mapping.ces_max)
    # The field names stored with each comment, redacted: a headerless file's first row is data.
    fields = {column: redact(column).text[:FIELD_MAX] for column in mapping.text_fields}
    for row in table.rows:
        if row.problem is not None:
            yield Problem(row.line, row.problem)
            continue
        try:
            yield _read_row(row, mapping, index, width, date_zone, ces_range, fields)
        except Exception as error:  # a value no rule foresaw costs its row, never the file
            log.warning("line %s: unexpected %s reading a survey row", row.line, type(error).__name__)
            yield Problem(row.line, "the row could not be read (an unexpected value); the row is refused")


def _read_row(
    row: Row,
    mapping: ColumnMapping,
    index: dict[str, int],
    width: int,
    date_zone: Any,
    ces_range: tuple[int, int],
    fields: dict[str, str],
) -> SurveyResponse | Problem:
    cells = row.cells
    if len(cells) < width or any(text_of(cell) for cell in cells[width:]):
        return Problem(row.line, f"{len(cells)} columns, expected {width}")
    reasons: list[str] = []

    def cell(column: str | None) -> Any:
        return cells[index[column]] if column else None

    if mapping.response_id:
        response_id = text_of(cell(mapping.response_id))
        if not response_id:
            reasons.append(f"no response id in column {column_shown(mapping.response_id)}")
    else:
        response_id = "row-" + hashlib.sha256("\x1f".join(text_of(c) for c in cells).encode("utf-8")).hexdigest()[:16]
    submitted_at = None
    try:
        submitted_at = parse_datetime(cell(mapping.submitted_at), date_zone, mapping.date_order)
    except CellError as error:
        reasons.append(f"{error} in column {column_shown(mapping.submitted_at)}")
    scores: dict[str, int | None] = {}
    for kind, column, (low, high), labels in (
        ("NPS", mapping.nps, NPS_RANGE, None),
        ("CSAT", mapping.csat, CSAT_RANGE, CSAT_LABELS),
        ("effort score", mapping.ces, ces_range, None),
    ):
        try:
            scores[kind] = parse_score(cell(column), kind, low, high, labels) if column else None
        except CellError as error:
            reasons.append(f"{error} in column {column_shown(column or '')}")
    if reasons or submitted_at is None:
        return Problem(row.line, "; ".join(reasons))
    answers = tuple(
        (fields[column], cap_text(text)) for column in mapping.text_fields if (text := text_of(cell(column)))
    )
    respondent = text_of(cell(mapping.respondent)) or None
    return SurveyResponse(
        line=row.line,
        response_id=stored_response_id(response_id),
        submitted_at=submitted_at,
        nps=scores["NPS"],
        csat=scores["CSAT"],
        ces=scores["effort score"],
        respondent=respondent,
        language=language_of(cell(mapping.language)),
        answers=answers,
    )


def external_id_for(survey: str, response_id: str, field: str) -> str:
    """The dedupe key of one comment of one response: readable prefix, unambiguous digest."""
    digest = hashlib.sha256(f"{survey}\x1f{response_id}\x1f{field}".encode()).hexdigest()[:20]
    return f"{survey[:40]}/{response_id[:60]}/{field[:40]}#{digest}"


def raw_items(response: SurveyResponse, survey: str, brand: str | None = None) -> list[RawItem]:
    """One item per comment field; a response with scores and no comment is one item with no text."""
    answers: Sequence[tuple[str | None, str]] = response.answers or ((None, ""),)
    return [
        RawItem(
            external_id=external_id_for(survey, response.response_id, field or ""),
            text=text,
            posted_at=response.submitted_at,
            kind=ItemKind.SURVEY,
            channel="survey",
            brand=brand,
            language_hint=response.language,
            survey=survey,
            response_id=response.response_id,
            respondent=response.respondent,
            nps=response.nps,
            csat=response.csat,
            ces=response.ces,
            survey_field=field,
        )
        for field, text in answers
    ]


@dataclass
class Chunk:
    """A chunk's items not stored yet, and how many of its items were already there."""

    fresh: list[RawItem] = field(default_factory=list)
    duplicates: int = 0


def new_items_in(
    store: Store, source: str, responses: Sequence[SurveyResponse], survey: str, brand: str | None
) -> Chunk:
    """The chunk's items that are not in the store yet (nor earlier in the chunk)."""
    chunk = Chunk()
    candidates: dict[str, RawItem] = {}
    total = 0
    for response in responses:
        for raw in raw_items(response, survey, brand):
            total += 1
            candidates.setdefault(raw.external_id, raw)
    existing = existing_external_ids(store, source, candidates)
    chunk.fresh = [raw for key, raw in candidates.items() if key not in existing]
    chunk.duplicates = total - len(chunk.fresh)
    return chunk


# ---- the import ------------------------------------------------------------------------------


def import_survey(
    store: Store,
    stream: IO[bytes],
    filename: str,
    *,
    survey: str,
    via: str = "cli",
    mapping: ColumnMapping | None = None,
    timezone: str | None = None,
    brand: str | None = None,
    rules: RecoveryRules | None = None,
    progress: Callable[[ImportProgress], None] | None = None,
    clock: Callable[[], datetime] = utcnow,
    chunk_size: int = CHUNK_SIZE,
    source: str = SURVEY_SOURCE,
    actor: Actor,
) -> ImportReport:
    """Import one export (a seekable binary stream) as `survey` on behalf of `actor` (who needs
    the import permission); log it and return its report.

    A chosen `mapping` is saved for the survey when the file is accepted. A file that cannot be read
    at all comes back with `refused` set (and is logged too); nothing raises for bad input.
    """
    require(actor, Permission.IMPORT_SURVEYS)
    if via not in VIAS:
        raise ValueError(f"via {via!r}; expected one of {', '.join(VIAS)}")
    survey = stored_survey_name(survey)
    if not survey:
        raise ValueError("a survey name is needed")
    started = clock()
    report = ImportReport(survey=survey, filename=filename, via=via, imported_at=started)
    try:
        with open_table(stream, filename) as table:
            settled, origin = settle_mapping(store, table, survey, mapping, timezone=timezone)
            report = _run(store, table, settled, report, origin, source, brand, rules, progress, clock, chunk_size)
            if origin == "chosen" and not report.refused_entirely and not _names_personal_data(settled):
                save_mapping(store, survey, str(table.vendor), settled, now=clock())
    except FormatError as error:
        report = ImportReport(
            survey=survey,
            filename=filename,
            via=via,
            imported_at=started,
            vendor=report.vendor,
            refused=str(error),
            problems=(Problem(None, str(error)),),
        )
    log_import(store, report, actor=actor)
    return report


def import_path(store: Store, path: Path | str, **options: Any) -> ImportReport:
    """`import_survey` for a file on disk (the survey name defaults to the file's stem)."""
    path = Path(path)
    options.setdefault("survey", survey_name_for(path))
    with path.open("rb") as stream:
        return import_survey(store, stream, shown_name(path.name), **options)


def shown_name(name: str) -> str:
    """A file name as text that can be stored and printed: a name written in another encoding than
    the file system's (a Windows-1252 "é" from a zip) arrives with surrogates no database takes."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("cp1252", errors="replace")
    return name


def survey_name_for(path: Path) -> str:
    """A survey name from a file name: its stem, without Qualtrics's "_Month D, YYYY_HH.MM" suffix."""
    stem = shown_name(path.stem)
    return stored_survey_name(re.sub(r"_[A-Z][a-z]+ \d{1,2}, \d{4}_\d{2}\.\d{2}$", "", stem).strip() or stem)


def stored_survey_name(name: str) -> str:
    """A survey name as stored: stripped and at most `SURVEY_NAME_MAX` characters (a long file or
    folder name, or a pasted one, must not fail the import where the column is that wide)."""
    return name.strip()[:SURVEY_NAME_MAX].strip()


def log_import(store: Store, report: ImportReport, *, actor: Actor) -> int:
    """Write `report` to the survey_imports log (and the audit log)."""
    return record_import(
        store,
        survey=report.survey,
        filename=report.filename,
        vendor=report.vendor,
        via=report.via,
        imported_at=report.imported_at,
        rows_total=report.rows_total,
        items_landed=report.items_landed,
        duplicates=report.duplicates,
        rows_refused=report.rows_refused,
        problems=[(p.line, p.reason) for p in report.problems],
        actor=actor,
    )


def take(
    parsed: Iterator[SurveyResponse | Problem], n: int
) -> tuple[list[SurveyResponse | Problem], FormatError | None]:
    """Up to `n` read rows, and the error that stopped reading early (the rows before it are kept)."""
    batch: list[SurveyResponse | Problem] = []
    try:
        for entry in parsed:
            batch.append(entry)
            if len(batch) >= n:
                break
    except FormatError as error:
        return batch, error
    return batch, None


def _run(
    store: Store,
    table: Table,
    mapping: ColumnMapping,
    report: ImportReport,
    origin: str,
    source: str,
    brand: str | None,
    rules: RecoveryRules | None,
    progress: Callable[[ImportProgress], None] | None,
    clock: Callable[[], datetime],
    chunk_size: int,
) -> ImportReport:
    rows = responses = empty = landed = duplicates = very_unhappy = alerts = 0
    problems: list[Problem] = []
    parsed = read_responses(table, mapping)
    stopped: FormatError | None = None
    while stopped is None:
        batch, stopped = take(parsed, chunk_size)
        if stopped is not None:  # e.g. a truncated upload: keep what was read, say where it stopped
            problems.append(Problem(None, f"reading stopped after {rows + len(batch)} rows: {stopped}"))
        if not batch:
            break
        rows += len(batch)
        good = [entry for entry in batch if isinstance(entry, SurveyResponse)]
        problems += [entry for entry in batch if isinstance(entry, Problem)]
        empty += sum(1 for response in good if response.is_empty)
        good = [response for response in good if not response.is_empty]
        responses += len(good)
        chunk = new_items_in(store, source, good, report.survey, brand)
        now = clock()
        built = [build_item(source, raw, now, rules=rules) for raw in chunk.fresh]
        stored = store.add_items(built)  # the listeners' save path: one transaction per chunk
        landed += stored
        duplicates += chunk.duplicates + (len(built) - stored)
        unhappy = [item for item in built if item.very_unhappy]
        if unhappy:
            very_unhappy += len({item.response_id for item in unhappy})
            alerts += raise_recovery_alerts(
                store, now=now, source=source, external_ids=[i.external_id for i in unhappy]
            )
        if progress:
            progress(ImportProgress(rows, table.fraction_read(), landed))
    if progress:
        progress(ImportProgress(rows, 1.0, landed))
    return ImportReport(
        survey=report.survey,
        filename=report.filename,
        via=report.via,
        imported_at=report.imported_at,
        vendor=str(table.vendor),
        file_format=table.describe(),
        mapping_from=origin,
        rows_total=rows,
        responses=responses,
        empty_rows=empty,
        items_landed=landed,
        duplicates=duplicates,
        problems=tuple(problems),
        refused=None if rows == 0 or responses or empty else "every row was refused; see the line numbers",
        above_header=table.above_header,
        very_unhappy=very_unhappy,
        alerts_raised=alerts,
    )


# ---- preview ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """The first rows of a file as the Surveys page shows them before importing."""

    vendor: Vendor
    file_format: str
    columns: tuple[str, ...]
    questions: dict[str, str]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]  # (line, cells)
    suggested: ColumnMapping | None
    saved: ColumnMapping | None
    problems: dict[int, str] = field(default_factory=dict)  # line -> why the row cannot be read at all


def preview(store: Store | None, stream: IO[bytes], filename: str, survey: str, *, n: int = 20) -> Preview:
    """Vendor, columns, the first `n` rows and the mapping that would be used; raises `FormatError`."""
    with open_table(stream, filename) as table:
        first = list(islice(table.rows, max(n, SAMPLE_ROWS)))
        saved = load_mapping(store, survey) if store is not None else None
        suggested = suggest_mapping(
            table.vendor,
            table.columns,
            [row.cells for row in first],
            table.questions,
            table.import_ids,
            table.open_ended,
        )
        return Preview(
            vendor=table.vendor,
            file_format="; ".join(filter(None, [table.describe(), table.above_header])),
            columns=table.columns,
            questions=dict(table.questions),
            rows=tuple((row.line, row.cells) for row in first[:n]),
            suggested=suggested,
            saved=saved[1] if saved and not saved[1].missing_from(table.columns) else None,
            problems={row.line: row.problem for row in first[:n] if row.problem is not None},
        )


def read_preview(preview_: Preview, mapping: ColumnMapping) -> list[SurveyResponse | Problem]:
    """How the preview's rows read under `mapping`: a response or the problem, per row."""
    table = Table(
        filename="preview",
        file_kind="csv",
        vendor=preview_.vendor,
        columns=preview_.columns,
        header_lines=0,
        rows=iter([Row(line, cells, preview_.problems.get(line)) for line, cells in preview_.rows]),
    )
    if mapping.date_order == "auto":
        column = preview_.columns.index(mapping.submitted_at) if mapping.submitted_at in preview_.columns else 0
        mapping = mapping.with_changes(
            date_order=guess_date_order(cells[column] for _, cells in preview_.rows if column < len(cells))
        )
    mapping = mapping.resolved(preview_.columns)
    missing = mapping.missing_from(preview_.columns)
    if missing:
        return [Problem(None, f"this file has no column {_names(missing)}")]
    return list(read_responses(table, mapping))


__all__ = [
    "EXPECTED",
    "ImportProgress",
    "ImportReport",
    "Preview",
    "Problem",
    "SurveyResponse",
    "import_path",
    "import_survey",
    "preview",
    "read_preview",
    "read_responses",
    "settle_mapping",
]
