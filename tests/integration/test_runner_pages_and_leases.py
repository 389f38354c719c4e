"""The runner against the real databases: skipped entries, pages committed in chunks, leases taken
over from dead runners and renewed by the heartbeat, capped waits, unreachable addresses, and
deleting a source."""

from __future__ import annotations

import math
import random
import socket
from datetime import datetime, timedelta

import pytest

from listeners.base import Batch, ErrorKind, RawItem, SourceError
from listeners.runner import MAX_RETRY_WAIT_S, Runner
from tests.actors import admin, agent
from tests.factories import new_item
from voc.access.roles import AccessDenied
from voc.store.facade import Store
from voc.store.facade import Store as StoreClass


class Pages:
    """A source with fixed pages (cursor: index of the next page) that may skip entries and fail."""

    def __init__(self, name: str, pages: list[list[str]], posted_at: datetime, skipped: dict[str, int] | None = None):
        self.name = name
        self.pages = pages
        self.posted_at = posted_at
        self.skipped = skipped or {}
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
            RawItem(external_id=i, text=f"the app crashed again {i}", posted_at=self.posted_at)
            for i in self.pages[index]
        ]
        return Batch(items, str(index + 1), more=index + 1 < len(self.pages), skipped=self.skipped)


def stored_ids(store: Store) -> list[str]:
    with store.read() as connection:
        return sorted(row[0] for row in connection.exec_driver_sql("SELECT external_id FROM items"))


def test_skipped_entries_are_counted_with_the_page_and_accumulate(store: Store, clock) -> None:
    store.ensure_source("feed", "test", poll_interval_s=30)
    source = Pages("feed", [["a"], ["b"]], clock.now, skipped={"no text": 3, "no date and no id": 1})
    runner = Runner(store, {"feed": source}, owner="r1", clock=clock, workers=[])

    runner.run_once()
    runner.run_once()

    assert store.skipped_entries() == {"feed": {"no text": 6, "no date and no id": 2}}
    assert stored_ids(store) == ["a", "b"]


def test_skips_are_not_counted_when_the_page_is_not_saved(store: Store, clock) -> None:
    store.ensure_source("feed", "test", poll_interval_s=30)

    class TakenWhileFetching(Pages):
        def fetch(self, cursor: str | None) -> Batch:  # another runner takes the source meanwhile
            clock.advance(seconds=91)
            store.try_acquire_lease("feed", "r2", clock.now, timedelta(seconds=90))
            return super().fetch(cursor)

    source = TakenWhileFetching("feed", [["a"]], clock.now, skipped={"no text": 3})
    runner = Runner(store, {"feed": source}, owner="r1", clock=clock, workers=[])

    assert runner.run_once() == 0

    assert source.fetches == [None]
    assert stored_ids(store) == [] and store.skipped_entries() == {}  # one transaction: neither lands
    assert runner.held == set()


def test_a_long_page_is_committed_in_chunks_and_a_crash_before_the_last_loses_and_repeats_nothing(
    store: Store, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.ensure_source("backlog", "test", poll_interval_s=30)
    ids = [f"n{i:02d}" for i in range(10)]
    source = Pages("backlog", [ids], clock.now)
    runner = Runner(store, {"backlog": source}, owner="r1", clock=clock, workers=[], chunk_items=4)
    original = StoreClass.save_batch

    def crash(self, *args, **kwargs):  # the process dies before the last chunk and the cursor commit
        raise KeyboardInterrupt

    monkeypatch.setattr(StoreClass, "save_batch", crash)
    with pytest.raises(KeyboardInterrupt):
        runner.run_once()
    assert stored_ids(store) == ids[:8]  # two chunks of four committed, each with the lease checked
    stored = store.source("backlog")
    assert stored is not None and stored.cursor is None and stored.items_total == 8

    monkeypatch.setattr(StoreClass, "save_batch", original)
    Runner(store, {"backlog": source}, owner="r1", clock=clock, workers=[], chunk_items=4).run_once()

    assert stored_ids(store) == ids
    stored = store.source("backlog")
    assert stored is not None and stored.cursor == "1" and stored.items_total == 10
    assert source.fetches == [None, None]  # the page was fetched again from the old cursor


def test_a_chunk_is_not_stored_once_the_lease_is_lost(store: Store, clock) -> None:
    store.ensure_source("backlog", "test")
    assert store.try_acquire_lease("backlog", "r1", clock.now, timedelta(seconds=90))
    store.release_lease("backlog", "r1")

    with pytest.raises(Exception, match="no longer leased"):
        store.save_items("backlog", [new_item("x", source="backlog")], owner="r1", now=clock.now)
    assert stored_ids(store) == []


def test_a_lease_held_by_a_dead_process_on_this_host_is_taken_over_at_once(store: Store, clock) -> None:
    store.ensure_source("feed", "test", poll_interval_s=30)
    dead = f"{socket.gethostname()}:{_dead_pid()}:abc123"
    assert store.try_acquire_lease("feed", dead, clock.now, timedelta(seconds=90))
    source = Pages("feed", [["a"]], clock.now)

    Runner(store, {"feed": source}, owner="r2", clock=clock, workers=[]).run_once()

    assert source.fetches == [None] and stored_ids(store) == ["a"]
    assert store.source("feed").lease_owner == "r2"  # type: ignore[union-attr]


def test_a_lease_held_on_another_host_is_waited_out(store: Store, clock) -> None:
    store.ensure_source("feed", "test", poll_interval_s=30)
    assert store.try_acquire_lease(
        "feed", f"elsewhere-{socket.gethostname()}:1:abc123", clock.now, timedelta(seconds=90)
    )
    source = Pages("feed", [["a"]], clock.now)
    runner = Runner(store, {"feed": source}, owner="r2", clock=clock, workers=[])

    runner.run_once()
    assert source.fetches == []
    clock.advance(seconds=91)
    runner.run_once()
    assert source.fetches == [None]


def test_the_heartbeat_renews_the_leases_held_and_lets_go_of_those_taken(store: Store, clock) -> None:
    store.ensure_source("feed", "test", poll_interval_s=600)
    runner = Runner(store, {"feed": Pages("feed", [["a"]], clock.now)}, owner="r1", clock=clock, workers=[])
    runner.run_once()
    clock.advance(seconds=80)

    runner.heartbeat()

    held = store.source("feed")
    assert held is not None and held.lease_expires_at == clock.now + timedelta(seconds=90)
    assert held.heartbeat_at == clock.now
    clock.advance(seconds=91)
    assert store.try_acquire_lease("feed", "r2", clock.now, timedelta(seconds=90))
    runner.heartbeat()
    assert runner.held == set()
    assert store.source("feed").lease_owner == "r2"  # type: ignore[union-attr]


@pytest.mark.parametrize("asked", [math.nan, math.inf, -30.0])
def test_a_wait_that_is_no_usable_number_falls_back_to_backoff(store: Store, clock, asked: float) -> None:
    store.ensure_source("feed", "test")
    source = Pages("feed", [["a"]], clock.now)
    source.failures.append(SourceError(ErrorKind.RATE_LIMITED, "429", retry_after_s=asked))

    Runner(store, {"feed": source}, owner="r1", clock=clock, rng=random.Random(3), workers=[]).run_once()

    waiting = store.source("feed")
    assert waiting is not None and waiting.next_poll_at is not None
    assert timedelta(seconds=30) <= waiting.next_poll_at - clock.now <= timedelta(seconds=60)


def test_a_wait_of_thousands_of_years_is_capped(store: Store, clock) -> None:
    store.ensure_source("feed", "test")
    source = Pages("feed", [["a"]], clock.now)
    source.failures.append(SourceError(ErrorKind.RATE_LIMITED, "429", retry_after_s=100_000_000_000))

    Runner(store, {"feed": source}, owner="r1", clock=clock, workers=[]).run_once()

    waiting = store.source("feed")
    assert waiting is not None and waiting.next_poll_at == clock.now + timedelta(seconds=MAX_RETRY_WAIT_S)


def test_an_address_that_keeps_refusing_is_called_one_that_does_not_answer(store: Store, clock) -> None:
    store.ensure_source("feed", "test")
    source = Pages("feed", [["a"]], clock.now)
    runner = Runner(store, {"feed": source}, owner="r1", clock=clock, rng=random.Random(1), workers=[])
    said = []
    for _ in range(3):
        source.failures.append(SourceError(ErrorKind.TRANSIENT, "Could not connect to 127.0.0.1 (ConnectionError)."))
        runner.run_once()
        said.append(store.source("feed").last_error)  # type: ignore[union-attr]
        clock.advance(hours=1)

    assert said[0] == said[1] == "Could not connect to 127.0.0.1 (ConnectionError)."
    assert said[2] is not None and said[2].startswith("The address does not answer (3 tries in a row)")


def test_an_admin_deletes_a_source_and_its_items_stay(store: Store, clock) -> None:
    store.add_source("old-feed", "feed", {"url": "https://feeds.example/a.xml"}, poll_interval_s=60,
                     actor=admin("ada"), now=clock.now, test_failure="Could not connect")  # fmt: skip
    store.add_items([new_item("k1", source="old-feed"), new_item("k2", source="old-feed")])
    assert store.try_acquire_lease("old-feed", "r1", clock.now, timedelta(seconds=90))
    store.save_batch("old-feed", [], "c", owner="r1", now=clock.now, next_poll_at=clock.now, skipped={"no text": 2})

    with pytest.raises(AccessDenied):
        store.delete_source("old-feed", actor=agent("ann"), now=clock.now)
    kept = store.delete_source("old-feed", actor=admin("ada"), now=clock.now)

    assert kept == 2 and store.count_items("old-feed") == 2
    assert store.source("old-feed") is None and store.skipped_entries() == {}
    audit = store.audit_entries(action="source.delete")
    assert [(a["actor"], a["subject"], a["detail"]) for a in audit] == [("ada", "old-feed", {"items_kept": 2})]
    with pytest.raises(ValueError, match="no source called"):
        store.delete_source("old-feed", actor=admin("ada"), now=clock.now)


def test_a_source_added_despite_a_failed_test_keeps_what_the_test_said(store: Store, clock) -> None:
    store.add_source("shaky", "feed", {"url": "https://feeds.example/a.xml"}, poll_interval_s=60,
                     actor=admin("ada"), now=clock.now, test_failure="Could not connect to feeds.example")  # fmt: skip
    store.add_source("fine", "feed", {"url": "https://feeds.example/b.xml"}, poll_interval_s=60,
                     actor=admin("ada"), now=clock.now)  # fmt: skip

    shaky, fine = store.source("shaky"), store.source("fine")
    assert shaky is not None and (shaky.test_failed_at, shaky.test_failure) == (
        clock.now,
        "Could not connect to feeds.example",
    )
    assert fine is not None and fine.test_failed_at is None
    details = {a["subject"]: a["detail"] for a in store.audit_entries(action="source.add")}
    assert details == {"shaky": {"kind": "feed", "connection_test": "failed"}, "fine": {"kind": "feed"}}


def _dead_pid() -> int:
    """The pid of a process that has ended and been reaped."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_deleted_source_is_no_longer_polled_by_a_running_runner(store: Store, clock) -> None:
    store.add_source("old-feed", "test", {}, poll_interval_s=0, actor=admin("ada"), now=clock.now)
    source = Pages("old-feed", [["a"], ["b"]], clock.now)
    runner = Runner(store, {"old-feed": source}, owner="r1", clock=clock, workers=[], build=lambda s: source,
                    refresh_every_s=0)  # fmt: skip
    runner.run_once()

    store.delete_source("old-feed", actor=admin("ada"), now=clock.now)
    runner.run_once()

    assert source.fetches == [None] and "old-feed" not in runner.listeners
    assert stored_ids(store) == ["a"]


def test_a_real_feed_on_a_closed_port_is_said_not_to_answer_after_three_tries(store: Store, clock) -> None:
    from listeners.registry import build_listener
    from voc.settings import Settings

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store.ensure_source("closed", "feed", {"url": f"http://127.0.0.1:{port}/feed.xml"}, poll_interval_s=60)
    listener = build_listener(store.source("closed"), Settings.load({}))  # type: ignore[arg-type]
    runner = Runner(store, {"closed": listener}, owner="r1", clock=clock, workers=[])
    for _ in range(3):
        runner.run_once()
        clock.advance(hours=1)

    closed = store.source("closed")
    assert closed is not None and closed.consecutive_failures == 3 and closed.error_kind == "transient"
    assert (closed.last_error or "").startswith("The address does not answer (3 tries in a row)")
