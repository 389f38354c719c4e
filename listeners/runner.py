"""The runner: polls every enabled source through the one `Listener` interface.

It owns what sources must not: leases (at most one runner per source), the cursor saved in the
same transaction as its items (with what the page read, for the cost meter, and any coverage gap),
heartbeats, exponential backoff with jitter, pauses (a usage cap, a spent daily budget), and a
clean stop on SIGTERM/Ctrl-C. Failures are recorded on the source's row and logged, never
swallowed. No Streamlit import here.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from listeners.base import ErrorKind, Listener, SourceError
from listeners.errors import install_log_scrubber, scrub
from voc import costs
from voc.alerts.worker import AlertWorker
from voc.exports.schedule import ExportScheduler
from voc.ingest import build_items_with_embeddings
from voc.models import NewItem, SourceState
from voc.privacy.retention import RetentionWorker
from voc.sentiment_training import SentimentWorker
from voc.store import Store
from voc.store.repository import LeaseLostError
from voc.surveys.recovery import raise_recovery_alerts
from voc.themes.worker import ThemeWorker

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 15 * 60.0
RATE_LIMIT_BACKOFF_BASE_S = 60.0  # a 429 without a reset time: X advises backing off from a minute
NOT_RETRYABLE_PAUSE = timedelta(hours=24)
REFRESH_EVERY_S = 10.0  # how often a runner with a `build` looks for added or edited sources


def utcnow() -> datetime:
    return datetime.now(UTC)


def backoff_delay(
    failures: int, rng: random.Random, *, base: float = BACKOFF_BASE_S, cap: float = BACKOFF_CAP_S
) -> float:
    """Exponential backoff with jitter: about base·2ⁿ⁻¹ seconds, never more than `cap`."""
    ceiling = min(cap, base * 2 ** max(failures - 1, 0))
    return ceiling * (0.5 + rng.random() / 2)


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _fingerprint(source: SourceState) -> str:
    return json.dumps([source.kind, source.config], sort_keys=True, default=str)


def _due(source: SourceState, now: datetime) -> bool:
    """A source is polled once its wait is over and no pause holds it."""
    if source.paused_until is not None and source.paused_until > now:
        return False
    return source.next_poll_at is None or source.next_poll_at <= now


class Runner:
    """Polls `listeners` (by source name) into `store`; one instance per process."""

    def __init__(
        self,
        store: Store,
        listeners: Mapping[str, Listener],
        *,
        owner: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        lease_ttl: timedelta = timedelta(seconds=90),
        rng: random.Random | None = None,
        build: Callable[[SourceState], Listener] | None = None,
        refresh_every_s: float = REFRESH_EVERY_S,
        exports: ExportScheduler | None = None,
        retention: RetentionWorker | None = None,
    ) -> None:
        install_log_scrubber()  # no credential in any log line of a polling process (listeners/errors.py)
        self.store = store
        self.listeners = dict(listeners)
        self.owner = owner or default_owner()
        self.clock = clock
        self.lease_ttl = lease_ttl
        self.rng = rng or random.Random()
        self.held: set[str] = set()
        # With `build`, sources added or edited on the Sources page are picked up while running.
        self.build = build
        self.refresh_every_s = refresh_every_s
        self._refreshed_at = time.monotonic()
        self._built: dict[str, str] = {}
        if build is not None:
            self._built = {s.name: _fingerprint(s) for s in store.sources() if s.name in self.listeners}
        # Keeps this process's scorer on the active model and runs re-scoring jobs (docs/sentiment.md).
        self.sentiment = SentimentWorker(store, self.owner, clock=clock)
        # Assigns themes to new items, re-assigns after taxonomy edits, runs discovery (docs/themes.md).
        self.themes = ThemeWorker(store, self.owner, clock=clock)
        # Raises item and spike alerts, escalates unacknowledged ones, delivers them (docs/inbox.md).
        self.alerts = AlertWorker(store, clock=clock)
        # Last week's export every Monday, once per week across restarts (docs/exports.md).
        self.exports = exports
        # Deletes items past their source's retention, hourly across processes (docs/privacy.md).
        self.retention = retention

    def refresh(self) -> None:
        """Build listeners for sources added, enabled or edited since they were last built."""
        self._refreshed_at = time.monotonic()
        if self.build is None:
            return
        for source in self.store.sources():
            fingerprint = _fingerprint(source)
            if not source.enabled or self._built.get(source.name) == fingerprint:
                continue
            self._built[source.name] = fingerprint  # a broken config is reported once, not every tick
            try:
                listener = self.build(source)
            except ValueError as error:
                log.error("%s", error)
                continue
            log.info("%s: %s", source.name, "rebuilt after an edit" if source.name in self.listeners else "added")
            self.listeners[source.name] = listener

    def poll(self, name: str) -> int:
        """Poll one source if it is due and this runner can lease it; returns items stored."""
        now = self.clock()
        source = self.store.source(name)
        if source is None or not source.enabled:
            self.held.discard(name)
            return 0
        if not _due(source, now):
            return 0
        if not self.store.try_acquire_lease(name, self.owner, now, self.lease_ttl):
            self.held.discard(name)
            return 0
        self.held.add(name)
        # Read again under the lease: another runner may have saved a newer cursor meanwhile.
        source = self.store.source(name)
        if source is None or not _due(source, now) or self._pause_if_over_budget(source, now):
            return 0
        listener = self.listeners[name]
        try:
            batch = listener.fetch(source.cursor)
            new_items, vectors = build_items_with_embeddings(name, batch.items, ingested_at=self.clock())
            wait = timedelta(0) if batch.more else timedelta(seconds=source.poll_interval_s)
            now = self.clock()
            stored = self.store.save_batch(
                name,
                new_items,
                batch.cursor,
                owner=self.owner,
                now=now,
                next_poll_at=now + wait,
                usage=batch.usage,
                gap=batch.gap,
                embeddings=vectors,
            )
        except LeaseLostError:
            log.warning("lost the lease on %s; another runner has it now", name)
            self.held.discard(name)
            return 0
        except SourceError as error:
            self._record(
                name, error.kind, error.message, source.consecutive_failures + 1, error.retry_after_s, error.retryable
            )
            return 0
        except Exception as error:  # a bug or an unclassified library error: record it, keep going
            log.exception("source %s failed", name)
            message = f"{type(error).__name__}: {error}"
            self._record(name, ErrorKind.UNEXPECTED, message, source.consecutive_failures + 1, None, True)
            return 0
        if stored:
            log.info("%s: stored %d new items", name, stored)
            self._raise_recovery_alerts(name, new_items)
        if batch.usage is not None:
            refreshed = self.store.source(name)
            if refreshed is not None:
                self._pause_if_over_budget(refreshed, now)
        return stored

    def _pause_if_over_budget(self, source: SourceState, now: datetime) -> bool:
        """Pause a source whose estimated spend today has reached its daily budget."""
        budget = costs.daily_budget(source.config)
        if budget is None:
            return False
        spent = self.store.usage_on(source.name, costs.utc_day(now)).cost_usd
        pause = costs.budget_pause(spent_usd=spent, budget_usd=budget, now=now)
        if pause is None:
            return False
        log.warning("%s: %s", source.name, pause.reason)
        self.store.pause_source(source.name, until=pause.until, reason=pause.reason)
        return True

    def _raise_recovery_alerts(self, name: str, new_items: list[NewItem]) -> None:
        """Alert a manager at once about very unhappy customers this page brought, from any source."""
        very_unhappy = [item.external_id for item in new_items if item.very_unhappy]
        if very_unhappy:
            raised = raise_recovery_alerts(self.store, now=self.clock(), source=name, external_ids=very_unhappy)
            if raised:
                log.info("%s: raised %d recovery alerts", name, raised)

    def _record(
        self, name: str, kind: ErrorKind, message: str, failures: int, retry_after_s: float | None, retryable: bool
    ) -> None:
        now = self.clock()
        message = scrub(message)  # a last guard: no credential reaches the log or the database
        if not retryable:
            delay = NOT_RETRYABLE_PAUSE.total_seconds()
        elif retry_after_s is not None:
            delay = retry_after_s
        elif kind is ErrorKind.RATE_LIMITED:
            delay = backoff_delay(failures, self.rng, base=RATE_LIMIT_BACKOFF_BASE_S)
        else:
            delay = backoff_delay(failures, self.rng)
        next_poll_at = now + timedelta(seconds=delay)
        # A usage cap is a pause, not just a wait: the Sources page shows why and until when.
        paused_until = next_poll_at if kind is ErrorKind.USAGE_CAP else None
        log.warning("%s: %s: %s (retry in %.0f s)", name, kind, message, delay)
        self.store.record_failure(
            name, kind=str(kind), message=message, now=now, next_poll_at=next_poll_at, paused_until=paused_until
        )

    def run_once(self) -> int:
        """Poll every source once (those not due are skipped) and beat for the ones held."""
        if self.build is not None and time.monotonic() - self._refreshed_at >= self.refresh_every_s:
            self.refresh()
        try:
            self.sentiment.tick()
        except Exception:  # e.g. an unreadable model: the sources are still polled
            log.exception("sentiment step failed")
        stored = sum(self.poll(name) for name in self.listeners)
        self.store.beat(self.held, self.clock())
        try:
            self.themes.tick()
        except Exception:  # e.g. a theme edit racing this tick: the sources are still polled
            log.exception("themes step failed")
        try:
            self.alerts.tick()
        except Exception:  # e.g. a broken channel setting: the sources are still polled
            log.exception("alerts step failed")
        if self.exports is not None:
            try:
                self.exports.tick()
            except Exception:  # e.g. a broken schedule setting: the sources are still polled
                log.exception("exports step failed")
        if self.retention is not None:
            try:
                self.retention.tick()
            except Exception:  # e.g. the database briefly unreachable: the next tick tries again
                log.exception("retention step failed")
        return stored

    def run_forever(self, stop: threading.Event, tick_seconds: float = 1.0) -> None:
        """Poll until `stop` is set, then release leases so another runner can take over."""
        log.info("runner %s polling %d sources", self.owner, len(self.listeners))
        try:
            while not stop.is_set():
                try:
                    self.run_once()
                except Exception:  # e.g. the database is briefly unreachable
                    log.exception("runner tick failed; retrying")
                stop.wait(tick_seconds)
        finally:
            for name in list(self.held):
                self.store.release_lease(name, self.owner)
            log.info("runner %s stopped cleanly", self.owner)
