"""The listener runner against the real databases: idempotent, crash-safe, failures recorded."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from listeners.base import Batch, ErrorKind, RawItem, SourceError
from listeners.runner import Runner, backoff_delay
from voc.store.facade import Store
from voc.store.facade import Store as StoreClass


class PagedSource:
    """A source with fixed pages; the cursor is the index of the next page."""

    def __init__(self, name: str, pages: list[list[str]], posted_at: datetime) -> None:
        self.name = name
        self.pages = pages
        self.posted_at = posted_at
        self.fetches: list[str | None] = []
        self.failures: list[Exception] = []

    def fetch(self, cursor: str | None) -> Batch:
        self.fetches.append(cursor)
        if self.failures:
            raise self.failures.pop(0)
        index = int(cursor or 0)
        if index >= len(self.pages):
            return Batch([], cursor)
        items = [
            RawItem(external_id=i, text=f"the app keeps crashing {i}", posted_at=self.posted_at)
            for i in self.pages[index]
        ]
        return Batch(items, str(index + 1), more=index + 1 < len(self.pages))


def stored_ids(store: Store) -> list[str]:
    with store.read() as connection:
        return sorted(row[0] for row in connection.exec_driver_sql("SELECT external_id FROM items"))


@pytest.fixture
def paged(store: Store, clock) -> PagedSource:
    store.ensure_source("paged", "test", poll_interval_s=30)
    return PagedSource("paged", [["a", "b"], ["c", "d"], ["e"]], clock.now)


def test_pages_are_followed_and_every_item_lands_once(store: Store, paged: PagedSource, clock) -> None:
    runner = Runner(store, {"paged": paged}, owner="r1", clock=clock)
    for _ in range(5):
        runner.run_once()
    assert stored_ids(store) == ["a", "b", "c", "d", "e"]
    source = store.source("paged")
    assert source is not None and (source.cursor, source.items_total) == ("3", 5)


def test_items_are_analysed_and_redacted_before_they_are_stored(store: Store, clock) -> None:
    class One:
        name = "one"

        def fetch(self, cursor: str | None) -> Batch:
            text = "Terrible service, call me on +44 7700 900123 or mail jo.bloggs@example.com"
            return Batch([RawItem(external_id="1", text=text, posted_at=clock.now)], "done")

    store.ensure_source("one", "test")
    Runner(store, {"one": One()}, owner="r", clock=clock).run_once()
    with store.read() as connection:
        text, label, scorer = connection.exec_driver_sql("SELECT text, sentiment_label, scorer FROM items").one()
    assert "jo.bloggs@example.com" not in text and "7700 900123" not in text
    assert label == "negative"
    assert scorer  # which scorer and version produced the label is recorded


def test_a_crash_after_fetching_loses_and_duplicates_nothing(
    store: Store, paged: PagedSource, clock, monkeypatch
) -> None:
    runner = Runner(store, {"paged": paged}, owner="r1", clock=clock)
    runner.run_once()  # page 0 stored
    original = StoreClass.save_batch

    def crash(self, *args, **kwargs):  # the process dies before the page is committed
        raise KeyboardInterrupt

    monkeypatch.setattr(StoreClass, "save_batch", crash)
    with pytest.raises(KeyboardInterrupt):
        runner.run_once()
    monkeypatch.setattr(StoreClass, "save_batch", original)
    restarted = Runner(store, {"paged": paged}, owner="r1", clock=clock)
    for _ in range(4):
        restarted.run_once()
    assert stored_ids(store) == ["a", "b", "c", "d", "e"]
    assert paged.fetches.count("1") == 2  # page 1 was fetched again from the saved cursor


def test_a_failure_is_recorded_and_backed_off_then_recovers(store: Store, paged: PagedSource, clock) -> None:
    paged.failures.append(SourceError(ErrorKind.TRANSIENT, "503 Service Unavailable"))
    runner = Runner(store, {"paged": paged}, owner="r1", clock=clock, rng=random.Random(1))
    assert runner.run_once() == 0
    source = store.source("paged")
    assert source is not None
    assert (source.error_kind, source.last_error, source.consecutive_failures) == (
        "transient",
        "503 Service Unavailable",
        1,
    )
    assert source.next_poll_at is not None and source.next_poll_at > clock.now
    assert runner.run_once() == 0  # still backing off: not polled
    assert len(paged.fetches) == 1
    clock.advance(minutes=1)
    assert runner.run_once() == 2
    source = store.source("paged")
    assert source is not None and source.consecutive_failures == 0 and source.last_ok_at == clock.now


def test_an_unexpected_exception_is_recorded_not_swallowed(store: Store, paged: PagedSource, clock) -> None:
    paged.failures.append(KeyError("data"))
    Runner(store, {"paged": paged}, owner="r1", clock=clock).run_once()
    source = store.source("paged")
    assert source is not None and source.error_kind == "unexpected" and "KeyError" in (source.last_error or "")


def test_a_rate_limit_waits_as_long_as_the_source_says(store: Store, paged: PagedSource, clock) -> None:
    paged.failures.append(SourceError(ErrorKind.RATE_LIMITED, "429", retry_after_s=600))
    Runner(store, {"paged": paged}, owner="r1", clock=clock).run_once()
    source = store.source("paged")
    assert source is not None and source.next_poll_at == clock.now + timedelta(seconds=600)


def test_an_auth_failure_stops_retrying(store: Store, paged: PagedSource, clock) -> None:
    paged.failures.append(SourceError(ErrorKind.AUTH, "401 Unauthorized: check the bearer token"))
    Runner(store, {"paged": paged}, owner="r1", clock=clock).run_once()
    source = store.source("paged")
    assert source is not None and source.next_poll_at is not None
    assert source.next_poll_at - clock.now >= timedelta(hours=24)


def test_two_runners_never_poll_the_same_source_at_once(store: Store, paged: PagedSource, clock) -> None:
    first = Runner(store, {"paged": paged}, owner="r1", clock=clock)
    second = Runner(store, {"paged": paged}, owner="r2", clock=clock)
    first.run_once()
    clock.advance(seconds=31)
    second.run_once()  # r1's lease is still live: r2 must not fetch
    assert paged.fetches == [None]
    assert first.held == {"paged"} and second.held == set()


def test_heartbeats_are_written_for_held_sources(store: Store, paged: PagedSource, clock) -> None:
    runner = Runner(store, {"paged": paged}, owner="r1", clock=clock)
    runner.run_once()
    clock.advance(seconds=5)
    runner.run_once()  # not due, but the runner is alive
    source = store.source("paged")
    assert source is not None and source.heartbeat_at == clock.now


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(n, rng, base=5, cap=300) for n in range(1, 10)]
    assert 2.5 <= delays[0] <= 5
    assert 20 <= delays[3] <= 40
    assert all(delay <= 300 for delay in delays)
    assert len(set(delays)) == len(delays)  # jitter: no two retries line up
