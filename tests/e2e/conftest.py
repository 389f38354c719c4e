"""Browser tests: Playwright drives Debian's Chromium against a real `streamlit run`.

One server per session, on 127.0.0.1 and a free port, over a temporary SQLite database that the
real runner filled from the demo feed (the replay listeners). No `playwright install`: the
system Chromium is used, and without one the tests skip, or fail when VOC_REQUIRE_E2E=1.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from listeners.registry import build_listener, register_demo_sources
from listeners.runner import Runner
from ui import serve
from voc.settings import Settings
from voc.store.facade import Store
from voc.trends.spikes import late_hours, raise_spike_alerts

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 30.0


def find_chromium() -> str | None:
    for candidate in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system Chromium (never a downloaded browser) with the verified flags."""
    chromium = find_chromium()
    if chromium is None:
        reason = "no Chromium found (apt-get install chromium); browser tests need it"
        if os.environ.get("VOC_REQUIRE_E2E") == "1":
            pytest.fail(reason + " and VOC_REQUIRE_E2E=1")
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Wide enough for the app's wide layout; UTC so times read the same on every machine.
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}, "timezone_id": "UTC"}


@dataclass(frozen=True)
class DemoApp:
    url: str
    database_url: str
    log: Path  # the server's output

    def store(self) -> Store:
        return Store.from_url(self.database_url)

    def sources(self) -> list[str]:
        store = self.store()
        try:
            return [source.name for source in store.sources() if source.enabled]
        finally:
            store.engine.dispose()


def fill_from_demo_feed(database_url: str, data_dir: Path) -> int:
    """Run the real runner over the registered sources (the demo feed) until the back-fill is done."""
    settings = Settings.load({"VOC_DATABASE_URL": database_url, "VOC_DEMO_FEED": "on", "VOC_DATA_DIR": str(data_dir)})
    store = Store.from_url(database_url)
    register_demo_sources(store, settings)
    listeners = {source.name: build_listener(source, settings) for source in store.sources()}
    runner = Runner(store, listeners, owner="e2e-fixture")
    for _ in range(20):  # each poll stores up to 200 items per source; `more` makes the next one due
        if runner.run_once() == 0:
            break
    now = datetime.now(UTC)  # as the alert worker does after a back-fill: spikes in the past hours
    raise_spike_alerts(store, now=now, hours=late_hours(store, now=now, since=now - timedelta(days=1)))
    count = store.count_items()
    store.engine.dispose()
    return count


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.read().decode() == "ok":
                    break
        except OSError:
            pass
        time.sleep(0.2)
    else:
        pytest.fail(f"streamlit not healthy after {SERVER_START_TIMEOUT_S:.0f} s:\n{log.read_text()}")
    # Ready as a user finds it: `ui.serve` has imported the pages' modules and opened the database
    # (or said it could not). A browser arriving earlier races the warm-up for the CPU, and a page
    # drawn that slowly outlasts the assertions' waits on a loaded machine.
    while time.monotonic() < deadline and not serve.warmed_up(log.read_text()):
        time.sleep(0.2)


@contextmanager
def streamlit_server(
    folder: Path,
    database_url: str,
    request: pytest.FixtureRequest,
    *,
    env: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
    port: int | None = None,
) -> Iterator[str]:
    """`python -m ui.serve` (`streamlit run app.py`) on a loopback port (free unless given) over `database_url`; yields its URL.

    `env` adds variables (e.g. `VOC_MODE=team`); `secrets_file` replaces every secrets.toml location
    Streamlit would search (`--secrets.files`), so a test never reads or writes the repository's own.
    The server runs in its own process group, killed afterwards; its log is printed when a test failed.
    """
    port = port or free_port()
    log = folder / "streamlit.log"
    env = {
        **os.environ,
        "VOC_DATABASE_URL": database_url,
        "VOC_DATA_DIR": str(folder),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "ui.serve",  # `streamlit run app.py`, its modules imported while it starts (as `make run` starts it)
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--browser.gatherUsageStats=false",
    ]
    if secrets_file is not None:
        command.append(f"--secrets.files={secrets_file}")
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, log)
        yield url
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if request.session.testsfailed:
            print(f"\n---- streamlit log ({log}) ----\n{log.read_text()}")


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[DemoApp]:
    """`streamlit run app.py` over a database the demo feed filled; killed with its group after."""
    folder = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{folder}/voc.db"
    assert fill_from_demo_feed(database_url, folder) > 100
    with streamlit_server(folder, database_url, request) as url:
        yield DemoApp(url=url, database_url=database_url, log=folder / "streamlit.log")
