"""Real-browser flow: promote a discovery proposal on the Themes page, then filter Trends by the new theme."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoApp
from tests.e2e.test_browser import metric_value, wait_for_app
from voc.settings import Settings
from voc.themes import repository as repo
from voc.themes import service
from voc.themes.worker import ThemeWorker
from voc.trends import queries as trends
from voc.trends.queries import TrendFilters

pytestmark = pytest.mark.e2e
NAME = "Network outage"


def open_proposal(demo_app: DemoApp) -> dict:
    """The largest open proposal, after the listener's theme step has caught up (as it would live)."""
    store = demo_app.store()
    try:
        worker = ThemeWorker(store, "e2e", every_s=0)
        for _ in range(10):
            if not worker.tick():
                break
        if not repo.proposals(store):
            service.run_discovery(store, datetime.now(UTC))
        found = repo.proposals(store)
        assert found, "discovery found nothing in the demo feed's unthemed items"
        return max(found, key=lambda p: p["size"])
    finally:
        store.engine.dispose()


def test_a_promoted_proposal_can_be_picked_in_trends(page: Page, demo_app: DemoApp) -> None:
    proposal = open_proposal(demo_app)

    page.goto(f"{demo_app.url}/themes?section=Proposals")
    wait_for_app(page)
    card = page.locator(f".st-key-proposal-{proposal['id']}")
    expect(card).to_contain_text(f"{proposal['size']} items")
    card.get_by_role("textbox", name="Theme name").fill(NAME)
    card.get_by_role("button", name="Promote").click()
    expect(page.get_by_test_id("stToast")).to_contain_text(f"Promoted “{NAME}”")

    store = demo_app.store()
    try:
        theme = next(t for t in repo.load_taxonomy(store).active() if t.name == NAME)
        filters = TrendFilters.last("7d", now=datetime.now(UTC), brand=Settings.load().brand, theme=theme.id)
        expected = trends.summary(store, filters).items
    finally:
        store.engine.dispose()
    assert expected > 0

    page.goto(f"{demo_app.url}/trends?" + urlencode({"range": "7d", "theme": NAME}))
    wait_for_app(page)
    expect(page.get_by_role("combobox", name="Theme")).to_have_value(NAME)
    assert metric_value(page, "Items") == f"{expected:,}"
