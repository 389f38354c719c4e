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
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Final

from voc.store import Store
from voc.surveys import DONE, FAILED, REPORT_SUFFIX
from voc.surveys.formats import FormatError, open_path

log = logging.getLogger(__name__)

FILED: Final = (DONE, FAILED)
SURVEY_FOLDER_KIND: Final = "survey_folder"


def survey_folders(store: Store, data_dir: Path) -> list[Path]:
    """Every watched survey folder of this workspace: each folder source's `folder`, else the default."""
    folders = {
        Path(source.config.get("folder") or data_dir / "incoming" / "surveys")
        for source in store.sources()
        if source.kind == SURVEY_FOLDER_KIND
    }
    return sorted(folders) or [data_dir / "incoming" / "surveys"]


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


def delete_files(paths: Sequence[Path], *, now: datetime) -> int:
    """Delete `paths` (raw exports naming the person); each report stays with a line saying why."""
    deleted = 0
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue  # gone already (a second run, or the 30-day limit)
        except OSError as error:
            log.warning("%s: could not delete for an erasure: %s", path, error)
            continue
        deleted += 1
        report = path.with_name(path.name + REPORT_SUFFIX)
        if report.exists():
            with report.open("a", encoding="utf-8") as handle:
                handle.write(
                    f"\nThe export itself was deleted on {now.date().isoformat()}: it named a respondent "
                    "whose data was erased on request.\n"
                )
    return deleted
