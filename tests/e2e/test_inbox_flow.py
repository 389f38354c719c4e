"""A negative mention arrives → the browser finds its words in the queue with its SLA clock →
opened → assigned to me → resolved → the team metrics move. Real browser, real server, the demo
feed's database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from listeners.runner import Runner
from tests.app.conftest import OWN, ScriptedListener
from tests.e2e.conftest import DemoApp
from tests.e2e.test_browser import choose, metric_value, open_inbox, wait_for_app
from voc.models import RawItem
from voc.store.facade import Store
from voc.store.schema import items

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
        return _id_of(store, ANGRY)
    finally:
        store.engine.dispose()


def _id_of(store: Store, text: str) -> int:
    with store.read() as connection:
        return int(connection.execute(sa.select(items.c.id).where(items.c.text == text)).scalar_one())


def test_a_negative_mention_is_clocked_assigned_resolved_and_metrics_move(page: Page, demo_app: DemoApp) -> None:
    open_inbox(page, demo_app)
    answered_before = int(metric_value(page, "Answered (14 days)"))
    item_id = arrive(demo_app)

    page.reload()
    wait_for_app(page)
    line = page.locator(f".st-key-inbox-entry-{item_id}")
    choose(page, "Channel", "X")  # the demo's week waits too: equal priorities go oldest first
    wait_for_app(page)
    for number in range(2, 60):  # page on until it is there
        if line.count():
            break
        page.get_by_role("button", name="Next page").click()
        expect(page.get_by_text(f"Page {number} of", exact=False)).to_be_visible()
        wait_for_app(page)
    expect(line.get_by_text("Outage all morning and nobody answers", exact=False).first).to_be_visible()
    expect(line.get_by_text("On track", exact=False).first).to_be_visible()  # the clock, from posting time
    expect(line.get_by_text("900k followers", exact=False).first).to_be_visible()
    line.get_by_role("button", name="Open").click()
    wait_for_app(page)
    expect(page.get_by_text("urgent: “refund”", exact=False).first).to_be_visible()  # why this priority

    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_test_id("stToast")).to_contain_text("Assigned to local user")
    wait_for_app(page)
    note = page.get_by_label("Internal note (never sent to the customer)")
    note.fill("Refund approved by billing")  # the form writes in its submit's callback
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_test_id("stToast").filter(has_text="Note added")).to_be_visible()
    expect(note).to_have_value("")  # cleared for the next note
    wait_for_app(page)
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    wait_for_app(page)
    page.get_by_role("button", name="Back to the queue").click()
    wait_for_app(page)
    expect(
        page.get_by_test_id("stMetric").filter(has_text="Answered (14 days)").get_by_test_id("stMetricValue")
    ).to_have_text(str(answered_before + 1))
    store = demo_app.store()
    try:
        stored = store.item(item_id)
        assert stored is not None and stored["assignee"] == "local user" and stored["triage_status"] == "resolved"
        assert stored["first_response_at"] is not None and stored["resolved_at"] is not None
        assert [n["text"] for n in store.notes(item_id)] == ["Refund approved by billing"]
    finally:
        store.engine.dispose()
