"""Building an export: one pass over the period's items into every requested format, and the index.

Each export lands in its own folder under the exports directory (`data/exports/2026-W47/`) with a
`manifest.json` saying what it covers, the taxonomy version, its files and who asked for it. The
folder is written under a temporary name and renamed when complete, so a reader (the Exports page,
a colleague's file browser) never sees half an export; `index.json` is rebuilt from the manifests.
Domain module: no Streamlit.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from voc.access.roles import Actor, Permission, require
from voc.exports.html import write_html
from voc.exports.periods import ExportPeriod
from voc.exports.rows import CHUNK_SIZE, count_items, iter_row_chunks
from voc.exports.summary import ExportSummary, build_summary
from voc.exports.writers import ExportFormat, ItemSink, open_sink, utc_text
from voc.privacy.settings import load_privacy
from voc.store.facade import Store
from voc.themes.repository import load_taxonomy
from voc.themes.taxonomy import Taxonomy

MANIFEST: Final = "manifest.json"
INDEX: Final = "index.json"
ALL_FORMATS: Final = tuple(ExportFormat)
Progress = Callable[[int, int], None]  # (items written, items in the period)
STAGING_PREFIX: Final = ".building-"
STAGING_OWNER: Final = ".owner"  # "host pid" of the process writing a staging folder
ORPHAN_AFTER_SECONDS: Final = 24 * 3600  # a staging folder of another host (or without owner) this old is dead


@dataclass(frozen=True)
class ExportFile:
    format: str
    name: str
    bytes: int


@dataclass(frozen=True)
class WeeklyExport:
    """One produced export, as its manifest records it."""

    slug: str
    label: str
    first: str
    last: str
    tz: str
    start_utc: str
    end_utc: str
    taxonomy_version: int
    items: int
    files: tuple[ExportFile, ...]
    generated_at: str
    requested_by: str
    seconds: float
    changes: tuple[str, ...] = ()
    # False when written without links, which name the author on X, Mastodon and Bluesky
    # (docs/privacy.md: author handles hidden from viewers). Older manifests had links.
    links: bool = True
    regenerated: str = ""  # why it was rebuilt without some items, e.g. "erasure" (docs/privacy.md)

    @property
    def folder_name(self) -> str:
        return self.slug

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "files": [f.__dict__ for f in self.files], "changes": list(self.changes)}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> WeeklyExport:
        return cls(
            **{**raw, "files": tuple(ExportFile(**f) for f in raw["files"]), "changes": tuple(raw.get("changes") or ())}
        )


def parse_formats(values: Iterable[str]) -> tuple[ExportFormat, ...]:
    """Formats named by the user ("xlsx", "csv,parquet", "all"), in a stable order."""
    wanted: set[ExportFormat] = set()
    for value in values:
        for name in str(value).split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name == "all":
                wanted.update(ALL_FORMATS)
                continue
            try:
                wanted.add(ExportFormat(name))
            except ValueError:
                raise ValueError(f"unknown export format {name!r}; choose from {', '.join(ALL_FORMATS)}") from None
    if not wanted:
        raise ValueError("choose at least one export format")
    return tuple(f for f in ALL_FORMATS if f in wanted)


def file_stem(period: ExportPeriod) -> str:
    return f"voc-export-{period.slug}"


def build_export(
    store: Store,
    period: ExportPeriod,
    exports_dir: Path,
    *,
    formats: Sequence[ExportFormat | str] = ALL_FORMATS,
    now: datetime | None = None,
    requested_by: Actor,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
    regenerated: str = "",
) -> WeeklyExport:
    """Write `period`'s export in `formats` into `exports_dir/<slug>/` (replacing an earlier one).

    `requested_by` needs the export permission (viewers have it); the export is audited. With author
    handles hidden from viewers (docs/privacy.md) the file is written without links: one file
    serves every role, and a link to a post names its author.
    """
    require(requested_by, Permission.EXPORT)
    began = time.monotonic()
    now = now or datetime.now(UTC)
    chosen = parse_formats(formats)
    links = not load_privacy(store).hide_handles_from_viewers
    taxonomy = load_taxonomy(store)  # one version for the whole file, named in it
    total = count_items(store, period)
    summary = build_summary(store, taxonomy, period, now=now)
    exports_dir.mkdir(parents=True, exist_ok=True)
    remove_abandoned_staging(exports_dir)
    staging = exports_dir / f"{STAGING_PREFIX}{period.slug}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    (staging / STAGING_OWNER).write_text(f"{socket.gethostname()} {os.getpid()}", encoding="utf-8")
    stem = file_stem(period)
    try:
        written = write_files(
            store, taxonomy, summary, staging, stem, chosen, total=total, progress=progress, chunk_size=chunk_size,
            links=links,
        )  # fmt: skip
        files = tuple(ExportFile(str(fmt), path.name, path.stat().st_size) for fmt, path in written)
        export = WeeklyExport(
            slug=period.slug, label=period.label, first=period.first.isoformat(), last=period.last.isoformat(), tz=period.tz,
            start_utc=utc_text(period.start), end_utc=utc_text(period.end), taxonomy_version=taxonomy.version,
            items=total, files=files, generated_at=utc_text(now), requested_by=requested_by.name,
            seconds=round(time.monotonic() - began, 2), changes=summary.changes, links=links, regenerated=regenerated,
        )  # fmt: skip
        (staging / STAGING_OWNER).unlink()
        (staging / MANIFEST).write_text(json.dumps(export.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")
        final = exports_dir / period.slug
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    write_index(exports_dir)
    with store.write() as connection:
        store.record_audit(
            connection, requested_by, "export.build", now=now, subject=period.slug,
            detail={"items": total, "formats": [str(f) for f in chosen]},
        )  # fmt: skip
    return export


def remove_abandoned_staging(exports_dir: Path) -> list[str]:
    """Remove the half-written folders of builds whose process stopped; the names removed.

    A build writes under a hidden staging name and renames the folder when complete, so a process
    killed mid-build leaves its staging folder behind. Its owner file names the host and process:
    on this host a folder whose process is gone is removed at once; one from another host (a shared
    exports folder) or without an owner file only once it is a day old, as its process cannot be asked.
    """
    removed = []
    host = socket.gethostname()
    for folder in exports_dir.glob(f"{STAGING_PREFIX}*"):
        if not folder.is_dir():
            continue
        try:
            owner_host, _, pid = (folder / STAGING_OWNER).read_text(encoding="utf-8").partition(" ")
        except OSError:
            owner_host, pid = "", ""
        if owner_host == host and pid.isdigit():
            abandoned = not process_alive(int(pid))
        else:
            abandoned = time.time() - newest_change(folder) > ORPHAN_AFTER_SECONDS
        if abandoned:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def newest_change(folder: Path) -> float:
    """The latest modification time of the folder or anything in it (0 when it vanished meanwhile)."""
    try:
        return max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.iterdir())])
    except OSError:
        return 0.0


def write_files(
    store: Store, taxonomy: Taxonomy, summary: ExportSummary, folder: Path, stem: str, formats: Sequence[ExportFormat], *,
    total: int, progress: Progress | None = None, chunk_size: int = CHUNK_SIZE, links: bool = True,
) -> list[tuple[ExportFormat, Path]]:  # fmt: skip
    """Every format's file in `folder`, the data rows read once and fanned out to each writer."""
    written: list[tuple[ExportFormat, Path]] = []
    sinks: list[ItemSink] = []
    for fmt in formats:
        path = folder / f"{stem}.{fmt}"
        if fmt is ExportFormat.HTML:
            write_html(path, summary)
        else:
            sinks.append(open_sink(fmt, path, summary))
        written.append((fmt, path))
        if fmt is ExportFormat.CSV:
            written.append((fmt, path.with_name(path.stem + "-themes.csv")))
            written.append((fmt, path.with_name(path.stem + "-comparison.csv")))
    done = 0
    if progress:
        progress(0, total)
    try:
        if sinks:
            for chunk in iter_row_chunks(store, summary.period, taxonomy, chunk_size=chunk_size, links=links):
                for sink in sinks:
                    sink.add(chunk)
                done += len(chunk)
                if progress:  # items may land while we write: the total never falls behind
                    progress(done, max(total, done))
    finally:
        for sink in sinks:
            sink.close()
    return written


# ---- the index --------------------------------------------------------------------------------------


def list_exports(exports_dir: Path) -> list[WeeklyExport]:
    """Every complete export under `exports_dir`, newest period first."""
    found = []
    if not exports_dir.is_dir():
        return []
    for manifest in exports_dir.glob(f"*/{MANIFEST}"):
        if manifest.parent.name.startswith("."):
            continue
        try:
            found.append(WeeklyExport.from_json(json.loads(manifest.read_text(encoding="utf-8"))))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a foreign or damaged folder is not an export
    return sorted(found, key=lambda e: (e.first, e.last, e.generated_at), reverse=True)


def write_index(exports_dir: Path) -> None:
    """Rebuild `index.json` (a list of manifests) atomically."""
    payload = json.dumps([e.to_json() for e in list_exports(exports_dir)], indent=2, ensure_ascii=False)
    temporary = exports_dir / f".{INDEX}.{uuid.uuid4().hex[:8]}"
    temporary.write_text(payload, encoding="utf-8")
    os.replace(temporary, exports_dir / INDEX)


def export_file(exports_dir: Path, export: WeeklyExport, name: str) -> Path:
    """The path of one of an export's files (refusing names outside its folder)."""
    if name not in {f.name for f in export.files}:
        raise FileNotFoundError(name)
    return exports_dir / export.slug / name
