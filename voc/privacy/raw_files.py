"""Raw survey exports that name a respondent: found for an erasure's preview, deleted by the erasure.

The watched survey folder keeps each imported export in `done/` (30 days by default, see
`voc.privacy.policy`) and each refused one in `failed/`. They are the vendor's files, addresses
in clear, so an erasure request for a respondent covers them too: a file is theirs when one of
its cells is the e-mail address or customer id the admin typed (case-insensitive), or, for an
address, when a cell contains it (a comment that quotes it). A file that is not a readable table
is searched as text. The whole file goes: the items it brought are in the database, where the
erasure removes the person's and keeps everyone else's. The report beside it stays and says why
the file went. Domain: no Streamlit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from voc.privacy.settings import load_privacy
from voc.store.facade import Store
from voc.surveys import DONE, FAILED, REPORT_SUFFIX, SURVEY_FOLDER_KIND, watched_folder
from voc.surveys.formats import FormatError, open_path

log = logging.getLogger(__name__)

FILED: Final = (DONE, FAILED)
PRUNE_EVERY: Final = timedelta(hours=1)


def survey_folders(store: Store, data_dir: Path) -> list[Path]:
    """Every watched survey folder of this workspace: each folder source's `folder`, else the default."""
    folders = {watched_folder(s.config, data_dir) for s in store.sources() if s.kind == SURVEY_FOLDER_KIND}
    return sorted(folders) or [watched_folder({}, data_dir)]


def files_naming(folders: Iterable[Path], value: str) -> list[Path]:
    """The filed exports under `folders` (done/ and failed/) whose cells hold `value`."""
    wanted = value.strip().casefold()
    if not wanted:
        return []
    found = []
    for folder in folders:
        for filed in FILED:
            place = folder / filed
            if not place.is_dir():
                continue
            for path in sorted(place.rglob("*")):
                if path.is_file() and not path.name.endswith(REPORT_SUFFIX) and _names(path, wanted):
                    found.append(path)
    return found


def _names(path: Path, wanted: str) -> bool:
    inside = "@" in wanted  # an address can sit inside a comment; an id must be the whole cell
    try:
        with open_path(path) as table:
            for row in table.rows:
                for cell in row.cells:
                    text = str(cell).strip().casefold() if cell is not None else ""
                    if text == wanted or (inside and wanted in text):
                        return True
        return False
    except (FormatError, OSError, UnicodeError, ValueError):
        try:
            return wanted.encode("utf-8") in path.read_bytes().lower()
        except OSError as error:
            log.warning("%s: cannot be searched for an erasure: %s", path, error)
            return False


def delete_filed_export(path: Path, *, why: str) -> bool:
    """Delete one filed export; the report beside it stays and gets `why` as its last line."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False  # gone already (a second run, or the other of erasure and the age limit)
    except OSError as error:
        log.warning("%s: could not delete a filed survey export: %s", path, error)
        return False
    report = path.with_name(path.name + REPORT_SUFFIX)
    if report.exists():
        with report.open("a", encoding="utf-8") as handle:
            handle.write(f"\n{why}\n")
    return True


def delete_files(paths: Sequence[Path], *, now: datetime) -> int:
    """Delete `paths` (raw exports naming the person erased); returns how many went."""
    why = (
        f"The export itself was deleted on {now.date().isoformat()}: it named a respondent "
        "whose data was erased on request."
    )
    return sum(delete_filed_export(path, why=why) for path in paths)


def prune_imported(folder: Path, *, days: int, now: datetime) -> list[Path]:
    """Delete the exports in `folder`'s done/ imported more than `days` ago; returns those deleted.

    The import time is the report's (written when the file was filed; a move keeps the export's
    own modification time), else the file's.
    """
    done = folder / DONE
    if not done.is_dir():
        return []
    cutoff = now - timedelta(days=days)
    why = (
        f"The export itself was deleted on {now.date().isoformat()}: imported exports are kept "
        f"{days} days (Privacy page, survey files)."
    )
    deleted = []
    for path in sorted(done.iterdir()):
        if not path.is_file() or path.name.endswith(REPORT_SUFFIX):
            continue
        report = path.with_name(path.name + REPORT_SUFFIX)
        try:
            imported = datetime.fromtimestamp((report if report.exists() else path).stat().st_mtime, UTC)
        except OSError:
            continue
        if imported <= cutoff and delete_filed_export(path, why=why):
            deleted.append(path)
    return deleted


class SurveyFilePruner:
    """The listener process's step that deletes imported exports (`done/` of every watched survey
    folder) older than the privacy setting allows (`privacy.survey_files`: 30 days unless an admin
    changes it on the Privacy page; 0 keeps them), at most once per `every`. The report beside
    each file stays and says when it went; `failed/` files are kept for someone to fix."""

    def __init__(
        self, store: Store, data_dir: Path, *, clock: Callable[[], datetime], every: timedelta = PRUNE_EVERY
    ) -> None:
        self.store = store
        self.data_dir = data_dir
        self.clock = clock
        self.every = every
        self._pruned_at: datetime | None = None

    def tick(self) -> list[Path]:
        now = self.clock()
        if self._pruned_at is not None and now - self._pruned_at < self.every:
            return []
        self._pruned_at = now
        days = load_privacy(self.store).survey_files_days
        if days is None:
            return []
        deleted: list[Path] = []
        for folder in survey_folders(self.store, self.data_dir):
            gone = prune_imported(folder, days=days, now=now)
            if gone:
                log.info("%s: deleted %d imported export(s) older than %s days", folder / DONE, len(gone), days)
            deleted += gone
        return deleted
