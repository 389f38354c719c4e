"""Survey import at scale: a 50k-row export through `import_survey` into a fresh SQLite database.

Figures: rows/s and items/s end to end (read, parse, dedupe check, analyse, store, alerts), where
that time goes by stage, the analysis pipeline alone on the same texts (the baseline: what any
import must pay), progress callbacks seen, and peak Python memory (tracemalloc) of the import at
two file sizes, next to reading every row into a list, to show memory stays bounded as rows
grow (tracemalloc sees Python objects, not C buffers, hence a Python baseline). Re-importing the same file (everything already stored) is timed too. Synthetic Typeform-shaped
rows, two comment columns, a third of them empty; printed, never asserted.

    python bench/surveys.py [--n 50000] [--memory-sizes 5000,50000]
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import resource
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from _common import REPO  # noqa: F401 - puts the repo on sys.path

from voc.access import COMMAND_LINE
from voc.analysis.pipeline import analyse
from voc.store import Store
from voc.surveys import importer
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
HEADER = (
    "#,How likely are you to recommend Northwind Mobile?,What is the main reason for your score?,"
    "Anything else?,Response Type,Start Date (UTC),Stage Date (UTC),Submit Date (UTC),Network ID,Tags"
)


def export(n: int) -> bytes:
    """A Typeform-shaped CSV with `n` responses; texts vary so the pipeline's cache does not flatter it."""
    start = datetime(2026, 9, 1, 8, 0)
    lines = [HEADER]
    for i in range(n):
        when = (start + timedelta(seconds=97 * i)).strftime("%Y-%m-%d %H:%M:%S")
        why = COMMENTS[i % len(COMMENTS)]
        why = f"{why} (ref {i})" if why else ""
        extra = COMMENTS[(i * 5 + 3) % len(COMMENTS)]
        nps = NPS_CYCLE[i % len(NPS_CYCLE)]
        lines.append(f'tok{i:07d},{nps},"{why}","{extra}",completed,{when},{when},{when},n{i},')
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


STAGES = {
    "take": "reading and parsing rows",
    "new_items_in": "dedupe look-up",
    "build_item": "analysis and recovery rules",
    "insert_items": "storing items",
    "raise_recovery_alerts": "recovery alerts",
}


@contextmanager
def stage_timer() -> Iterator[Counter[str]]:
    """Time the importer's stages by wrapping the functions it calls (restored afterwards)."""
    spent: Counter[str] = Counter()
    originals = {name: getattr(importer, name) for name in STAGES}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start

        return wrapper

    for name, fn in originals.items():
        setattr(importer, name, timed(name, fn))
    try:
        yield spent
    finally:
        for name, fn in originals.items():
            setattr(importer, name, fn)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--memory-sizes", default="5000,50000")
    args = parser.parse_args()
    analyse("warm up the language model and the lexicon")

    data = export(args.n)
    print(f"Export: {args.n:,} responses, {len(data) / 2**20:.1f} MiB, Typeform CSV")
    with tempfile.TemporaryDirectory() as workdir:
        steps: list[ImportProgress] = []
        shown = [0.0]

        def progress(step: ImportProgress) -> None:
            steps.append(step)
            if step.fraction >= shown[0] + 0.2 or (step.fraction == 1.0 and shown[0] < 1.0):
                shown[0] = step.fraction
                print(f"  progress {step.fraction:4.0%}: {step.rows_read:,} rows, {step.items_landed:,} items")

        with stage_timer() as spent:
            report, seconds = run_import(data, Path(workdir) / "first.db", progress)
        print(f"Import: {report.summary()}")
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
            f"Re-import (all stored): {again.items_landed} landed, {again.duplicates:,} already there, "
            f"{repeat_seconds:.1f} s = {again.rows_total / repeat_seconds:,.0f} rows/s"
        )

        texts = [line.split('"')[1] for line in data.decode("utf-8").splitlines()[1:]]
        texts += [line.split('"')[3] for line in data.decode("utf-8").splitlines()[1:]]
        texts = [text for text in texts if text]
        start = time.perf_counter()
        for text in texts:
            analyse(text)
        analysis_seconds = time.perf_counter() - start
        print(
            f"Baseline, analysis alone on the same {len(texts):,} texts: {analysis_seconds:.1f} s "
            f"({analysis_seconds / seconds:.0%} of the import's time)"
        )

        print("Peak Python memory (tracemalloc):")
        for size in (int(part) for part in args.memory_sizes.split(",")):
            sized = export(size)
            database = Path(workdir) / f"memory-{size}.db"
            importing = peak_python_memory(lambda sized=sized, database=database: run_import(sized, database))
            whole = peak_python_memory(lambda sized=sized: list(csv.reader(io.StringIO(sized.decode("utf-8")))))
            print(
                f"  {size:>7,} rows ({len(sized) / 2**20:5.1f} MiB file): import {importing:6.1f} MiB "
                f"beyond the file's bytes; baseline, all rows read into a list: {whole:6.1f} MiB"
            )
    print(
        f"Process peak RSS (models and libraries included): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
