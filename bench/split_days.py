"""The Trends report's grouped read with the days a local bin boundary crosses read by the hour
against split (read whole from the daily rollup, the hours outside the anchor's bin taken back
out: `voc.store.ranges.plan_range(..., split_days=True)`), in one process on the same database,
alternately, with the rollup parts and the items' parts alone for the split plan.

CPU time of the process is printed beside wall time: SQLite works in the process, and on a shared
machine CPU time moves less with the load. Figures are printed, never asserted.

    python bench/split_days.py --keep NAME --database sqlite       # a copy of scale.py --keep NAME
    python bench/split_days.py --keep m10 --postgres-url …/voc_copy --days 365 --zones Asia/Kolkata
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import _common  # noqa: F401 - puts the repository on sys.path
from scale import DEFAULT_POSTGRES, NOW, open_kept

from voc.store import ranges
from voc.trends import hourly
from voc.trends import queries as trends

ZONES = "UTC,Asia/Kolkata,Asia/Kathmandu,Europe/Berlin,America/New_York"


def planner(split: bool, keep: str = "all") -> Callable[..., Any]:
    """`hourly.plan_hours` with or without split days; `keep` "rollup" or "raw" drops the other
    part (the figures are then wrong: for timing the parts only)."""

    def plan_hours(start: datetime, end: datetime, freq: str | None, tz: str) -> ranges.RangePlan | None:
        if end - start <= hourly.ROLLUP_FROM:
            return None
        plan = ranges.plan_range(start, end, freq, tz, split_days=split)
        if keep == "rollup":
            plan = dataclasses.replace(plan, raw=())
        elif keep == "raw" and plan.raw:
            plan = dataclasses.replace(plan, days=(), hours=(), anchored=(), less=())
        return plan if plan.whole_hours else None

    return plan_hours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", required=True, metavar="NAME", help="the kept database's name (scale.py --keep)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--days", default="30,365", help="range lengths, comma-separated")
    parser.add_argument("--zones", default=ZONES, help="IANA zones, comma-separated")
    args = parser.parse_args()
    store = open_kept(args.database, args.postgres_url, args.keep)
    variants = {
        "by the hour": planner(False),
        "split": planner(True),
        "split, rollup parts alone": planner(True, "rollup"),
        "split, items' parts alone": planner(True, "raw"),
    }
    original = hourly.plan_hours
    print(f"| grouped read, {args.database} | variant | CPU, median of {args.rounds} | wall |\n|---|---|---|---|")
    try:
        for days in (int(d) for d in args.days.split(",")):
            for tz in args.zones.split(","):
                filters = trends.TrendFilters(NOW - timedelta(days=days), NOW, tz=tz)
                cpu: dict[str, list[float]] = {name: [] for name in variants}
                wall: dict[str, list[float]] = {name: [] for name in variants}
                for round_ in range(args.rounds + 1):  # the first round warms the caches
                    for name, plan_hours in variants.items():
                        hourly.plan_hours = plan_hours
                        began, began_cpu = time.perf_counter(), time.process_time()
                        trends._panels(store, filters, use_rollup=True)
                        if round_:
                            wall[name].append(time.perf_counter() - began)
                            cpu[name].append(time.process_time() - began_cpu)
                for name in variants:
                    print(
                        f"| {days} days, {tz} | {name} | {statistics.median(cpu[name]) * 1000:,.0f} ms "
                        f"| {statistics.median(wall[name]) * 1000:,.0f} ms |",
                        flush=True,
                    )
    finally:
        hourly.plan_hours = original


if __name__ == "__main__":
    main()
