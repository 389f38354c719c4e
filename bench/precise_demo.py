"""The demo as `make run` starts it, with the precise pass on by default: does ingest stay fast,
does the pass catch up, and do the sources keep being polled meanwhile?

Starts the real listener process (`python -m listeners`) on a throw-away SQLite store with the
bundled demo feed (`VOC_DEMO_FEED=on`), once with the pass at its default and once switched off
(`VOC_PRECISE_PASS_BATCH=0`, the baseline in the same run), and reads the store every 2 s:
items stored, items the precise model has not scored yet (`precise_backlog`), and each demo
source's last successful poll. Printed per run: seconds to the first item, to the last demo item
stored, to the precise pass caught up, the pass's labels/s, and the longest gap between two
successful polls of a demo source while the pass was working (the replay sources are polled
every `VOC_REPLAY_POLL_SECONDS`, 5 s by default). Figures are printed, never asserted.

    python bench/precise_demo.py [--limit 900] [--batches 16,0]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _common import REPO as ROOT

from voc.sentiment.worker import precise_backlog
from voc.store.facade import Store


def run(batch: int | None, limit_s: float) -> dict[str, float]:
    """One listener process on a fresh store; returns the figures of that run."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "VOC_DATA_DIR": tmp, "VOC_DEMO_FEED": "on", "VOC_DATABASE_URL": f"sqlite:///{tmp}/voc.db"}
        env.pop("VOC_PRECISE_PASS_BATCH", None)
        if batch is not None:
            env["VOC_PRECISE_PASS_BATCH"] = str(batch)
        start = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "listeners"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        store: Store | None = None
        first = stored_all = caught_up = None
        last_total, steady_since = -1, start
        last_ok: dict[str, datetime] = {}
        longest_gap = 0.0
        peak_waiting = total = 0
        try:
            while time.monotonic() - start < limit_s:
                time.sleep(2)
                if store is None:
                    if not (Path(tmp) / "voc.db").exists():
                        continue
                    try:
                        store = Store.from_url(env["VOC_DATABASE_URL"], upgrade=False)
                        store.sources()
                    except Exception:  # not migrated yet
                        store = None
                        continue
                now = time.monotonic() - start
                waiting, total = precise_backlog(store)
                peak_waiting = max(peak_waiting, waiting)
                for source in store.sources():
                    if source.kind != "replay" or source.last_ok_at is None:
                        continue
                    before = last_ok.get(source.name)
                    if before is not None and source.last_ok_at != before:
                        longest_gap = max(longest_gap, (source.last_ok_at - before).total_seconds())
                    last_ok[source.name] = source.last_ok_at
                if total and first is None:
                    first = now
                # The back-fill is over when fewer than 5 items arrived in 20 s (live items trickle on).
                if total - last_total >= 5:
                    last_total, steady_since = total, now
                elif stored_all is None and total and now - steady_since >= 20:
                    stored_all = steady_since
                if stored_all is not None and (batch == 0 or (waiting <= 2 and caught_up is None)):
                    caught_up = now if batch != 0 else None
                    break
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        return {
            "items": float(total if store is not None else 0),
            "first": first if first is not None else float("nan"),
            "stored_all": stored_all if stored_all is not None else float("nan"),
            "caught_up": caught_up if caught_up is not None else float("nan"),
            "peak_waiting": float(peak_waiting),
            "longest_poll_gap": longest_gap,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=900, help="give up on a run after this many seconds")
    parser.add_argument(
        "--batches", default="default,0", help="pass batch sizes to run; 'default': the setting's default"
    )
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows = []
    for value in args.batches.split(","):
        batch = None if value == "default" else int(value)
        figures = run(batch, args.limit)
        rows.append((value, figures))
        label = "default" if batch is None else str(batch)
        pass_time = figures["caught_up"] - figures["first"]
        rate = figures["items"] / pass_time if pass_time == pass_time and pass_time > 0 else float("nan")
        print(
            f"batch {label:>7}: {figures['items']:,.0f} items; first stored {figures['first']:.0f} s, "
            f"all stored {figures['stored_all']:.0f} s, precise pass caught up {figures['caught_up']:.0f} s "
            f"({rate:.1f} labels/s from the first item), most waiting {figures['peak_waiting']:,.0f}, "
            f"longest gap between two polls of a demo source {figures['longest_poll_gap']:.0f} s",
            flush=True,
        )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
