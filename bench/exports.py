"""Exports: time and peak memory of a 1M-item week per format, streamed vs load-everything.

Builds a SQLite workspace of N items (default 1,000,000) in one ISO week with eight themes (about
70% of items themed, some under an id later merged), then runs each case in its own process so
its peak memory (max RSS) is its own:

- streamed: `voc.exports.build_export` (keyset chunks of 5,000 rows fanned out to the writer;
  openpyxl write-only, csv, pyarrow row groups);
- baseline: the obvious alternative, everything loaded at once: `pandas.read_sql` of the same
  rows (themes joined) into one DataFrame, then `to_excel` / `to_csv` / `to_parquet`.

The XLSX baseline (openpyxl's normal mode keeps every cell as an object) is run on
`--xlsx-baseline-items` (default 100,000) so it cannot exhaust a shared machine; its figures
are reported per that size. Figures are printed, never asserted.

    python bench/exports.py [--items 1000000] [--formats csv,parquet,xlsx] [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import REPO  # noqa: F401 - puts the repository on sys.path

WEEK = "2026-W47"
START = datetime(2026, 11, 16, tzinfo=UTC)
THEMES = ("Billing", "Network", "Roaming", "App", "Support", "Prices", "Shops", "Outage")
WORDS = [
    "bill",
    "charged",
    "twice",
    "network",
    "signal",
    "slow",
    "app",
    "crash",
    "support",
    "waited",
    "hour",
    "price",
    "roaming",
    "shop",
    "staff",
    "great",
    "awful",
]


def build_db(path: Path, n: int) -> None:
    from voc.store.facade import Store
    from voc.themes import repository as repo
    from voc.themes import service

    if path.exists():
        path.unlink()
    store = Store.from_url(f"sqlite:///{path}")
    ids = [service.create_theme(store, name=name, owner=f"{name} team", actor="bench", now=START) for name in THEMES]
    version = repo.load_taxonomy(store).version
    store.engine.dispose()
    rng = random.Random(7)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    seconds = 7 * 24 * 3600
    batch: list[tuple[object, ...]] = []
    themes: list[tuple[object, ...]] = []
    for i in range(1, n + 1):
        # the text form SQLAlchemy stores (with microseconds), so range and keyset comparisons match
        posted = (START + timedelta(seconds=rng.randrange(seconds))).strftime("%Y-%m-%d %H:%M:%S.%f")
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30)))
        if i % 997 == 0:
            text = "=cmd|' /C calc'!A0 " + text
        label = rng.choice(("negative", "neutral", "positive"))
        nps = rng.randint(0, 10) if i % 10 == 0 else None
        batch.append((i, "bench", f"b{i}", "mention" if nps is None else "survey", "x", "Northwind", 0, "[person]", 10, f"https://x.com/i/{i}",
                      posted, posted, text, "[]", "en", label, rng.uniform(-1, 1), 0.8, "[]", "vader-3.3.2", rng.uniform(0, 100), "new", nps, 0))  # fmt: skip
        if rng.random() < 0.7:
            for theme in rng.sample(ids, rng.choice((1, 1, 2))):
                themes.append((i, theme, 0.9, "rule", "rule", version, posted))
        if len(batch) >= 50_000:
            _flush(connection, batch, themes)
    _flush(connection, batch, themes)
    connection.commit()
    connection.close()
    store = Store.from_url(f"sqlite:///{path}")
    service.merge_themes(store, ids[-1], ids[1], actor="bench", now=START + timedelta(days=8))  # Outage -> Network
    store.engine.dispose()


def _flush(connection: sqlite3.Connection, batch: list[tuple[object, ...]], themes: list[tuple[object, ...]]) -> None:
    connection.executemany(
        "INSERT INTO items (id, source, external_id, kind, channel, brand, is_competitor, author, author_reach, link, posted_at,"
        " ingested_at, text, redactions, language, sentiment_label, sentiment_score, sentiment_confidence, sentiment_reasons,"
        " scorer, priority, triage_status, nps, very_unhappy) VALUES (" + ",".join("?" * 24) + ")",
        batch,
    )
    connection.executemany(
        "INSERT INTO item_themes (item_id, theme_id, confidence, reason, method, taxonomy_version, assigned_at) VALUES (?,?,?,?,?,?,?)",
        themes,
    )
    batch.clear()
    themes.clear()


def run_case(db: Path, case: str, fmt: str, out: Path, limit: int | None) -> dict[str, object]:
    from voc.access.roles import COMMAND_LINE
    from voc.exports import build_export, iso_week
    from voc.store.facade import Store

    store = Store.from_url(f"sqlite:///{db}", upgrade=False)
    began = time.perf_counter()
    if case == "streamed":
        export = build_export(store, iso_week(WEEK), out, formats=[fmt], requested_by=COMMAND_LINE)
        rows = export.items
        size = sum(f.bytes for f in export.files if not f.name.endswith("-themes.csv"))
    else:
        import pandas as pd

        period = iso_week(WEEK)
        query = (
            "SELECT items.*, (SELECT group_concat(theme_id, '; ') FROM item_themes WHERE item_id = items.id) AS theme_ids "
            "FROM items WHERE posted_at >= ? AND posted_at < ? ORDER BY posted_at, id"
            + (f" LIMIT {limit}" if limit else "")
        )
        with store.engine.connect() as connection:
            frame = pd.read_sql(query, connection.connection.driver_connection,
                                params=(period.start.strftime("%Y-%m-%d %H:%M:%S.%f"), period.end.strftime("%Y-%m-%d %H:%M:%S.%f")))  # fmt: skip
        frame = frame.drop(columns=["author", "respondent_key", "assignee"])
        path = out / f"baseline.{fmt}"
        out.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            frame.to_csv(path, index=False, encoding="utf-8-sig")
        elif fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_excel(path, index=False, engine="openpyxl")
        rows, size = len(frame), path.stat().st_size
    seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "case": case,
        "format": fmt,
        "rows": rows,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_mb),
        "mb": round(size / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,parquet,xlsx")
    parser.add_argument("--xlsx-baseline-items", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "voc-bench-exports.db")
    parser.add_argument("--reuse", action="store_true", help="keep an existing --db")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # a child process: one case, its figures as JSON
        print(json.dumps(run_case(args.db, args.case, args.format, args.out, args.limit)))
        return
    if not (args.reuse and args.db.exists()):
        began = time.perf_counter()
        build_db(args.db, args.items)
        print(f"built {args.items:,} items in {time.perf_counter() - began:.0f} s ({args.db})", flush=True)
    print(f"{'case':9} {'format':8} {'rows':>10} {'seconds':>8} {'peak MB':>8} {'file MB':>8}", flush=True)
    for fmt in args.formats.split(","):
        for case in ("streamed", "baseline"):
            limit = args.xlsx_baseline_items if case == "baseline" and fmt == "xlsx" else None
            out = args.db.parent / f"voc-bench-exports-{case}-{fmt}"
            child = subprocess.run(
                [sys.executable, __file__, "--db", str(args.db), "--case", case, "--format", fmt, "--out", str(out)]
                + (["--limit", str(limit)] if limit else []),
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if child.returncode:
                print(f"{case:9} {fmt:8} failed: {child.stderr.strip().splitlines()[-1:]}", flush=True)
                continue
            r = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"{case:9} {fmt:8} {r['rows']:>10,} {r['seconds']:>8} {r['peak_rss_mb']:>8} {r['mb']:>8}", flush=True)


if __name__ == "__main__":
    main()
