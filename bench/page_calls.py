"""Every page's domain call on a database `bench/scale.py --keep NAME` built, median of `--rounds`,
without scale.py's pandas baseline (at ten million items one read of every row takes minutes).

For the 10M PostgreSQL figures in docs/store.md ("PostgreSQL at ten million"). Opening the kept
database applies newer migrations, as an upgrade would. Figures are printed, never asserted.

    python bench/page_calls.py --keep m10 --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/voc_scale
    python bench/page_calls.py --keep m1 --database sqlite
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import _common  # noqa: F401 - puts the repository on sys.path
from scale import DEFAULT_POSTGRES, NOW, open_kept

from voc.inbox import queue as care_queue
from voc.inbox.team_metrics import team_metrics
from voc.store.facade import Store
from voc.surveys import recovery
from voc.themes import reports as theme_reports
from voc.themes import repository as theme_repo
from voc.trends import queries as trends


def calls_of(store: Store) -> dict[str, Callable[[], Any]]:
    """The page calls `bench/scale.py` section 3 times, by the same names."""
    taxonomy = theme_repo.load_taxonomy(store)
    calls: dict[str, Callable[[], Any]] = {}
    for tz in ("UTC", "Asia/Kolkata"):
        for days in (7, 30, 90, 365):
            chosen = trends.TrendFilters(NOW - timedelta(days=days), NOW, tz=tz)
            calls[f"Trends report, {days} days, {tz}"] = lambda chosen=chosen: trends.report(store, chosen)
    for days in (90, 365):  # the page's default shows the own brand (its themes by brand and day: 0024)
        chosen = trends.TrendFilters(NOW - timedelta(days=days), NOW, brand="Northwind")
        calls[f"Trends report, {days} days, one brand"] = lambda chosen=chosen: trends.report(store, chosen)
    year = trends.TrendFilters(NOW - timedelta(days=365), NOW)
    calls["volume by sentiment, 365 days"] = lambda: trends.volume_by_sentiment(store, year)
    calls["filter options"] = lambda: trends.filter_options(store, "Northwind")
    calls["Inbox page data"] = lambda: care_queue.open_queue(store, care_queue.QueueFilter(), now=NOW)
    calls["Inbox assign list"] = lambda: care_queue.team(store, "me")  # each person's open items
    calls["team metrics, 14 days"] = lambda: team_metrics(store, now=NOW, days=14)
    calls["Surveys call-back lists"] = lambda: (  # the Surveys page's first screen (revision 0023)
        recovery.recoveries(store, open_only=True),
        recovery.recoveries(store, open_only=False),
    )
    for days in (30, 365):
        start = NOW - timedelta(days=days)
        calls[f"Themes overview, {days} days"] = lambda start=start: (
            theme_reports.coverage(store, start, NOW),
            theme_reports.theme_summary(store, taxonomy, start, NOW),
        )
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", required=True, metavar="NAME", help="the kept database's name (scale.py --keep)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    store = open_kept(args.database, args.postgres_url, args.keep)
    print(f"opened in {time.perf_counter() - started:.1f} s (migrations to this code's revision included)")
    print(f"| page call, {args.database} | median of {args.rounds} | each round |\n|---|---|---|")
    for name, call in calls_of(store).items():
        times = []
        for _ in range(args.rounds):
            began = time.perf_counter()
            call()
            times.append(time.perf_counter() - began)
        rounds = ", ".join(f"{t * 1000:,.0f}" for t in times)
        print(f"| {name} | {statistics.median(times) * 1000:,.0f} ms | {rounds} |", flush=True)


if __name__ == "__main__":
    main()
