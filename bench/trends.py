"""Trend counting: the database groups (per quarter hour, `voc.trends.buckets`) against the
previous way, every row's timestamp fetched and binned in pandas, measured in the same run.

A fresh SQLite database holds `--n` own-brand mentions spread over 90 days (5 % of them reposts
marked `duplicate_of`); both ways compute the same volume-by-sentiment frame for 3, 30 and 90
days, and the figures must agree. Printed, never asserted.

    python bench/trends.py [--n 200000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from _common import REPO  # noqa: F401 - puts the repo on sys.path

from tests.factories import new_item
from voc.store.facade import Store
from voc.store.schema import items
from voc.trends import buckets
from voc.trends import queries as trends
from voc.trends.counting import counted_once

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SENTIMENTS = ("negative", "neutral", "positive")


def fill(store: Store, n: int) -> None:
    rng = random.Random(7)
    batch = []
    for k in range(n):
        posted = NOW - timedelta(seconds=rng.randrange(90 * 86400))
        item = asdict(
            new_item(f"b{k}", posted_at=posted, text=f"bench item {k}", sentiment_label=rng.choice(SENTIMENTS))
        )
        item["duplicate_of"] = 1 if rng.random() < 0.05 else None
        batch.append(item)
        if len(batch) == 20_000:
            with store.write() as connection:
                connection.execute(items.insert(), batch)
            batch = []
    if batch:
        with store.write() as connection:
            connection.execute(items.insert(), batch)


def rows_then_pandas(store: Store, filters: trends.TrendFilters) -> pd.DataFrame:
    """The baseline: every row's timestamp and label fetched, binned and counted in pandas."""
    query = sa.select(items.c.posted_at, items.c.sentiment_label).where(
        items.c.posted_at >= filters.start, items.c.posted_at < filters.end, counted_once()
    )
    with store.read() as connection:
        raw = pd.DataFrame(connection.execute(query).all(), columns=["posted_at", "sentiment"])
    local = pd.to_datetime(raw["posted_at"], utc=True).dt.tz_convert(filters.tz).dt.tz_localize(None)
    raw["bucket"] = buckets.floor_local(local, filters.bucket)
    return raw.groupby(["bucket", "sentiment"]).size().rename("items").reset_index()


def best_of(runs: int, fn, *args):  # type: ignore[no-untyped-def]
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return result, best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.from_url(f"sqlite:///{Path(folder) / 'bench.db'}")
        start = time.perf_counter()
        fill(store, args.n)
        print(f"{args.n:,} items stored in {time.perf_counter() - start:.1f} s (SQLite)")
        print(f"{'range':>6} {'bins':>5} {'SQL GROUP BY':>13} {'rows+pandas':>12} {'ratio':>6}")
        for key in ("3d", "30d", "90d"):
            filters = trends.TrendFilters.last(key, now=NOW, tz="Europe/Berlin")
            grouped, sql_s = best_of(3, trends.volume_by_sentiment, store, filters)
            baseline, rows_s = best_of(3, rows_then_pandas, store, filters)
            assert int(grouped["items"].sum()) == int(baseline["items"].sum())
            print(f"{key:>6} {grouped['bucket'].nunique():>5} {sql_s * 1000:>11.0f}ms {rows_s * 1000:>10.0f}ms "
                  f"{rows_s / sql_s:>5.1f}x")  # fmt: skip
        store.engine.dispose()


if __name__ == "__main__":
    main()
