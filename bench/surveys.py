"""Survey import at scale, in three parts, each against a baseline measured in the same run.

1. Reading a 30,000-row export (what `voc.surveys.formats` and `mapping` do: encoding, line by
   line decoding, header, vendor preset, every cell parsed into a response or a refused row),
   against plain `csv.reader` over the same bytes and `pandas.read_csv` of them. Once for a UTF-8
   file and once for the same file with 1 % of its lines in Windows-1252 (decoded line by line).
   Peak Python memory (tracemalloc) of reading at two sizes, next to reading every row into a list.
2. The whole import of the first `--import-n` rows into a fresh SQLite database (read, dedupe,
   analyse, store, recovery alerts): rows/s, where the time goes, the analysis pipeline alone on
   the same texts (the baseline any import pays), and a re-import with everything already stored.
3. Storing `--store-n` analysed survey answers in the importer's chunks through the save path
   (`Store.add_items`, as the importer stores them now) against the importer's former multi-row
   insert (kept here for the ratio), on SQLite and PostgreSQL (`--postgres-url`).

Synthetic Typeform-shaped rows, two comment columns, a third of them empty, one row in a thousand
with an impossible UTC offset (refused, as in life); printed, never asserted.

    python bench/surveys.py [--n 30000] [--import-n 1000] [--memory-sizes 3000,30000] [--store-n 10000]
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import os
import resource
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import scale
import sqlalchemy as sa
from _common import REPO  # noqa: F401 - puts the repo on sys.path

from voc.access.roles import COMMAND_LINE
from voc.analysis.pipeline import analyse
from voc.models import NewItem
from voc.store.core import insert_ignoring
from voc.store.facade import Store
from voc.store.schema import items
from voc.surveys import importer
from voc.surveys.formats import open_table
from voc.surveys.importer import ImportProgress, ImportReport, import_survey

COMMENTS = [
    "Coverage is fine in town but drops on the train every morning.",
    "Great value, happy with the plan and the app.",
    "The app logs me out every day, really annoying.",
    "Friendly staff in the shop, they set everything up for me.",
    "Waited 40 minutes on hold and the call dropped. I want to cancel.",
    "Le réseau coupe souvent le soir, c'est pénible.",
    "Muy buena atención, gracias.",
    "",
    "Fast internet, no complaints so far.",
    "",
    "Bill was wrong twice this year, please fix it.",
    "Easy switch from my old provider, good price.",
    "Die App ist übersichtlich und schnell.",
]
# A plausible spread: about a quarter detractors, a third promoters at 10.
NPS_CYCLE = (10, 9, 8, 10, 7, 9, 6, 10, 9, 3, 8, 10, 2)
ITEM_FIELDS = tuple(field.name for field in fields(NewItem))
HEADER = (
    "#,How likely are you to recommend Northwind Mobile?,What is the main reason for your score?,"
    "Anything else?,Response Type,Start Date (UTC),Stage Date (UTC),Submit Date (UTC),Network ID,Tags"
)


def export(n: int, cp1252_every: int = 0) -> bytes:
    """A Typeform-shaped CSV with `n` responses; texts vary so the pipeline's cache does not flatter it.
    With `cp1252_every`, every so many lines are written in Windows-1252 (a mixed-encoding file)."""
    start = datetime(2026, 9, 1, 8, 0)
    out = [HEADER.encode("utf-8") + b"\r\n"]
    for i in range(n):
        when = (start + timedelta(seconds=97 * i)).strftime("%Y-%m-%d %H:%M:%S")
        submitted = f"{when}+99:00" if i % 1000 == 999 else when
        why = COMMENTS[i % len(COMMENTS)]
        why = f"{why} (ref {i})" if why else ""
        extra = COMMENTS[(i * 5 + 3) % len(COMMENTS)]
        nps = NPS_CYCLE[i % len(NPS_CYCLE)]
        line = f'tok{i:07d},{nps},"{why}","{extra}",completed,{when},{when},{submitted},n{i},\r\n'
        cp1252 = cp1252_every and i % cp1252_every == cp1252_every - 1
        out.append(line.encode("cp1252", errors="replace") if cp1252 else line.encode("utf-8"))
    return b"".join(out)


def read_export(data: bytes) -> tuple[int, int, str]:
    """Read every row as the importer does, without a store: (responses, refused rows, format)."""
    with open_table(io.BytesIO(data), "bench.csv") as table:
        mapping, _ = importer.settle_mapping(None, table, "bench")
        responses = refused = 0
        for entry in importer.read_responses(table, mapping):
            if isinstance(entry, importer.Problem):
                refused += 1
            else:
                responses += 1
        return responses, refused, table.describe()


def best_of(times: int, fn: Callable[[], Any]) -> float:
    """The fastest of `times` runs, in seconds (the machine is shared; the minimum is the least noisy)."""
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_reading(n: int, memory_sizes: list[int]) -> None:
    import pandas as pd

    for label, data in (("UTF-8", export(n)), ("UTF-8 with 1 % Windows-1252 lines", export(n, cp1252_every=100))):
        responses, refused, described = read_export(data)
        ours = best_of(3, lambda data=data: read_export(data))

        def plain_csv(data: bytes = data) -> None:
            text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace", newline="")
            for _ in csv.reader(text):
                pass

        plain = best_of(3, plain_csv)
        frame = best_of(3, lambda data=data: pd.read_csv(io.BytesIO(data), encoding="utf-8", encoding_errors="replace"))
        print(f"Reading {n:,} rows, {label} ({len(data) / 2**20:.1f} MiB): {responses:,} responses, {refused} refused")
        print(f"  format: {described[:150]}{'…' if len(described) > 150 else ''}")
        print(f"  importer (decode, parse every cell) {ours:6.2f} s = {n / ours:9,.0f} rows/s")
        print(
            f"  baseline csv.reader, no parsing     {plain:6.2f} s = {n / plain:9,.0f} rows/s  (importer {ours / plain:.1f}x)"
        )
        print(
            f"  baseline pandas.read_csv            {frame:6.2f} s = {n / frame:9,.0f} rows/s  (importer {ours / frame:.1f}x)"
        )
    print("Peak Python memory of reading (tracemalloc):")
    for size in memory_sizes:
        sized = export(size)
        reading = peak_python_memory(lambda sized=sized: read_export(sized))
        whole = peak_python_memory(lambda sized=sized: list(csv.reader(io.StringIO(sized.decode("utf-8")))))
        print(
            f"  {size:>7,} rows ({len(sized) / 2**20:5.1f} MiB file): importer {reading:6.1f} MiB; "
            f"baseline, all rows read into a list: {whole:6.1f} MiB"
        )


STAGES = {
    "take": "reading and parsing rows",
    "new_items_in": "dedupe look-up",
    "build_item": "analysis and recovery rules",
    "add_items": "storing items (Store.add_items)",
    "raise_recovery_alerts": "recovery alerts",
}


@contextmanager
def stage_timer() -> Iterator[Counter[str]]:
    """Time the importer's stages by wrapping the functions it calls, and the store's save path
    (restored afterwards)."""
    spent: Counter[str] = Counter()
    owners = {name: Store if name == "add_items" else importer for name in STAGES}
    originals = {name: getattr(owners[name], name) for name in STAGES}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start

        return wrapper

    for name, fn in originals.items():
        setattr(owners[name], name, timed(name, fn))
    try:
        yield spent
    finally:
        for name, fn in originals.items():
            setattr(owners[name], name, fn)
        del Store.add_items  # inherited (InboxRepository): the wrapper only shadowed it


def run_import(
    data: bytes, database: Path, progress: Callable[[ImportProgress], None] | None = None
) -> tuple[ImportReport, float]:
    store = Store.from_url(f"sqlite:///{database}")
    try:
        start = time.perf_counter()
        report = import_survey(
            store, io.BytesIO(data), "bench.csv", survey="bench", via="cli", progress=progress, actor=COMMAND_LINE
        )
        return report, time.perf_counter() - start
    finally:
        store.engine.dispose()


def peak_python_memory(fn: Callable[[], Any]) -> float:
    """Peak traced Python allocation of `fn()`, in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def survey_items(n: int) -> list[NewItem]:
    """`n` analysed survey answers ready for the store (two comment fields a response)."""
    start = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    return [
        NewItem(
            source="surveys",
            external_id=f"bench/r{i // 2}/Q{i % 2}",
            kind="survey",
            channel="survey",
            brand="Northwind Mobile",
            is_competitor=False,
            author=None,
            author_reach=None,
            link=None,
            posted_at=start + timedelta(seconds=97 * (i // 2)),
            ingested_at=start + timedelta(days=30),
            text=COMMENTS[i % len(COMMENTS)],
            redactions=[],
            language="en",
            sentiment_label="negative" if i % 3 == 0 else "positive",
            sentiment_score=-0.5 if i % 3 == 0 else 0.5,
            sentiment_confidence=0.8,
            sentiment_reasons=["wait"],
            scorer="bench",
            priority=10.0,
            triage_status="new",
            survey="bench",
            response_id=f"r{i // 2}",
            respondent_key=None,
            nps=NPS_CYCLE[(i // 2) % len(NPS_CYCLE)],
            csat=None,
            survey_field=f"Q{i % 2}",
        )
        for i in range(n)
    ]


def former_insert(store: Store, chunk: list[NewItem]) -> int:
    """The importer's own insert before it stored through the save path (kept here for the ratio):
    one multi-row `INSERT ... ON CONFLICT DO NOTHING ... RETURNING` per 200 rows, no lock."""
    statement = (
        insert_ignoring(store.dialect, items, ["source", "external_id"])
        .returning(items.c.id)
        .execution_options(insertmanyvalues_page_size=200)
    )
    rows = [{name: getattr(item, name) for name in ITEM_FIELDS} for item in chunk]
    with store.write() as connection:
        return len(connection.execute(statement, rows).all())


def bench_storing(n: int, postgres_url: str) -> None:
    """Chunks of survey answers stored by the save path and by the former insert, each into a
    fresh database, taking turns chunk by chunk; best of three rounds."""
    answers = survey_items(n)
    chunks = [answers[start : start + importer.CHUNK_SIZE] for start in range(0, n, importer.CHUNK_SIZE)]
    writers: dict[str, Callable[[Store, list[NewItem]], int]] = {
        "former": former_insert,
        "save path": lambda store, chunk: store.add_items(chunk),
    }
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("sqlite", "postgresql"):
            schemas: list[str] = []
            best = dict.fromkeys(writers, float("inf"))
            try:
                for round_number in range(3):
                    stores = {}
                    for name in writers:
                        label = f"{name.replace(' ', '_')}{round_number}"
                        stores[name] = (
                            Store.from_url(f"sqlite:///{folder}/{label}.db")
                            if kind == "sqlite"
                            else scale.open_store(kind, Path(folder), postgres_url, label, schemas)
                        )
                    spent = dict.fromkeys(writers, 0.0)
                    for number, chunk in enumerate(chunks):
                        for name in list(writers)[number % 2 :] + list(writers)[: number % 2]:
                            began = time.perf_counter()
                            assert writers[name](stores[name], chunk) == len(chunk)
                            spent[name] += time.perf_counter() - began
                    for name, store in stores.items():
                        best[name] = min(best[name], spent[name])
                        store.engine.dispose()
            except sa.exc.OperationalError:
                print(f"Storing survey answers on {kind}: SKIPPED, no server at {postgres_url}")
                continue
            finally:
                if schemas:
                    engine = sa.create_engine(postgres_url)
                    with engine.begin() as connection:
                        for schema in schemas:
                            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                    engine.dispose()
            former, saved = best["former"], best["save path"]
            print(
                f"Storing {n:,} survey answers in chunks of {importer.CHUNK_SIZE} on {kind}, best of 3 rounds: "
                f"Store.add_items {n / saved:,.0f} items/s, the former insert {n / former:,.0f} "
                f"(save path {former / saved:.2f}x)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=30_000, help="rows of the export read in part 1")
    parser.add_argument("--import-n", type=int, default=1_000, help="rows imported end to end in part 2")
    parser.add_argument("--memory-sizes", default="3000,30000")
    parser.add_argument("--store-n", type=int, default=10_000, help="survey answers stored in part 3 (0: skip)")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("VOC_BENCH_POSTGRES_URL", scale.DEFAULT_POSTGRES), help="for part 3"
    )
    args = parser.parse_args()
    began = time.perf_counter()
    if args.store_n:
        bench_storing(args.store_n, args.postgres_url)
    bench_reading(args.n, [int(part) for part in args.memory_sizes.split(",")])

    analyse("warm up the language model and the lexicon")
    data = export(args.import_n)
    print(f"Import end to end: {args.import_n:,} responses, {len(data) / 2**20:.1f} MiB, Typeform CSV")
    with tempfile.TemporaryDirectory() as workdir:
        steps: list[ImportProgress] = []

        with stage_timer() as spent:
            report, seconds = run_import(data, Path(workdir) / "first.db", steps.append)
        print(f"  {report.summary()}")
        print(
            f"  {seconds:.1f} s = {report.rows_total / seconds:,.0f} rows/s, {report.items_landed / seconds:,.0f} items/s; "
            f"{len(steps)} progress callbacks; {report.alerts_raised:,} recovery alerts"
        )
        for name, label in STAGES.items():
            print(f"    {label:<28} {spent[name]:6.1f} s  {spent[name] / seconds:4.0%}")

        store = Store.from_url(f"sqlite:///{Path(workdir) / 'first.db'}")
        try:
            start = time.perf_counter()
            again = import_survey(store, io.BytesIO(data), "bench.csv", survey="bench", via="cli", actor=COMMAND_LINE)
            repeat_seconds = time.perf_counter() - start
        finally:
            store.engine.dispose()
        print(
            f"  re-import (all stored): {again.items_landed} landed, {again.duplicates:,} already there, "
            f"{repeat_seconds:.1f} s = {again.rows_total / repeat_seconds:,.0f} rows/s"
        )

        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))[1:]
        texts = [text for row in rows for text in (row[2], row[3]) if text]
        start = time.perf_counter()
        for text in texts:
            analyse(text)
        analysis_seconds = time.perf_counter() - start
        print(
            f"  baseline, analysis alone on the same {len(texts):,} texts: {analysis_seconds:.1f} s "
            f"({analysis_seconds / seconds:.0%} of the import's time)"
        )
    print(
        f"Process peak RSS (models and libraries included): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; "
        f"whole benchmark {time.perf_counter() - began:.0f} s"
    )


if __name__ == "__main__":
    main()
