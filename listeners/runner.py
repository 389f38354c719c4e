"""The runner: polls every enabled source through the one `Listener` interface.

It owns what sources must not: leases (at most one runner per source), the cursor saved in the
same transaction as its items, heartbeats, exponential backoff with jitter, and a clean stop on
SIGTERM/Ctrl-C. Failures are recorded on the source's row and logged, never swallowed.
No Streamlit import here.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone

from listeners.base import ErrorKind, Listener, SourceError
from voc.ingest import build_items
from voc.store import Store
from voc.store.repository import LeaseLostError

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 15 * 60.0
NOT_RETRYABLE_PAUSE = timedelta(hours=24)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def backoff_delay(failures: int, rng: random.Random, *, base: float = BACKOFF_BASE_S, cap: float = BACKOFF_CAP_S) -> float:
    """Exponential backoff with jitter: about base·2ⁿ⁻¹ seconds, never more than `cap`."""
    ceiling = min(cap, base * 2 ** max(failures - 1, 0))
    return ceiling * (0.5 + rng.random() / 2)


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


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
    ) -> None:
        self.store = store
        self.listeners = dict(listeners)
        self.owner = owner or default_owner()
        self.clock = clock
        self.lease_ttl = lease_ttl
        self.rng = rng or random.Random()
        self.held: set[str] = set()

    def poll(self, name: str) -> int:
        """Poll one source if it is due and this runner can lease it; returns items stored."""
        now = self.clock()
        source = self.store.source(name)
        if source is None or not source.enabled:
            self.held.discard(name)
            return 0
        if source.next_poll_at is not None and source.next_poll_at > now:
            return 0
        if not self.store.try_acquire_lease(name, self.owner, now, self.lease_ttl):
            self.held.discard(name)
            return 0
        self.held.add(name)
        listener = self.listeners[name]
        try:
            batch = listener.fetch(source.cursor)
            new_items = build_items(name, batch.items, ingested_at=self.clock())
            wait = timedelta(0) if batch.more else timedelta(seconds=source.poll_interval_s)
            now = self.clock()
            stored = self.store.save_batch(
                name, new_items, batch.cursor, owner=self.owner, now=now, next_poll_at=now + wait
            )
        except LeaseLostError:
            log.warning("lost the lease on %s; another runner has it now", name)
            self.held.discard(name)
            return 0
        except SourceError as error:
            self._record(name, error.kind, error.message, source.consecutive_failures + 1, error.retry_after_s, error.retryable)
            return 0
        except Exception as error:  # a bug or an unclassified library error: record it, keep going
            log.exception("source %s failed", name)
            message = f"{type(error).__name__}: {error}"
            self._record(name, ErrorKind.UNEXPECTED, message, source.consecutive_failures + 1, None, True)
            return 0
        if stored:
            log.info("%s: stored %d new items", name, stored)
        return stored

    def _record(
        self, name: str, kind: ErrorKind, message: str, failures: int, retry_after_s: float | None, retryable: bool
    ) -> None:
        now = self.clock()
        if not retryable:
            delay = NOT_RETRYABLE_PAUSE.total_seconds()
        elif retry_after_s is not None:
            delay = retry_after_s
        else:
            delay = backoff_delay(failures, self.rng)
        log.warning("%s: %s: %s (retry in %.0f s)", name, kind, message, delay)
        self.store.record_failure(name, kind=str(kind), message=message, now=now, next_poll_at=now + timedelta(seconds=delay))

    def run_once(self) -> int:
        """Poll every source once (those not due are skipped) and beat for the ones held."""
        stored = sum(self.poll(name) for name in self.listeners)
        self.store.beat(self.held, self.clock())
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
