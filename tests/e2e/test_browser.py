"""Real-browser flows: triage changes that survive a reload, and trends drawn from stored data.

The inbox flows come first on purpose: on the fresh server they also show that opening /inbox
directly still runs the page inside app.py's frame (see `ui.widgets.ensure_frame`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import DOCS, DemoApp
from voc.settings import Settings
from voc.trends import queries as trends
from voc.trends.queries import TrendFilters

pytestmark = pytest.mark.e2e
ROW_HEIGHT = 35  # glide data grid's header and row height at the default density


def wait_for_app(page: Page) -> None:
    """Until the script has run and the page is idle (what Streamlit's own e2e suite waits on)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=20_000)
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


def newest_open_item(page: Page) -> tuple[int, str]:
    """The id and label of the inbox's first row (the "Update one item" form lists rows in order)."""
    label = page.get_by_role("combobox", name="Item").input_value()
    found = re.match(r"#(\d+) ", label)
    assert found, label
    return int(found.group(1)), label


def open_inbox(page: Page, demo_app: DemoApp, status: str | None = None) -> None:
    page.goto(f"{demo_app.url}/inbox" + (f"?status={quote(status)}" if status else ""))
    wait_for_app(page)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()


def assert_stored(demo_app: DemoApp, item_id: int, status: str) -> None:
    store = demo_app.store()
    try:
        stored = store.item(item_id)
        assert stored is not None and stored["triage_status"] == status
        latest = store.triage_history(item_id)[-1]  # the audit trail names who changed it
        assert (latest["field"], latest["new_value"], latest["actor"]) == ("triage_status", status, "local user")
    finally:
        store.engine.dispose()


def test_a_status_edited_in_the_grid_survives_a_reload(page: Page, demo_app: DemoApp) -> None:
    """Edit the newest complaint's Status cell, Save, reload: the page and the database agree."""
    open_inbox(page, demo_app)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("link", name="Trends")).to_be_visible()  # the frame ran
    listeners = len(demo_app.sources())
    expect(sidebar.get_by_text(f"Listeners {listeners}/{listeners} alive")).to_be_visible()
    item_id, label = newest_open_item(page)

    # The grid is a canvas: focus the first row's first cell, move to Status, open its editor.
    # On a loaded machine the grid can redraw between the click and the keys (the live feed
    # reruns the page), so the three steps are retried until the editor's options are there.
    option = page.get_by_role("option", name="Waiting on customer")
    for _attempt in range(3):
        grid = page.get_by_test_id("stDataFrame").bounding_box()
        assert grid is not None
        page.mouse.click(grid["x"] + 20, grid["y"] + ROW_HEIGHT * 1.5)
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        try:
            option.wait_for(timeout=8_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    option.click()
    page.get_by_role("button", name="Save 1 change").click()
    expect(page.get_by_test_id("stToast")).to_contain_text("Saved 1 change")

    page.reload()
    wait_for_app(page)
    open_inbox(page, demo_app, status="Waiting on customer")
    expect(page.get_by_role("combobox", name="Status")).to_have_value("Waiting on customer")
    expect(page.get_by_role("combobox", name="Item")).to_have_value(label)
    assert_stored(demo_app, item_id, "waiting_on_customer")


def test_the_mark_as_form_resolves_an_item_that_stays_resolved(page: Page, demo_app: DemoApp) -> None:
    """The keyboard-friendly form: pick the item, pick the status, submit, reload."""
    open_inbox(page, demo_app)
    item_id, label = newest_open_item(page)

    choose(page, "Mark as", "Waiting on customer")  # away from the default and back, as a user might
    choose(page, "Mark as", "Resolved")
    page.get_by_role("button", name="Update item").click()
    expect(page.get_by_test_id("stToast")).to_contain_text("Saved 1 change")
    wait_for_app(page)
    expect(page.get_by_role("combobox", name="Item")).not_to_have_value(label)  # left the open queue

    page.reload()
    open_inbox(page, demo_app, status="Resolved")
    expect(page.get_by_role("combobox", name="Item")).to_have_value(label)
    assert_stored(demo_app, item_id, "resolved")

    open_inbox(page, demo_app)
    page.set_viewport_size({"width": 1400, "height": 1300})
    page.screenshot(path=str(DOCS / "screenshot-inbox.png"), full_page=True)


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
        choose(page, "Channel", "x")
        page.wait_for_url(re.compile(r"[?&]channel=x\b"))
        wait_for_app(page)
        page.goto(page.url)
        wait_for_app(page)
        expect(page.get_by_role("combobox", name="Channel")).to_have_value("x")
        narrowed = trends.summary(store, TrendFilters.last("3d", now=datetime.now(UTC), brand=brand, channel="x"))
        assert metric_value(page, "Items") == f"{narrowed.items:,}"
    finally:
        store.engine.dispose()
