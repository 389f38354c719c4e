"""The Themes overview's two calls (`coverage`, `theme_summary`) timed apart, 30 and 365 days.

Issue #21: every page call at most 200 ms median at 1M items on SQLite, 500 ms at 10M on
PostgreSQL. Measures a database built by `bench/scale.py --keep NAME` (opening it applies newer
migrations, as an upgrade would; the time that takes is printed), then checks that the coverage
read from the rollup equals the one counted from the rows.

    .venv/bin/python bench/theme_overview.py sqlite:////tmp/voc-scale-copy.db
    .venv/bin/python bench/theme_overview.py postgresql+psycopg://postgres@127.0.0.1:5432/db --schema bench_keep_m10
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scale import NOW, median_seconds, schema_store  # noqa: E402

from voc.store.facade import Store  # noqa: E402
from voc.themes import reports  # noqa: E402
from voc.themes import repository as theme_repo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--schema", help="PostgreSQL schema (bench/scale.py's bench_keep_NAME)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-check", action="store_true", help="skip the rows-read equivalence check")
    parser.add_argument("--rows", action="store_true", help="time the count from the rows too (the old way)")
    args = parser.parse_args()
    started = time.perf_counter()
    store = schema_store(args.url, args.schema) if args.schema else Store.from_url(args.url)
    print(f"opened (migrations applied) in {time.perf_counter() - started:.1f} s")
    taxonomy = theme_repo.load_taxonomy(store)
    for days in (30, 365):
        start = NOW - timedelta(days=days)
        cov = median_seconds(partial(reports.coverage, store, start, NOW), args.rounds)
        summary = median_seconds(partial(reports.theme_summary, store, taxonomy, start, NOW), args.rounds)
        print(f"{days:>3} days: coverage {cov * 1000:7.0f} ms  theme_summary {summary * 1000:7.0f} ms  "
              f"both {(cov + summary) * 1000:7.0f} ms  (median of {args.rounds})")  # fmt: skip
        if args.rows:  # the count from the rows, as coverage read before revision 0018
            rows = median_seconds(partial(reports.coverage_from_rows, store, start, NOW), args.rounds)
            print(f"{days:>3} days: coverage from the rows {rows * 1000:7.0f} ms (median of {args.rounds})")
        rows_read = getattr(reports, "coverage_from_rows", None)
        if rows_read is not None and not args.no_check:
            assert reports.coverage(store, start, NOW) == rows_read(store, start, NOW), days
            print(f"{days:>3} days: coverage equals the rows' count")


if __name__ == "__main__":
    main()
