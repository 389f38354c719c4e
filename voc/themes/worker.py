"""The listener process's theme duties, one small step per runner tick.

Seeds the starter taxonomy into a new workspace, assigns themes to items as they arrive (at most
`batch` per tick, using the embeddings stored at ingest), works through re-assignment jobs after
taxonomy edits one batch at a time (progress in `jobs`), and runs discovery on the unthemed pool
when it is due (every `discover_every`, or sooner when the pool has grown by half).

Domain module: no Streamlit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from voc.analysis.redaction import redact
from voc.store.facade import Store
from voc.themes import repository as repo
from voc.themes import rollups, service
from voc.themes.assign import Assigner

log = logging.getLogger(__name__)

ASSIGNER_REFRESH_S = 600.0  # member centroids follow new rule hits this often (and on every edit)
DISCOVERY_RUN = "themes.discovery"  # the `jobs` rows that claim a discovery run
DISCOVERY_STALE = timedelta(hours=1)  # a discovery run older than this is taken for dead


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ThemeWorker:
    def __init__(
        self,
        store: Store,
        owner: str,
        *,
        clock: Callable[[], datetime] = _utcnow,
        batch: int = 500,
        discover_every: timedelta = timedelta(hours=6),
        every_s: float = 2.0,
    ) -> None:
        self.store = store
        self.owner = owner
        self.clock = clock
        self.batch = batch
        self.discover_every = discover_every
        self.every_s = every_s
        self.assigner: Assigner | None = None
        self._built_at = float("-inf")
        self._ticked_at = float("-inf")

    def _current_assigner(self) -> Assigner:
        taxonomy = repo.load_taxonomy(self.store)
        stale = time.monotonic() - self._built_at >= ASSIGNER_REFRESH_S
        if self.assigner is None or self.assigner.version != taxonomy.version or stale:
            self.assigner = service.build_assigner(self.store, taxonomy)
            self._built_at = time.monotonic()
        return self.assigner

    def tick(self) -> int:
        """One step: new items first, then a re-assignment batch, then discovery when due."""
        if time.monotonic() - self._ticked_at < self.every_s:
            return 0
        self._ticked_at = time.monotonic()
        now = self.clock()
        repo.ensure_starter(self.store, now)
        assigner = self._current_assigner()
        if assigner.version == 0:  # no starter set picked yet (Themes page): items wait, unassessed
            return 0
        assigned = service.assign_pending(self.store, assigner, now, limit=self.batch)
        if assigned:
            log.info("themes: assessed %d new items", assigned)
            self._ticked_at = float("-inf")  # more may be waiting: carry on next tick
            return assigned
        latest = self.store.latest_job(service.REASSIGN_JOB)
        if latest is not None and latest["status"] in ("queued", "running"):
            job = self.store.claim_job(service.REASSIGN_JOB, self.owner, now)
            if job is not None:
                try:
                    finished = service.reassign_batch(self.store, assigner, job, now, batch=self.batch)
                except Exception as error:  # recorded on the job and shown on the Themes page
                    log.exception("theme re-assignment job %s failed", job["id"])
                    self.store.finish_job(
                        job["id"], now=self.clock(), error=redact(f"{type(error).__name__}: {error}").text
                    )
                    return 0
                if finished:
                    self.store.finish_job(job["id"], now=self.clock())
                    log.info("theme re-assignment job %s done", job["id"])
                else:
                    self._ticked_at = float("-inf")
                return 0
        if service.discovery_due(self.store, now, self.discover_every):
            self._discover(now)
        self._fold_theme_counts()
        return 0

    def _fold_theme_counts(self) -> None:
        """Fold the changes the triggers appended into the hourly theme counts, when there are some
        (reads add them either way; folding keeps what a page adds up small)."""
        with self.store.read() as connection:
            if not rollups.pending_changes(connection):
                return
        with self.store.write() as connection:
            folded = rollups.compact_theme_counts(connection)
        log.debug("themes: folded %d theme count changes", folded)

    def _discover(self, now: datetime) -> None:
        """Run discovery if this process wins the run (several listener processes may be due at once)."""
        run = self.store.start_run(DISCOVERY_RUN, self.owner, now, stale_after=DISCOVERY_STALE)
        if run is None:
            return
        try:
            found = service.run_discovery(self.store, now)
        except Exception as error:
            self.store.finish_job(run, now=self.clock(), error=type(error).__name__)
            raise
        self.store.finish_job(run, now=self.clock())
        log.info("themes: discovery found %d open proposals", len(found))
