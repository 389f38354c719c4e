"""Loopback stand-ins for a feed host and a Mastodon instance, for tests that run the real runner.

`FeedServer` serves one feed's bytes with an ETag and answers `If-None-Match` with 304, as real
feed hosts do. `FakeMastodon` serves `/api/v2/instance` and a hashtag timeline that honours
`min_id` the documented way (the `limit` posts *immediately newer* than it, newest first). Both
count what they served. `FakeBluesky` is an httpx `MockTransport` handler answering XRPC methods
from queues. Payloads come from tests/fixtures/; every account in them is made up.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_bytes(folder: str, name: str) -> bytes:
    return (FIXTURES / folder / name).read_bytes()


def fixture_json(folder: str, name: str) -> Any:
    return json.loads((FIXTURES / folder / name).read_text(encoding="utf-8"))


class _Server:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, query: dict[str, str], headers: Any) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parsed = urlparse(self.path)
                query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
                with outer.lock:
                    outer.hits[parsed.path] += 1
                status, headers, body = outer.answer(parsed.path, query, self.headers)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


class FeedServer(_Server):
    """One feed at /feed.xml with an ETag; `body` can be swapped while it runs."""

    def __init__(self, body: bytes, content_type: str = "application/atom+xml; charset=utf-8") -> None:
        super().__init__()
        self.body = body
        self.content_type = content_type
        self.not_modified = 0

    @property
    def feed_url(self) -> str:
        return f"{self.url}/feed.xml"

    def answer(self, path: str, query: dict[str, str], headers: Any) -> tuple[int, dict[str, str], bytes]:
        if path != "/feed.xml":
            return 404, {"Content-Type": "text/plain"}, b"not found"
        etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
        if headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": self.content_type, "ETag": etag}, self.body


class FakeMastodon(_Server):
    """A Mastodon instance with one hashtag timeline, paged forward with `min_id`."""

    def __init__(self, statuses: list[dict[str, Any]], tag: str = "northwind") -> None:
        super().__init__()
        self.tag = tag
        self.statuses = sorted(copy.deepcopy(statuses), key=lambda s: int(s["id"]), reverse=True)
        self.served: Counter[str] = Counter()

    def answer(self, path: str, query: dict[str, str], headers: Any) -> tuple[int, dict[str, str], bytes]:
        json_type = {"Content-Type": "application/json; charset=utf-8"}
        if path.rstrip("/") == "/api/v2/instance":
            instance = fixture_json("mastodon", "instance_v2.json")
            return 200, json_type, json.dumps(instance).encode()
        if path == f"/api/v1/timelines/tag/{self.tag}":
            limit = int(query.get("limit", 20))
            min_id = int(query.get("min_id", 0))
            newer = [s for s in self.statuses if int(s["id"]) > min_id]
            page = newer[-limit:]  # immediately newer than min_id: the oldest of them, newest first
            with self.lock:
                self.served.update(s["id"] for s in page)
            return 200, json_type, json.dumps(page).encode()
        return 404, json_type, json.dumps({"error": "Record not found"}).encode()


# ---- Bluesky ----------------------------------------------------------------------------------

HANDLE = "northwind.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def jwt(payload: dict[str, Any]) -> str:
    """A token shaped like the PDS's: atproto reads its expiry, nobody checks its signature here."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part(payload)}.c2lnbmF0dXJl"


SESSION = {
    "accessJwt": jwt({"scope": "com.atproto.appPass", "sub": "did:plc:brand", "iat": 1795000000, "exp": 4102444800}),
    "refreshJwt": jwt({"scope": "com.atproto.refresh", "sub": "did:plc:brand", "exp": 4102444800}),
    "handle": HANDLE,
    "did": "did:plc:brand",
    "active": True,
}


class FakeBluesky:
    """Answers XRPC calls by method name from queues of responses, and records every request."""

    def __init__(self) -> None:
        self.answers: dict[str, list[Answer]] = {
            "com.atproto.server.createSession": [httpx.Response(200, json=SESSION)]
        }
        self.requests: list[httpx.Request] = []

    def add(self, method: str, answer: Answer) -> None:
        self.answers.setdefault(method, []).append(answer)

    def calls(self, method: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith(method)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        method = request.url.path.rsplit("/", 1)[-1]
        queue = self.answers.get(method) or []
        if not queue:
            return httpx.Response(501, json={"error": "MethodNotImplemented", "message": method})
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        return answer(request) if callable(answer) else answer


# ---- a server that misbehaves on purpose -----------------------------------------------------

Fault = Callable[[BaseHTTPRequestHandler], None]


class FaultServer:
    """A loopback server whose answer on each path the test sets (and may change while it runs):
    any status, headers and body; a body dripped a byte at a time; a body streamed without a
    length until the client hangs up; a redirect to itself. It counts the body bytes it wrote."""

    def __init__(self) -> None:
        self.routes: dict[str, Fault] = {}
        self.body_bytes_sent: Counter[str] = Counter()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._route()

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self._route()

            def _route(self) -> None:
                path = urlparse(self.path).path
                fault = outer.routes.get(path)
                if fault is None:
                    outer.send(self, 404, b"not found", {"Content-Type": "text/plain"})
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    fault(self)  # the client may give up half-way, which is what most faults are for

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def _count(self, handler: BaseHTTPRequestHandler, size: int) -> None:
        with self.lock:
            self.body_bytes_sent[urlparse(handler.path).path] += size

    def send(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None
    ) -> None:
        handler.send_response(status)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        self._count(handler, len(body))

    # Faults, each a function of the request handler:

    def answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> Fault:
        return lambda handler: self.send(handler, status, body, headers)

    def drip(
        self, body: bytes, every_s: float, content_type: str = "application/rss+xml", *, length: bool = True
    ) -> Fault:
        """Headers at once, then one byte every `every_s` seconds (a slow-loris answer), with or
        without a Content-Length."""

        def fault(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            if length:
                handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.flush()
            for index in range(len(body)):
                if self.stopping.wait(every_s):
                    return
                handler.wfile.write(body[index : index + 1])
                handler.wfile.flush()
                self._count(handler, 1)

        return fault

    def cut_off(self, body: bytes, announced: int) -> Fault:
        """A Content-Length of `announced`, then only `body`, then the connection closes."""

        def fault(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            handler.send_header("Content-Length", str(announced))
            handler.end_headers()
            handler.wfile.write(body)
            handler.wfile.flush()
            handler.close_connection = True

        return fault

    def drip_headers(self, every_s: float) -> Fault:
        """A status line at once, then a header one byte every `every_s` seconds."""

        def fault(handler: BaseHTTPRequestHandler) -> None:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
            handler.wfile.flush()
            for byte in b"X-Slow: " + b"z" * 1000:
                if self.stopping.wait(every_s):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()

        return fault

    def endless(self, total: int, content_type: str = "application/rss+xml") -> Fault:
        """`total` bytes with no Content-Length (HTTP/1.0: the body ends when the connection does)."""

        def fault(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.end_headers()
            chunk = b"<item>" + b"x" * 65_530
            sent = 0
            while sent < total and not self.stopping.is_set():
                handler.wfile.write(chunk)
                sent += len(chunk)
                self._count(handler, len(chunk))

        return fault

    def redirect_to(self, location: str) -> Fault:
        return lambda handler: self.send(handler, 302, b"", {"Location": location})
