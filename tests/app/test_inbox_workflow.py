"""The Inbox's care workflow in AppTest: a negative mention arrives with its SLA clock and
priority reasons, is assigned, then resolved, and the team metrics move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streamlit.testing.v1 import AppTest

from listeners.runner import Runner
from tests.actors import admin
from tests.app.conftest import OWN, ScriptedListener
from ui import inbox
from voc.models import RawItem
from voc.store.facade import Store

ANGRY = "Your outage cost me a day of work, I want a refund now"


def arrive(store: Store) -> None:
    now = datetime.now(UTC)
    store.ensure_source("social", "scripted", poll_interval_s=60)
    raw = RawItem(external_id="angry", text=ANGRY, posted_at=now - timedelta(minutes=20), channel="x", brand=OWN,
                  author="famous", author_reach=250_000, link="https://x.com/famous/status/1")  # fmt: skip
    Runner(store, {"social": ScriptedListener("social", [raw])}, owner="test-runner").run_once()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_an_arriving_mention_is_clocked_assigned_resolved_and_counted(app: AppTest, empty_store: Store) -> None:
    arrive(empty_store)
    at = app.run().switch_page("pages/inbox.py").run()
    assert not at.exception
    queue = at.data_editor[0].value
    top = queue.iloc[0]
    assert top["text"] == ANGRY and top["sla_state"] == "🟢 On track" and top["sla_left"].endswith("min")
    assert any("urgent" in reason for reason in top["priority_reasons"]) and any(
        "250k" in r for r in top["priority_reasons"]
    )
    assert metric(at, "Answered (14 days)") == "0"

    item_id = int(top["id"])
    at.selectbox(key="mark.item").set_value(item_id)
    at.selectbox(key="mark.status").set_value("assigned")
    at.text_input(key="mark.assignee").input("sam")
    next(b for b in at.button if b.label == "Update item").click().run()
    assert not at.exception
    stored = empty_store.item(item_id)
    assert stored is not None and (stored["triage_status"], stored["assignee"]) == ("assigned", "sam")

    at.selectbox(key="mark.item").set_value(item_id)
    at.selectbox(key="mark.status").set_value("resolved")
    next(b for b in at.button if b.label == "Update item").click().run()
    assert not at.exception
    stored = empty_store.item(item_id)
    assert stored is not None and stored["resolved_at"] is not None and stored["first_response_at"] is not None
    assert metric(at, "Answered (14 days)") == "1"
    assert metric(at, "Answered within SLA") == "100%"
    assert metric(at, "Median first response") in {"19 min", "20 min", "21 min"}  # posted 20 min before


def test_time_left_reads_as_words_in_the_item_panel() -> None:
    assert inbox.time_left_phrase("45 min") == "45 min left"
    assert inbox.time_left_phrase("-2 d 8 h") == "overdue by 2 d 8 h"


def test_the_item_panel_warns_when_another_agent_has_it_open_and_takes_notes(app: AppTest, empty_store: Store) -> None:
    arrive(empty_store)
    item_id = int(empty_store.inbox_frame(statuses=["new"])["id"].iloc[0])
    empty_store.touch_viewer(item_id, admin("ana@example.com"), datetime.now(UTC))
    at = app.run().switch_page("pages/inbox.py").run()
    at.selectbox(key="inbox.item").set_value(item_id).run()
    assert not at.exception
    assert "ana@example.com also has this item open." in at.warning[0].value
    at.text_area[0].input("Offered a credit, waiting for reply")
    next(b for b in at.button if b.label == "Add note").click().run()
    assert [n["text"] for n in empty_store.notes(item_id)] == ["Offered a credit, waiting for reply"]


def test_bulk_actions_assign_and_tag_several_items(app: AppTest, store_with_items: Store) -> None:
    at = app.run().switch_page("pages/inbox.py").run()
    ids = [int(i) for i in at.data_editor[0].value["id"]][:2]
    at.multiselect(key="bulk.items").set_value(ids)
    at.text_input(key="bulk.assignee").input("kim")
    at.text_input(key="bulk.tag").input("outage")
    next(b for b in at.button if b.label == "Apply to selected").click().run()
    assert not at.exception
    for item_id in ids:
        stored = store_with_items.item(item_id)
        assert stored is not None and stored["assignee"] == "kim" and stored["tags"] == ["outage"]


def test_a_link_to_an_item_opens_it_first(app: AppTest, empty_store: Store) -> None:
    """/inbox?item=N (an alert's "Open in the app") shows that item's details before the queue."""
    arrive(empty_store)
    item_id = int(empty_store.inbox_frame(statuses=["new"])["id"].iloc[0])
    empty_store.add_note(item_id, "Called back, no answer", actor=admin("ana@example.com"), now=datetime.now(UTC))
    app.switch_page("pages/inbox.py")  # as a browser opening the link
    app.query_params["item"] = str(item_id)

    at = app.run()

    assert not at.exception
    assert at.subheader[0].value == f"Item #{item_id}, from the link"
    assert at.selectbox(key="inbox.item").value == item_id
    assert any("250k" in m.value for m in at.markdown)  # its priority reasons
    assert any("Called back, no answer" in t.value.to_string() for t in at.table)  # its history and notes
    assert empty_store.other_viewers(item_id, "someone else", datetime.now(UTC))  # opening it marked it as viewed


def test_a_link_to_an_item_outside_the_view_says_why_it_is_not_shown(app: AppTest, empty_store: Store) -> None:
    arrive(empty_store)
    app.switch_page("pages/inbox.py")
    app.query_params["item"] = "999999"

    at = app.run()

    assert not at.exception
    assert "Item #999999 from the link is not in this view" in at.info[0].value
    assert at.data_editor  # the queue is still there
