"""Pages in a real browser at scale (issue #21): how long each page takes to be ready, and the app's memory.

Builds `--items` realistic items through the product's save path (`bench/scale.py`'s `build`: 20
sources, 9 languages, 4 brands, a year, themes assigned) into a SQLite database, and an empty
database beside it as the baseline of the same run. For each database it starts the app
(`python -m ui.serve`, as `make run` does, local mode) and opens every page in Chromium at
1440×900: the time from asking for the page to Streamlit's script having finished (`notRunning`)
with the main area drawn, the first visit (nothing cached) and the second (the app's caches warm).
Then it reads the app process's resident memory. Last, the app's first page after a start, on the
large database: plain `streamlit run app.py` (the baseline: modules imported by the first page)
against `ui.serve` (imported while the server starts; the browser comes once they are), alternately,
`--starts` times each. Figures are printed, never asserted.

    python bench/browser.py                       # 100,000 items
    python bench/browser.py --items 1000000       # the issue's million (about 5 minutes to build)
    python bench/browser.py --database-url sqlite:////path/to/voc.db   # an existing database

Needs Debian's Chromium at /usr/bin/chromium (`apt-get install -y chromium`) and Playwright's
Python package (requirements-dev.txt); never `playwright install`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _common
import scale

from ui import serve
from voc.store.facade import Store

PAGES = ("inbox", "trends", "themes", "surveys", "alerts", "exports", "sources", "settings", "audit")
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of one process (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


LAUNCHERS = {"streamlit run": ["-m", "streamlit", "run", "app.py"], "ui.serve": ["-m", "ui.serve"]}


@contextlib.contextmanager
def running_app(
    database_url: str, data_dir: Path, launcher: str = "ui.serve"
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The app against `database_url`, headless on a free port, until the block ends; started by
    `launcher` (with `ui.serve`, ready once its modules are imported, as a user arriving later sees it)."""
    port = free_port()
    env = {**os.environ, "VOC_DATABASE_URL": database_url, "VOC_DATA_DIR": str(data_dir), "VOC_MODE": "local"}
    output = data_dir.with_name(f"{data_dir.name}-app.log")
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, *LAUNCHERS[launcher], f"--server.port={port}", "--server.headless=true",
             "--browser.gatherUsageStats=false"],
            cwd=_common.REPO, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{address}/_stcore/health", timeout=2) as answer:
                if answer.status == 200 and (launcher != "ui.serve" or serve.warmed_up(output.read_text())):
                    break
            time.sleep(0.3)
        else:
            raise SystemExit("the app did not start within 60 s")
        yield address, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def first_page(address: str) -> Iterator[tuple[Any, float]]:
    """Chromium at 1440×900 on the app's address: the tab, and the seconds until it was ready."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        tab = browser.new_page(viewport={"width": 1440, "height": 900})
        began = time.perf_counter()
        tab.goto(address)
        _wait_until_ready(tab)
        yield tab, time.perf_counter() - began
        browser.close()


def page_seconds(address: str, rounds: int) -> dict[str, list[float]]:
    """Seconds to ready for each page, reached as a user does (a click in the sidebar): the first
    visit, then `rounds - 1` more. The app's own first load is timed as "first load"."""
    timings: dict[str, list[float]] = {page: [] for page in ("first load", *PAGES)}
    with first_page(address) as (tab, seconds):
        timings["first load"].append(seconds)
        tab.evaluate(_WATCH_RUNS)
        for _ in range(rounds):
            for page in PAGES:
                clicked = tab.evaluate("performance.now()")
                began = time.perf_counter()
                tab.locator(f'[data-testid="stSidebarNav"] a[href$="/{page}"]').click()
                tab.wait_for_function(f"location.pathname.endsWith('/{page}')", timeout=120_000)
                tab.wait_for_function(_run_finished_since(clicked), timeout=120_000)
                timings[page].append(time.perf_counter() - began)
    return timings


# Every change of Streamlit's script state, with its time: a run that starts and finishes between
# two looks of `wait_for_selector` is still seen finishing. (Waiting for "running" first cost up to
# its 1.5 s timeout whenever a fast run had finished before the look: 1 s "warm" visits.)
_WATCH_RUNS = """() => {
  window.__vocRuns = [];
  new MutationObserver(changes => changes.forEach(change => window.__vocRuns.push(
    [performance.now(), change.target.getAttribute('data-test-script-state')]
  ))).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def _run_finished_since(clicked: float) -> str:
    """A run finished after the click; or no change at all for 1.5 s and the state idle."""
    return f"""() => window.__vocRuns.some(([at, state]) => at > {clicked} && state === 'notRunning')
      || (performance.now() - {clicked} > 1500 && !window.__vocRuns.some(([at]) => at > {clicked})
          && document.querySelector('[data-test-script-state="notRunning"]') !== null)"""


def first_load_seconds(database_url: str, data_dir: Path, launcher: str) -> float:
    """The first page of a freshly started app, as `page_seconds` times it."""
    with running_app(database_url, data_dir, launcher) as (address, _), first_page(address) as (_, seconds):
        return seconds


def _wait_until_ready(tab: Any) -> None:
    """Streamlit has started the script run and finished it (the page is drawn)."""
    with contextlib.suppress(Exception):  # a fast run may finish before we look
        tab.wait_for_selector('[data-test-script-state="running"]', timeout=1_500)
    tab.wait_for_selector('[data-test-script-state="notRunning"]', timeout=120_000)


def measure(label: str, database_url: str, data_dir: Path, rounds: int) -> tuple[dict[str, list[float]], float]:
    with running_app(database_url, data_dir) as (address, process):
        timings = page_seconds(address, rounds)
        memory = rss_mb(process.pid)
    print(f"   {label}: app RSS after every page {memory:,.0f} MB", flush=True)
    return timings, memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000, help="items to build (default 100,000)")
    parser.add_argument("--database-url", help="measure an existing database instead of building one")
    parser.add_argument("--rounds", type=int, default=3, help="visits per page (the first is cold)")
    parser.add_argument("--starts", type=int, default=3, help="app starts per launcher for the first page")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        _common.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        empty_url = f"sqlite:///{root}/empty.db"
        Store.from_url(empty_url).engine.dispose()
        if args.database_url:
            url, size = args.database_url, "an existing database"
        else:
            url, size = f"sqlite:///{root}/scale.db", f"{args.items:,} items"
            store = Store.from_url(url)
            print(f"building {size} through the save path", flush=True)
            scale.build(store, args.items)
            store.engine.dispose()
        print("\nmeasuring (Chromium 1440×900)", flush=True)
        empty, empty_rss = measure("empty database", empty_url, root / "empty-data", args.rounds)
        full, full_rss = measure(size, url, root / "scale-data", args.rounds)
        print(f"\nthe first page after a start ({size}), {args.starts} starts each", flush=True)
        starts: dict[str, list[float]] = {launcher: [] for launcher in LAUNCHERS}
        for _ in range(args.starts):
            for launcher in LAUNCHERS:
                starts[launcher].append(first_load_seconds(url, root / "start-data", launcher))
    print(f"\n| page | empty: first / warm | {size}: first / warm | ratio (warm) |")
    print("|---|---|---|---|")
    for page in ("first load", *PAGES):
        e_first, e_warm = empty[page][0], statistics.median(empty[page][1:] or empty[page])
        f_first, f_warm = full[page][0], statistics.median(full[page][1:] or full[page])
        print(
            f"| {page} | {e_first:.2f} s / {e_warm:.2f} s | {f_first:.2f} s / {f_warm:.2f} s | {f_warm / e_warm:.1f}x |"
        )
    print(f"\napp RSS: empty {empty_rss:,.0f} MB, {size} {full_rss:,.0f} MB (target 400 MB)")
    plain, served = (statistics.median(starts[launcher]) for launcher in LAUNCHERS)
    print(
        f"first page after a start, median: `streamlit run` {plain:.2f} s, `ui.serve` {served:.2f} s "
        f"({served / plain:.2f}x); each: {starts}"
    )


if __name__ == "__main__":
    main()
