"""Every source fault of issue 17 against a loopback server that injects it, through the real clients.

A slow drip, a huge body, a gzip bomb, a redirect loop, every form of Retry-After, a 200 that is
an HTML page, JSON or nothing, a closed port, a host that does not resolve, then the server
healing. What is asserted is what the Sources page would show (the error's kind and message, the
wait before the next try), that the listener gives up within its deadline, and, behind the real
runner and store, that a healed source stores its items.
"""

from __future__ import annotations

import gzip
import json
import socket
import time
import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from listeners.base import ErrorKind, SourceError
from listeners.bluesky import build_bluesky_listener
from listeners.errors import MAX_WAIT_S, describe_unreachable
from listeners.feeds import FeedConfig, FeedListener
from listeners.http import Limits
from listeners.mastodon import build_mastodon_listener
from listeners.reddit import RedditConfig, RedditListener
from listeners.registry import build_listener
from listeners.reviews import build_review_listener
from listeners.runner import NOT_RETRYABLE_PAUSE, Runner
from listeners.x_recent import build_x_listener
from tests.local_sources import FIXTURES, HANDLE, SESSION, FaultServer, fixture_bytes, fixture_json
from voc.settings import Settings
from voc.sources.costs import Rates
from voc.store.facade import Store

MB = 1024 * 1024
LIMITS = Limits(deadline_s=2.0, max_bytes=1 * MB)
FEED = fixture_bytes("feeds", "google_alerts.xml")
GIVE_UP_WITHIN_S = LIMITS.deadline_s + 3.0  # the deadline, plus room for a loaded test machine


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


def feed(url: str, clock: Any, limits: Limits = LIMITS) -> FeedListener:
    return FeedListener("faulty-feed", FeedConfig(url=url, brand="Northwind Mobile"), limits=limits, clock=clock)


def failure(fetch: Any) -> tuple[SourceError, float]:
    """The error a fetch raised and how long it took."""
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        fetch()
    return caught.value, time.monotonic() - started


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---- a slow server never holds a source past its deadline -------------------------------------


@pytest.mark.parametrize("length", [True, False], ids=["with a length", "without a length"])
def test_a_slow_drip_is_abandoned_at_the_deadline(server: FaultServer, clock, length: bool) -> None:
    server.routes["/feed.xml"] = server.drip(FEED, every_s=0.2, length=length)  # the whole feed would take minutes
    error, took = failure(lambda: feed(f"{server.url}/feed.xml", clock).fetch(None))
    assert error.kind is ErrorKind.TRANSIENT and error.retryable
    assert "too slow" in error.message and "within 2 s" in error.message
    assert took < GIVE_UP_WITHIN_S


def test_headers_dripped_a_byte_at_a_time_are_cut_at_the_deadline_too(server: FaultServer, clock) -> None:
    server.routes["/feed.xml"] = server.drip_headers(every_s=0.2)  # each read returns in time; their sum never ends
    error, took = failure(lambda: feed(f"{server.url}/feed.xml", clock).fetch(None))
    assert error.kind is ErrorKind.TRANSIENT and "too slow" in error.message
    assert took < GIVE_UP_WITHIN_S


def every_client(base_url: str, clock: Any) -> dict[str, Any]:
    """One listener of each requests- or httpx-based kind, every one of them talking to `base_url`."""
    common: dict[str, Any] = {"default_brand": "Northwind Mobile", "timeout_s": LIMITS.deadline_s, "limits": LIMITS}
    app_store = build_review_listener("app_store_reviews", "ios", {"app_id": "1234567890"}, clock=clock, **common)
    app_store.host = base_url  # type: ignore[union-attr]
    return {
        "App Store": app_store,
        "Mastodon": build_mastodon_listener(
            "mastodon_hashtag",
            "tag",
            {"instance": base_url, "hashtag": "northwind"},
            token=None,
            token_instance="",
            clock=clock,
            **common,
        ),
        "X": build_x_listener(
            "x_search",
            "x",
            {"query": "northwind"},
            token="x-token-for-the-fault-suite-0123",
            rates=Rates(),
            base_url=base_url,
            clock=clock,
            **common,
        ),
        "Reddit": RedditListener(
            "reddit",
            "reddit_posts",
            RedditConfig.from_mapping({"subreddits": "Northwind"}, "Northwind Mobile"),
            client_id="client-id",
            client_secret="reddit-secret-for-the-fault-suite",
            user_agent="test",
            timeout_s=LIMITS.deadline_s,
            limits=LIMITS,
            oauth_url=base_url,
            reddit_url=base_url,
            clock=clock,
        ),
        "Bluesky": build_bluesky_listener(
            "bsky",
            {"query": "northwind"},
            handle=HANDLE,
            app_password="abcd-efgh-ijkl-mnop",
            service_url=base_url,
            clock=clock,
            **common,
        ),
        "Feed": feed(f"{base_url}/feed.xml", clock),
    }


def test_every_client_gives_up_on_a_slow_drip_within_its_deadline(server: FaultServer, clock) -> None:
    drip = server.drip(b'{"feed": {"entry": []}}' * 50, every_s=0.2, content_type="application/json")
    server.routes["/us/rss/customerreviews/page=1/id=1234567890/sortby=mostrecent/json"] = drip
    server.routes["/api/v1/timelines/tag/northwind"] = drip
    server.routes["/2/tweets/search/recent"] = drip
    server.routes["/api/v1/access_token"] = server.answer(
        200, json.dumps(fixture_json("reddit", "access_token.json")).encode(), {"Content-Type": "application/json"}
    )
    server.routes["/r/Northwind/new"] = drip
    server.routes["/xrpc/com.atproto.server.createSession"] = server.answer(
        200, json.dumps(SESSION).encode(), {"Content-Type": "application/json"}
    )
    server.routes["/xrpc/app.bsky.feed.searchPosts"] = drip
    server.routes["/feed.xml"] = drip
    for service, listener in every_client(server.url, clock).items():
        error, took = failure(lambda listener=listener: listener.fetch(None))
        assert error.kind is ErrorKind.TRANSIENT, (service, error.message)
        assert "too slow" in error.message, (service, error.message)
        assert took < GIVE_UP_WITHIN_S, (service, took)


def test_every_client_gives_up_on_dripped_headers_within_its_deadline(server: FaultServer, clock) -> None:
    # A socket timeout bounds each read, not their sum: Bluesky's httpx client once waited 203 s
    # here (until the server stopped), with a 2 s deadline.
    drip = server.drip_headers(every_s=0.2)
    server.routes["/us/rss/customerreviews/page=1/id=1234567890/sortby=mostrecent/json"] = drip
    server.routes["/api/v1/timelines/tag/northwind"] = drip
    server.routes["/2/tweets/search/recent"] = drip
    server.routes["/api/v1/access_token"] = server.answer(
        200, json.dumps(fixture_json("reddit", "access_token.json")).encode(), {"Content-Type": "application/json"}
    )
    server.routes["/r/Northwind/new"] = drip
    server.routes["/xrpc/com.atproto.server.createSession"] = server.answer(
        200, json.dumps(SESSION).encode(), {"Content-Type": "application/json"}
    )
    server.routes["/xrpc/app.bsky.feed.searchPosts"] = drip
    server.routes["/feed.xml"] = drip
    for service, listener in every_client(server.url, clock).items():
        error, took = failure(lambda listener=listener: listener.fetch(None))
        assert error.kind is ErrorKind.TRANSIENT, (service, error.message)
        assert "too slow" in error.message, (service, error.message)
        assert took < GIVE_UP_WITHIN_S, (service, took)


@pytest.mark.parametrize(
    ("base_url", "why"),
    [
        (None, "nothing accepts connections at that address (connection refused)"),
        ("http://no-such-host.invalid", "its host name does not resolve (no such host)"),
    ],
)
def test_every_client_says_plainly_that_an_address_does_not_answer(clock, base_url: str | None, why: str) -> None:
    for service, listener in every_client(base_url or f"http://127.0.0.1:{closed_port()}", clock).items():
        error, took = failure(lambda listener=listener: listener.fetch(None))
        assert error.kind is ErrorKind.TRANSIENT, (service, error.message)
        assert why in error.message, (service, error.message)
        assert "does not answer" in describe_unreachable(error.kind, error.message, 3), service
        assert took < GIVE_UP_WITHIN_S, (service, took)


def test_a_body_cut_off_part_way_is_transient_and_said(server: FaultServer, clock) -> None:
    server.routes["/feed.xml"] = server.cut_off(FEED[:100], announced=len(FEED))
    error, _ = failure(lambda: feed(f"{server.url}/feed.xml", clock).fetch(None))
    assert error.kind is ErrorKind.TRANSIENT and "the answer was cut off part-way" in error.message


# ---- sizes ---------------------------------------------------------------------------------------


def test_a_huge_body_announced_by_its_length_is_refused_unread(server: FaultServer, clock) -> None:
    server.routes["/feed.xml"] = server.answer(200, b"<rss>" + b"x" * (2 * MB), {"Content-Type": "application/rss+xml"})
    error, _ = failure(lambda: feed(f"{server.url}/feed.xml", clock).fetch(None))
    assert error.kind is ErrorKind.BAD_DATA and error.retryable
    assert "the response was larger than 1 MB" in error.message and "VOC_SOURCE_MAX_RESPONSE_MB" in error.message


def test_a_huge_body_without_a_length_stops_at_the_limit(server: FaultServer, clock) -> None:
    server.routes["/feed.xml"] = server.endless(200 * MB)
    error, took = failure(lambda: feed(f"{server.url}/feed.xml", clock).fetch(None))
    assert "the response was larger than 1 MB" in error.message
    time.sleep(0.2)  # let the server notice the hang-up
    assert server.body_bytes_sent["/feed.xml"] < 40 * MB  # read to the limit (plus socket buffers), not 200 MB


def test_a_gzip_bomb_stops_at_the_limit_without_inflating(server: FaultServer, clock) -> None:
    bomb = gzip.compress(b"<rss>" + b"\0" * (64 * MB), compresslevel=9)  # about 64 KB on the wire
    headers = {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
    server.routes["/feed.xml"] = server.answer(200, bomb, headers)
    listener = feed(f"{server.url}/feed.xml", clock)
    tracemalloc.start()
    try:
        error, _ = failure(lambda: listener.fetch(None))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.kind is ErrorKind.BAD_DATA and "the response was larger than 1 MB" in error.message
    assert peak < 16 * MB  # inflating it whole would have taken 64 MB


def test_a_gzipped_feed_within_the_limit_is_read(server: FaultServer, clock) -> None:
    headers = {"Content-Type": "application/atom+xml", "Content-Encoding": "gzip"}
    server.routes["/feed.xml"] = server.answer(200, gzip.compress(FEED), headers)
    assert len(feed(f"{server.url}/feed.xml", clock).fetch(None).items) == 2


# ---- redirects, Retry-After, answers that are not a feed ------------------------------------------


def test_a_redirect_loop_is_bounded_and_said(server: FaultServer, clock) -> None:
    server.routes["/feed.xml"] = server.redirect_to("/elsewhere.xml")
    server.routes["/elsewhere.xml"] = server.redirect_to("/feed.xml")
    error, took = failure(lambda: feed(f"{server.url}/feed.xml", clock).fetch(None))
    assert error.kind is ErrorKind.BAD_DATA
    assert "redirected more than 5 times" in error.message and "check the address" in error.message
    assert took < GIVE_UP_WITHIN_S


@pytest.mark.parametrize(
    ("status", "retry_after", "wait"),
    [
        (429, "120", 121.0),
        (429, "Mon, 23 Nov 2026 12:01:30 GMT", 91.0),  # an HTTP-date, 90 s after the test clock
        (429, "Mon, 23 Nov 2026 11:00:00 GMT", 1.0),  # a date already past: try again at once
        (429, "nan", None),
        (429, "inf", None),
        (429, "-5", None),
        (429, "100000000000", MAX_WAIT_S),  # three thousand years, capped at six hours
        (429, "soon", None),
        (429, "", None),
        (503, "30", 31.0),
        (503, "nan", None),
    ],
)
def test_every_form_of_retry_after_is_read_safely(
    server: FaultServer, clock, status: int, retry_after: str, wait: float | None
) -> None:
    server.routes["/feed.xml"] = server.answer(status, b"busy", {"Retry-After": retry_after})
    error, _ = failure(lambda: feed(f"{server.url}/feed.xml", clock).fetch(None))
    assert error.kind is (ErrorKind.RATE_LIMITED if status == 429 else ErrorKind.TRANSIENT)
    assert error.retry_after_s == pytest.approx(wait) if wait is not None else error.retry_after_s is None


@pytest.mark.parametrize(
    ("body", "content_type", "what"),
    [
        (fixture_bytes("feeds", "not_a_feed.html"), "text/html; charset=utf-8", "an HTML page"),
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "application/xml", "an HTML page"),
        (b'{"items": []}', "application/json", "JSON data"),
        (b"", "application/rss+xml", "an empty body"),
        (b"  \n", "text/xml", "an empty body"),
    ],
)
def test_a_200_that_is_not_a_feed_says_what_came_back(
    server: FaultServer, clock, body: bytes, content_type: str, what: str
) -> None:
    server.routes["/feed.xml"] = server.answer(200, body, {"Content-Type": content_type})
    error, _ = failure(lambda: feed(f"{server.url}/feed.xml", clock).fetch(None))
    assert error.kind is ErrorKind.BAD_DATA and error.retryable
    assert f"answered with {what}, not an RSS or Atom feed" in error.message


def test_a_body_naming_a_local_file_is_never_read_from_this_machine(server: FaultServer, clock) -> None:
    local_feed = FIXTURES / "feeds" / "google_alerts.xml"  # a real feed on this machine's disk
    server.routes["/feed.xml"] = server.answer(200, str(local_feed).encode(), {"Content-Type": "text/plain"})
    error, _ = failure(lambda: feed(f"{server.url}/feed.xml", clock).fetch(None))
    assert error.kind is ErrorKind.BAD_DATA and "not an RSS or Atom feed" in error.message


# ---- addresses that do not answer ---------------------------------------------------------------


def test_a_closed_port_is_refused_then_said_plainly_not_to_answer(clock) -> None:
    error, took = failure(lambda: feed(f"http://127.0.0.1:{closed_port()}/feed.xml", clock).fetch(None))
    assert error.kind is ErrorKind.TRANSIENT
    assert "nothing accepts connections at that address (connection refused)" in error.message
    assert describe_unreachable(error.kind, error.message, 1) == error.message
    third = describe_unreachable(error.kind, error.message, 3)
    assert third.startswith("The address does not answer (3 tries in a row): ")
    assert describe_unreachable(error.kind, third, 4) == third  # said once, not stacked
    assert took < GIVE_UP_WITHIN_S


def test_a_host_that_does_not_resolve_is_said_plainly(clock) -> None:
    error, _ = failure(lambda: feed("http://no-such-feed.invalid/feed.xml", clock).fetch(None))
    assert error.kind is ErrorKind.TRANSIENT
    assert "no-such-feed.invalid" in error.message and "does not resolve (no such host)" in error.message
    assert "does not answer" in describe_unreachable(error.kind, error.message, 5)


def test_an_error_that_is_not_about_the_address_is_never_described_as_one(clock) -> None:
    message = "x.example is having trouble (503)."
    assert describe_unreachable(ErrorKind.TRANSIENT, message, 10) == message
    assert describe_unreachable(ErrorKind.AUTH, "Could not connect: " + message, 10).startswith("Could not")


# ---- healing -----------------------------------------------------------------------------------


def test_a_feed_that_heals_is_read_again(server: FaultServer, clock) -> None:
    listener = feed(f"{server.url}/feed.xml", clock)
    server.routes["/feed.xml"] = server.answer(
        200, b"<html><body>maintenance</body></html>", {"Content-Type": "text/html"}
    )
    error, _ = failure(lambda: listener.fetch(None))
    assert error.kind is ErrorKind.BAD_DATA
    server.routes["/feed.xml"] = server.answer(200, FEED, {"Content-Type": "application/atom+xml"})
    assert len(listener.fetch(None).items) == 2


def test_behind_the_runner_a_bad_answer_is_retried_with_backoff_and_the_healed_feed_stored(
    server: FaultServer, store: Store, clock
) -> None:
    settings = Settings(brand="Northwind Mobile", source_request_timeout_s=2.0, source_max_response_mb=1.0)
    server.routes["/feed.xml"] = server.answer(200, b'{"error": "maintenance"}', {"Content-Type": "application/json"})
    store.ensure_source("flaky", "feed", {"url": f"{server.url}/feed.xml"}, poll_interval_s=900)  # type: ignore[attr-defined]

    def poll() -> int:
        listeners = {s.name: build_listener(s, settings) for s in store.sources()}
        for listener in listeners.values():
            listener.clock = clock  # type: ignore[attr-defined]
        return Runner(store, listeners, owner="r1", clock=clock).run_once()

    assert poll() == 0
    source = store.source("flaky")
    assert source is not None and source.error_kind == "bad_data"
    assert source.last_error is not None and "answered with JSON data, not an RSS or Atom feed" in source.last_error
    assert source.next_poll_at is not None
    assert source.next_poll_at - clock() < NOT_RETRYABLE_PAUSE  # the normal backoff, not parked for a day
    server.routes["/feed.xml"] = server.answer(200, FEED, {"Content-Type": "application/atom+xml"})
    clock.advance(seconds=(source.next_poll_at - clock()).total_seconds() + 1)
    assert poll() == 2
    healed = store.source("flaky")
    assert healed is not None and healed.consecutive_failures == 0


def test_retry_after_on_a_source_is_capped_behind_the_runner(server: FaultServer, store: Store, clock) -> None:
    settings = Settings(brand="Northwind Mobile", source_request_timeout_s=2.0)
    server.routes["/feed.xml"] = server.answer(429, b"slow down", {"Retry-After": "100000000000"})
    store.ensure_source("greedy", "feed", {"url": f"{server.url}/feed.xml"}, poll_interval_s=900)  # type: ignore[attr-defined]
    listeners = {s.name: build_listener(s, settings) for s in store.sources()}
    for listener in listeners.values():
        listener.clock = clock  # type: ignore[attr-defined]
    Runner(store, listeners, owner="r1", clock=clock).run_once()
    source = store.source("greedy")
    assert source is not None and source.next_poll_at is not None
    assert source.next_poll_at - clock() <= timedelta(seconds=MAX_WAIT_S)


# ---- Google Play (google-api-python-client) gets the same deadline and size limit -------------

PLAY_PACKAGE = "com.northwind.mobile"
PLAY_REVIEWS = f"/androidpublisher/v3/applications/{PLAY_PACKAGE}/reviews"


def play_key_file(tmp_path: Any, token_url: str) -> str:
    """A service account key (made up here) whose token endpoint is the loopback server."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    info = {
        "type": "service_account",
        "project_id": "northwind-voc",
        "private_key_id": "0123456789abcdef",
        "private_key": pem.decode(),
        "client_email": "voc-reviews@northwind-voc.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "token_uri": token_url,
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info))
    return str(path)


def play(server: FaultServer, tmp_path: Any, clock: Any) -> Any:
    from listeners.reviews import GooglePlayReviewsListener, ReviewConfig

    return GooglePlayReviewsListener(
        "android",
        ReviewConfig(brand="Northwind Mobile", package=PLAY_PACKAGE),
        credentials_file=play_key_file(tmp_path, f"{server.url}/token"),
        timeout_s=LIMITS.deadline_s,
        limits=LIMITS,
        api_url=f"{server.url}/",
        clock=clock,
    )


def json_answer(server: FaultServer, folder: str, name: str) -> Any:
    return server.answer(200, fixture_bytes(folder, name), {"Content-Type": "application/json"})


def test_google_play_reads_its_reviews_through_the_guarded_session(server: FaultServer, tmp_path, clock) -> None:
    server.routes["/token"] = json_answer(server, "reviews", "play_token.json")
    server.routes[PLAY_REVIEWS] = json_answer(server, "reviews", "play_page_1.json")
    batch = play(server, tmp_path, clock).fetch(None)
    assert batch.items and all(item.channel == "google_play" for item in batch.items)


@pytest.mark.parametrize("dripping", ["token", "reviews", "headers"])
def test_google_play_gives_up_on_a_slow_drip_within_its_deadline(
    server: FaultServer, tmp_path, clock, dripping: str
) -> None:
    # httplib2 alone bounds each socket read, not their sum: this drip used to hold a poll for minutes.
    if dripping == "headers":
        drip = server.drip_headers(every_s=0.2)
    else:
        drip = server.drip(fixture_bytes("reviews", "play_page_1.json"), every_s=0.2, content_type="application/json")
    server.routes["/token"] = drip if dripping == "token" else json_answer(server, "reviews", "play_token.json")
    server.routes[PLAY_REVIEWS] = drip
    error, took = failure(lambda: play(server, tmp_path, clock).fetch(None))
    assert error.kind is ErrorKind.TRANSIENT and "too slow" in error.message, error.message
    assert took < GIVE_UP_WITHIN_S


def test_google_play_refuses_a_huge_or_bombed_answer_at_the_limit(server: FaultServer, tmp_path, clock) -> None:
    server.routes["/token"] = json_answer(server, "reviews", "play_token.json")
    server.routes[PLAY_REVIEWS] = server.endless(50 * MB, content_type="application/json")
    error, _ = failure(lambda: play(server, tmp_path, clock).fetch(None))
    assert "larger than 1 MB" in error.message, error.message
    assert server.body_bytes_sent[PLAY_REVIEWS] < 10 * MB
    bomb = gzip.compress(b"[" * (40 * MB))
    server.routes[PLAY_REVIEWS] = server.answer(
        200, bomb, {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    )
    tracemalloc.start()
    try:
        error, _ = failure(lambda: play(server, tmp_path, clock).fetch(None))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "larger than 1 MB" in error.message, error.message
    assert peak < 20 * MB
