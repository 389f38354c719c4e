"""Hostile customer text makes the browser fetch nothing and link nowhere, on every page.

The store holds Markdown images, HTML, links, autolinks and LaTeX in posts, authors, notes, tags,
survey answers and response ids, a survey's name, an alert title, a theme with its example, a
proposal and a failing source's error (`tests/hostile_text.py`), all pointing at an "attacker":
a second HTTP server on another loopback address. Chromium opens every page (and each section of
the Themes and Surveys pages) and every request it makes is recorded: all of them go to the app's
own origin, the attacker receives none, and no image or link in the page points at it. A last
step proves the attacker is reachable from the page (the browser loads an image from it when told
to), so the zero is not a blocked channel.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from tests import hostile_text
from tests.e2e.conftest import streamlit_server
from tests.e2e.test_browser import wait_for_app
from ui import inert
from voc.store.facade import Store

pytestmark = pytest.mark.e2e

PAGES = [
    "inbox",
    "trends",
    "surveys?section=Recovery",
    "surveys?section=Scores",
    "surveys?section=Import",
    "alerts",
    "themes",
    "themes?section=Proposals",
    "themes?section=Taxonomy",
    "exports",
    "sources",
    "settings",
    "users",
    "audit",
    "privacy",
]
PIXEL = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xa1\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class Attacker:
    """A server on another loopback address that records every request it gets."""

    url: str
    paths: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def attacker() -> Iterator[Attacker]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PIXEL)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Attacker(url=f"http://127.0.0.2:{server.server_address[1]}", paths=seen)
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class HostileApp:
    url: str
    names: dict[str, str]


@pytest.fixture(scope="module")
def hostile_app(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, attacker: Attacker
) -> Iterator[HostileApp]:
    folder: Path = tmp_path_factory.mktemp("inert")
    database_url = f"sqlite:///{folder}/voc.db"
    store = Store.from_url(database_url)
    try:
        names = hostile_text.fill(store, attacker.url)
    finally:
        store.engine.dispose()
    with streamlit_server(folder, database_url, request, env={"VOC_BRAND": hostile_text.OWN}) as url:
        yield HostileApp(url=url, names=names)


def test_no_page_fetches_or_links_to_a_host_named_in_customer_text(
    page: Page, hostile_app: HostileApp, attacker: Attacker
) -> None:
    requested: list[str] = []

    def record(sent: Request) -> None:
        requested.append(sent.url)

    page.on("request", record)
    app_origin = urlsplit(hostile_app.url)[:2]
    attacker_host = urlsplit(attacker.url).netloc
    # ... and an item's workspace, which quotes the other hostile posts as its conversation.
    for path in [*PAGES, f"inbox?item={hostile_app.names['noted_item']}"]:
        page.goto(f"{hostile_app.url}/{path}")
        wait_for_app(page)
        page.wait_for_timeout(500)  # images and fonts the page asked for are requested by now
        assert page.locator(f'img[src*="{attacker_host}"]').count() == 0, path
        assert page.locator(f'a[href*="{attacker_host}"]').count() == 0, path
        assert page.locator('a[href^="javascript:"]').count() == 0, path
        assert page.locator("script[src*='127.0.0.2'], iframe").count() == 0, path
        expect(page.get_by_test_id("stException")).to_have_count(0)

    outside = [url for url in requested if urlsplit(url)[:2] != app_origin and not url.startswith(("data:", "blob:"))]
    assert outside == [], outside
    assert attacker.paths == []
    assert len(requested) > len(PAGES)  # the recording saw the app's own requests

    # The attacker is reachable from the page: told to, the browser does load its image.
    page.evaluate(
        "url => new Promise(done => { const image = new Image(); image.onload = image.onerror = done; image.src = url; })",
        f"{attacker.url}/control.png",
    )
    assert attacker.paths == ["/control.png"]


def shown_text(page: Page, hostile_app: HostileApp, path: str) -> str:
    """The page's visible text, as a reader copies it (the escaper's invisible joiners left out)."""
    page.goto(f"{hostile_app.url}/{path}")
    wait_for_app(page)
    if path == "inbox":
        expect(page.get_by_role("button", name="Open").first).to_be_visible()  # the queue's entries
    return page.locator("body").inner_text().replace(inert.JOINER, "")


def test_hostile_texts_read_literally_where_pages_quote_them(
    page: Page, hostile_app: HostileApp, attacker: Attacker
) -> None:
    """The texts appear as typed (the image syntax, the tags, the backticks), not as a broken image."""
    names, evil = hostile_app.names, attacker.url
    recovery = shown_text(page, hostile_app, "surveys?section=Recovery")
    assert f"{names['survey']} · response {names['response_id']}0 · due" in recovery
    assert f"Awful outage, terrible service ![pixel]({evil}/pixel.png)" in recovery

    assert f"Urgent words from {names['author']}: refund" in shown_text(page, hostile_app, "alerts")

    proposals = shown_text(page, hostile_app, "themes?section=Proposals")
    assert f"Keywords: outage, ![k]({evil}/keyword.png)" in proposals
    assert f'Horrible support <img src="{evil}/img.png"> <script src="{evil}/x.js"></script>' in proposals

    inbox = shown_text(page, hostile_app, "inbox")
    assert "billing `code` ``more`` $\\href{http://x}{LaTeX}$ :red[red] <!-- comment -->" in inbox
    assert f"app, awful <{evil}/autolink> bare {evil}/bare www.example.com" in inbox
    assert f"network ever [click here]({evil}/click) [js](javascript:alert(1))" in inbox

    sources = shown_text(page, hostile_app, "sources")
    assert f"{names['source']} · scripted" in sources
    assert f"![err]({evil}/error.png) <b>bad</b> query" in sources
    assert [path for path in attacker.paths if path != "/control.png"] == []  # the opened panel fetched nothing
