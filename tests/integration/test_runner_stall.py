"""One slow source never delays the others, and a stop never waits for it (the runner in-process,
on both databases; tests/integration/test_listener_faults_process.py drives the real process)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from listeners.base import Batch, RawItem
from listeners.runner import Runner
from voc.store.facade import Store


class Blocking:
    """A fetch that hangs until the test lets it go, as a server trickling one byte at a time would."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.release = threading.Event()
        self.calls = 0

    def fetch(self, cursor: str | None) -> Batch:
        self.calls += 1
        self.release.wait(60)
        return Batch([RawItem(external_id="late", text="finally an answer", posted_at=datetime.now(UTC))], "done")


class Quick:
    def __init__(self, name: str) -> None:
        self.name = name
        self.calls = 0

    def fetch(self, cursor: str | None) -> Batch:
        self.calls += 1
        item = RawItem(external_id=f"q{self.calls}", text="the signal is back, thanks", posted_at=datetime.now(UTC))
        return Batch([item], str(self.calls))


class CountingStep:
    def __init__(self) -> None:
        self.ticks = 0

    def tick(self) -> None:
        self.ticks += 1


def until(condition, seconds: float = 20) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.02)
    return condition()


def test_a_slow_source_is_left_polling_while_the_others_and_the_other_steps_go_on(store: Store) -> None:
    store.ensure_source("slow", "test", poll_interval_s=0)
    store.ensure_source("quick", "test", poll_interval_s=0)
    slow, quick, step = Blocking("slow"), Quick("quick"), CountingStep()
    runner = Runner(store, {"slow": slow, "quick": quick}, owner="r1", workers=[step])
    try:
        for _ in range(10):
            runner.tick()
            assert until(lambda: "quick" not in runner.in_flight())
        assert slow.calls == 1 and runner.in_flight() == {"slow"}  # not started again while it runs
        assert quick.calls >= 5 and store.count_items("quick") == quick.calls
        assert step.ticks == 10  # sentiment, themes, alerts, exports, retention keep their pace
        beaten = store.source("slow")
        assert beaten is not None and beaten.heartbeat_at is not None
        assert (datetime.now(UTC) - beaten.heartbeat_at).total_seconds() < 5  # held and beaten: not stale
    finally:
        slow.release.set()
        assert until(lambda: not runner.in_flight())
    assert store.count_items("slow") == 1  # once it answers, its page lands like any other


def test_no_more_sources_are_polled_at_once_than_allowed(store: Store) -> None:
    slow = [Blocking(f"slow-{n}") for n in range(3)]
    for listener in slow:
        store.ensure_source(listener.name, "test", poll_interval_s=0)
    runner = Runner(store, {s.name: s for s in slow}, owner="r1", workers=[], max_polls=2)
    try:
        runner.tick()
        runner.tick()
        assert len(runner.in_flight()) == 2
        assert sum(s.calls for s in slow) <= 2
    finally:
        for listener in slow:
            listener.release.set()
        assert until(lambda: not runner.in_flight())


def test_a_stop_does_not_wait_for_a_hanging_poll_and_releases_the_leases(store: Store) -> None:
    store.ensure_source("slow", "test", poll_interval_s=0)
    store.ensure_source("quick", "test", poll_interval_s=60)
    slow, quick = Blocking("slow"), Quick("quick")
    runner = Runner(store, {"slow": slow, "quick": quick}, owner="r1", workers=[])
    stop = threading.Event()
    loop = threading.Thread(target=runner.run_forever, args=(stop, 0.05), kwargs={"grace_s": 0.5}, daemon=True)
    loop.start()
    try:
        assert until(lambda: slow.calls == 1 and quick.calls == 1)
        stop.set()
        loop.join(10)
        assert not loop.is_alive()  # stopped although the slow fetch still hangs
        assert not slow.release.is_set() and runner.in_flight() == {"slow"}
        assert [(s.name, s.lease_owner) for s in store.sources()] == [("quick", None), ("slow", None)]
    finally:
        slow.release.set()
        assert until(lambda: not runner.in_flight())
    assert store.count_items("slow") == 0  # its late page found the lease gone and stored nothing


def test_no_thread_is_started_for_a_source_another_live_runner_holds(store: Store) -> None:
    from datetime import timedelta

    store.ensure_source("shared", "test", poll_interval_s=0)
    store.ensure_source("mine", "test", poll_interval_s=0)
    assert store.try_acquire_lease("shared", "other-runner", datetime.now(UTC), timedelta(seconds=90))
    runner = Runner(store, {"shared": Quick("shared"), "mine": Quick("mine")}, owner="r1", workers=[])

    assert runner.dispatch() == ["mine"]
    assert until(lambda: not runner.in_flight())
