"""Exports asked for on the Exports page, built in the background with progress (issue #21).

The page queues a `jobs` row (kind `exports.build`: the one claim mechanism, `voc.store.jobs`)
and starts a builder thread (`voc.background.BackgroundStep`); the listener process's export
step runs queued builds too, so a build whose app process stopped is finished by whichever
process claims it next. A build reports "rows written of rows in the period" into the job as it
goes, and moves the job's clock while it does, so only a build that stopped reporting for
`BUILD_STALE` is taken over.

Stopping mid-build loses and duplicates nothing: `build_export` writes into a hidden staging
folder and renames it into place only when every file is complete, and writes its audit row
after that, so a rerun starts from the database again and replaces the folder whole. A failed
build records a plain sentence on the job (no customer data, no path), which the page shows.
Domain module: no Streamlit.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa

from voc.access.roles import Actor, Permission, Role, require
from voc.exports.periods import ExportPeriod
from voc.exports.service import WeeklyExport, build_export, list_exports, parse_formats
from voc.exports.writers import ExportFormat
from voc.store.core import json_dict
from voc.store.facade import Store
from voc.store.jobs import queue_job
from voc.store.schema import jobs

log = logging.getLogger(__name__)

BUILD_JOB: Final = "exports.build"
BUILD_STALE: Final = timedelta(minutes=10)  # a build silent this long (no chunk written) died with its process


@dataclass(frozen=True)
class ExportBuild:
    """One requested build as the page shows it."""

    job_id: int
    status: str  # queued | running | done | failed
    period: ExportPeriod
    formats: tuple[ExportFormat, ...]
    requested_by: str
    done: int
    total: int
    error: str | None

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def share(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0


def request_export(
    store: Store, period: ExportPeriod, formats: Sequence[ExportFormat | str], *, actor: Actor, now: datetime
) -> int:
    """Queue a build of `period` in `formats` for `actor` (who needs the export permission); its job id."""
    require(actor, Permission.EXPORT)
    params = {
        "first": period.first.isoformat(), "last": period.last.isoformat(), "tz": period.tz,
        "formats": [str(f) for f in parse_formats(formats)], "actor": actor.name,
        "role": actor.role.value if actor.role is not None else None,
    }  # fmt: skip
    with store.write() as connection:
        return queue_job(connection, BUILD_JOB, params, now=now)


def _build_of(row: Any) -> ExportBuild:
    params = json_dict(row["params"])
    return ExportBuild(
        job_id=int(row["id"]), status=str(row["status"]),
        period=ExportPeriod(date.fromisoformat(params["first"]), date.fromisoformat(params["last"]), str(params["tz"])),
        formats=parse_formats(params["formats"]), requested_by=str(params.get("actor") or ""),
        done=int(row["done"] or 0), total=int(row["total"] or 0), error=row["error"],
    )  # fmt: skip


def latest_build(store: Store) -> ExportBuild | None:
    """The newest requested build, whatever became of it."""
    with store.read() as connection:
        row = (
            connection.execute(sa.select(jobs).where(jobs.c.kind == BUILD_JOB).order_by(jobs.c.id.desc()).limit(1))
            .mappings()
            .first()
        )
    return None if row is None else _build_of(row)


def builds_waiting(store: Store, now: datetime) -> bool:
    """True when a build is queued, or running without a word for longer than `BUILD_STALE`."""
    waiting = sa.or_(
        jobs.c.status == "queued", sa.and_(jobs.c.status == "running", jobs.c.started_at < now - BUILD_STALE)
    )
    with store.read() as connection:
        return (
            connection.execute(sa.select(jobs.c.id).where(jobs.c.kind == BUILD_JOB, waiting).limit(1)).first()
            is not None
        )


def built_export(exports_dir: Path, build: ExportBuild) -> WeeklyExport | None:
    """The export a finished build wrote (None when it has since been removed)."""
    return next((e for e in list_exports(exports_dir) if e.slug == build.period.slug), None)


def failure_text(error: BaseException) -> str:
    """What the page says when a build fails: the kind of failure in words, never a path or a value."""
    if isinstance(error, PermissionError):
        return "the exports folder may not be written to"
    if isinstance(error, OSError) and getattr(error, "errno", None) == 28:
        return "the disk is full"
    if isinstance(error, OSError):
        return "the exports folder could not be written"
    return f"an unexpected error ({type(error).__name__}); the listener log has the details"


def run_requested_exports(
    store: Store, exports_dir: Path, *, clock: Callable[[], datetime], owner: str | None = None
) -> list[int]:
    """Build every queued export (and any a stopped process left), one after another; the job ids done."""
    owner = owner or f"{socket.gethostname()}:{os.getpid()}"
    finished = []
    while (job := store.claim_job(BUILD_JOB, owner, clock(), stale_after=BUILD_STALE)) is not None:
        build = _build_of(job)
        params = job["params"]
        actor = Actor(str(params["actor"]), Role(params["role"]) if params.get("role") else None)

        def progress(done: int, total: int, job_id: int = build.job_id) -> None:
            store.report_progress(job_id, done=done, total=total, alive_at=clock())

        try:
            build_export(
                store, build.period, exports_dir, formats=build.formats, now=clock(), requested_by=actor,
                progress=progress,
            )  # fmt: skip
        except Exception as error:  # the job says what failed; the log has the trace
            log.exception("the export of %s failed", build.period.label)
            store.finish_job(build.job_id, now=clock(), error=failure_text(error))
            continue
        store.finish_job(build.job_id, now=clock())
        finished.append(build.job_id)
    return finished
