"""What the guarded HTTP session costs and what it saves, against a plain requests session.

Against a loopback server, in the same run:

- an ordinary 2 MB gzip-compressed feed fetched 30 times: seconds per fetch, guarded / plain;
- a gzip bomb (128 MB of zeros, about 128 KB on the wire): peak Python memory, plain / guarded;
- a body dripped one byte every 0.2 s (60 bytes): seconds until the fetch returns, plain / guarded
  (deadline 2 s; the plain session's 30 s read timeout never trips);
- a 10 MB feed of 40,000 items parsed: seconds, feedparser on the whole body / `parse_feed`, which
  reads the first and last READ_AT_EACH_END entries and counts the rest (the time the source's
  polling thread spends after its download).

Run: `python bench/sources.py`.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import threading
import time
import tracemalloc
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import _common  # noqa: F401 - puts the repository on sys.path
import feedparser
import requests

from listeners.feeds import READ_AT_EACH_END, parse_feed
from listeners.http import GuardedSession, Limits, ResponseTooLarge

FEED = gzip.compress(b"<rss><channel>" + b"<item><title>Northwind outage</title></item>" * 48_000 + b"</channel></rss>")
BOMB = gzip.compress(b"\0" * (128 * 1024 * 1024), compresslevel=9)
DRIP = b"x" * 60


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", str(len(DRIP)))
            self.end_headers()
            for byte in DRIP:
                time.sleep(0.2)
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return
            return
        body = FEED if self.path == "/feed" else BOMB
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    with contextlib.suppress(requests.RequestException, ResponseTooLarge):
        fn()
    return time.perf_counter() - start


def peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    with contextlib.suppress(requests.RequestException, ResponseTooLarge):
        fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024 / 1024


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    plain = requests.Session()
    guarded = GuardedSession(Limits(deadline_s=2.0, max_bytes=10 * 1024 * 1024))
    feed_guarded = GuardedSession(Limits(deadline_s=30.0, max_bytes=10 * 1024 * 1024))
    try:
        runs = 30
        plain_s = sum(seconds(lambda: plain.get(f"{base}/feed", timeout=(5, 30)).content) for _ in range(runs)) / runs
        guarded_s = sum(seconds(lambda: feed_guarded.get(f"{base}/feed").content) for _ in range(runs)) / runs
        print(
            f"2 MB gzip feed: plain {plain_s * 1000:.1f} ms, guarded {guarded_s * 1000:.1f} ms "
            f"(guarded/plain {guarded_s / plain_s:.2f}x)"
        )
        plain_mb = peak_mb(lambda: plain.get(f"{base}/bomb", timeout=(5, 30)).content)
        guarded_mb = peak_mb(lambda: guarded.get(f"{base}/bomb").content)
        print(
            f"gzip bomb ({len(BOMB) // 1024} KB -> 128 MB): peak plain {plain_mb:.0f} MB, guarded {guarded_mb:.1f} MB "
            f"(plain/guarded {plain_mb / guarded_mb:.0f}x)"
        )
        plain_drip = seconds(lambda: plain.get(f"{base}/drip", timeout=(5, 30)).content)
        guarded_drip = seconds(lambda: guarded.get(f"{base}/drip").content)
        print(
            f"dripped body (1 byte / 0.2 s): plain returns after {plain_drip:.1f} s, guarded after "
            f"{guarded_drip:.1f} s (deadline 2 s; plain/guarded {plain_drip / guarded_drip:.1f}x)"
        )
    finally:
        server.shutdown()
        server.server_close()
    long_feed_parse()


def long_feed_parse() -> None:
    item = (
        "<item><title>Northwind outage and refund {n}</title><link>https://forum.example/t/{n}</link>"
        "<description>&lt;p&gt;Customers report &lt;b&gt;no signal&lt;/b&gt; again ({n})&lt;/p&gt;</description>"
        "<pubDate>Mon, 23 Nov 2026 09:10:00 GMT</pubDate></item>"
    )
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Forum</title>'
        + "".join(item.format(n=n) for n in range(40_000))
        + "</channel></rss>"
    ).encode()
    headers = {"content-type": "application/rss+xml"}
    whole = seconds(lambda: feedparser.parse(io.BytesIO(body), response_headers=headers))
    ends = seconds(lambda: parse_feed(body, headers))
    print(
        f"{len(body) / 1024 / 1024:.1f} MB feed of 40,000 items: feedparser on the whole body {whole:.1f} s, "
        f"parse_feed (both ends, {2 * READ_AT_EACH_END:,} entries) {ends:.2f} s (whole/ends {whole / ends:.0f}x)"
    )


if __name__ == "__main__":
    main()
