"""Real-browser flows: triage changes that survive a reload, and trends drawn from stored data.

The inbox flows come first on purpose: on the fresh server they also show that opening /inbox
directly still runs the page inside app.py's frame (see `ui.widgets.ensure_frame`).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import DOCS, DemoApp
from ui import serve
from voc.inbox.queue import QueueFilter, open_queue
from voc.settings import Settings
from voc.trends import queries as trends
from voc.trends.queries import TrendFilters

pytestmark = pytest.mark.e2e


def wait_for_app(page: Page) -> None:
    """Until the script has run and the page is idle (what Streamlit's own e2e suite waits on).

    A freshly loaded page reports "notRunning" before its first run starts, so the wait also needs
    one element drawn in the main area: then "notRunning" means the run has ended.
    """
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=20_000)
    page.wait_for_selector("[data-testid='stMain'] [data-testid='stElementContainer']", timeout=20_000)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=20_000)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=10_000)


def metric_value(page: Page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text=label)
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def choose(page: Page, combobox: str, option: str) -> None:
    """Pick `option` in a selectbox; a click that lands while the page re-renders is retried."""
    box = page.get_by_role("combobox", name=combobox)
    for _ in range(3):
        box.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=3_000)
            return
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {option!r} in {combobox!r}")


def top_of_queue(demo_app: DemoApp) -> tuple[int, str]:
    """The id and words of the entry the queue puts first, as the domain orders it."""
    store = demo_app.store()
    try:
        row = open_queue(store, QueueFilter(), now=datetime.now(UTC)).rows.iloc[0]
        return int(row["id"]), str(row["text"])
    finally:
        store.engine.dispose()


def entry(page: Page, item_id: int) -> Locator:
    """One entry of the queue (its container is keyed by the item)."""
    return page.locator(f".st-key-inbox-entry-{item_id}")


def open_inbox(page: Page, demo_app: DemoApp) -> None:
    page.goto(f"{demo_app.url}/inbox")
    wait_for_app(page)
    expect(page.get_by_role("button", name="Open").first).to_be_visible()


def assert_stored(demo_app: DemoApp, item_id: int, status: str) -> None:
    store = demo_app.store()
    try:
        stored = store.item(item_id)
        assert stored is not None and stored["triage_status"] == status
        latest = store.triage_history(item_id)[-1]  # the audit trail names who changed it
        assert (latest["field"], latest["new_value"], latest["actor"]) == ("triage_status", status, "local user")
    finally:
        store.engine.dispose()


def test_the_top_customer_is_read_opened_resolved_and_stays_resolved(page: Page, demo_app: DemoApp) -> None:
    """The queue shows the customer's words as page text; Open, Resolve, Undo offered; reload agrees."""
    page.set_viewport_size({"width": 1440, "height": 900})
    open_inbox(page, demo_app)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("link", name="Trends")).to_be_visible()  # the frame ran
    listeners = len(demo_app.sources())
    expect(sidebar.get_by_text(f"Listeners {listeners}/{listeners} alive")).to_be_visible()
    item_id, words = top_of_queue(demo_app)
    first_words = " ".join(words.split()[:3])
    expect(entry(page, item_id).get_by_text(first_words, exact=False).first).to_be_in_viewport()  # first screen
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    assert height <= 1400, height  # the queue scrolls inside its frame; the page stays short
    page.screenshot(path=str(DOCS / "screenshot-inbox.png"))

    entry(page, item_id).get_by_role("button", name="Open").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Next item")).to_be_visible()
    expect(page.get_by_text(first_words, exact=False).first).to_be_visible()
    page.screenshot(path=str(DOCS / "screenshot-inbox-item.png"))

    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Undo")).to_have_count(0, timeout=20_000)  # offered for ten seconds
    page.reload()
    wait_for_app(page)
    assert_stored(demo_app, item_id, "resolved")
    open_inbox(page, demo_app)
    expect(entry(page, item_id)).to_have_count(0)  # left the open queue


def test_the_server_imports_the_pages_modules_and_opens_the_database_while_it_starts(demo_app: DemoApp) -> None:
    """`make run` starts `ui.serve`: the pages' modules are imported and the database opened
    before a browser needs them (the first page after a start no longer waits for pandas, Altair,
    the domain and the schema check)."""
    expected = len(serve.app_modules())
    deadline = time.monotonic() + 60
    for line in (
        f"imported ahead of the first page: {expected} of {expected}",
        "Database opened ahead of the first page",
    ):
        while line not in demo_app.log.read_text():
            assert time.monotonic() < deadline, demo_app.log.read_text()
            time.sleep(0.2)


def test_the_app_opens_on_the_inbox_for_the_local_user(page: Page, demo_app: DemoApp) -> None:
    """Local mode's one user is an admin: the root URL goes on to /inbox, and every page is listed."""
    page.goto(demo_app.url)
    page.wait_for_url(re.compile(r"/inbox$"))
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Inbox", exact=True)).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    for title in ("Inbox", "Trends", "Sources", "Users", "Audit"):
        expect(nav.get_by_role("link", name=title, exact=True)).to_be_visible()
    for path in ("/inbox", "/trends", "/audit"):  # each page's own URL opens it, without "Page not found"
        page.goto(demo_app.url + path)
        wait_for_app(page)
        expect(page.get_by_role("heading", name=path[1:].title(), exact=True)).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)


def test_trends_shows_charts_built_from_stored_items(page: Page, demo_app: DemoApp) -> None:
    """The Trends page draws its charts and counts from the database the listeners filled, and marks
    the spikes the alert check found in the back-filled week (the fixture runs it)."""
    page.goto(f"{demo_app.url}/trends")
    wait_for_app(page)

    expect(page.get_by_role("heading", name="Trends")).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(4, timeout=15_000)
    expect(charts.first.locator("canvas, svg").first).to_be_visible()
    brand = Settings.load().brand
    store = demo_app.store()
    try:
        shown = trends.summary(store, TrendFilters.last("3d", now=datetime.now(UTC), brand=brand))
        assert metric_value(page, "Items") == f"{shown.items:,}"
        page.set_viewport_size({"width": 1440, "height": 2000})  # the app scrolls inside: show the whole page
        page.screenshot(path=str(DOCS / "screenshot-trends.png"), full_page=True)
        page.set_viewport_size({"width": 1400, "height": 900})

        # A filter is bound to the URL: choosing one makes a link that opens the same view.
        choose(page, "Channel", "X")  # channels by name, as the URL keeps them
        page.wait_for_url(re.compile(r"[?&]channel=X\b"))
        wait_for_app(page)
        page.goto(page.url)
        wait_for_app(page)
        expect(page.get_by_role("combobox", name="Channel")).to_have_value("X")
        narrowed = trends.summary(store, TrendFilters.last("3d", now=datetime.now(UTC), brand=brand, channel="x"))
        assert metric_value(page, "Items") == f"{narrowed.items:,}"
    finally:
        store.engine.dispose()
