"""One hardened HTTP session for every `requests`-based source: a deadline, a size limit, few redirects.

A socket timeout alone does not bound a request: a server that sends its headers, then one byte
every two seconds, never trips a 30 s read timeout and held the runner for its whole window. So
every request made through `GuardedSession` (feeds, App Store reviews, X through tweepy, Reddit
through prawcore, Mastodon through Mastodon.py) has:

- a **total deadline** (`Limits.deadline_s`, the source's request timeout): the body is streamed
  chunk by chunk (`read1`, whatever arrives) and the monotonic clock is checked after each chunk,
  with the socket's own timeout lowered to what is left of the deadline; a watchdog timer shuts
  the connection at the deadline, so dripped headers are cut too; redirects share the deadline;
- a **size limit** (`Limits.max_bytes`, `VOC_SOURCE_MAX_RESPONSE_MB`, 10 MB by default) counted
  on the *decompressed* bytes: gzip and deflate are decoded here, step by step with a cap on each
  step's output, so a gzip bomb stops at the limit instead of taking the process to gigabytes;
  other content encodings are not asked for (`Accept-Encoding: gzip, deflate`);
- **few redirects** (`Limits.max_redirects`, 5): a redirect loop ends as requests' `TooManyRedirects`.

`GuardedTransport` gives an httpx client (atproto's, for Bluesky) the same deadline, size limit
and decompression guard, and `GuardedHttp` gives them to google-api-python-client (Google Play),
which otherwise talks through httplib2 with only a socket timeout.

Failures are raised as `requests` exceptions (`ResponseTooLarge`, `DeadlineExceeded`) so every
client passes them up the way it passes any network error, and `listeners.errors.classify`
turns them into the message the Sources page shows. No Streamlit import here.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import types
import zlib
from dataclasses import dataclass
from typing import Any

import httplib2
import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

DEFAULT_DEADLINE_S = 30.0
DEFAULT_MAX_MB = 10.0
MAX_REDIRECTS = 5
CONNECT_TIMEOUT_S = 5.0
CHUNK = 64 * 1024  # compressed bytes read at a time; each step's output is capped separately
ACCEPT_ENCODING = "gzip, deflate"  # only encodings decoded here under the size limit


class ResponseTooLarge(requests.RequestException):
    """The body (after decompression) passed the size limit; reading stopped there."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"the response was larger than {megabytes(limit_bytes)}")
        self.limit_bytes = limit_bytes


class DeadlineExceeded(requests.Timeout):
    """The whole request (connect, redirects, headers, body) took longer than its deadline."""

    def __init__(self, deadline_s: float) -> None:
        super().__init__(f"the answer did not arrive in full within {deadline_s:.0f} s")
        self.deadline_s = deadline_s


class UnreadableEncoding(requests.RequestException):
    """A body compressed in a way not asked for, or corrupt compressed data."""


def megabytes(size: int) -> str:
    """A byte count as the user reads it: `10 MB`, `0.5 MB`."""
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 1 and value == int(value) else f"{value:.1f} MB"


@dataclass(frozen=True)
class Limits:
    """How long one request may take, how large its answer may be, how many redirects it follows."""

    deadline_s: float = DEFAULT_DEADLINE_S
    max_bytes: int = int(DEFAULT_MAX_MB * 1024 * 1024)
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def of(cls, deadline_s: float, max_response_mb: float = DEFAULT_MAX_MB) -> Limits:
        """Limits from the settings' figures (seconds, megabytes)."""
        return cls(deadline_s=max(float(deadline_s), 1.0), max_bytes=max(int(max_response_mb * 1024 * 1024), 1024))


class _InUse:
    """The connection a request on this thread is using, for the watchdog to cut at the deadline."""

    def __init__(self) -> None:
        self.connection: Any = None
        self.cut = False

    def cut_now(self) -> None:
        sock = getattr(self.connection, "sock", None)
        if sock is None:
            return  # still connecting: the connect timeout bounds that
        self.cut = True
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # the blocked read returns at once


_IN_USE = threading.local()


class _TracksConnection(HTTPConnectionPool):
    """Hands the connection a request takes to the thread's holder, so a deadline can shut it."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)
        holder = getattr(_IN_USE, "holder", None)
        if holder is not None:
            holder.connection = connection
        return connection


class _TrackedHTTPPool(_TracksConnection):
    pass


class _TrackedHTTPSPool(_TracksConnection, HTTPSConnectionPool):
    pass


class GuardedAdapter(HTTPAdapter):
    """An adapter that always streams and reads the body itself, under the deadline and the size limit.

    A watchdog timer cuts the connection at the deadline, so even a server that drips its status
    line or headers (which a socket timeout bounds only per read) cannot hold a request longer.
    """

    def __init__(self, limits: Limits, deadlines: threading.local) -> None:
        super().__init__()
        self.limits = limits
        self._deadlines = deadlines

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _TrackedHTTPPool, "https": _TrackedHTTPSPool}

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        deadline = getattr(self._deadlines, "at", None) or time.monotonic() + self.limits.deadline_s
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded(self.limits.deadline_s)
        connect, read = _split(timeout)
        bounded = (min(connect or CONNECT_TIMEOUT_S, remaining), min(read or remaining, remaining))
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        holder = _IN_USE.holder = _InUse()
        watchdog = threading.Timer(remaining, holder.cut_now)
        watchdog.daemon = True
        watchdog.start()
        try:
            try:
                response = super().send(
                    request, stream=True, timeout=bounded, verify=verify, cert=cert, proxies=proxies
                )
            except requests.RequestException as error:
                if holder.cut:
                    raise DeadlineExceeded(self.limits.deadline_s) from error
                raise
            try:
                body = read_body(response, deadline=deadline, limits=self.limits)
                if holder.cut:  # the watchdog's shutdown can read as a clean end of a body without a length
                    raise DeadlineExceeded(self.limits.deadline_s)
            except BaseException as error:
                response.close()
                if holder.cut and not isinstance(error, DeadlineExceeded):
                    raise DeadlineExceeded(self.limits.deadline_s) from error
                raise
        finally:
            watchdog.cancel()
            _IN_USE.holder = None
        response._content = body  # requests' own cache: .content, .text and .json() read it
        response._content_consumed = True
        release = getattr(response.raw, "release_conn", None)
        if callable(release):
            release()
        return response


class GuardedSession(requests.Session):
    """A requests session whose every call has a total deadline, a size limit and few redirects.

    `default_timeout` fills in a socket timeout where a client passes none (tweepy); the deadline
    applies whatever the client passed.
    """

    def __init__(self, limits: Limits | None = None, default_timeout: Any = None) -> None:
        super().__init__()
        self.limits = limits or Limits()
        self.default_timeout = default_timeout or (
            min(CONNECT_TIMEOUT_S, self.limits.deadline_s),
            self.limits.deadline_s,
        )
        self.max_redirects = self.limits.max_redirects
        self._deadlines = threading.local()
        adapter = GuardedAdapter(self.limits, self._deadlines)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        outer = getattr(self._deadlines, "at", None)
        if outer is None:  # the first hop sets the deadline; redirects run inside it
            self._deadlines.at = time.monotonic() + self.limits.deadline_s
        try:
            return super().request(method, url, *args, **kwargs)
        finally:
            if outer is None:
                self._deadlines.at = None


def read_body(response: requests.Response, *, deadline: float, limits: Limits) -> bytes:
    """The whole body, decompressed, or `DeadlineExceeded` / `ResponseTooLarge` as soon as one is due."""
    raw = response.raw
    declared = response.headers.get("Content-Length", "")
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if declared.isdigit() and encoding in ("", "identity") and int(declared) > limits.max_bytes:
        raise ResponseTooLarge(limits.max_bytes)  # said up front: do not read it at all
    decoder = _Decoder(encoding)
    out = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded(limits.deadline_s)
        _lower_socket_timeout(raw, remaining)
        try:
            chunk = raw.read1(CHUNK, decode_content=False) if hasattr(raw, "read1") else raw.read(CHUNK)
        except Exception as error:
            if time.monotonic() >= deadline:
                raise DeadlineExceeded(limits.deadline_s) from error
            raise requests.exceptions.ChunkedEncodingError(f"the answer was cut off part-way ({error})") from error
        out += decoder.feed(chunk, limits.max_bytes - len(out)) if chunk else decoder.finish()
        if len(out) > limits.max_bytes:
            raise ResponseTooLarge(limits.max_bytes)
        if not chunk:
            return bytes(out)


class _Decoder:
    """gzip / deflate decoding where each step's output is capped, so no single step can explode."""

    def __init__(self, encoding: str) -> None:
        if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise UnreadableEncoding(f"the answer was compressed as {encoding!r}, which was not asked for")
        self.encoding = encoding
        self._inflate: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, chunk: bytes, room: int) -> bytes:
        """Decoded bytes of `chunk`, at most `room + 1` of them (one more than fits tells the caller)."""
        if not self.encoding or self.encoding == "identity":
            return chunk
        if self._inflate is None:  # deflate: zlib-wrapped as the standard says, or raw as some servers send
            wrapped = len(chunk) >= 2 and chunk[0] & 0x0F == 8 and (chunk[0] << 8 | chunk[1]) % 31 == 0
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        out = bytearray()
        data = chunk
        while data and len(out) <= room:
            try:
                out += self._inflate.decompress(data, room - len(out) + 1)
            except zlib.error as error:
                raise UnreadableEncoding(f"the compressed answer is corrupt ({error})") from None
            data = self._inflate.unconsumed_tail
            if self._inflate.eof and self._inflate.unused_data[:2] == b"\x1f\x8b":
                data = self._inflate.unused_data  # a second gzip member follows
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return bytes(out)

    def finish(self) -> bytes:
        if self._inflate is None:
            return b""
        try:
            return bytes(self._inflate.flush())
        except zlib.error as error:
            raise UnreadableEncoding(f"the compressed answer is corrupt ({error})") from None


def _split(timeout: Any) -> tuple[float | None, float | None]:
    if isinstance(timeout, tuple):
        connect, read = (timeout + (None, None))[:2]
        return connect, read
    if isinstance(timeout, (int, float)):
        return float(timeout), float(timeout)
    total = getattr(timeout, "total", None)  # urllib3's Timeout
    return (total, total) if isinstance(total, (int, float)) else (None, None)


def _lower_socket_timeout(raw: Any, remaining: float) -> None:
    """Make the next socket read give up when the deadline does (urllib3 keeps the connection on `raw`)."""
    sock = getattr(getattr(raw, "_connection", None), "sock", None)
    if sock is None or not hasattr(sock, "settimeout"):
        return  # a stand-in response (tests) or a connection already gone
    try:
        current = sock.gettimeout()
        sock.settimeout(remaining if current is None else min(current, remaining))
    except OSError:
        pass


class GuardedTransport(httpx.BaseTransport):
    """The same deadline, size limit and decompression guard for httpx clients (atproto's Bluesky client).

    The body is read here, raw, chunk by chunk as it arrives, and handed on decoded, so the
    client above never decompresses or buffers more than the limit. As for requests, a watchdog
    cuts the connection at the deadline, so a server dripping its status line or headers (each
    read within httpx's timeout, their sum unbounded) is abandoned on time: the socket is taken
    from httpcore's trace of the connect, and connections are not kept alive, so every request
    connects and can be cut.
    """

    def __init__(self, limits: Limits, inner: httpx.BaseTransport | None = None) -> None:
        self.limits = limits
        self.inner = inner or httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self.limits.deadline_s
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        holder = _InUse()
        request.extensions["trace"] = _socket_tracer(holder, request.extensions.get("trace"))
        watchdog = threading.Timer(self.limits.deadline_s, holder.cut_now)
        watchdog.daemon = True
        watchdog.start()
        try:
            try:
                response = self.inner.handle_request(request)
            except httpx.TransportError as error:
                if holder.cut:
                    raise DeadlineExceeded(self.limits.deadline_s) from error
                raise
            try:
                out = self._read(response, deadline)
            except httpx.TransportError as error:
                if holder.cut:
                    raise DeadlineExceeded(self.limits.deadline_s) from error
                raise
            finally:
                response.close()
            if holder.cut:  # the cut can read as a clean end of a body without a length
                raise DeadlineExceeded(self.limits.deadline_s)
        finally:
            watchdog.cancel()
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DECODED_HEADERS]
        return httpx.Response(
            response.status_code, headers=headers, content=out, request=request, extensions=response.extensions
        )

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and encoding in ("", "identity") and int(declared) > self.limits.max_bytes:
            raise ResponseTooLarge(self.limits.max_bytes)
        decoder = _Decoder(encoding)
        out = bytearray()
        for chunk in response.stream:  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                raise DeadlineExceeded(self.limits.deadline_s)
            out += decoder.feed(chunk, self.limits.max_bytes - len(out))
            if len(out) > self.limits.max_bytes:
                raise ResponseTooLarge(self.limits.max_bytes)
        out += decoder.finish()
        if len(out) > self.limits.max_bytes:
            raise ResponseTooLarge(self.limits.max_bytes)
        return bytes(out)

    def close(self) -> None:
        self.inner.close()


def _socket_tracer(holder: _InUse, previous: Any) -> Any:
    """An httpcore trace callback that hands the request's socket to the watchdog once connected."""

    def trace(event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                holder.connection = types.SimpleNamespace(sock=sock)
        if previous is not None:
            previous(event, info)

    return trace


_DECODED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class GuardedHttp:
    """An `httplib2.Http` stand-in that sends through a `GuardedSession` (google-api-python-client's `http=`).

    httplib2 bounds each socket read, not their sum, and reads a body of any size: a Play API or
    token server dripping its answer could hold the runner for ever. Here the deadline, the size
    limit, the decompression guard and the redirect cap are the ones every other client has. The
    answer is handed back as httplib2 gives it: a `Response` (a dict of lower-case headers with a
    `status`) and the decoded body; failures leave as `requests` exceptions, which the one
    classifier reads.
    """

    def __init__(self, limits: Limits | None = None, session: requests.Session | None = None) -> None:
        self.limits = limits or Limits()
        self.session = session or GuardedSession(self.limits)
        # Attributes google-auth-httplib2's AuthorizedHttp passes through to an httplib2.Http.
        self.timeout = self.limits.deadline_s
        self.follow_redirects = True
        self.redirect_codes = frozenset({300, 301, 302, 303, 307, 308})
        self.connections: dict[str, Any] = {}

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: Any = None,
        headers: dict[str, str] | None = None,
        redirections: int = MAX_REDIRECTS,
        connection_type: Any = None,
        **_: Any,
    ) -> tuple[httplib2.Response, bytes]:
        """httplib2's `request`: (response, content), under this session's deadline and size limit."""
        response = self.session.request(method, uri, data=body, headers=headers, allow_redirects=redirections > 0)
        info: dict[str, str] = {k.lower(): v for k, v in response.headers.items() if k.lower() not in _DECODED_HEADERS}
        info["status"] = str(response.status_code)
        answer = httplib2.Response(info)
        answer.reason = response.reason or ""
        return answer, response.content

    def close(self) -> None:
        self.session.close()
