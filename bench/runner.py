"""The runner under a stalled source, long pages in chunks, and the item text cap; same run.

1. Polls of three quick sources in a few seconds while a fourth hangs mid-response: one poll
   thread per source (VOC_RUNNER_MAX_POLLS=4) against one at a time (max_polls=1, what a single
   polling loop did), and against no stalled source at all (the baseline).
2. A 3,000-item page stored in chunks of 200 against one transaction: the total time, and the
   time until the first items are committed (what a process killed mid-page keeps).
3. Analysing one 2,000,000-character entry whole against capped at 20,000 characters.

Figures are printed, never asserted. SQLite in a temporary folder.

    python bench/runner.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import timed  # noqa: F401 - puts the repository on sys.path

from listeners.base import Batch, RawItem
from listeners.runner import Runner
from voc.analysis.pipeline import analyse
from voc.sources.ingest import cap_text
from voc.store.facade import Store
from voc.store.facade import Store as StoreClass


class Hanging:
    def __init__(self, name: str, release: threading.Event) -> None:
        self.name, self.release = name, release

    def fetch(self, cursor: str | None) -> Batch:
        self.release.wait()
        return Batch([], cursor)


class Quick:
    def __init__(self, name: str) -> None:
        self.name, self.polls = name, 0

    def fetch(self, cursor: str | None) -> Batch:
        self.polls += 1
        return Batch([], str(self.polls))


def polls_with(folder: Path, *, stalled: bool, max_polls: int, seconds: float) -> int:
    store = Store.from_url(f"sqlite:///{folder}/stall-{stalled}-{max_polls}.db")
    release = threading.Event()
    listeners: dict = {f"quick-{n}": Quick(f"quick-{n}") for n in range(3)}
    if stalled:
        listeners["a-stalled"] = Hanging("a-stalled", release)  # due first, as the worst case
    for name in listeners:
        store.ensure_source(name, "bench", poll_interval_s=0)
    runner = Runner(store, listeners, owner="bench", workers=[], max_polls=max_polls)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        runner.tick()
        time.sleep(0.02)
    release.set()
    store.engine.dispose()
    return sum(listener.polls for listener in listeners.values() if isinstance(listener, Quick))


def page_in_chunks(folder: Path, items: int, chunk: int) -> tuple[float, float]:
    store = Store.from_url(f"sqlite:///{folder}/chunks-{chunk}.db")
    store.ensure_source("backlog", "bench")
    now = datetime.now(UTC)
    raws = [RawItem(external_id=str(n), text=f"Outage report {n}: no signal in district {n}", posted_at=now)
            for n in range(items)]  # fmt: skip

    class Page:
        name = "backlog"

        def fetch(self, cursor: str | None) -> Batch:
            return Batch(raws, "done")

    first: list[float] = []
    start = time.perf_counter()
    originals = {name: StoreClass.__dict__[name] for name in ("save_items", "save_batch")}

    def noting(original):  # type: ignore[no-untyped-def]
        def noted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            result = original(self, *args, **kwargs)
            if not first:  # the first commit of the page
                first.append(time.perf_counter() - start)
            return result

        return noted

    for name, original in originals.items():
        setattr(StoreClass, name, noting(original))
    try:
        Runner(store, {"backlog": Page()}, owner="bench", workers=[], chunk_items=chunk).run_once()
    finally:
        for name, original in originals.items():
            setattr(StoreClass, name, original)
    total = time.perf_counter() - start
    assert store.count_items() == items
    store.engine.dispose()
    return total, first[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--items", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        print(f"1. quick-source polls in {args.seconds:.0f} s (3 quick sources)")
        baseline = polls_with(base, stalled=False, max_polls=4, seconds=args.seconds)
        threaded = polls_with(base, stalled=True, max_polls=4, seconds=args.seconds)
        single = polls_with(base, stalled=True, max_polls=1, seconds=args.seconds)
        print(f"   no stalled source (baseline): {baseline}")
        print(f"   one stalled, a thread per poll: {threaded}  ({threaded / max(baseline, 1):.2f} x baseline)")
        print(f"   one stalled, one poll at a time: {single}  ({single / max(baseline, 1):.2f} x baseline)")

        print(f"2. one page of {args.items:,} items")
        for chunk in (200, args.items):
            total, first = page_in_chunks(base, args.items, chunk)
            label = "one transaction" if chunk >= args.items else f"chunks of {chunk}"
            print(f"   {label:>16}: {total:.2f} s in all, first items committed after {first:.2f} s")

    print("3. one 2,000,000-character entry")
    big = "The network is down again and nobody answers the phone. " * 35_088
    _, capped = timed(lambda texts: [analyse(cap_text(t)) for t in texts], [big])
    _, whole = timed(lambda texts: [analyse(t) for t in texts], [big])
    print(
        f"   analysed whole: {whole:.2f} s; capped at 20,000 characters: {capped:.3f} s ({whole / capped:.0f} x faster)"
    )


if __name__ == "__main__":
    main()
