"""Exports that hold deleted items are regenerated without them (docs/privacy.md, "Exports").

An export folder (`data/exports/<slug>/`) is a copy of the items posted in its period. When
retention or an erasure deletes items, every export whose period contains one of them is queued
for regeneration *in the same transaction as the deletion* (one `jobs` row per export, kind
`exports.regenerate`), then rebuilt from what the database still holds, with the same
period, zone and formats. A crash between the two leaves the job queued, and the next sweep (the
listener process, or `python -m voc privacy sweep`) finishes the job: a deleted item never stays
in an export because a process died. If a rebuild fails, the folder is removed instead (privacy
before convenience) and the index rewritten.

Why regenerate rather than delete: an export is the product team's weekly record; one person's
erasure should not take away everyone else's week. Copies already sent (an e-mail attachment, a
downloaded file) are out of reach; the Privacy page says so. Domain: no Streamlit.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from voc.access.roles import Actor
from voc.exports.periods import ExportPeriod
from voc.exports.service import WeeklyExport, build_export, list_exports, parse_formats, write_index
from voc.store.core import json_dict
from voc.store.facade import Store
from voc.store.jobs import queue_job
from voc.store.schema import jobs

log = logging.getLogger(__name__)

REGENERATE_JOB: Final = "exports.regenerate"  # one `jobs` row per export to rebuild
REGENERATE_STALE: Final = timedelta(minutes=30)  # a rebuild older than this died with its process


def period_of(export: WeeklyExport) -> ExportPeriod:
    """The period an export covers, rebuilt from its manifest."""
    return ExportPeriod(date.fromisoformat(export.first), date.fromisoformat(export.last), export.tz)


def exports_containing(exports: Sequence[WeeklyExport], moments: Iterable[datetime]) -> list[str]:
    """Slugs of the exports whose period [start, end) contains any of `moments` (posting times)."""
    bounds = [(e.slug, datetime.fromisoformat(e.start_utc), datetime.fromisoformat(e.end_utc)) for e in exports]
    hit: set[str] = set()
    for moment in moments:
        for slug, start, end in bounds:
            if start <= moment < end:
                hit.add(slug)
    return sorted(hit)


def queue_regeneration(connection: sa.Connection, slugs: Iterable[str], *, reason: str, now: datetime) -> int:
    """Queue exports for regeneration inside the caller's write transaction; returns how many.

    One `jobs` row per export (the one claim mechanism, `voc.store.jobs`): a regeneration that
    started before this queueing only finishes the jobs it claimed or saw, so it cannot swallow
    this one (it read the items before this deletion committed).
    """
    queued = 0
    for slug in slugs:
        queue_job(connection, REGENERATE_JOB, {"slug": slug, "reason": reason}, now=now)
        queued += 1
    return queued


def _waiting(store: Store) -> list[tuple[int, str, str]]:
    """(job id, slug, reason) of every regeneration not yet finished, oldest first."""
    query = (
        sa.select(jobs.c.id, jobs.c.params)
        .where(jobs.c.kind == REGENERATE_JOB, jobs.c.status.in_(["queued", "running"]))
        .order_by(jobs.c.id)
    )
    with store.read() as connection:
        rows = connection.execute(query).all()
    return [(int(i), str(json_dict(p).get("slug", "")), str(json_dict(p).get("reason", "privacy"))) for i, p in rows]


def queued_regenerations(store: Store) -> dict[str, dict[str, str]]:
    """Exports waiting to be regenerated: slug -> {"reason", "token"} (the token: the newest job's id)."""
    return {slug: {"reason": reason, "token": str(job)} for job, slug, reason in _waiting(store)}


def regenerate_queued(store: Store, exports_dir: Path | None, *, now: datetime, actor: Actor) -> list[str]:
    """Rebuild every queued export from what the database holds now; returns the slugs done.

    The rebuilt manifest names `actor` (who erased, or `system:retention`) as its maker, and
    `regenerated` says why. An export that no longer exists is simply dequeued; one whose
    rebuild fails is removed (its files may hold deleted items) and the error logged. Each job
    is claimed first, so two processes never rebuild the same queueing; one a process left
    half-done when it died is taken over after `REGENERATE_STALE`.
    """
    if exports_dir is None:
        return []  # a caller that knows no exports folder leaves the queue to one that does
    owner = f"{socket.gethostname()}:{os.getpid()}"
    found: dict[str, WeeklyExport] | None = None
    done: list[str] = []
    while (job := store.claim_job(REGENERATE_JOB, owner, now, stale_after=REGENERATE_STALE)) is not None:
        slug, reason = str(job["params"].get("slug", "")), str(job["params"].get("reason", "privacy"))
        # Later queueings of the same export, already committed: this rebuild covers them too.
        covered = [i for i, s, _ in _waiting(store) if s == slug and i != job["id"]]
        found = found if found is not None else {e.slug: e for e in list_exports(exports_dir)}
        export = found.get(slug)
        if export is not None:
            try:
                build_export(
                    store, period_of(export), exports_dir, formats=parse_formats({f.format for f in export.files}),
                    now=now, requested_by=actor, regenerated=reason,
                )  # fmt: skip
            except Exception:
                log.exception("export %s could not be regenerated; removing it, it may hold deleted items", slug)
                shutil.rmtree(exports_dir / slug, ignore_errors=True)
                write_index(exports_dir)
                found.pop(slug, None)
            if slug not in done:
                done.append(slug)
        store.finish_job(job["id"], now=now)
        _finish_covered(store, covered, now)
    if done:
        log.info("regenerated %d exports without deleted items: %s", len(done), ", ".join(sorted(done)))
    return sorted(done)


def _finish_covered(store: Store, job_ids: Sequence[int], now: datetime) -> None:
    """Finish the queueings a rebuild covered, unless another process has claimed one meanwhile."""
    if not job_ids:
        return
    with store.write() as connection:
        connection.execute(
            jobs.update()
            .where(jobs.c.id.in_(list(job_ids)), jobs.c.status == "queued")
            .values(status="done", finished_at=now)
        )


def exports_with_links(exports_dir: Path | None) -> list[str]:
    """Slugs of exports written with links (before author handles were hidden from viewers)."""
    if exports_dir is None:
        return []
    return [e.slug for e in list_exports(exports_dir) if e.links]
