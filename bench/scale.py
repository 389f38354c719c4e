"""The store at scale (issue #21): items built through the product's own save path, then every page
call timed against loading everything into pandas, in the same run.

1. **Save path.** The same pages of 200 items stored by `Store.save_batch` (lease re-check, cursor,
   duplicate collapse, all in one transaction per page), by the item-by-item save path it had
   before issue #21 and by the batched one issue #21 first had (a round trip per step; both kept
   here for the ratio), and by a plain `executemany` of the same rows, one transaction per page,
   each into a fresh database, taking turns page by page: items/s and the ratios.
   The `item_counts` triggers fire for every writer (they are on the table); `save_batch` also
   runs into databases without them, for the triggers' cost.
2. **Build.** `--items` realistic items (20 sources on 8 channels, 9 languages, 4 brands, a year
   of history, copies and retweets) through `save_batch`, then themes: the default starter set,
   and 0-2 themes assigned to each item (written directly: the assigner is not what is measured).
3. **Page calls.** Each domain function a page calls, median of `--rounds`, against the pandas
   baseline: every item's columns read into one frame (timed once), plus the same aggregate in
   pandas. The ratio is call / baseline (below 1: the call is faster). Then (3b) the Trends
   calls counted from the items alone against the same calls with the hourly rollup
   (`item_counts`, revision 0014), in the same run.
4. **Memory.** This process's RSS after the build, after the page calls and with everything in
   pandas; the database's size.
5. **Several listener processes.** 1, 2 and 4 processes saving pages at once, each its own
   source and lease, as several listener workers would: items/s in all.
6. **Team metrics, exports, deep pages.** Team metrics (14 days), the export summary's per-theme
   figures and the whole weekly export against their paths before issue #21 (frozen in
   `bench/_baseline_*.py`), a deep page of the care queue by key against by position, and the
   peak memory of an export in its own process for a week and for a year of rows.

Figures are printed, never asserted. SQLite in a temporary folder; PostgreSQL in a fresh schema
dropped afterwards (`--postgres-url`, default `$VOC_BENCH_POSTGRES_URL` or the local test server).
Give PostgreSQL a database no one else writes items to (`CREATE DATABASE save_path_bench`, then
`--postgres-url …/save_path_bench`): the item writers' advisory lock is per database, so other
sessions' tests in the same one make the save path wait for them.

    python bench/scale.py                                  # 20,000 items, both databases
    python bench/scale.py --items 1000000 --database sqlite
    python bench/scale.py --items 1000000 --database postgresql
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.synchronize
import os
import random
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _common  # noqa: F401 - puts the repository on sys.path
import pandas as pd
import sqlalchemy as sa

from voc.access.roles import LOCAL_ACTOR
from voc.exports import summary as export_summary
from voc.inbox import queue as care_queue
from voc.inbox import storing
from voc.inbox.duplicates import WINDOW, duplicate_key, fingerprint
from voc.inbox.team_metrics import team_metrics
from voc.models import NewItem
from voc.store.core import distinct_values, insert_ignoring
from voc.store.facade import Store
from voc.store.rollups import rebuild_rollups
from voc.store.schema import (
    item_themes,
    items,
    theme_assessments,
    theme_count_changes,
    theme_counts,
    theme_counts_daily,
)
from voc.store.schema import sources as sources_table
from voc.surveys import recovery
from voc.themes import reports as theme_reports
from voc.themes import repository as theme_repo
from voc.themes import rollups as theme_rollups
from voc.themes.service import apply_starter_set, merge_themes
from voc.trends import queries as trends

PAGE = 200
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CHANNELS = ("x", "instagram", "reddit", "mastodon", "bluesky", "rss", "google_play", "survey")
LANGUAGES = {"en": 40, "es": 14, "fr": 10, "de": 9, "pt": 9, "it": 6, "nl": 4, "ar": 4, "hi": 4}
BRANDS = {"Northwind": 70, "Contoso": 12, "Fabrikam": 10, "Tailspin": 8}
SENTIMENTS = {"negative": 35, "neutral": 40, "positive": 25}
SCORERS = ("multilingual-2026.11", "multilingual-2026.12", "vader-3.3.2")
WORDS = [
    "refund",
    "bill",
    "signal",
    "outage",
    "app",
    "login",
    "crash",
    "delivery",
    "parcel",
    "support",
    "agent",
    "wait",
    "hour",
    "day",
    "week",
    "roaming",
    "data",
    "plan",
    "price",
    "contract",
    "router",
    "fibre",
    "speed",
    "coverage",
    "store",
    "queue",
    "card",
    "charge",
    "twice",
]
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def rss_mb() -> float:
    """This process's resident memory now (Linux), else its peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate(count: int, *, seed: int = 21) -> Iterator[tuple[str, list[NewItem]]]:
    """Pages of items in time order over the year before NOW: (source name, page)."""
    rng = random.Random(seed)
    sources = [f"source-{n:02d}" for n in range(20)]
    start = NOW - timedelta(days=365)
    step = timedelta(days=365) / max(count, 1)
    recent: list[str] = []
    made = 0
    while made < count:
        source = sources[(made // PAGE) % len(sources)]
        channel = CHANNELS[sources.index(source) % len(CHANNELS)]
        page = []
        for _ in range(min(PAGE, count - made)):
            posted = start + step * made
            if recent and rng.random() < 0.1:  # a retweet or pasted copy of a recent text
                text = f"RT @someone: {rng.choice(recent)}"
            else:
                text = " ".join(rng.choices(WORDS, k=rng.randint(5, 18))) + f" #{made}"
                recent = (recent + [text])[-50:]
            brand = pick(rng, BRANDS)
            label = pick(rng, SENTIMENTS)
            survey = channel == "survey"
            page.append(
                NewItem(
                    source=source,
                    external_id=str(made),
                    kind="survey" if survey else "mention",
                    channel=channel,
                    brand=brand,
                    is_competitor=brand != "Northwind",
                    author=f"@user{rng.randrange(50_000)}",
                    author_reach=rng.randrange(10, 100_000),
                    link=None,
                    posted_at=posted,
                    ingested_at=posted + timedelta(minutes=2),
                    text=text,
                    redactions=[],
                    language=pick(rng, LANGUAGES),
                    sentiment_label=label,
                    sentiment_score={"negative": -0.6, "neutral": 0.0, "positive": 0.6}[label],
                    sentiment_confidence=rng.random(),
                    sentiment_reasons=rng.sample(WORDS, 2),
                    scorer=rng.choice(SCORERS),
                    priority=rng.random() * 100,
                    triage_status="new" if posted > NOW - timedelta(days=30) else "resolved",
                    survey="Monthly NPS" if survey else None,
                    response_id=f"r{made}" if survey else None,
                    respondent_key=None,
                    nps=rng.randrange(11) if survey else None,
                    csat=None,
                )
            )
            made += 1
        yield source, page


def open_kept(kind: str, postgres_url: str, name: str) -> Store:
    """`--keep NAME`: a database that outlives the run (SQLite: voc-scale-NAME.db in the system's
    temporary folder; PostgreSQL: schema bench_keep_NAME), built once, then measured again by later
    runs with whatever code they run (opening it applies newer migrations, as an upgrade would)."""
    if kind == "sqlite":
        return Store.from_url(f"sqlite:///{Path(tempfile.gettempdir()) / f'voc-scale-{name}.db'}")
    return schema_store(postgres_url, f"bench_keep_{name}")


def open_store(kind: str, folder: Path, postgres_url: str, name: str, schemas: list[str]) -> Store:
    if kind == "sqlite":
        return Store.from_url(f"sqlite:///{folder}/{name}.db")
    schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    schemas.append(schema)
    return schema_store(postgres_url, schema)


def schema_store(postgres_url: str, schema: str) -> Store:
    """A store in `schema` of the server (created when missing), migrated to this code's revision."""
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    engine.dispose()
    separator = "&" if "?" in postgres_url else "?"
    return Store.from_url(f"{postgres_url}{separator}options=-csearch_path%3D{schema}")


def drop_rollup_triggers(store: Store) -> None:
    """The save path as it was before revision 0014 kept `item_counts` (for the same-run ratio)."""
    with store.write() as connection:
        for event in ("insert", "update", "delete"):
            on_items = " ON items" if store.dialect == "postgresql" else ""
            connection.exec_driver_sql(f"DROP TRIGGER item_counts_{event}{on_items}")


def lease_all(store: Store) -> None:
    for n in range(20):
        name = f"source-{n:02d}"
        store.ensure_source(name, "bench")
        store.try_acquire_lease(name, "bench", NOW, timedelta(days=3650))


def save_pages(store: Store, pages: list[tuple[str, list[NewItem]]]) -> int:
    stored = 0
    for number, (source, page) in enumerate(pages):
        stored += store.save_batch(source, page, str(number), owner="bench", now=NOW, next_poll_at=NOW)
    return stored


def plain_executemany(store: Store, pages: list[tuple[str, list[NewItem]]]) -> None:
    names = [field.name for field in fields(NewItem)]
    for _, page in pages:
        rows = [
            {name: getattr(item, name) for name in names} | {"content_hash": fingerprint(item.text)} for item in page
        ]
        with store.write() as connection:
            connection.execute(items.insert(), rows)


def per_item_before_21(store: Store, pages: list[tuple[str, list[NewItem]]]) -> None:
    """The save path before issue #21, for the same-run ratio: one INSERT ... RETURNING per item
    and, for a new one with a fingerprint, one duplicate query (and two updates when it is a copy)."""
    names = [field.name for field in fields(NewItem)]
    for source, page in pages:
        with store.write() as connection:
            connection.execute(sources_table.update().where(sources_table.c.name == source).values(heartbeat_at=NOW))
            statement = insert_ignoring(connection, items, ["source", "external_id"]).returning(items.c.id)
            for item in page:
                values = {name: getattr(item, name) for name in names} | {"content_hash": fingerprint(item.text)}
                row = connection.execute(statement, values).first()
                if row is None or values["content_hash"] is None:
                    continue
                original = connection.execute(
                    sa.select(items.c.id)
                    .where(
                        items.c.content_hash == values["content_hash"],
                        items.c.id != row[0],
                        items.c.duplicate_of.is_(None),
                        items.c.posted_at >= item.posted_at - WINDOW,
                        items.c.posted_at <= item.posted_at + WINDOW,
                    )
                    .order_by(items.c.id)
                    .limit(1)
                ).scalar()
                if original is not None:
                    connection.execute(items.update().where(items.c.id == row[0]).values(duplicate_of=original))
                    connection.execute(
                        items.update().where(items.c.id == original).values(duplicate_count=items.c.duplicate_count + 1)
                    )


def _insert_by_id_range(connection: sa.Connection, rows: list[dict[str, Any]]) -> tuple[Any, Any]:
    """The first pass's insert: one query for the largest id and the originals, one `executemany`,
    one range query for the new rows (exact because item writers take turns)."""
    hashes = sorted({row["content_hash"] for row in rows if row["content_hash"]})
    largest = sa.select(sa.func.coalesce(sa.func.max(items.c.id), 0), sa.null(), sa.null())
    candidates = sa.select(items.c.id, items.c.content_hash, items.c.posted_at).where(
        items.c.content_hash.in_(hashes), items.c.duplicate_of.is_(None)
    )
    before, found = 0, []
    for item_id, content_hash, posted_at in connection.execute(sa.union_all(candidates, largest)):
        if content_hash is None:
            before = int(item_id)
        else:
            found.append((int(item_id), content_hash, posted_at))
    originals = storing._within_window(found, [row for row in rows if row["content_hash"]])
    connection.execute(insert_ignoring(connection, items, ["source", "external_id"]), rows)
    wanted = storing._first_of_each_key(rows)
    stored = connection.execute(
        sa.select(items.c.id, items.c.source, items.c.external_id).where(items.c.id > before).order_by(items.c.id)
    ).all()
    new = [(int(i), wanted[(source, key)]) for i, source, key in stored if (source, key) in wanted]
    return new, originals


def batched_before_round_trips(store: Store, pages: list[tuple[str, list[NewItem]]]) -> None:
    """`save_batch` as issue #21 first left it, for the same-run ratio: each step its own round
    trip on PostgreSQL (lease, lock, originals and largest id, `executemany`, new ids by range,
    duplicates, items count), and on SQLite an `executemany` and a range query."""
    for number, (source, page) in enumerate(pages):
        with store.write() as connection:
            held = connection.execute(
                sources_table.update()
                .where(sources_table.c.name == source, sources_table.c.lease_owner == "bench")
                .values(cursor=str(number), heartbeat_at=NOW, last_ok_at=NOW, next_poll_at=NOW)
            )
            assert held.rowcount == 1
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": storing.ITEMS_LOCK})
            rows = [
                {name: getattr(item, name) for name in storing._FIELDS}
                | {"content_hash": duplicate_key(item.kind, item.brand, item.text)}
                for item in page
            ]
            new, originals = _insert_by_id_range(connection, rows)
            if new:
                collapse = storing._collapse_duplicates(
                    [(item_id, row["content_hash"], row["posted_at"]) for item_id, row in new], originals
                )
                if collapse is not None:
                    connection.execute(collapse)
                connection.execute(
                    sources_table.update()
                    .where(sources_table.c.name == source)
                    .values(items_total=sources_table.c.items_total + len(new))
                )


def save_path(kind: str, folder: Path, postgres_url: str, schemas: list[str], count: int, rounds: int) -> None:
    """Every writer on the same pages, each round into fresh databases, taking turns page by page
    (the order rotating), so a busy spell of a loaded machine falls on all of them alike; medians."""
    pages = list(generate(count, seed=7))
    writers: dict[str, Callable[[Store, list[tuple[str, list[NewItem]]]], Any]] = {
        "plain": plain_executemany,
        "saved": save_pages,
        "untriggered": save_pages,
        "batched": batched_before_round_trips,
        "before": per_item_before_21,
    }
    timings: dict[str, list[float]] = {name: [] for name in writers}
    for round_number in range(rounds):
        stores = {name: open_store(kind, folder, postgres_url, f"{name}{round_number}", schemas) for name in writers}
        spent = dict.fromkeys(writers, 0.0)
        for store in stores.values():
            lease_all(store)
        drop_rollup_triggers(stores["untriggered"])
        for number, page in enumerate(pages):
            names = list(writers)
            for name in names[number % len(names) :] + names[: number % len(names)]:
                start = time.perf_counter()
                writers[name](stores[name], [page])
                spent[name] += time.perf_counter() - start
        for name, store in stores.items():
            timings[name].append(spent[name])
            store.engine.dispose()
    plain, saved = statistics.median(timings["plain"]), statistics.median(timings["saved"])
    print(f"\n1. save path, {count:,} items in pages of {PAGE}, median of {rounds} rounds, writers taking turns")
    print("| writer | items/s | vs plain executemany |")
    print("|---|---|---|")
    print(f"| plain executemany, a transaction per page | {count / plain:,.0f} | 1.00x |")
    before = statistics.median(timings["before"])
    print(f"| Store.save_batch before #21 (a statement per item) | {count / before:,.0f} | {plain / before:.2f}x |")
    batched = statistics.median(timings["batched"])
    print(
        f"| Store.save_batch, first #21 pass (a round trip per step) | {count / batched:,.0f} | {plain / batched:.2f}x |"
    )
    print(f"| Store.save_batch now | {count / saved:,.0f} | {plain / saved:.2f}x |")
    untriggered = statistics.median(timings["untriggered"])
    print(
        f"| Store.save_batch without the item_counts triggers | {count / untriggered:,.0f} | {plain / untriggered:.2f}x |"
    )
    print(f"   the triggers' cost: save_batch at {untriggered / saved:.2f}x of its speed without them")
    per_round = ", ".join(f"{p / s:.2f}x" for p, s in zip(timings["plain"], timings["saved"], strict=True))
    print(f"now vs first #21 pass: {batched / saved:.2f}x; now vs plain in each round: {per_round}")


def build(store: Store, count: int) -> None:
    lease_all(store)
    start = time.perf_counter()
    stored = 0
    for number, (source, page) in enumerate(generate(count)):
        stored += store.save_batch(source, page, str(number), owner="bench", now=NOW, next_poll_at=NOW)
        if number % 500 == 0 and number:
            rate = stored / (time.perf_counter() - start)
            print(f"   ... {stored:,} items ({rate:,.0f}/s)", flush=True)
    seconds = time.perf_counter() - start
    print(f"   {stored:,} items through save_batch in {seconds:,.0f} s ({stored / seconds:,.0f} items/s)")
    start = time.perf_counter()
    apply_starter_set(store, "telecom", actor=LOCAL_ACTOR, now=NOW)
    taxonomy = theme_repo.load_taxonomy(store)
    theme_ids = [theme.id for theme in taxonomy.active()]
    rng = random.Random(3)
    with store.read() as connection:
        ids = list(connection.execute(sa.select(items.c.id).order_by(items.c.id)).scalars())
    for first in range(0, len(ids), 20_000):
        assigned, assessed = [], []
        for item_id in ids[first : first + 20_000]:
            chosen = rng.sample(theme_ids, rng.choice((0, 1, 1, 2)))
            assessed.append({"item_id": item_id, "taxonomy_version": taxonomy.version, "themes": len(chosen),
                             "assessed_at": NOW})  # fmt: skip
            assigned += [{"item_id": item_id, "theme_id": theme, "confidence": 0.8, "reason": "bench",
                          "method": "rule", "taxonomy_version": taxonomy.version, "assigned_at": NOW}
                         for theme in chosen]  # fmt: skip
        with store.write() as connection:
            connection.execute(theme_assessments.insert(), assessed)
            if assigned:
                connection.execute(item_themes.insert(), assigned)
    print(f"   themes assigned in {time.perf_counter() - start:,.0f} s ({len(theme_ids)} active themes)")
    fold_theme_counts(store)  # as the theme worker does when idle, before anything reads them
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    else:  # what the product keeps (sampled; voc.store.core.refresh_planner_statistics), not a full ANALYZE
        store.refresh_planner_statistics()


def replicate(store: Store, copies: int) -> None:
    """PostgreSQL: the built items, their themes and assessments copied `copies - 1` more times by
    `INSERT … SELECT` (new ids and external ids, each copy 37 s later, copies pointing at their own
    copy's originals), so ten million items take minutes, not the hours the save path would take
    on a shared machine. The copies go in with triggers off (`session_replication_role`), then the
    hourly counts are rebuilt by the product's own command (`python -m voc rollups rebuild`'s
    `rebuild_rollups`), as after a restore; the save path's own speed is section 1's."""
    if store.dialect != "postgresql":
        raise SystemExit("--copies is for PostgreSQL")
    with store.read() as connection:
        top = int(connection.execute(sa.select(sa.func.max(items.c.id))).scalar_one())
    started = time.perf_counter()
    for copy in range(1, copies):
        offset, later = copy * top, sa.literal(timedelta(seconds=37 * copy), sa.Interval())
        shifted = {"id": items.c.id + offset, "external_id": items.c.external_id + f"~{copy}",
                   "duplicate_of": items.c.duplicate_of + offset, "posted_at": items.c.posted_at + later,
                   "ingested_at": items.c.ingested_at + later}  # fmt: skip
        columns = [column.name for column in items.columns]
        with store.write() as connection:
            storing.lock_item_writers(connection)
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            connection.execute(items.insert().from_select(
                columns, sa.select(*(shifted.get(name, items.c[name]) for name in columns)).where(items.c.id <= top)
            ))  # fmt: skip
            for table in (item_themes, theme_assessments):
                names = [column.name for column in table.columns]
                picked = (table.c.item_id + offset if name == "item_id" else table.c[name] for name in names)
                connection.execute(table.insert().from_select(names, sa.select(*picked).where(table.c.item_id <= top)))
        done = (copy + 1) * top
        print(f"   ... {done:,} items ({copy * top / (time.perf_counter() - started):,.0f} copied/s)", flush=True)
    with store.write() as connection:
        connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('items', 'id'), (SELECT max(id) FROM items))")
    copied = time.perf_counter()
    written = rebuild_rollups(store)
    print(
        f"   rollups rebuilt in {time.perf_counter() - copied:,.0f} s: "
        + ", ".join(f"{n}: {w:,} rows" for n, w in written.items())
    )
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    print(f"   {copies}× the build: {copies * top:,} items in {time.perf_counter() - started:,.0f} s of copying")


def database_mb(store: Store) -> float:
    """The database's size on disk: the SQLite file (and its WAL), or the PostgreSQL schema's tables
    with their indexes."""
    with store.read() as connection:
        if store.dialect == "postgresql":
            size = connection.exec_driver_sql(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            ).scalar()
            return float(size or 0) / 2**20
    database = store.engine.url.database or ""
    return sum(Path(name).stat().st_size for name in (database, f"{database}-wal") if Path(name).is_file()) / 2**20


def median_seconds(call: Callable[[], Any], rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def load_everything(store: Store) -> pd.DataFrame:
    """The baseline's first step: every item's columns the pages use, in one frame."""
    columns = ["id", "posted_at", "channel", "language", "brand", "is_competitor", "kind", "scorer",
               "sentiment_label", "triage_status", "nps", "duplicate_of", "assignee", "first_response_at",
               "resolved_at", "very_unhappy", "sentiment_confidence", "priority"]  # fmt: skip
    with store.read() as connection:
        rows = connection.execute(sa.select(*(items.c[name] for name in columns))).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=columns)
    frame["posted_at"] = pd.to_datetime(frame["posted_at"], utc=True)
    return frame


def pandas_report(frame: pd.DataFrame, start: datetime) -> None:
    part = frame[frame["posted_at"] >= start]
    part.groupby([part["posted_at"].dt.floor("D"), "sentiment_label"]).size()
    part.groupby(["language", "sentiment_label"]).size()
    part.groupby(["channel", "sentiment_label"]).size()
    mentions = part[part["kind"] == "mention"]
    mentions.groupby(["brand", "is_competitor"]).agg(items=("id", "size"))
    (part["sentiment_label"] == "negative").sum()


def page_calls(store: Store, rounds: int) -> None:
    taxonomy = theme_repo.load_taxonomy(store)

    def trend(days: int, *, use_rollup: bool = True, tz: str = "UTC", brand: str | None = None) -> Callable[[], Any]:
        filters = trends.TrendFilters(NOW - timedelta(days=days), NOW, tz=tz, brand=brand)
        return lambda: trends.report(store, filters, use_rollup=use_rollup)

    def theme_overview(days: int) -> Callable[[], Any]:
        start = NOW - timedelta(days=days)
        return lambda: (
            theme_reports.coverage(store, start, NOW),
            theme_reports.theme_summary(store, taxonomy, start, NOW),
        )

    def inbox() -> Any:
        return care_queue.open_queue(store, care_queue.QueueFilter(), now=NOW)

    def filter_values() -> list[list[Any]]:
        with store.read() as connection:
            return [distinct_values(connection, items.c[name]) for name in ("channel", "language", "brand", "scorer")]

    calls: dict[str, Callable[[], Any]] = {
        **{
            f"Trends report, {days} days{', ' + tz if tz != 'UTC' else ''}": trend(days, tz=tz)
            for tz in ("UTC", "Asia/Kolkata")  # Kolkata: a local midnight inside every UTC day
            for days in (7, 30, 90, 365)
        },
        # The page's default shows the own brand (its theme comparison by brand and day: revision 0024).
        **{f"Trends report, {days} days, one brand": trend(days, brand="Northwind") for days in (90, 365)},
        "volume by sentiment, 365 days": lambda: trends.volume_by_sentiment(
            store, trends.TrendFilters(NOW - timedelta(days=365), NOW)
        ),
        "filter options": lambda: trends.filter_options(store, "Northwind"),
        "filter options by index skipping (core.distinct_values)": filter_values,
        "Inbox page data": inbox,
        "team metrics, 14 days": lambda: team_metrics(store, now=NOW, days=14),
        "Surveys call-back lists": lambda: (  # the Surveys page's first screen (revision 0023)
            recovery.recoveries(store, open_only=True),
            recovery.recoveries(store, open_only=False),
        ),
        "Themes overview, 30 days": theme_overview(30),
        "Themes overview, 365 days": theme_overview(365),
    }
    product = {name: median_seconds(call, rounds) for name, call in calls.items()}
    with_product = rss_mb()
    start = time.perf_counter()
    frame = load_everything(store)
    loading = time.perf_counter() - start
    in_pandas = rss_mb()

    def pandas_for(name: str) -> Callable[[], Any]:
        days = next((int(part.split()[0]) for part in name.split(", ") if part.endswith(" days")), 365)
        since = NOW - timedelta(days=days)
        if name.startswith("filter"):
            return lambda: [sorted(frame[c].dropna().unique()) for c in ("channel", "language", "brand", "scorer")]
        if name.startswith("Inbox"):
            return lambda: frame[frame["triage_status"].isin(["new", "assigned"])].nlargest(500, "posted_at")
        if name.startswith("Surveys"):
            return lambda: frame[frame["very_unhappy"].fillna(False).astype(bool)].nsmallest(800, "posted_at")
        if name.startswith("team"):
            return lambda: frame[frame["posted_at"] >= since].groupby("assignee").size()
        if name.endswith("one brand"):
            return lambda: pandas_report(frame[frame["brand"] == "Northwind"], since)
        return lambda: pandas_report(frame, since)

    print(
        f"\n3. page calls, median of {rounds}; baseline = every item read into pandas ({loading:.2f} s) + the aggregate"
    )
    print("| page call | product | pandas baseline | product / baseline |")
    print("|---|---|---|---|")
    for name, seconds in product.items():
        baseline = loading + median_seconds(pandas_for(name), rounds)
        print(f"| {name} | {seconds * 1000:,.0f} ms | {baseline * 1000:,.0f} ms | {seconds / baseline:.2f} |")
    two_ways = {
        "Trends report, 30 days": lambda rollup: trend(30, use_rollup=rollup),
        "Trends report, 365 days": lambda rollup: trend(365, use_rollup=rollup),
        "Trends report, 365 days, Asia/Kolkata": lambda rollup: trend(365, use_rollup=rollup, tz="Asia/Kolkata"),
        "volume by sentiment, 365 days": lambda rollup: (
            lambda: trends.volume_by_sentiment(
                store, trends.TrendFilters(NOW - timedelta(days=365), NOW), use_rollup=rollup
            )
        ),
        "summary, 365 days, one channel": lambda rollup: (
            lambda: trends.summary(
                store, trends.TrendFilters(NOW - timedelta(days=365), NOW, channel="x"), use_rollup=rollup
            )
        ),
        "share of voice over time, 365 days": lambda rollup: (
            lambda: trends.share_over_time(
                store, trends.TrendFilters(NOW - timedelta(days=365), NOW), use_rollup=rollup
            )
        ),
    }
    print(f"\n3b. Trends calls counted from the items alone and with the hourly rollup, median of {rounds}")
    print("| page call | from items | with item_counts | rollup / items |")
    print("|---|---|---|---|")
    for name, make in two_ways.items():
        from_items, with_rollup = median_seconds(make(False), rounds), median_seconds(make(True), rounds)
        print(
            f"| {name} | {from_items * 1000:,.0f} ms | {with_rollup * 1000:,.0f} ms | {with_rollup / from_items:.2f} |"
        )
    print(f"\n4. RSS after the page calls: {with_product:,.0f} MB; with every item in pandas: {in_pandas:,.0f} MB")


def fold_theme_counts(store: Store) -> None:
    """Fold the changes the triggers appended while themes were assigned (`compact_theme_counts`)."""
    with store.read() as connection:
        changes = connection.execute(sa.select(sa.func.count()).select_from(theme_count_changes)).scalar_one()
    start = time.perf_counter()
    with store.write() as connection:
        theme_rollups.compact_theme_counts(connection)
    print(f"   {changes:,} appended theme count changes folded in {time.perf_counter() - start:.1f} s")


def theme_rollup_calls(store: Store, rounds: int) -> None:
    """The Themes overview, a theme's series and the export's theme mix read from `theme_counts`
    (whole hours and days) against the same functions reading every row, same run; then what a
    merge costs."""
    with store.read() as connection:
        rows = connection.execute(sa.select(sa.func.count()).select_from(theme_counts)).scalar_one()
        days = connection.execute(sa.select(sa.func.count()).select_from(theme_counts_daily)).scalar_one()
        pairs = connection.execute(sa.select(sa.func.count()).select_from(item_themes)).scalar_one()
    print(f"\n6. theme counts: {rows:,} hourly rows and {days:,} daily rows for {pairs:,} stored assignments")
    taxonomy = theme_repo.load_taxonomy(store)
    top = theme_reports.theme_summary(store, taxonomy, NOW - timedelta(days=30), NOW)["theme_id"].iloc[0]
    end = NOW - timedelta(minutes=17)  # a range that does not start on the hour: edges read from the rows

    def pair(days: int, what: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
        begin = end - timedelta(days=days)
        if what == "overview":
            return (lambda: theme_reports.theme_summary(store, taxonomy, begin, end),
                    lambda: theme_reports.theme_summary_from_rows(store, taxonomy, begin, end))  # fmt: skip
        if what == "series":
            tz = "Asia/Kolkata"  # half-hour offset: the hour each local day starts in is read from the rows
            return (lambda: theme_reports.theme_series(store, taxonomy, top, begin, end, freq="D", tz=tz),
                    lambda: theme_reports.theme_series_from_rows(store, taxonomy, top, begin, end, freq="D", tz=tz))  # fmt: skip
        return (lambda: export_summary.theme_mixes_between(store, taxonomy, begin, end, once=True),
                lambda: export_summary.theme_mixes_from_rows(store, taxonomy, begin, end, once=True))  # fmt: skip

    print("| call | from theme_counts | from the rows | ratio |")
    print("|---|---|---|---|")
    for label, days, what in (("Themes overview (theme_summary)", 30, "overview"),
                              ("Themes overview (theme_summary)", 365, "overview"),
                              ("theme series, daily, Asia/Kolkata", 90, "series"),
                              ("export theme mix (theme_mixes_between)", 7, "mix"),
                              ("export theme mix (theme_mixes_between)", 365, "mix")):  # fmt: skip
        rollup, rows_call = pair(days, what)
        fast, slow = median_seconds(rollup, rounds), median_seconds(rows_call, rounds)
        print(f"| {label}, {days} days | {fast * 1000:,.0f} ms | {slow * 1000:,.0f} ms | {fast / slow:.2f} |")
    outage = [t for t in taxonomy.active() if t.id != top and t.parent_id is None][0]
    start = time.perf_counter()
    merge_themes(store, outage.id, top, actor=LOCAL_ACTOR, now=NOW)
    print(f"   merging {outage.id!r} into {top!r} (counts of both recounted in its transaction): "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip


def _export_in_child(
    url: str, first: str, last: str, formats: list[str], folder: str, results: multiprocessing.Queue
) -> None:
    """One export in a fresh process: rows, seconds and how far its RSS rose above its start."""
    from datetime import date

    from voc.exports import build_export, date_range

    store = Store.from_url(url, upgrade=False)
    period = date_range(date.fromisoformat(first), date.fromisoformat(last), "UTC")
    before = rss_mb()
    start = time.perf_counter()
    export = build_export(store, period, Path(folder), formats=formats, now=NOW, requested_by=LOCAL_ACTOR)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put((export.items, seconds, before, peak))
    store.engine.dispose()


def team_metrics_and_exports(store: Store, folder: Path, rounds: int) -> None:
    """Section 6: team metrics, the export and deep queue pages, now against before issue #21."""
    from _baseline_export_summary import theme_mixes_before_21
    from _baseline_team_metrics import team_metrics_before_21

    from voc.exports import build_export, week_of
    from voc.exports import summary as export_summary

    taxonomy = theme_repo.load_taxonomy(store)
    week = week_of((NOW - timedelta(days=7)).date(), "UTC")
    everyone = care_queue.QueueFilter()
    deep = 40
    key_before_deep = care_queue.open_queue(store, everyone, now=NOW, page=deep - 1).last_key

    def weekly_export(theme_mixes: Callable[..., Any]) -> Callable[[], Any]:
        def run() -> Any:
            real = export_summary.theme_mixes_between
            export_summary.theme_mixes_between = theme_mixes  # the summary as it was read, for the ratio
            try:
                with tempfile.TemporaryDirectory(dir=folder) as out:
                    return build_export(store, week, Path(out), now=NOW, requested_by=LOCAL_ACTOR)
            finally:
                export_summary.theme_mixes_between = real

        return run

    pairs: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "team metrics, 14 days": (
            lambda: team_metrics(store, now=NOW, days=14),
            lambda: team_metrics_before_21(store, now=NOW, days=14),
        ),
        "export summary per theme, a week and the one before": (
            lambda: [export_summary.theme_mixes(store, taxonomy, p) for p in (week, week.previous())],
            lambda: [
                theme_mixes_before_21(store, taxonomy, p.start, p.end, once=True) for p in (week, week.previous())
            ],
        ),
        "weekly export, all formats": (
            weekly_export(export_summary.theme_mixes_between),
            weekly_export(theme_mixes_before_21),
        ),
        f"care queue page {deep}, by key (before: by position)": (
            lambda: care_queue.open_queue(store, everyone, now=NOW, page=deep, after=key_before_deep),
            lambda: care_queue.open_queue(store, everyone, now=NOW, page=deep),
        ),
    }
    print(f"\n6. team metrics, exports and deep pages, median of {rounds}, alternately")
    print("| call | now | before #21 | now / before |")
    print("|---|---|---|---|")
    for name, (now_call, before_call) in pairs.items():
        now_times, before_times = [], []
        for _ in range(rounds):
            now_times.append(median_seconds(now_call, 1))
            before_times.append(median_seconds(before_call, 1))
        now_s, before_s = statistics.median(now_times), statistics.median(before_times)
        print(f"| {name} | {now_s * 1000:,.0f} ms | {before_s * 1000:,.0f} ms | {now_s / before_s:.2f} |")

    url = store.engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("fork")
    print("\n   an export in its own process: peak RSS above the process's start")
    print("| period | formats | rows | seconds | RSS at start | peak RSS | growth |")
    print("|---|---|---|---|---|---|---|")
    cases = [
        (week.first, week.last, ["xlsx", "csv", "parquet", "html"]),
        (week.first, week.last, ["csv", "parquet"]),
        ((NOW - timedelta(days=365)).date(), NOW.date(), ["csv", "parquet"]),
    ]
    for first, last, formats in cases:
        results: multiprocessing.Queue = context.Queue()
        with tempfile.TemporaryDirectory(dir=folder) as out:
            child = context.Process(
                target=_export_in_child, args=(url, first.isoformat(), last.isoformat(), formats, out, results)
            )
            child.start()
            rows, seconds, before, peak = results.get()
            child.join()
        days = (last - first).days + 1
        print(f"| {days} days | {', '.join(formats)} | {rows:,} | {seconds:,.1f} | {before:,.0f} MB | {peak:,.0f} MB "
              f"| {peak - before:,.0f} MB |")  # fmt: skip


def _writer(url: str, number: int, count: int, start: multiprocessing.synchronize.Barrier) -> None:
    """One listener process's writes: its own source, pages of PAGE items."""
    store = Store.from_url(url, upgrade=False)
    name = f"writer-{number}"
    store.ensure_source(name, "bench")
    store.try_acquire_lease(name, "bench", NOW, timedelta(days=1))
    pages = [(name, [replace(item, source=name) for item in page]) for _, page in generate(count, seed=number)]
    start.wait()
    for cursor, (_, page) in enumerate(pages):
        store.save_batch(name, page, str(cursor), owner="bench", now=NOW, next_poll_at=NOW)
    store.engine.dispose()


def several_writers(kind: str, folder: Path, postgres_url: str, schemas: list[str], per_writer: int) -> None:
    """Listener processes saving pages at once, each its own source: items/s in all."""
    print(f"\n5. several listener processes saving at once, {per_writer:,} items each")
    print("| writer processes | items/s in all | vs one |")
    print("|---|---|---|")
    context = multiprocessing.get_context("fork")
    single = 0.0
    for writers in (1, 2, 4):
        store = open_store(kind, folder, postgres_url, f"writers{writers}", schemas)
        url = store.engine.url.render_as_string(hide_password=False)
        store.engine.dispose()
        start = context.Barrier(writers + 1)
        processes = [context.Process(target=_writer, args=(url, n, per_writer, start)) for n in range(writers)]
        for process in processes:
            process.start()
        start.wait()
        began = time.perf_counter()
        for process in processes:
            process.join()
        rate = writers * per_writer / (time.perf_counter() - began)
        single = single or rate
        print(f"| {writers} | {rate:,.0f} | {rate / single:.2f}x |")


def run(kind: str, args: argparse.Namespace, folder: Path, schemas: list[str]) -> None:
    print(f"\n## {kind}, {args.items:,} items")
    if args.save_items:
        save_path(kind, folder, args.postgres_url, schemas, args.save_items, args.rounds)
    if args.writer_items:
        several_writers(kind, folder, args.postgres_url, schemas, args.writer_items)
    if not args.items:
        return
    opening = time.perf_counter()
    store = (
        open_kept(kind, args.postgres_url, args.keep)
        if args.keep
        else open_store(kind, folder, args.postgres_url, "scale", schemas)
    )
    print(f"\n   opened in {time.perf_counter() - opening:,.1f} s (migrations to this code's revision included)")
    with store.read() as connection:
        present = int(connection.execute(sa.select(sa.func.count()).select_from(items)).scalar_one())
    if present:
        print(f"\n2. build: reusing the kept database ({present:,} items; migrated to this code's revision on opening)")
    else:
        print(f"\n2. build (RSS before: {rss_mb():,.0f} MB)")
        build(store, args.items)
        if args.copies > 1:
            replicate(store, args.copies)
    print(f"   RSS after the build: {rss_mb():,.0f} MB; database size: {database_mb(store):,.0f} MB")
    page_calls(store, args.rounds)
    theme_rollup_calls(store, args.rounds)
    team_metrics_and_exports(store, folder, args.rounds)
    store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000, help="items to build (default 20,000; 0: skip 2-4)")
    parser.add_argument(
        "--save-items", type=int, default=10_000, help="items for the save-path comparison (0: skip it)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", metavar="NAME", help="build into a kept database once, and reuse it on later runs")
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="PostgreSQL: copy the built items this many times in all (10: 10M from 1M)",
    )
    parser.add_argument("--writer-items", type=int, default=4_000, help="items per process in section 5 (0: skip)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("VOC_BENCH_POSTGRES_URL", DEFAULT_POSTGRES), help="a server to use"
    )
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    schemas: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        try:
            for kind in kinds:
                if kind == "postgresql" and not _reachable(args.postgres_url):
                    print(f"\nSKIPPED postgresql: no server at {args.postgres_url}")
                    continue
                run(kind, args, Path(folder), schemas)
        finally:
            if schemas:
                engine = sa.create_engine(args.postgres_url)
                with engine.begin() as connection:
                    for schema in schemas:
                        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                engine.dispose()


def _reachable(url: str) -> bool:
    try:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - reported as a skip
        return False


if __name__ == "__main__":
    main()
