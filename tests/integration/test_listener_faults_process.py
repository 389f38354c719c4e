"""`python -m listeners` as real processes against local servers: a stalled source never holds the
others back and SIGTERM still stops the process within seconds; a process SIGKILLed again and
again in the middle of long pages loses nothing and duplicates nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.local_sources import FeedServer, fixture_bytes
from voc.store.facade import Store

ROOT = Path(__file__).resolve().parents[2]


def long_feed(entries: int) -> bytes:
    """An Atom feed of `entries` distinct posts, newest first, as a busy Google Alert would be."""
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom"><id>tag:example.org,2026:backlog</id>',
        "<title>Backlog</title><updated>2026-11-23T12:00:00Z</updated>",
    ]
    for number in range(entries):
        at = (start - timedelta(minutes=number)).strftime("%Y-%m-%dT%H:%M:%SZ")
        text = escape(f"Report {number}: Northwind Mobile signal lost in district {number} since this morning")
        parts.append(
            f"<entry><id>tag:example.org,2026:post-{number}</id><title>{text}</title>"
            f'<link href="https://news.example.org/post/{number}"/>'
            f'<updated>{at}</updated><content type="text">{text}</content></entry>'
        )
    parts.append("</feed>")
    return "\n".join(parts).encode()


class TricklingServer:
    """Sends a 200 and its headers at once, then one byte every half second, never finishing."""

    def __init__(self) -> None:
        self.requests = 0
        self.stopping = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                try:
                    while not outer.stopping.wait(0.5):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                except OSError:  # the listener hung up
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def feed_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/feed.xml"

    def __enter__(self) -> TricklingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    url = f"sqlite:///{tmp_path}/voc.db"
    env = {
        **os.environ,
        "VOC_DATABASE_URL": url,
        "VOC_DATA_DIR": str(tmp_path / "data"),
        "VOC_DEMO_FEED": "off",
        "VOC_PRECISE_PASS_BATCH": "0",  # the precise pass is not what these tests are about
        "VOC_RUNNER_TICK_SECONDS": "0.2",
    }
    yield url, env


def start_listeners(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "listeners"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, seconds: float, every: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def test_a_stalled_source_never_holds_back_the_others_and_sigterm_stops_the_process(
    workspace: tuple[str, dict[str, str]],
) -> None:
    url, env = workspace
    env = {**env, "VOC_SOURCE_REQUEST_TIMEOUT_S": "120"}  # the stalled poll outlasts the whole test
    store = Store.from_url(url)
    with TricklingServer() as slow, FeedServer(fixture_bytes("feeds", "google_alerts.xml")) as quick:
        store.ensure_source("stalled", "feed", {"url": slow.feed_url}, poll_interval_s=1)
        store.ensure_source("quick", "feed", {"url": quick.feed_url}, poll_interval_s=0.5)
        process = start_listeners(env)
        try:
            assert wait_for(lambda: slow.requests >= 1, 30), "the stalled source was never polled"
            stalled_at = quick.hits["/feed.xml"]
            # While the stalled poll hangs, the quick source keeps being polled, again and again.
            assert wait_for(lambda: quick.hits["/feed.xml"] >= stalled_at + 4, 30)
            assert slow.requests == 1  # a source still being polled is not started again
            assert store.count_items("quick") == 2
            now = datetime.now(UTC)
            beats = {s.name: s.heartbeat_at for s in store.sources()}
            # Its lease is held and beaten: the stalled source does not look stale meanwhile.
            assert all(at is not None and (now - at).total_seconds() < 5 for at in beats.values()), beats
        finally:
            asked_at = time.monotonic()
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=30)
            stopped_after = time.monotonic() - asked_at
    assert process.returncode == 0, output
    assert "stopped cleanly" in output
    assert "not waiting longer for stalled" in output
    # The grace is 3 s; the stalled request would have run for 120 s: the stop did not wait for it.
    assert stopped_after < 15, f"stopping took {stopped_after:.1f} s"
    assert all(s.lease_owner is None for s in store.sources())
    store.engine.dispose()


def test_repeated_sigkills_during_long_pages_lose_nothing_and_duplicate_nothing(
    workspace: tuple[str, dict[str, str]],
) -> None:
    url, env = workspace
    entries = 3000
    env = {**env, "VOC_RUNNER_CHUNK_ITEMS": "100"}
    store = Store.from_url(url)
    with FeedServer(long_feed(entries)) as feed:
        store.ensure_source("backlog", "feed", {"url": feed.feed_url}, poll_interval_s=60)
        killed_mid_page = []
        for _ in range(4):
            before = store.count_items("backlog")
            if before >= entries:
                break
            process = start_listeners(env)
            # Each restart takes over the dead process's lease at once (not after its 90 s) and
            # commits at least one more chunk before it is killed.
            progressed = wait_for(lambda: store.count_items("backlog") > before, 60, every=0.02)  # noqa: B023
            process.kill()
            process.wait()
            assert progressed, f"no progress after a restart:\n{process.stdout.read() if process.stdout else ''}"
            at_kill = store.count_items("backlog")
            if at_kill < entries:
                killed_mid_page.append(at_kill)
        assert len(killed_mid_page) >= 2, killed_mid_page
        process = start_listeners(env)
        try:
            assert wait_for(lambda: store.count_items("backlog") >= entries, 90, every=0.2)
            assert wait_for(lambda: (store.source("backlog").cursor or "") != "", 30)  # type: ignore[union-attr]
        finally:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=30)

    with store.read() as connection:
        ids = [row[0] for row in connection.exec_driver_sql("SELECT external_id FROM items")]
    assert len(ids) == entries and len(set(ids)) == entries
    assert {i for i in ids} == {f"https://news.example.org/post/{n}" for n in range(entries)}
    assert store.source("backlog").items_total == entries  # type: ignore[union-attr]
    store.engine.dispose()
