"""Inbox: time to open the queue (page 1) and an item with 10,000 open items, SQLite and PostgreSQL.

New: `voc.inbox.queue.open_queue` (one indexed query for twelve rows plus one count query, clocks
and reasons for those twelve only) and the workspace's reads (`item_row`, `author_history`,
`team`). Baseline, measured in the same run on the same data: what the Inbox did before
(issue #15): `Store.inbox_frame` (500 rows), the care queue (2,000 rows read, each prioritised in
Python, sorted, 500 kept) and the two merged with pandas, frozen in `bench/_baseline_inbox.py`.
Figures are printed (median of N runs), never asserted.

    python bench/inbox.py [--items 10000] [--runs 5] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import sqlalchemy as sa

from _common import REPO  # noqa: F401 - puts the repository on sys.path  # isort: skip

from _baseline_inbox import old_inbox

from voc.inbox.queue import QueueFilter, author_history, item_row, open_queue, team
from voc.models import NewItem
from voc.store.facade import Store
from voc.surveys.recovery import urgent_words_in

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TEXTS = (
    "No signal in {city} since this morning, useless network",
    "I want a refund now, charged twice for {city} roaming",
    "Does the new plan include roaming in {city}?",
    "Support kept me waiting an hour, awful service in {city}",
    "App crashes every time I open the bill, {city}",
)
CITIES = ("Leeds", "Kiel", "Lyon", "Porto", "Turin", "Gdansk", "Cork", "Graz")


def items(n: int) -> list[NewItem]:
    rng = random.Random(15)
    built = []
    for i in range(n):
        text = rng.choice(TEXTS).format(city=rng.choice(CITIES)) + f" #{i}"
        label = "neutral" if "?" in text else "negative"  # every one needs a person: all are open in the queue
        built.append(NewItem(
            source="bench", external_id=f"b{i}", kind="mention", channel=rng.choice(("x", "mastodon", "reddit")),
            brand="Northwind Mobile", is_competitor=False, author=f"@user{rng.randrange(n // 3)}",
            author_reach=rng.choice((0, 50, 800, 12_000, 250_000)), link=f"https://x.com/u/status/{i}",
            posted_at=NOW - timedelta(minutes=rng.randrange(60 * 24 * 14)), ingested_at=NOW, text=text,
            redactions=[], language="en", sentiment_label=label, sentiment_score=-0.5,
            sentiment_confidence=rng.uniform(0.35, 0.99), sentiment_reasons=["useless"], scorer="vader-3.3.2",
            priority=rng.uniform(5, 100), triage_status="new", survey=None, response_id=None,
            respondent_key=None, nps=None, csat=None, urgent_request=bool(urgent_words_in(text, "en")),
        ))  # fmt: skip
    return built


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm: the first call pays for imports and the connection
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(name: str, url: str, n: int, runs: int) -> None:
    store = Store.from_url(url)
    try:
        batch = items(n)
        for start in range(0, n, 2000):
            store.add_items(batch[start : start + 2000])
        chosen = QueueFilter(agent="bench")
        top = int(open_queue(store, chosen, now=NOW).rows["id"].iloc[0])
        new_queue = median_ms(lambda: open_queue(store, chosen, now=NOW), runs)
        new_item = median_ms(
            lambda: (item_row(store, top, now=NOW), author_history(store, store.item(top) or {}), team(store, "bench")),
            runs,
        )
        old_queue = median_ms(lambda: old_inbox(store, now=NOW), runs)
        open_count = open_queue(store, chosen, now=NOW).total
        print(f"{name}: {open_count:,} open items")
        print(f"  queue page 1, new (open_queue)         {new_queue:8.1f} ms")
        print(
            f"  queue, old (inbox_frame + care_queue)  {old_queue:8.1f} ms   ratio old/new {old_queue / new_queue:5.1f}x"
        )
        print(f"  item workspace reads, new              {new_item:8.1f} ms")
    finally:
        store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with TemporaryDirectory() as tmp:
        measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.items, args.runs)
    if args.no_postgres:
        return
    schema = f"bench_inbox_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except sa.exc.OperationalError:
        print("PostgreSQL: not reachable, skipped")
        return
    separator = "&" if "?" in args.postgres else "?"
    try:
        measure("PostgreSQL", f"{args.postgres}{separator}options=-csearch_path%3D{schema}", args.items, args.runs)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


if __name__ == "__main__":
    main()
