"""A failing source never shows its secret: not in any log line at any level, not on its row, not
on the Sources page (SQLite and PostgreSQL).

Each source is built by the registry from its stored row with credentials in `Settings`, as
`python -m listeners` builds it, and polled by the real runner against a loopback stand-in or
recorded responses that fail the three usual ways: the credentials refused (401, with a proxy
echoing the Authorization header back), the service broken (500, with the secret in the body),
no connection (with the secret in the URL, as requests' own messages carry it). Logs are
captured at DEBUG from every logger, so the HTTP libraries' request lines count too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
import sqlalchemy as sa
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from listeners.registry import build_listener
from listeners.runner import Runner
from tests.local_sources import FeedServer, fixture_json
from tests.x_api import FakeX
from voc.settings import Settings
from voc.store.facade import Store
from voc.store.schema import metadata

ROOT = Path(__file__).resolve().parents[2]
X_TOKEN = "AAAAAAAAAAAAAAAAAAAAAPrivacyTestBearer%2BToken0123456789abcdefXYZ"
REDDIT_SECRET = "reddit-client-secret-privacy-4567"
FEED_KEY = "feedkey-privacy-2468-secret"
QUERY = "Northwind -is:retweet"
FAILURES = ["401", "500", "connection"]


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def poll(store: Store, settings: Settings, clock: Any) -> None:
    """One tick of the real runner over every stored source, built as the listener process builds them."""
    listeners = {s.name: build_listener(s, settings) for s in store.sources()}
    for listener in listeners.values():
        if hasattr(listener, "clock"):
            listener.clock = clock
    Runner(store, listeners, owner="r1", clock=clock).run_once()


def everything_stored(store: Store) -> str:
    with store.read() as connection:
        return "\n".join(repr(tuple(r)) for t in metadata.sorted_tables for r in connection.execute(sa.select(t)))


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured line as a handler would write it (tracebacks included) and every message."""
    return caplog.text + "\n".join(r.getMessage() for r in caplog.records)


def sources_page_text(store: Store, monkeypatch: pytest.MonkeyPatch, *, with_inputs: bool) -> str:
    """What the Sources page shows: every text element, table and metric (and widget values)."""
    monkeypatch.setenv("VOC_DATABASE_URL", store.engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", False)
    at = AppTest.from_file(str(ROOT / "pages" / "sources.py"), default_timeout=30).run()
    assert not at.exception
    texts = [
        e.value
        for kind in ("title", "markdown", "caption", "error", "warning", "info", "success", "code")
        for e in getattr(at, kind)
    ]
    texts += [f"{m.label} {m.value}" for m in at.metric] + [d.value.to_csv() for d in at.dataframe]
    if with_inputs:
        texts += [str(w.value) for w in (*at.text_input, *at.text_area)]
    return "\n".join(str(t) for t in texts)


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failing_x_source_keeps_its_bearer_token_out_of_logs_row_and_page(
    store: Store, clock: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    caplog.set_level(logging.DEBUG)
    store.ensure_source("x-brand", "x_search", {"query": QUERY}, poll_interval_s=60)
    with FakeX(token=X_TOKEN) as fake:
        base = fake.base_url
        if failure == "401":  # a proxy that echoes the request's header in its error page
            fake.fail_next(
                f"search:{QUERY}", 401, {"title": "Unauthorized", "detail": f"Authorization: Bearer {X_TOKEN}"}
            )
        elif failure == "500":
            fake.fail_next(
                f"search:{QUERY}",
                500,
                {"title": "Internal Error", "detail": f"upstream refused ?bearer_token={X_TOKEN}"},
            )
        else:
            base = "http://127.0.0.1:9"  # nothing listens: a connection error, with the token in the headers
        poll(store, Settings(brand="Northwind Mobile", x_bearer_token=X_TOKEN, x_api_base_url=base), clock)

    source = store.source("x-brand")
    assert source is not None and source.last_error and source.consecutive_failures == 1
    assert X_TOKEN not in logged(caplog)
    assert "x-brand" in caplog.text  # the failure itself is logged, only without the token
    assert X_TOKEN not in everything_stored(store)
    assert X_TOKEN not in sources_page_text(store, monkeypatch, with_inputs=True)


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failing_reddit_source_keeps_its_client_secret_out_of_logs_row_and_page(
    store: Store, clock: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, api: Any, failure: str
) -> None:
    caplog.set_level(logging.DEBUG)
    token_url = "https://www.reddit.com/api/v1/access_token"
    search = re.compile(r"https://oauth\.reddit\.com/r/Northwind/search")
    if failure == "401":
        api.post(token_url, json={"error": 401, "message": f"Unauthorized client_secret={REDDIT_SECRET}"}, status=401)
    else:
        api.post(token_url, json=fixture_json("reddit", "access_token.json"))
    if failure == "500":
        api.get(search, json={"message": f"Internal error for client {REDDIT_SECRET}", "error": 500}, status=500)
    elif failure == "connection":
        api.get(
            search,
            body=requests.ConnectionError(
                f"Max retries exceeded with url: /r/Northwind/search?client_secret={REDDIT_SECRET}"
            ),
        )
    store.ensure_source(
        "reddit", "reddit_posts", {"subreddits": "Northwind", "query": "Northwind"}, poll_interval_s=300
    )

    poll(
        store,
        Settings(brand="Northwind Mobile", reddit_client_id="client-id", reddit_client_secret=REDDIT_SECRET),
        clock,
    )

    source = store.source("reddit")
    assert source is not None and source.last_error and source.consecutive_failures == 1
    assert REDDIT_SECRET not in logged(caplog)
    assert REDDIT_SECRET not in everything_stored(store)
    assert REDDIT_SECRET not in sources_page_text(store, monkeypatch, with_inputs=True)


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failing_feed_keeps_the_key_in_its_url_out_of_logs_and_errors(
    store: Store, clock: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    """A private feed's URL carries its key (`?apikey=`): the admin sees it in the source's edit
    form, where it is typed, and nowhere else."""
    caplog.set_level(logging.DEBUG)

    class Failing(FeedServer):
        def answer(self, path: str, query: dict[str, str], headers: Any) -> tuple[int, dict[str, str], bytes]:
            status = 401 if failure == "401" else 500
            return status, {"Content-Type": "text/plain"}, f"refused {path}?apikey={query.get('apikey')}".encode()

    with Failing(b"") as server:
        base = server.url if failure != "connection" else "http://127.0.0.1:9"
        store.ensure_source("private-feed", "feed", {"url": f"{base}/feed.xml?apikey={FEED_KEY}"}, poll_interval_s=900)
        poll(store, Settings(brand="Northwind Mobile"), clock)

    source = store.source("private-feed")
    assert source is not None and source.last_error and source.consecutive_failures == 1
    assert FEED_KEY not in logged(caplog)
    assert FEED_KEY not in (source.last_error or "")
    assert FEED_KEY not in sources_page_text(store, monkeypatch, with_inputs=False)


def test_an_unexpected_error_quoting_a_secret_is_logged_and_stored_without_it(
    store: Store, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug that escapes a source's own error handling with the credential in its message: the
    runner logs the traceback and stores the message, both without the credential."""
    caplog.set_level(logging.DEBUG)
    store.ensure_source("x-brand", "x_search", {"query": QUERY}, poll_interval_s=60)
    source = store.source("x-brand")
    assert source is not None
    listener = build_listener(source, Settings(brand="Northwind Mobile", x_bearer_token=X_TOKEN))

    def broken(cursor: str | None) -> Any:
        raise RuntimeError(
            f"client misconfigured: session headers {{'Authorization': 'Bearer {X_TOKEN}'}}, token {X_TOKEN}"
        )

    listener.fetch = broken  # type: ignore[method-assign]
    Runner(store, {"x-brand": listener}, owner="r1", clock=clock).run_once()

    stored = store.source("x-brand")
    assert stored is not None and stored.error_kind == "unexpected" and "RuntimeError" in (stored.last_error or "")
    assert "Traceback" in caplog.text and "in broken" in caplog.text  # still there for whoever debugs it
    assert X_TOKEN not in logged(caplog)
    assert X_TOKEN not in everything_stored(store)
