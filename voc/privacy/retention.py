"""Retention per source: items posted more than N days ago are deleted with all they left behind.

"Posted" is the customer's time (`items.posted_at`: when the post was made or the survey
submitted), not when a listener fetched it, so a back-fill of old posts does not buy them more
time. The sweep works source by source in batches of `batch_size` items, each batch one write
transaction with its deletions (`voc.privacy.purge`), the exports it touches queued for
regeneration, and its audit row (`privacy.retention`, actor `system:retention`, counts only). A
crash loses at most the batch in flight, which the next sweep deletes; a second sweep right after
the first finds nothing. It runs in the listener process (`RetentionWorker`, once per `every`
across all listener processes) and on demand (`python -m voc privacy sweep`, the Privacy page).
Domain: no Streamlit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from voc.access.roles import Actor, Permission, require
from voc.background import BackgroundStep
from voc.exports.service import list_exports
from voc.privacy.exports import exports_containing, queue_regeneration, regenerate_queued
from voc.privacy.purge import add_counts, count_matching, count_name, purge_items
from voc.privacy.settings import PrivacySettings, load_privacy
from voc.store.facade import Store
from voc.store.schema import items, sources

log = logging.getLogger(__name__)

SWEEP_ACTOR: Final = Actor.system("retention")
BATCH_SIZE: Final = 500
RUN_KIND: Final = "privacy.retention"  # the `jobs` rows that claim a sweep
SWEEP_EVERY: Final = timedelta(hours=1)
CLAIM_EVERY: Final = timedelta(minutes=1)  # how often a process asks whether the sweep is due


@dataclass(frozen=True)
class RetentionPreview:
    """What the next sweep would delete from one source (counts per table)."""

    source: str
    days: int | None  # None: retention is off for this source
    cutoff: datetime | None
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def items(self) -> int:
        return int(self.counts.get("items", 0))


@dataclass(frozen=True)
class RetentionReport:
    """What one sweep deleted, per source, and which exports it regenerated."""

    deleted: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    exports_regenerated: tuple[str, ...] = ()

    @property
    def items(self) -> int:
        return sum(int(counts.get("items", 0)) for counts in self.deleted.values())

    def lines(self) -> list[str]:
        """One line per source that lost items, for the CLI and the log."""
        out = [
            f"{source}: " + ", ".join(f"{count_name(name)}: {n}" for name, n in counts.items())
            for source, counts in self.deleted.items()
        ]
        if self.exports_regenerated:
            out.append("exports regenerated: " + ", ".join(self.exports_regenerated))
        return out or ["nothing to delete"]


def known_sources(store: Store) -> list[str]:
    """Every source name: registered ones and any that items name (uploads, the command line)."""
    with store.read() as connection:
        registered = set(connection.execute(sa.select(sources.c.name)).scalars())
        named = set(connection.execute(sa.select(items.c.source).distinct()).scalars())
    return sorted(str(name) for name in registered | named)


def _expired(source: str, cutoff: datetime) -> list[sa.ColumnElement[bool]]:
    return [items.c.source == source, items.c.posted_at < cutoff]


def preview_retention(
    store: Store, *, now: datetime, actor: Actor, settings: PrivacySettings | None = None
) -> list[RetentionPreview]:
    """Per known source: its retention and what a sweep at `now` would delete (admins only)."""
    require(actor, Permission.MANAGE_PRIVACY)
    settings = settings or load_privacy(store)
    names = sorted(set(known_sources(store)) | {source for source, _ in settings.retention})
    previews = []
    with store.read() as connection:
        for name in names:
            cutoff = settings.cutoff(name, now)
            counts = count_matching(connection, _expired(name, cutoff)) if cutoff is not None else {}
            previews.append(RetentionPreview(name, settings.retention_days(name), cutoff, counts))
    return previews


def sweep(
    store: Store,
    *,
    now: datetime,
    actor: Actor = SWEEP_ACTOR,
    exports_dir: Path | None = None,
    batch_size: int = BATCH_SIZE,
    settings: PrivacySettings | None = None,
) -> RetentionReport:
    """Delete every expired item (and what derives from it), batch by batch; then regenerate the
    exports that held them, and any left queued by an interrupted run."""
    require(actor, Permission.MANAGE_PRIVACY)
    if batch_size < 1:
        raise ValueError("the batch size is at least 1")
    settings = settings or load_privacy(store)
    exports = list_exports(exports_dir) if exports_dir is not None else []
    deleted: dict[str, dict[str, int]] = {}
    for source, days in settings.retention:
        cutoff = now - timedelta(days=days)
        while True:
            with store.write() as connection:
                ids = list(
                    connection.execute(
                        sa.select(items.c.id).where(*_expired(source, cutoff)).order_by(items.c.id).limit(batch_size)
                    ).scalars()
                )
                if not ids:
                    break
                counts, gone = purge_items(connection, ids)
                slugs = exports_containing(exports, (g.posted_at for g in gone))
                queue_regeneration(connection, slugs, reason="retention", now=now)
                store.record_audit(
                    connection, actor, "privacy.retention", now=now, subject=f"source:{source}",
                    detail={"source": source, "days": days, "cutoff": cutoff.isoformat(), "counts": counts,
                            "exports_queued": len(slugs)},
                )  # fmt: skip
            deleted[source] = add_counts(deleted.get(source, {}), counts)
            if len(ids) < batch_size:
                break
    regenerated = regenerate_queued(store, exports_dir, now=now, actor=actor)
    report = RetentionReport(deleted, tuple(regenerated))
    if report.items or regenerated:
        log.info("retention sweep: %s", "; ".join(report.lines()))
    return report


class RetentionWorker:
    """The listener process's privacy step: a retention sweep once per `every`, in a thread.

    Cheap when nothing is due (a clock comparison, and once a minute one small claim write that
    only one listener process wins per `every`); a first sweep over years of items takes a while,
    so it runs beside the polling (`background=True`), like the weekly export.
    """

    def __init__(
        self,
        store: Store,
        exports_dir: Path | None,
        *,
        clock: Callable[[], datetime],
        every: timedelta = SWEEP_EVERY,
        background: bool = True,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.store = store
        self.exports_dir = exports_dir
        self.clock = clock
        self.every = every
        self.batch_size = batch_size
        self.last_report: RetentionReport | None = None
        self._checked_at: datetime | None = None
        self._run_id: int | None = None
        self._step = BackgroundStep(self._run, name="retention-sweep", background=background)

    def tick(self) -> None:
        if self._step.busy:
            return
        now = self.clock()
        if self._checked_at is not None and now - self._checked_at < min(self.every, CLAIM_EVERY):
            return  # the claim is one small write: not on every tick of the loop
        self._checked_at = now
        run = self.store.start_run(RUN_KIND, SWEEP_ACTOR.name, now, stale_after=self.every, once_every=self.every)
        if run is None:
            return
        self._run_id = run
        self._step.start(now)

    def _run(self, now: datetime) -> None:
        error: str | None = None
        try:
            self.last_report = sweep(self.store, now=now, exports_dir=self.exports_dir, batch_size=self.batch_size)
        except Exception as failure:  # the next `every` tries again; polling goes on meanwhile
            error = type(failure).__name__
            log.exception("retention sweep failed")
        if self._run_id is not None:
            self.store.finish_job(self._run_id, now=self.clock(), error=error)

    def join(self, timeout: float | None = None) -> None:
        self._step.join(timeout)
