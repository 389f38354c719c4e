"""Privacy: how fast retention and erasure delete, against the bare deletes they add work to.

Builds a SQLite workspace of N items (default 50,000) over 60 days in four sources, each item with
an embedding, a tenth with a triage event and a sentiment correction, then times, each on its own
copy of that database:

- baseline: the least a deletion must do: one `DELETE ... WHERE item_id IN (...)` per table that
  refers to items, then the items, in batches of 500 (what a hand-written purge script would run);
- retention: `voc.privacy.retention.sweep` with 30 days on every source (about half the items go),
  which also rewires duplicates, trims theme proposals, queues exports and audits every batch;
- erasure: `voc.privacy.erasure.erase` of one prolific author (1% of the items), preview included.

Figures are printed (items deleted per second, and the sweep's cost as a ratio to the baseline),
never asserted.

    python bench/privacy.py [--items 50000]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import REPO  # noqa: F401 - puts the repository on sys.path

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SOURCES = ("x-brand", "mastodon", "reddit", "feed")
PROLIFIC = "@loud_customer"


def build(path: Path, n: int) -> None:
    import numpy as np

    from tests.factories import new_item
    from voc.access.roles import Actor, Role
    from voc.models import TriageChange
    from voc.store.facade import Store

    store = Store.from_url(f"sqlite:///{path}")
    agent = Actor("bench-agent", Role.AGENT)
    rng = np.random.default_rng(7)
    chunk = 5_000
    for start in range(0, n, chunk):
        batch = []
        for i in range(start, min(n, start + chunk)):
            at = NOW - timedelta(minutes=int(rng.integers(0, 60 * 24 * 60)))
            author = PROLIFIC if i % 100 == 0 else f"@user{i % 7919}"
            batch.append(
                new_item(
                    f"b{i}", source=SOURCES[i % len(SOURCES)], author=author, posted_at=at, ingested_at=at,
                    text=f"item {i}: my bill is wrong again, {i % 97} times", link=f"https://x.com/u/status/{i}",
                )
            )  # fmt: skip
        store.add_items(batch)
    with store.read() as connection:
        ids = [int(r[0]) for r in connection.exec_driver_sql("SELECT id FROM items ORDER BY id")]
    vector = np.zeros(512, dtype=np.float32).tobytes()
    for start in range(0, len(ids), chunk):
        store.save_item_embeddings({i: vector for i in ids[start : start + chunk]}, model="bench", dim=512)
    tenth = ids[::10]
    store.apply_triage([TriageChange(i, "triage_status", "assigned") for i in tenth], actor=agent, now=NOW)
    store.correct_sentiment(tenth, "negative", actor=agent, now=NOW)
    store.engine.dispose()


def baseline(path: Path, cutoff: datetime) -> int:
    """Bare deletes of the expired items and the rows that refer to them, 500 at a time."""
    import sqlalchemy as sa

    from voc.store.facade import Store
    from voc.store.schema import items, metadata

    store = Store.from_url(f"sqlite:///{path}")
    referring = [t for t in metadata.sorted_tables if "item_id" in t.c and t is not items]
    deleted = 0
    while True:
        with store.write() as connection:
            ids = list(connection.execute(sa.select(items.c.id).where(items.c.posted_at < cutoff).limit(500)).scalars())
            if not ids:
                break
            for table in referring:
                connection.execute(table.delete().where(table.c.item_id.in_(ids)))
            connection.execute(items.update().where(items.c.duplicate_of.in_(ids)).values(duplicate_of=None))
            connection.execute(items.delete().where(items.c.id.in_(ids)))
            deleted += len(ids)
    store.engine.dispose()
    return deleted


def retention(path: Path) -> int:
    from voc.access.roles import LOCAL_ACTOR
    from voc.privacy.policy import save_retention
    from voc.privacy.retention import sweep
    from voc.store.facade import Store

    store = Store.from_url(f"sqlite:///{path}")
    save_retention(store, {s: 30 for s in SOURCES}, actor=LOCAL_ACTOR, now=NOW)
    report = sweep(store, now=NOW)
    store.engine.dispose()
    return report.items


def erasure(path: Path) -> int:
    from voc.access.roles import LOCAL_ACTOR
    from voc.privacy.erasure import Subject, erase, preview_erasure
    from voc.store.facade import Store

    store = Store.from_url(f"sqlite:///{path}")
    subject = Subject.author(PROLIFIC)
    preview_erasure(store, subject, actor=LOCAL_ACTOR)
    result = erase(store, subject, actor=LOCAL_ACTOR, now=NOW)
    store.engine.dispose()
    return int(result.counts.get("items", 0))


def timed_on_copy(source: Path, work: Path, fn, *args):  # noqa: ANN001, ANN201 - a bench helper
    shutil.copy(source, work)
    start = time.perf_counter()
    result = fn(work, *args)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        original = Path(folder) / "workspace.db"
        start = time.perf_counter()
        build(original, args.items)
        print(f"built {args.items:,} items (embeddings, triage, corrections) in {time.perf_counter() - start:.1f} s")
        work = Path(folder) / "work.db"
        base_n, base_s = timed_on_copy(original, work, baseline, NOW - timedelta(days=30))
        kept_n, kept_s = timed_on_copy(original, work, retention)
        gone_n, gone_s = timed_on_copy(original, work, erasure)
    print(f"{'case':<34}{'items':>9}{'seconds':>10}{'items/s':>10}")
    print(f"{'baseline: bare deletes':<34}{base_n:>9,}{base_s:>10.2f}{base_n / base_s:>10,.0f}")
    print(f"{'retention sweep (30 days)':<34}{kept_n:>9,}{kept_s:>10.2f}{kept_n / kept_s:>10,.0f}")
    print(f"{'erasure of one author (+preview)':<34}{gone_n:>9,}{gone_s:>10.2f}{gone_n / gone_s:>10,.0f}")
    print(f"retention sweep / baseline time per item: x{(kept_s / kept_n) / (base_s / base_n):.2f}")


if __name__ == "__main__":
    main()
