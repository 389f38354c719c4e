"""The runner: polls every enabled source through the one `Listener` interface.

It owns what sources must not: leases (at most one runner per source, taken over at once from a
runner on this host whose process is gone), the cursor saved in the same transaction as the
page's last items (with what the page read, for the cost meter, any coverage gap, and the entries
it could not store), long pages committed in chunks, heartbeats that also renew the leases held,
exponential backoff with jitter and a cap on any wait a source asks for, pauses (a usage cap, a
spent daily budget), and a prompt stop on SIGTERM/Ctrl-C.

Each source is polled in a daemon thread of its own, at most `max_polls` at once: a slow source
never delays the others, the loop never waits for a poll, and a stop never waits for one longer
than a short grace. Failures are recorded on the source's row and logged, never swallowed.
No Streamlit import here.
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
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Protocol

from listeners.base import Batch, ErrorKind, Listener, SourceError
from listeners.errors import cap_wait, describe_unreachable, install_log_scrubber, scrub
from voc.alerts.worker import AlertWorker
from voc.clock import utcnow
from voc.models import NewItem, SourceState
from voc.sentiment.worker import SentimentWorker
from voc.sources import costs
from voc.sources.ingest import build_items_with_embeddings
from voc.sources.repository import LeaseLostError
from voc.store.facade import Store
from voc.store.maintenance import PlannerStatistics
from voc.surveys.recovery import raise_recovery_alerts
from voc.themes.worker import ThemeWorker

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 15 * 60.0
RATE_LIMIT_BACKOFF_BASE_S = 60.0  # a 429 without a reset time: X advises backing off from a minute
NOT_RETRYABLE_PAUSE = timedelta(hours=24)
# The longest wait a source may ask for (Retry-After, a rate-limit reset): a wrong or hostile header
# must not park a source for years. A day covers every daily cap (X's usage cap resets at midnight);
# a longer limit (a monthly cap) is retried once a day, at the cost of one refused call.
MAX_RETRY_WAIT_S = 24 * 3600.0
REFRESH_EVERY_S = 10.0  # how often a runner with a `build` looks for added or edited sources
DEFAULT_MAX_POLLS = 4  # sources polled at once (VOC_RUNNER_MAX_POLLS)
DEFAULT_CHUNK_ITEMS = 200  # items analysed and committed at a time (VOC_RUNNER_CHUNK_ITEMS)
STOP_GRACE_S = 3.0  # how long a stop lets polls in flight finish (VOC_RUNNER_STOP_GRACE_S)

# Owners of the runners alive in this process: a lease whose owner names this process but is not
# among them was left by an earlier runner with the same pid (a restarted container's pid 1).
_LIVE_OWNERS: set[str] = set()


class Worker(Protocol):
    """A step of the listener loop beside the polling (sentiment, themes, alerts, exports, retention).

    A worker with a true `before_polls` attribute is ticked before the polls of each pass (the
    sentiment model must be current before a page is scored); the others after them (what the
    pages brought gets its themes and alerts in the same pass). A worker with a `shut_down()`
    method has it called when the runner stops (to hand back what it holds at once).
    """

    def tick(self) -> object: ...


class _Stopping(Exception):
    """The process is stopping: leave the rest of the page for the next runner."""


def backoff_delay(
    failures: int, rng: random.Random, *, base: float = BACKOFF_BASE_S, cap: float = BACKOFF_CAP_S
) -> float:
    """Exponential backoff with jitter: about base·2ⁿ⁻¹ seconds, never more than `cap`."""
    ceiling = min(cap, base * 2 ** max(failures - 1, 0))
    return ceiling * (0.5 + rng.random() / 2)


# The wait a source asked for, at most `MAX_RETRY_WAIT_S`; None when it is no usable number
# (missing, NaN, infinite or negative), so the normal backoff applies instead.
capped_wait = partial(cap_wait, at_most=MAX_RETRY_WAIT_S, negative=None)


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def pid_alive(pid: int) -> bool:
    """Is process `pid` running on this host? (A killed child its parent has not reaped is not.)"""
    if pid <= 0:
        return False
    if os.name != "posix":  # os.kill on Windows would end the process: assume alive, wait out the lease
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    except OSError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc (macOS): the signal said it exists
        return True


def owner_is_gone(
    owner: str,
    *,
    host: str | None = None,
    alive: Callable[[int], bool] = pid_alive,
    live_here: frozenset[str] | set[str] = frozenset(),
) -> bool:
    """True when a lease's `owner` ("host:pid:tag") is a runner on this host whose process is gone.

    An owner on another host, or one that is not in this form, is never judged: its lease runs out.
    """
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != (host or socket.gethostname()):
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid():
        return owner not in live_here
    return not alive(pid)


def standard_workers(
    store: Store,
    owner: str,
    clock: Callable[[], datetime] = utcnow,
    *,
    data_dir: Path | None = None,
    precise_batch: int = 0,
) -> list[Worker]:
    """The steps every listener process runs beside the polling (`data_dir`: where the optional
    transformer model would be; the process's `Settings` say; `precise_batch`: items per tick of
    the background precise re-scoring, 0 for none)."""
    return [
        # Keeps this process's scorer on the active model, runs re-scoring jobs, and re-scores new
        # items with the precise model behind ingest (docs/sentiment.md).
        SentimentWorker(store, owner, clock=clock, data_dir=data_dir, precise_batch=precise_batch),
        # Assigns themes to new items, re-assigns after taxonomy edits, runs discovery (docs/themes.md).
        ThemeWorker(store, owner, clock=clock),
        # Raises item and spike alerts, escalates unacknowledged ones, delivers them (docs/inbox.md).
        AlertWorker(store, clock=clock),
        # Keeps SQLite's query planner statistics current as the items grow (docs/store.md).
        PlannerStatistics(store, clock=clock),
    ]


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
        workers: Sequence[Worker] | None = None,
        max_polls: int = DEFAULT_MAX_POLLS,
        chunk_items: int = DEFAULT_CHUNK_ITEMS,
    ) -> None:
        install_log_scrubber()  # no credential in any log line of a polling process (listeners/errors.py)
        self.store = store
        self.listeners = dict(listeners)
        self.owner = owner or default_owner()
        _LIVE_OWNERS.add(self.owner)
        self.clock = clock
        self.lease_ttl = lease_ttl
        self.rng = rng or random.Random()
        self.max_polls = max(1, max_polls)
        self.chunk_items = max(1, chunk_items)
        self.held: set[str] = set()
        self._lock = threading.Lock()  # guards `held` and `_in_flight`, shared with the poll threads
        self._in_flight: dict[str, threading.Thread] = {}
        self._stop = threading.Event()  # set by `run_forever`'s stop: a poll leaves between chunks
        # With `build`, sources added or edited on the Sources page are picked up while running.
        self.build = build
        self.refresh_every_s = refresh_every_s
        self._refreshed_at = time.monotonic()
        self._built: dict[str, str] = {}
        if build is not None:
            self._built = {s.name: _fingerprint(s) for s in store.sources() if s.name in self.listeners}
        self.workers: list[Worker] = list(standard_workers(store, self.owner, clock) if workers is None else workers)

    # ---- the loop -----------------------------------------------------------------------------

    def run_once(self) -> int:
        """Poll every source once (those not due are skipped), then beat and run the other steps.

        Waits for every poll (`--once`, tests); sources are still polled side by side.
        Returns the number of items stored.
        """
        self._refresh_if_due()
        self.tick_workers(before_polls=True)
        names = list(self.listeners)
        if self.max_polls == 1 or len(names) <= 1:
            stored = sum(self.poll(name) for name in names)
        else:
            with ThreadPoolExecutor(max_workers=min(self.max_polls, len(names)), thread_name_prefix="poll") as pool:
                stored = sum(pool.map(self.poll, names))
        self.heartbeat()
        self.tick_workers(before_polls=False)
        return stored

    def tick(self) -> None:
        """One pass of the loop: start the due polls, beat, run the other steps; never waits on a poll."""
        self._refresh_if_due()
        self.tick_workers(before_polls=True)
        self.dispatch()
        self.heartbeat()
        self.tick_workers(before_polls=False)

    def run_forever(self, stop: threading.Event, tick_seconds: float = 1.0, *, grace_s: float = STOP_GRACE_S) -> None:
        """Poll until `stop` is set; then wait at most `grace_s` for polls in flight and release the
        leases, so another runner can take over at once."""
        self._stop = stop
        log.info("runner %s polling %d sources, %d at a time", self.owner, len(self.listeners), self.max_polls)
        try:
            while not stop.is_set():
                try:
                    self.tick()
                except Exception:  # e.g. the database is briefly unreachable
                    log.exception("runner tick failed; retrying")
                stop.wait(tick_seconds)
        finally:
            self._shut_down(grace_s)

    def dispatch(self) -> list[str]:
        """Start a poll, each in its own daemon thread, for every due source not being polled already,
        at most `max_polls` at once (those due longest first). Returns the names started."""
        now = self.clock()
        due = [
            s
            for s in self.store.sources()
            if s.name in self.listeners and s.enabled and _due(s, now) and not self._leased_elsewhere(s, now)
        ]
        due.sort(key=lambda s: s.next_poll_at or datetime.min.replace(tzinfo=UTC))
        started = []
        with self._lock:
            for source in due:
                if len(self._in_flight) >= self.max_polls:
                    break
                if source.name in self._in_flight:
                    continue  # still polling from an earlier tick: not started twice
                thread = threading.Thread(
                    target=self._poll_in_thread, args=(source.name,), name=f"poll-{source.name}", daemon=True
                )
                self._in_flight[source.name] = thread
                started.append(source.name)
                thread.start()
        return started

    def in_flight(self) -> set[str]:
        """The sources being polled right now."""
        with self._lock:
            return set(self._in_flight)

    def heartbeat(self) -> None:
        """Beat for every source this runner holds and renew their leases (a long poll keeps its lease);
        a source whose lease another runner took meanwhile is let go."""
        with self._lock:
            held = set(self.held)
        beaten = self.store.beat(held, self.clock(), owner=self.owner, lease_ttl=self.lease_ttl)
        with self._lock:
            self.held -= held - beaten

    def tick_workers(self, *, before_polls: bool | None = None) -> None:
        """Run the steps beside the polling (only those ticked before, or after, the polls when
        `before_polls` says which); one failing never stops the others or the polling."""
        for worker in self.workers:
            if before_polls is not None and bool(getattr(worker, "before_polls", False)) != before_polls:
                continue
            try:
                worker.tick()
            except Exception:  # e.g. an unreadable model or a broken setting: the sources are still polled
                log.exception("%s step failed", type(worker).__name__)

    def refresh(self) -> None:
        """Build listeners for sources added, enabled or edited since they were last built; forget
        the listeners of deleted sources."""
        self._refreshed_at = time.monotonic()
        if self.build is None:
            return
        stored = self.store.sources()
        for name in set(self.listeners) - {source.name for source in stored}:
            log.info("%s: deleted on the Sources page; no longer polled", name)
            self.listeners.pop(name, None)
            self._built.pop(name, None)
        for source in stored:
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

    # ---- one poll -----------------------------------------------------------------------------

    def poll(self, name: str) -> int:
        """Poll one source if it is due and this runner can lease it; returns items stored."""
        now = self.clock()
        source = self.store.source(name)
        if source is None or not source.enabled:
            self._let_go(name)
            return 0
        if not _due(source, now):
            return 0
        if not self._take_lease(source, now):
            self._let_go(name)
            return 0
        with self._lock:
            self.held.add(name)
        # Read again under the lease: another runner may have saved a newer cursor meanwhile.
        source = self.store.source(name)
        listener = self.listeners.get(name)
        if source is None or listener is None or not _due(source, now) or self._pause_if_over_budget(source, now):
            return 0
        try:
            batch = listener.fetch(source.cursor)
            stored = self._save(name, source, batch)
        except _Stopping:
            log.info("%s: stopping mid-page; the rest is fetched again by the next runner", name)
            return 0
        except LeaseLostError:
            log.warning("lost the lease on %s; another runner has it now", name)
            self._let_go(name)
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
        if batch.usage is not None:
            refreshed = self.store.source(name)
            if refreshed is not None:
                self._pause_if_over_budget(refreshed, self.clock())
        return stored

    def _save(self, name: str, source: SourceState, batch: Batch) -> int:
        """Analyse and store the page `chunk_items` at a time, each chunk its own transaction under
        the lease; the cursor (with usage, gap and skip counts) only with the last one.

        A crash mid-page keeps the chunks committed and loses none of the rest: the page is fetched
        again from the old cursor and what is already stored is ignored as a duplicate.
        """
        raws = list(batch.items)
        chunks = [raws[start : start + self.chunk_items] for start in range(0, len(raws), self.chunk_items)] or [[]]
        stored = 0
        for index, chunk in enumerate(chunks):
            if index and self._stop.is_set():
                raise _Stopping
            new_items, vectors = build_items_with_embeddings(name, chunk, ingested_at=self.clock())
            now = self.clock()
            if index < len(chunks) - 1:
                stored += self.store.save_items(name, new_items, owner=self.owner, now=now, embeddings=vectors)
            else:
                wait = timedelta(0) if batch.more else timedelta(seconds=source.poll_interval_s)
                stored += self.store.save_batch(
                    name,
                    new_items,
                    batch.cursor,
                    owner=self.owner,
                    now=now,
                    next_poll_at=now + wait,
                    usage=batch.usage,
                    gap=batch.gap,
                    embeddings=vectors,
                    skipped=batch.skipped,
                )
            self._raise_recovery_alerts(name, new_items)
        if batch.skipped:
            log.warning("%s: skipped %s", name, ", ".join(f"{n} ({r})" for r, n in sorted(batch.skipped.items())))
        return stored

    def _poll_in_thread(self, name: str) -> None:
        try:
            self.poll(name)
        except Exception:  # e.g. the database unreachable while recording: the next tick tries again
            log.exception("polling %s failed", name)
        finally:
            with self._lock:
                self._in_flight.pop(name, None)

    def _take_lease(self, source: SourceState, now: datetime) -> bool:
        """Take or renew the lease; take it over at once from a runner on this host that is gone."""
        if self.store.try_acquire_lease(source.name, self.owner, now, self.lease_ttl):
            return True
        gone = source.lease_owner
        if gone is None or gone == self.owner or not owner_is_gone(gone, live_here=_LIVE_OWNERS):
            return False
        if not self.store.take_over_lease(source.name, gone, self.owner, now, self.lease_ttl):
            return False
        log.info("%s: took over the lease of %s, a runner on this host whose process is gone", source.name, gone)
        return True

    def _leased_elsewhere(self, source: SourceState, now: datetime) -> bool:
        """Held by another runner that is alive (or may be): no thread is started for it."""
        owner = source.lease_owner
        if owner is None or owner == self.owner:
            return False
        if source.lease_expires_at is None or source.lease_expires_at < now:
            return False
        return not owner_is_gone(owner, live_here=_LIVE_OWNERS)

    def _let_go(self, name: str) -> None:
        with self._lock:
            self.held.discard(name)

    def _shut_down(self, grace_s: float) -> None:
        deadline = time.monotonic() + grace_s
        with self._lock:
            threads = list(self._in_flight.items())
        for _, thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        unfinished = sorted(self.in_flight())
        if unfinished:
            # Daemon threads end with the process; their pages are fetched again from the saved cursor.
            log.warning("not waiting longer for %s: fetched again by the next runner", ", ".join(unfinished))
        with self._lock:
            held = list(self.held)
        for name in held:  # an unfinished poll's save then finds the lease gone and stores nothing more
            try:
                self.store.release_lease(name, self.owner)
            except Exception:  # the leases then run out on their own
                log.exception("could not release the lease on %s", name)
        for worker in self.workers:
            shut_down = getattr(worker, "shut_down", None)
            if shut_down is not None:
                try:
                    shut_down()
                except Exception:  # what it holds then runs out on its own
                    log.exception("could not shut %s down", type(worker).__name__)
        _LIVE_OWNERS.discard(self.owner)
        log.info("runner %s stopped cleanly", self.owner)

    def _refresh_if_due(self) -> None:
        if self.build is not None and time.monotonic() - self._refreshed_at >= self.refresh_every_s:
            self.refresh()

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
        """Alert a manager at once about very unhappy customers this chunk brought, from any source."""
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
        message = describe_unreachable(kind, message, failures)
        asked = capped_wait(retry_after_s)
        if not retryable:
            delay = NOT_RETRYABLE_PAUSE.total_seconds()
        elif asked is not None:
            delay = asked
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
