"""The watched survey folder: exports dropped into `data/incoming/surveys/` are imported, then moved
to `done/` (or `failed/`) with a `<file>.report.txt` beside them.

A file is imported through the one `Listener` interface, a chunk of rows per `fetch`:

- the cursor names the file in progress (its path, size and modification time), how many rows
  have been read, and the running counts; the runner stores each chunk's items with the cursor
  that follows it in one transaction, so a crash loses nothing and repeats nothing: the next
  runner re-opens the file and re-reads (without re-sending) the rows before the cursor;
- items already stored (by survey, response id and field, under the source name `surveys` that
  uploads and the command line use too) are skipped before analysis, so a re-dropped file adds
  nothing and is fast;
- the runner raises recovery alerts for very unhappy respondents as soon as their chunk is stored;
- when the rows run out, the next fetch logs the import in `survey_imports`, writes the report
  and moves the file. A crash after the move finds the file
  gone and moves on; a crash before it repeats only this step (the import log entry is keyed on
  the file's start time, so it is not doubled).

Imported exports hold customers' addresses in clear, so `done/` keeps them only as long as the
workspace's privacy setting says: the listener process's `voc.privacy.raw_files.SurveyFilePruner`
deletes older ones, not this listener, which only reads files and returns `Batch`es. `failed/`
files are kept: someone has to fix and re-drop them. The recovery counts of an import's report
come from the surveys service (`voc.surveys.recovery.import_recovery`).

The survey's name is the source's `survey` setting, else the subfolder the file sits in
(`incoming/surveys/<survey>/file.csv`), else the file name's stem. A generic table needs a column
mapping saved for that survey (an upload on the Surveys page saves one); without it the file goes
to `failed/` with a report that says so.

No Streamlit import here.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from listeners.base import Batch, ErrorKind, SourceError
from voc.access.roles import Actor
from voc.clock import utcnow
from voc.store.facade import Store
from voc.surveys import DONE, FAILED, REPORT_SUFFIX, watched_folder
from voc.surveys.formats import FormatError, open_table
from voc.surveys.importer import (
    ImportReport,
    Problem,
    SurveyResponse,
    log_import,
    new_items_in,
    read_responses,
    settle_mapping,
    shown_name,
    stored_survey_name,
    survey_name_for,
    take,
)
from voc.surveys.recovery import import_recovery

log = logging.getLogger(__name__)

FOLDER_ACTOR: Final = Actor.system("survey-folder")
SUFFIXES: Final = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".xlsm"})
IGNORED_SUFFIXES: Final = frozenset({".part", ".tmp", ".crdownload", ".partial", ".download"})
CHUNK_SIZE: Final = 2000


@dataclass
class FolderCursor:
    """The cursor: the file in progress and its counts so far (empty when idle)."""

    file: str | None = None  # path relative to the folder
    size: int = 0
    mtime_ns: int = 0
    survey: str = ""
    row: int = 0  # rows read so far (responses, empty rows and refused rows alike)
    started_at: str = ""
    landed: int = 0
    duplicates: int = 0

    @classmethod
    def parse(cls, cursor: str | None) -> FolderCursor:
        if not cursor:
            return cls()
        try:
            data = json.loads(cursor)
            return cls(**{key: value for key, value in data.items() if key in cls.__dataclass_fields__})
        except (ValueError, TypeError):
            return cls()  # a cursor from an older version: start afresh (imports dedupe)

    def dump(self) -> str | None:
        return json.dumps(asdict(self), sort_keys=True) if self.file else None


@dataclass
class _OpenFile:
    """The file being read, kept open between fetches so each chunk continues where the last ended."""

    path: Path
    size: int
    mtime_ns: int
    stack: ExitStack
    parsed: Iterator[SurveyResponse | Problem]
    describe: str
    vendor: str
    above_header: str
    mapping_from: str
    row: int = 0
    responses: int = 0
    empty: int = 0
    problems: list[Problem] = field(default_factory=list)
    stopped: str | None = None

    def close(self) -> None:
        self.stack.close()


class SurveyFolderListener:
    """Imports survey exports dropped into `folder`, a chunk of rows per fetch."""

    def __init__(
        self,
        name: str,
        folder: Path,
        store: Store,
        *,
        survey: str | None = None,
        timezone: str | None = None,
        brand: str | None = None,
        chunk_size: int = CHUNK_SIZE,
        settle_seconds: float = 2.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.name = name
        self.folder = Path(folder)
        self.store = store
        self.survey = survey
        self.timezone = timezone
        self.brand = brand
        self.chunk_size = chunk_size
        self.settle_seconds = settle_seconds
        self.clock = clock
        self._open: _OpenFile | None = None

    # ---- the Listener interface ------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Batch:
        state = FolderCursor.parse(cursor)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if state.file and not self._still_there(state):
                self._close()
                state = FolderCursor()  # finished and moved before the cursor was saved
            if not state.file:
                path = self._next_file()
                if path is None:
                    return Batch([], None)
                state = self._start(path)
            try:
                return self._continue(state)
            except FormatError as error:  # not a survey export, or no mapping for a generic table
                self._refuse(state, error)
                name = shown_name(Path(state.file or "").name)
                skipped = {f"survey file {name} refused (its report is in {FAILED}/)": 1}
                return Batch([], None, more=self._next_file() is not None, skipped=skipped)
        except OSError as error:
            self._close()
            raise SourceError(ErrorKind.TRANSIENT, f"survey folder {self.folder}: {error}") from error

    # ---- steps -----------------------------------------------------------------------------

    def _continue(self, state: FolderCursor) -> Batch:
        opened = self._resume(state)
        batch, stopped = take(opened.parsed, self.chunk_size)
        if stopped is not None:
            opened.stopped = str(stopped)
        if not batch:
            self._finish(state, opened)
            return Batch([], None, more=self._next_file() is not None)
        good = self._count(opened, batch)
        chunk = new_items_in(self.store, self.name, good, state.survey, self.brand)
        state.row = opened.row
        state.landed += len(chunk.fresh)
        state.duplicates += chunk.duplicates
        # Refused rows are counted for the Sources page too; their lines and reasons are in the report.
        refused = sum(1 for entry in batch if isinstance(entry, Problem))
        shown = shown_name(opened.path.name)
        skipped = {f"survey rows refused in {shown} (see its report)": refused} if refused else {}
        return Batch(list(chunk.fresh), state.dump(), more=True, skipped=skipped)

    def _count(self, opened: _OpenFile, batch: list[SurveyResponse | Problem]) -> list[SurveyResponse]:
        opened.row += len(batch)
        opened.problems += [entry for entry in batch if isinstance(entry, Problem)]
        responses = [entry for entry in batch if isinstance(entry, SurveyResponse)]
        opened.empty += sum(1 for response in responses if response.is_empty)
        good = [response for response in responses if not response.is_empty]
        opened.responses += len(good)
        return good

    def _start(self, path: Path) -> FolderCursor:
        stat = path.stat()
        return FolderCursor(
            file=path.relative_to(self.folder).as_posix(),
            size=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            survey=self._survey_for(path),
            started_at=self.clock().isoformat(),
        )

    def _refuse(self, state: FolderCursor, error: FormatError) -> None:
        assert state.file is not None
        self._close()
        report = ImportReport(
            survey=state.survey,
            filename=shown_name(Path(state.file).name),
            via="folder",
            imported_at=datetime.fromisoformat(state.started_at),
            refused=str(error),
            problems=(Problem(None, str(error)),),
        )
        log_import(self.store, report, actor=FOLDER_ACTOR)
        self._file_away(self.folder / state.file, FAILED, report)
        log.warning("%s: %s", state.file, report.summary())

    def _resume(self, state: FolderCursor) -> _OpenFile:
        """The open file at `state.row`: the one kept from the last fetch, or re-opened and skipped to it."""
        assert state.file is not None
        path = self.folder / state.file
        opened = self._open
        if opened and opened.path == path and opened.row == state.row and opened.mtime_ns == state.mtime_ns:
            return opened
        self._close()
        stack = ExitStack()
        try:
            stream = stack.enter_context(path.open("rb"))
            table = stack.enter_context(open_table(stream, shown_name(path.name)))
            mapping, origin = settle_mapping(self.store, table, state.survey, timezone=self.timezone)
            opened = _OpenFile(
                path=path,
                size=state.size,
                mtime_ns=state.mtime_ns,
                stack=stack,
                parsed=read_responses(table, mapping),
                describe=table.describe(),
                vendor=str(table.vendor),
                above_header=table.above_header,
                mapping_from=origin,
            )
        except BaseException:
            stack.close()
            raise
        while opened.row < state.row:  # after a restart: re-read what is stored, keep its problems
            batch, stopped = take(opened.parsed, min(self.chunk_size, state.row - opened.row))
            self._count(opened, batch)
            if stopped is not None or not batch:
                opened.stopped = str(stopped) if stopped else opened.stopped
                break
        self._open = opened
        return opened

    def _finish(self, state: FolderCursor, opened: _OpenFile) -> None:
        assert state.file is not None
        problems = list(opened.problems)
        if opened.stopped:
            problems.append(Problem(None, f"reading stopped after {opened.row} rows: {opened.stopped}"))
        every_row_refused = opened.row > 0 and opened.responses == 0 and opened.empty == 0
        since = datetime.fromisoformat(state.started_at)
        recovered = import_recovery(self.store, source=self.name, survey=state.survey, since=since)
        report = ImportReport(
            survey=state.survey,
            filename=shown_name(Path(state.file).name),
            via="folder",
            imported_at=datetime.fromisoformat(state.started_at),
            vendor=opened.vendor,
            file_format=opened.describe,
            mapping_from=opened.mapping_from,
            rows_total=opened.row,
            responses=opened.responses,
            empty_rows=opened.empty,
            items_landed=state.landed,
            duplicates=state.duplicates,
            problems=tuple(problems),
            refused="every row was refused; see the line numbers" if every_row_refused else None,
            above_header=opened.above_header,
            very_unhappy=recovered.very_unhappy,
            alerts_raised=recovered.alerts_raised,
        )
        log_import(self.store, report, actor=FOLDER_ACTOR)
        self._close()
        self._file_away(opened.path, FAILED if report.refused_entirely else DONE, report)
        log.info("%s: %s", state.file, report.summary())

    # ---- helpers ---------------------------------------------------------------------------

    def _next_file(self) -> Path | None:
        """The oldest settled export waiting in the folder or a survey subfolder."""
        now = datetime.now(UTC).timestamp()
        candidates = []
        for entry in self._entries():
            try:
                stat = entry.stat()
            except OSError:
                continue
            if now - stat.st_mtime >= self.settle_seconds:  # still being copied otherwise
                candidates.append((stat.st_mtime_ns, entry.as_posix(), entry))
        return min(candidates)[2] if candidates else None

    def _entries(self) -> Iterator[Path]:
        for entry in sorted(self.folder.iterdir()):
            if entry.name.startswith((".", "~$")):
                continue
            if entry.is_dir():
                if entry.name not in (DONE, FAILED):
                    yield from (f for f in sorted(entry.iterdir()) if self._wanted(f))
            elif self._wanted(entry):
                yield entry

    @staticmethod
    def _wanted(path: Path) -> bool:
        return (
            path.is_file()
            and not path.name.startswith((".", "~$"))
            and path.suffix.lower() not in IGNORED_SUFFIXES
            and not path.name.endswith(REPORT_SUFFIX)
        )

    def _survey_for(self, path: Path) -> str:
        if self.survey:
            return stored_survey_name(self.survey)
        if path.parent != self.folder:
            return stored_survey_name(shown_name(path.parent.name))
        return survey_name_for(path)

    def _still_there(self, state: FolderCursor) -> bool:
        path = self.folder / str(state.file)
        try:
            stat = path.stat()
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (state.size, state.mtime_ns):
            # Replaced mid-import: start it again from the top; what is stored already dedupes.
            state.size, state.mtime_ns, state.row = stat.st_size, stat.st_mtime_ns, 0
        return True

    def _file_away(self, path: Path, where: str, report: ImportReport) -> Path:
        """Move `path` into done/ or failed/ (never over an earlier file) with its report beside it."""
        target_dir = self.folder / where
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        if target.exists():
            stamp = report.imported_at.strftime("%Y%m%dT%H%M%SZ")
            target = target_dir / f"{path.stem}.{stamp}{path.suffix}"
        report_path = target.with_name(target.name + REPORT_SUFFIX)
        report_path.write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
        shutil.move(str(path), str(target))
        return target

    def _close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None


def folder_listener(
    name: str, config: dict[str, Any], store: Store, *, data_dir: Path, brand: str
) -> SurveyFolderListener:
    """A folder listener from a source's stored config (folder, survey, timezone, chunk_size, settle_seconds)."""
    folder = watched_folder(config, data_dir)
    return SurveyFolderListener(
        name,
        folder,
        store,
        survey=config.get("survey") or None,
        timezone=config.get("timezone") or None,
        brand=config.get("brand") or brand,
        chunk_size=int(config.get("chunk_size") or CHUNK_SIZE),
        settle_seconds=float(config.get("settle_seconds", 2.0)),
    )
