"""A negative mention arrives → appears at the top of the inbox with its SLA clock → assigned →
resolved → the team metrics move. Real browser, real server, the demo feed's database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from listeners.runner import Runner
from tests.app.conftest import OWN, ScriptedListener
from tests.e2e.conftest import DemoApp
from tests.e2e.test_browser import choose, metric_value, open_inbox, wait_for_app
from voc.models import RawItem

pytestmark = pytest.mark.e2e
ANGRY = "Outage all morning and nobody answers, I want a refund and will cancel"


def arrive(demo_app: DemoApp) -> int:
    """The mention comes in through the real runner, posted ten minutes ago by a large account."""
    store = demo_app.store()
    try:
        store.ensure_source("e2e-social", "scripted", poll_interval_s=60)
        raw = RawItem(external_id="e2e-angry", text=ANGRY, posted_at=datetime.now(UTC) - timedelta(minutes=10), channel="x",
                      brand=OWN, author="bigvoice", author_reach=900_000, link="https://x.com/bigvoice/status/9")  # fmt: skip
        Runner(store, {"e2e-social": ScriptedListener("e2e-social", [raw])}, owner="e2e").run_once()
        return int(store.inbox_frame(statuses=["new"], limit=5000).query("text == @ANGRY")["id"].iloc[0])
    finally:
        store.engine.dispose()


def pick(page: Page, combobox: str, option: str) -> None:
    """Choose in a long selectbox by typing (its option list is virtualised)."""
    box = page.get_by_role("combobox", name=combobox, exact=True)
    box.click()
    box.fill(option.split(" · ")[0] + " ")
    page.get_by_role("option", name=option, exact=True).click()


def test_a_negative_mention_is_clocked_assigned_resolved_and_metrics_move(page: Page, demo_app: DemoApp) -> None:
    open_inbox(page, demo_app)
    answered_before = int(metric_value(page, "Answered (14 days)"))
    item_id = arrive(demo_app)

    page.get_by_role("button", name="Refresh").click()
    wait_for_app(page)
    label = f"#{item_id} · {ANGRY[:70]}"  # the "Update one item" form lists the queue's rows

    pick(page, "Show details of", label)
    wait_for_app(page)
    expect(page.get_by_text("🟢 On track")).to_be_visible()  # the clock, from posting time
    reasons = page.get_by_test_id("stMarkdown").filter(has_text="urgent: “refund”")
    expect(reasons.first).to_be_visible()  # why this priority
    expect(page.get_by_test_id("stMarkdown").filter(has_text="900k followers").first).to_be_visible()

    pick(page, "Item", label)
    choose(page, "Mark as", "Assigned")
    page.get_by_role("textbox", name="Assign to", exact=True).fill("sam")
    page.get_by_role("button", name="Update item").click()
    expect(page.get_by_test_id("stToast")).to_contain_text("Saved 2 changes")
    wait_for_app(page)

    pick(page, "Item", label)
    choose(page, "Mark as", "Resolved")
    page.get_by_role("button", name="Update item").click()
    expect(page.get_by_test_id("stToast")).to_contain_text("Saved 1 change")
    wait_for_app(page)
    expect(
        page.get_by_test_id("stMetric").filter(has_text="Answered (14 days)").get_by_test_id("stMetricValue")
    ).to_have_text(str(answered_before + 1))
    store = demo_app.store()
    try:
        stored = store.item(item_id)
        assert stored is not None and stored["assignee"] == "sam" and stored["triage_status"] == "resolved"
        assert stored["first_response_at"] is not None and stored["resolved_at"] is not None
    finally:
        store.engine.dispose()
